#!/usr/bin/env bash
# gossipd cert: create-ca with -ca-certificate/-ca-key makes an
# intermediate CA (path length 0 by default) whose node certificates verify
# through it, and which may not sign another CA.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

G=$GOSSIPD_BIN
P=$T_DIR
"$G" cert create-ca -out "$P/root" -common-name "Root CA" >/dev/null || t_fail "root"
"$G" cert create-ca -ca-certificate "$P/root/ca.crt" -ca-key "$P/root/ca.key" \
	-out "$P/inter" -common-name "Intermediate CA" >/dev/null || t_fail "intermediate"
txt=$(openssl x509 -in "$P/inter/ca.crt" -noout -text)
assert_contains "$txt" "Issuer: CN = Root CA" "issuer"
assert_contains "$txt" "Subject: CN = Intermediate CA" "subject"
assert_contains "$txt" "CA:TRUE, pathlen:0" "path length 0"
rtxt=$(openssl x509 -in "$P/root/ca.crt" -noout -text)
assert_not_contains "$rtxt" "pathlen" "a root has no path length limit"
root_ski=$(openssl x509 -in "$P/root/ca.crt" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
inter_aki=$(openssl x509 -in "$P/inter/ca.crt" -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ')
assert_eq "$root_ski" "${inter_aki#keyid:}" "AKI of the intermediate is the root's SKI"

"$G" cert create-node -ca-certificate "$P/inter/ca.crt" -ca-key "$P/inter/ca.key" \
	-out "$P/node" -ip-addresses 127.0.0.1 >/dev/null || t_fail "node under intermediate"
out=$(openssl verify -CAfile "$P/root/ca.crt" -untrusted "$P/inter/ca.crt" "$P/node/node.crt" 2>&1) ||
	t_fail "chain does not verify: $out"
openssl verify -CAfile "$P/root/ca.crt" "$P/node/node.crt" >/dev/null 2>&1 &&
	t_fail "verified without the intermediate"

err=$("$G" cert create-ca -ca-certificate "$P/inter/ca.crt" -ca-key "$P/inter/ca.key" \
	-out "$P/sub" 2>&1 >/dev/null)
assert_eq 1 "$?" "CA under a pathlen-0 CA"
assert_contains "$err" "path length 0: it may not sign another CA" "message"

# an explicit path length
"$G" cert create-ca -ca-certificate "$P/root/ca.crt" -ca-key "$P/root/ca.key" \
	-out "$P/inter1" -path-length 1 >/dev/null || t_fail "-path-length 1"
openssl x509 -in "$P/inter1/ca.crt" -noout -text | grep -q "CA:TRUE, pathlen:1" ||
	t_fail "pathlen 1"
"$G" cert create-ca -ca-certificate "$P/inter1/ca.crt" -ca-key "$P/inter1/ca.key" \
	-out "$P/inter2" >/dev/null || t_fail "CA under pathlen 1"
err=$("$G" cert create-ca -ca-certificate "$P/inter1/ca.crt" -ca-key "$P/inter1/ca.key" \
	-out "$P/inter3" -path-length 1 2>&1 >/dev/null)
assert_eq 1 "$?" "path length not below the issuer's"
assert_contains "$err" "the issuing CA has path length 1: the new CA needs a path length of at most 0" "message"
"$G" cert create-node -ca-certificate "$P/inter2/ca.crt" -ca-key "$P/inter2/ca.key" \
	-out "$P/deep" -dns-names localhost >/dev/null || t_fail "node under two intermediates"
cat "$P/inter2/ca.crt" "$P/inter1/ca.crt" >"$P/chain.pem"
out=$(openssl verify -CAfile "$P/root/ca.crt" -untrusted "$P/chain.pem" "$P/deep/node.crt" 2>&1) ||
	t_fail "two-intermediate chain does not verify: $out"
t_pass
