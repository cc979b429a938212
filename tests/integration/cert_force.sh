#!/usr/bin/env bash
# gossipd cert: existing output files are kept unless -force; with -force
# they are replaced, and a replaced key is 0600 whatever the old mode.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

G=$GOSSIPD_BIN
P=$T_DIR
"$G" cert create-ca -out "$P/ca" >/dev/null || t_fail "create-ca"
node() {
	"$G" cert create-node -ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca/ca.key" \
		-out "$P/node" -ip-addresses 127.0.0.1 "$@"
}
node >/dev/null || t_fail "create-node"
before=$(cat "$P/node/node.crt" "$P/node/node.key" | sha256sum)

err=$(node 2>&1 >/dev/null)
rc=$?
assert_eq 1 "$rc" "exit code without -force"
assert_contains "$err" "node.crt exists; use -force to overwrite it" "message"
assert_eq 1 "$(printf '%s\n' "$err" | wc -l)" "one line on stderr"
assert_eq "$before" "$(cat "$P/node/node.crt" "$P/node/node.key" | sha256sum)" "files unchanged"

# only the key left over: still refused, and the key is kept
rm "$P/node/node.crt"
err=$(node 2>&1 >/dev/null) && t_fail "overwrote a lone key"
assert_contains "$err" "node.key exists" "lone key"
[ ! -e "$P/node/node.crt" ] || t_fail "wrote a certificate for someone else's key"

# the CA too
err=$("$G" cert create-ca -out "$P/ca" 2>&1 >/dev/null) && t_fail "overwrote the CA"
assert_contains "$err" "ca.crt exists" "CA kept"

chmod 644 "$P/node/node.key"
out=$(node -force) || t_fail "create-node -force"
assert_contains "$out" "wrote" "success message"
after=$(cat "$P/node/node.crt" "$P/node/node.key" | sha256sum)
[ "$before" != "$after" ] || t_fail "-force did not replace the files"
assert_eq 600 "$(stat -c %a "$P/node/node.key")" "key mode after -force"
assert_eq 644 "$(stat -c %a "$P/node/node.crt")" "cert mode after -force"
openssl verify -CAfile "$P/ca/ca.crt" "$P/node/node.crt" >/dev/null 2>&1 ||
	t_fail "the replaced certificate does not verify"
a=$(openssl pkey -in "$P/node/node.key" -pubout)
b=$(openssl x509 -in "$P/node/node.crt" -noout -pubkey)
assert_eq "$a" "$b" "the replaced key matches the replaced certificate"
assert_eq 2 "$(find "$P/node" -mindepth 1 | wc -l)" "no temporary files left"
t_pass
