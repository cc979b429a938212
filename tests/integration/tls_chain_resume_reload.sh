#!/usr/bin/env bash
# A node certificate from an intermediate CA, on a resumed session (which
# keeps the leaf alone): a reload re-checks the open connection with the
# leaf and the intermediate the set knows, so the connection stays and
# keeps its node rights; no false "not signed by a trusted CA".
source "$GOSSIPD_SRC/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
g() { "$GOSSIPD_BIN" cert "$@" >/dev/null || t_fail "gossipd cert $*"; }
d=$T_DIR
g create-ca -out "$d/root"
g create-ca -ca-certificate "$d/root/ca.crt" -ca-key "$d/root/ca.key" -out "$d/inter" \
	-common-name "gossipd intermediate"
inter=(-ca-certificate "$d/inter/ca.crt" -ca-key "$d/inter/ca.key")
g create-node "${inter[@]}" -out "$d/n1" -ip-addresses 127.0.0.1 -common-name node1.cluster.test
g create-node "${inter[@]}" -out "$d/n2" -ip-addresses 127.0.0.2 -common-name node2.cluster.test
for n in n1 n2; do cat "$d/$n/node.crt" "$d/inter/ca.crt" >"$d/$n/bundle.crt"; done

port=$(free_port)
start_node n1 --node-port "$port" --certificate-file "$d/n1/bundle.crt" \
	--certificate-private-key-file "$d/n1/node.key" \
	--trusted-root-certificates-path "$d/root/ca.crt" \
	--certificate-reserved-node-common-name '*.cluster.test'
wait_serving n1 "https://127.0.0.1:$port" 10 --cacert "$d/root/ca.crt"

python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" \
	--path /admin/member --ca "$d/root/ca.crt" --cert "$d/n2/bundle.crt" \
	--key "$d/n2/node.key" --bind 127.0.0.2 --interval 0.2 --count 100 \
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
assert_eq 0 "$(stop_node n1 5)" "exit status"
t_pass
