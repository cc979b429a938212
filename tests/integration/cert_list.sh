#!/usr/bin/env bash
# gossipd cert list DIR: one row per certificate, key, PKCS#12 file and
# CRL with kind, subject, SANs, issuer, expiry and problems; exit 0 for a
# clean directory, 3 when a file has problems (expired, a key with no
# certificate or readable by others, a PKCS#12 file the password does not
# open, a chain that does not verify to the directory's CA).
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

G=$GOSSIPD_BIN
D=$T_DIR/certs
mkdir -p "$D"
"$G" cert create-ca -out "$T_DIR/ca" >/dev/null || t_fail "create-ca"
"$G" cert create-ca -out "$T_DIR/other" -common-name "other CA" >/dev/null || t_fail "other CA"
CA=(-ca-certificate "$T_DIR/ca/ca.crt" -ca-key "$T_DIR/ca/ca.key")
"$G" cert create-node "${CA[@]}" -out "$T_DIR/node" -ip-addresses 127.0.0.1,::1 \
	-dns-names node1.example -common-name node1.example >/dev/null || t_fail "node"
cp "$T_DIR/ca/ca.crt" "$T_DIR/node/node.crt" "$T_DIR/node/node.key" "$D/"

out=$("$G" cert list "$D") && rc=0 || rc=$?
t_log "clean:"$'\n'"$out"
assert_eq 0 "$rc" "a clean directory"
assert_contains "$out" "3 files, no problems" "the summary"
row() { grep -E "^$1 " <<<"$out"; }
assert_contains "$(row ca.crt)" "CA " "ca.crt kind"
assert_contains "$(row ca.crt)" "gossipd CA" "ca.crt subject"
r=$(row node.crt)
assert_contains "$r" "node " "node.crt kind"
assert_contains "$r" "node1.example" "node.crt subject"
assert_contains "$r" "DNS:node1.example, IP:127.0.0.1, IP:::1" "node.crt SANs"
grep -qE "$(date -u -d '+365 days' +%Y-%m-%d) \(36[45]d\)" <<<"$r" || t_fail "node.crt expiry: $r"
assert_contains "$(row node.key)" "key EC-256  for node.crt" "node.key matched"

# Now every kind of trouble.
"$G" cert create-node "${CA[@]}" -out "$T_DIR/old" -ip-addresses 127.0.0.1 \
	-not-before 20200101000000 -not-after 20210101000000 >/dev/null || t_fail "old"
cp "$T_DIR/old/node.crt" "$D/old.crt"
"$G" cert create-client -ca-certificate "$T_DIR/other/ca.crt" -ca-key "$T_DIR/other/ca.key" \
	-out "$T_DIR/client" -common-name app >/dev/null || t_fail "client"
cp "$T_DIR/client/client.crt" "$D/app.crt"
cp "$T_DIR/other/ca.key" "$D/orphan.key"
chmod 644 "$D/orphan.key"
openssl pkcs12 -export -in "$T_DIR/node/node.crt" -inkey "$T_DIR/node/node.key" \
	-passout pass:pw -out "$D/node.p12" 2>/dev/null || t_fail "pkcs12"
chmod 600 "$D/node.p12"
echo "not a certificate" >"$D/README"
out=$("$G" cert list "$D") && rc=0 || rc=$?
t_log "troubled:"$'\n'"$out"
assert_eq 3 "$rc" "problems: exit status"
assert_contains "$(row old.crt)" "EXPIRED" "expired"
assert_contains "$(row app.crt)" "client " "client kind"
assert_contains "$(row app.crt)" "chain: certificate is not signed by a trusted CA" "foreign chain"
r=$(row orphan.key)
assert_contains "$r" "no certificate in the directory for this key" "orphan key"
assert_contains "$r" "readable by group or others (chmod 600)" "key mode"
assert_contains "$(row node.p12)" "wrong password" "locked PKCS#12"
assert_contains "$(row node.p12)" "give -password" "the hint"
assert_contains "$out" "(1 other file skipped)" "README skipped"
# With the password the PKCS#12 file opens: its chain is listed.
out=$("$G" cert list -password pw "$D") && rc=0 || rc=$?
assert_contains "$(row node.p12)" "pkcs12 node" "PKCS#12 opened"
assert_not_contains "$(row node.p12)" "password" "no password problem"
# -ca-certificate replaces the directory's CAs as trust.
out=$("$G" cert list -ca-certificate "$T_DIR/other/ca.crt" "$D") && rc=0 || rc=$?
assert_not_contains "$(row app.crt)" "chain:" "app.crt verifies to the given CA"
assert_contains "$(row node.crt)" "chain: certificate is not signed by a trusted CA" "node.crt does not"

"$G" cert list "$T_DIR/missing" >/dev/null 2>&1 && rc=0 || rc=$?
assert_eq 1 "$rc" "missing directory"
"$G" cert list >/dev/null 2>&1 && rc=0 || rc=$?
assert_eq 2 "$rc" "no directory"
t_pass
