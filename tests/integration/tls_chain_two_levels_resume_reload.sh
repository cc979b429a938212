#!/usr/bin/env bash
# Node certificates two intermediate CAs below the root (independent
# openssl PKI: root -> int1 -> int2 -> nodes), on a resumed session (which
# keeps the leaf alone): the session resumes (its path is followed through
# both intermediates of the node's own chain), and a reload re-checks the
# open connection with the leaf and the CAs the set holds above it, so the
# connection stays and keeps its node rights; no false "not signed by a
# trusted CA".
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_int "$P" int1
ossl_leaf "$P" int1 int2 "/CN=oca test intermediate int2 $$" \
	basicConstraints=critical,CA:TRUE keyUsage=critical,keyCertSign,cRLSign \
	subjectKeyIdentifier=hash authorityKeyIdentifier=keyid
for n in n1:1 n2:2; do
	ossl_node "$P" int2 "${n%:*}" "${n%:*}.cluster.test" "127.0.0.${n#*:}"
	cat "$P/${n%:*}.crt" "$P/int2.crt" "$P/int1.crt" >"$P/${n%:*}-chain.crt"
done
serve_on_free_port n1 https --node-ip 127.0.0.1 \
	--certificate-file "$P/n1-chain.crt" --certificate-private-key-file "$P/n1.key" \
	--trusted-root-certificates-path "$P/ca.crt" \
	--certificate-reserved-node-common-name '*.cluster.test'

python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" \
	--path /admin/member --ca "$P/ca.crt" --cert "$P/n2-chain.crt" \
	--key "$P/n2.key" --bind 127.0.0.2 --interval 0.2 --count 100 \
	--resume --stop "$T_DIR/stop" >"$T_DIR/c.out" 2>"$T_DIR/c.err" &
T_PIDS+=($!)
wait_for 10 grep -q ' 200 1$' "$T_DIR/c.out" || t_fail "n2 not served as a node: $(tail -n 2 "$T_DIR/c.err")"
grep -q '^# resumed 1 True$' "$T_DIR/c.err" || t_fail "the connection did not resume: $(cat "$T_DIR/c.err")"

kill -HUP "$PID_n1"
wait_log n1 "audit: SIGHUP .*: reload: options changed: none"
n=$(wc -l <"$T_DIR/c.out")
wait_for 10 bash -c "[ \$(wc -l <'$T_DIR/c.out') -ge $((n + 5)) ]" || t_fail "the client stopped"
touch "$T_DIR/stop"
assert_eq 0 "$(awk '$2 != "200" || $3 != 1' "$T_DIR/c.out" | wc -l)" \
	"answers not 200 or on another connection across the reload"
assert_eq 0 "$(log_count n1 'closed: ')" "connections closed by the reload"
t_pass
