#!/usr/bin/env bash
# gossipd cert: flag spellings (-f v, -f=v, --f v, --f=v), -common-name,
# -days, -not-before/-not-after (expired and not-yet-valid certificates),
# -eku server, -rsa-bits, and --help documenting the flags.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

G=$GOSSIPD_BIN
P=$T_DIR
"$G" cert create-ca --out="$P/ca" -common-name="Test Root" --days 30 >/dev/null ||
	t_fail "create-ca with mixed spellings"
subj=$(openssl x509 -in "$P/ca/ca.crt" -noout -subject)
assert_eq "subject=CN = Test Root" "$subj" "CA common name"
CA=(--ca-certificate "$P/ca/ca.crt" -ca-key="$P/ca/ca.key")

"$G" cert create-node "${CA[@]}" --out "$P/n1" --ip-addresses=10.0.0.1 \
	-dns-names " a.test , b.test" -common-name node1.cluster.test --days=7 >/dev/null ||
	t_fail "create-node with mixed spellings"
txt=$(openssl x509 -in "$P/n1/node.crt" -noout -text)
assert_contains "$txt" "DNS:a.test, DNS:b.test, IP Address:10.0.0.1" "SANs trimmed"
assert_contains "$txt" "Subject: CN = node1.cluster.test" "node CN"
openssl x509 -in "$P/n1/node.crt" -noout -checkend $((6 * 86400)) >/dev/null ||
	t_fail "-days 7 ends too early"
openssl x509 -in "$P/n1/node.crt" -noout -checkend $((8 * 86400)) >/dev/null &&
	t_fail "-days 7 ends too late"

# expired
"$G" cert create-node "${CA[@]}" -out "$P/old" -ip-addresses 127.0.0.1 \
	-not-before 20200101000000 -not-after 20210101000000 >/dev/null || t_fail "expired node"
out=$(openssl verify -CAfile "$P/ca/ca.crt" "$P/old/node.crt" 2>&1) && t_fail "expired verifies"
assert_contains "$out" "certificate has expired" "expired"
assert_eq "notBefore=Jan  1 00:00:00 2020 GMT" \
	"$(openssl x509 -in "$P/old/node.crt" -noout -startdate)" "-not-before"
assert_eq "notAfter=Jan  1 00:00:00 2021 GMT" \
	"$(openssl x509 -in "$P/old/node.crt" -noout -enddate)" "-not-after"

# not yet valid (beyond 2050: GeneralizedTime)
"$G" cert create-client "${CA[@]}" -out "$P/future" -common-name later \
	-not-before 20600101000000 -days 10 >/dev/null || t_fail "future client"
out=$(openssl verify -CAfile "$P/ca/ca.crt" "$P/future/client.crt" 2>&1) && t_fail "future verifies"
assert_contains "$out" "certificate is not yet valid" "not yet valid"
assert_eq "notAfter=Jan 11 00:00:00 2060 GMT" \
	"$(openssl x509 -in "$P/future/client.crt" -noout -enddate)" "-days from -not-before"

# serverAuth only
"$G" cert create-node "${CA[@]}" -out "$P/srv" -dns-names localhost -eku server >/dev/null ||
	t_fail "-eku server"
txt=$(openssl x509 -in "$P/srv/node.crt" -noout -text)
assert_contains "$txt" "TLS Web Server Authentication" "-eku server"
assert_not_contains "$txt" "TLS Web Client Authentication" "-eku server"
"$G" cert create-node "${CA[@]}" -out "$P/cli" -dns-names localhost -eku client >/dev/null ||
	t_fail "-eku client"
txt=$(openssl x509 -in "$P/cli/node.crt" -noout -text)
assert_not_contains "$txt" "TLS Web Server Authentication" "-eku client"

# a client with optional SANs
"$G" cert create-client "${CA[@]}" -out "$P/c2" -common-name app -dns-names app.test >/dev/null ||
	t_fail "client with SAN"
txt=$(openssl x509 -in "$P/c2/client.crt" -noout -text)
assert_contains "$txt" "DNS:app.test" "client SAN"

# RSA 3072
"$G" cert create-client "${CA[@]}" -out "$P/r" -common-name r -key-type rsa -rsa-bits 3072 >/dev/null ||
	t_fail "rsa 3072"
openssl x509 -in "$P/r/client.crt" -noout -text | grep -q "Public-Key: (3072 bit)" ||
	t_fail "-rsa-bits 3072"

# default output directories are relative to the working directory
mkdir "$P/cwd"
(cd "$P/cwd" && "$G" cert create-ca >/dev/null && "$G" cert create-node -dns-names localhost >/dev/null &&
	"$G" cert create-client -common-name u >/dev/null) || t_fail "defaults"
for f in ca/ca.crt ca/ca.key node/node.crt node/node.key client/client.crt client/client.key; do
	[ -f "$P/cwd/$f" ] || t_fail "default output $f missing"
done

help=$("$G" cert --help) || t_fail "--help"
for f in -out -days -common-name -ca-certificate -ca-key -ip-addresses -dns-names \
	-key-type -rsa-bits -force -not-before -not-after -eku -path-length inspect; do
	assert_contains "$help" "$f" "--help mentions $f"
done
h2=$("$G" cert create-node -help) || t_fail "create-node -help"
assert_eq "$help" "$h2" "subcommand help"
t_pass
