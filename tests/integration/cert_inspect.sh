#!/usr/bin/env bash
# gossipd cert inspect: prints subject, issuer, validity, SANs, key usage
# and EKU, the CN, and the node verdict of SPEC.md section 4 (CN, SAN and
# key usage rules) with its reason; -ca-certificate checks the chain.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

G=$GOSSIPD_BIN
P=$T_DIR
"$G" cert create-ca -out "$P/ca" >/dev/null || t_fail "create-ca"
"$G" cert create-ca -out "$P/ca2" >/dev/null || t_fail "create-ca 2"
CA=(-ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca/ca.key")
"$G" cert create-node "${CA[@]}" -out "$P/node" -ip-addresses 127.0.0.1,::1 \
	-dns-names localhost -common-name node1.cluster.test >/dev/null || t_fail "node"

out=$("$G" cert inspect "$P/node/node.crt") || t_fail "inspect node"
assert_contains "$out" "subject:       CN=node1.cluster.test" "subject"
assert_contains "$out" "issuer:        CN=gossipd CA" "issuer"
assert_contains "$out" "(valid now)" "validity"
assert_contains "$out" "key:           EC, 256 bits" "key"
assert_contains "$out" "CA:            no" "not a CA"
assert_contains "$out" "SANs:          DNS:localhost, IP:127.0.0.1, IP:::1" "SANs"
assert_contains "$out" "key usage:     digitalSignature, keyEncipherment" "key usage"
assert_contains "$out" "ext key usage: serverAuth, clientAuth" "EKU"
assert_contains "$out" "CN:              node1.cluster.test" "CN"
assert_contains "$out" "chain:           not checked" "chain not checked"
assert_contains "$out" 'node:            yes' "a node by its own CN"

out=$("$G" cert inspect -reserved-cn '*.cluster.test' -ca-certificate "$P/ca/ca.crt" "$P/node/node.crt") ||
	t_fail "inspect with pattern"
assert_contains "$out" 'node:            yes, admitted as a node by the CN, SAN and key usage rules (reserved node CN "*.cluster.test"); valid now, chain verifies' "wildcard pattern"
assert_contains "$out" "chain:           verifies to $P/ca/ca.crt" "chain"

out=$("$G" cert inspect --reserved-cn='*.other.test' --ca-certificate="$P/ca2/ca.crt" "$P/node/node.crt") && rc=0 || rc=$?
assert_eq 3 "$rc" "refused: exit status 3"
assert_contains "$out" "chain:           does not verify to $P/ca2/ca.crt:" "wrong CA"
assert_contains "$out" 'node:            no, the chain does not verify' "the chain is part of the verdict"
out=$("$G" cert inspect --reserved-cn='*.other.test' --ca-certificate="$P/ca/ca.crt" "$P/node/node.crt") && rc=0 || rc=$?
assert_eq 3 "$rc" "CN mismatch: exit status"
assert_contains "$out" 'node:            no, CN "node1.cluster.test" does not match the reserved node CN "*.other.test"' "CN mismatch"

# serverAuth only: not a node (rule 4)
"$G" cert create-node "${CA[@]}" -out "$P/srv" -dns-names localhost -eku server >/dev/null || t_fail "srv"
out=$("$G" cert inspect "$P/srv/node.crt") && rc=0 || rc=$?
assert_eq 3 "$rc" "srv: exit status"
assert_contains "$out" "ext key usage: serverAuth" "EKU server only"
assert_contains "$out" "node:            no, extended key usage lacks clientAuth" "rule 4"

# a client certificate: no SAN (rule 3)
"$G" cert create-client "${CA[@]}" -out "$P/client" -common-name web-client >/dev/null || t_fail "client"
out=$("$G" cert inspect -reserved-cn web-client "$P/client/client.crt") && rc=0 || rc=$?
assert_eq 3 "$rc" "client: exit status"
assert_contains "$out" "SANs:          none" "no SANs"
assert_contains "$out" "ext key usage: clientAuth" "client EKU"
assert_contains "$out" "node:            no, certificate has no DNS or IP subject alternative name" "rule 3"

# the CA: not a host name
out=$("$G" cert inspect "$P/ca/ca.crt") && rc=0 || rc=$?
assert_eq 3 "$rc" "CA: exit status"
assert_contains "$out" "CA:            yes, no path length limit" "CA"
assert_contains "$out" "key usage:     keyCertSign, cRLSign" "CA key usage"
assert_contains "$out" "ext key usage: absent" "CA EKU"
assert_contains "$out" 'node:            no, the CN "gossipd CA 20' "CA CN (dated)"
assert_contains "$out" '" is not a host name' "CA CN"

# an OpenSSL certificate whose key usage lacks keyEncipherment/keyAgreement
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-keyout "$P/o.key" -out "$P/o.crt" -subj "/O=Org/CN=n2.cluster.test" \
	-addext "subjectAltName=IP:10.9.8.7" -addext "keyUsage=critical,digitalSignature" \
	2>/dev/null || t_fail "openssl req"
out=$("$G" cert inspect -reserved-cn '*.cluster.test' "$P/o.crt") && rc=0 || rc=$?
assert_eq 3 "$rc" "openssl KU: exit status"
assert_contains "$out" "subject:       O=Org, CN=n2.cluster.test" "openssl subject"
assert_contains "$out" "SANs:          IP:10.9.8.7" "openssl SAN"
assert_contains "$out" "node:            no, key usage lacks keyEncipherment and keyAgreement" "rule 4 KU"

# expired, in a bundle with its CA
"$G" cert create-node "${CA[@]}" -out "$P/old" -ip-addresses 127.0.0.1 \
	-not-before 20200101000000 -not-after 20210101000000 >/dev/null || t_fail "old"
cat "$P/old/node.crt" "$P/ca/ca.crt" >"$P/bundle.pem"
out=$("$G" cert inspect -ca-certificate "$P/ca/ca.crt" "$P/bundle.pem") && rc=0 || rc=$?
assert_eq 3 "$rc" "expired: exit status (it used to say node: yes, exit 0)"
assert_contains "$out" "node:            no, the certificate has expired" "expired: the verdict"
assert_contains "$out" "2020-01-01 00:00:00 UTC to 2021-01-01 00:00:00 UTC (expired)" "expired"
assert_contains "$out" "certificate 2:" "bundle"
assert_contains "$out" "does not verify to $P/ca/ca.crt: certificate has expired" "expired chain"

# DER works too
openssl x509 -in "$P/node/node.crt" -outform DER -out "$P/node.der"
out=$("$G" cert inspect "$P/node.der") || t_fail "inspect DER"
assert_contains "$out" "SANs:          DNS:localhost, IP:127.0.0.1, IP:::1" "DER"

err=$("$G" cert inspect "$P/missing.crt" 2>&1 >/dev/null)
assert_eq 1 "$?" "missing file"
assert_contains "$err" "cannot read $P/missing.crt: No such file or directory" "missing file message"
assert_eq 1 "$(printf '%s\n' "$err" | wc -l)" "one line"
echo junk >"$P/junk.crt"
err=$("$G" cert inspect "$P/junk.crt" 2>&1 >/dev/null)
assert_eq 1 "$?" "junk file"
assert_contains "$err" "$P/junk.crt holds no certificate, PKCS#12, CRL or private key" "junk message"
"$G" cert inspect >/dev/null 2>&1
assert_eq 2 "$?" "no file"
"$G" cert inspect a b >/dev/null 2>&1
assert_eq 2 "$?" "two files"
# A CA directory works as the trust path.
out=$("$G" cert inspect -ca-certificate "$P/ca" "$P/node/node.crt") || t_fail "CA directory: $out"
assert_contains "$out" "chain:           verifies to $P/ca" "CA directory"

# PKCS#12: with its password; without it, the message says so.
openssl pkcs12 -export -in "$P/node/node.crt" -inkey "$P/node/node.key" \
	-certfile "$P/ca/ca.crt" -passout pass:s3cret -out "$P/node.p12" 2>/dev/null || t_fail "openssl pkcs12"
err=$("$G" cert inspect "$P/node.p12" 2>&1 >/dev/null) && rc=0 || rc=$?
assert_eq 1 "$rc" "PKCS#12 without a password: exit status"
assert_contains "$err" "is a PKCS#12 file: wrong password" "PKCS#12 without a password"
assert_contains "$err" "the password is missing: give -password" "PKCS#12: names the missing password"
out=$("$G" cert inspect -password s3cret -ca-certificate "$P/ca/ca.crt" "$P/node.p12") ||
	t_fail "inspect PKCS#12: $out"
assert_contains "$out" "(PKCS#12)" "PKCS#12 named"
assert_contains "$out" "private key:     EC, 256 bits, matches the first certificate" "PKCS#12 key"
assert_contains "$out" "subject:       CN=node1.cluster.test" "PKCS#12 certificate"
assert_contains "$out" "node:            yes" "PKCS#12 verdict"

# A CRL (openssl ca with the gossipd CA revokes the node certificate).
mkdir -p "$P/crl"
: >"$P/crl/index.txt"
cat >"$P/crl/ca.cnf" <<CNF
[ ca ]
default_ca = d
[ d ]
database = $P/crl/index.txt
crlnumber = $P/crl/number
default_md = sha256
default_crl_days = 7
CNF
echo 01 >"$P/crl/number"
openssl ca -config "$P/crl/ca.cnf" -keyfile "$P/ca/ca.key" -cert "$P/ca/ca.crt" \
	-revoke "$P/node/node.crt" >/dev/null 2>&1 || t_fail "openssl ca -revoke"
openssl ca -config "$P/crl/ca.cnf" -keyfile "$P/ca/ca.key" -cert "$P/ca/ca.crt" \
	-gencrl -out "$P/crl/ca.crl" >/dev/null 2>&1 || t_fail "openssl ca -gencrl"
out=$("$G" cert inspect "$P/crl/ca.crl") || t_fail "inspect CRL: $out"
assert_contains "$out" "CRL issuer:      CN=gossipd CA" "CRL issuer"
assert_contains "$out" "revoked:         1 certificate" "CRL count"
serial=$(openssl x509 -in "$P/node/node.crt" -noout -serial | cut -d= -f2)
assert_contains "$(tr -d ':' <<<"$out")" "serial $serial, revoked" "the revoked serial"
# A key.
out=$("$G" cert inspect "$P/node/node.key") || t_fail "inspect key"
assert_contains "$out" "private key:     EC, 256 bits" "key"
t_pass
