#!/usr/bin/env bash
# Slowloris against the TLS port (slowhttptest, loopback only, bounded)
# while a legitimate client from another loopback address keeps polling
# /health/live: the legitimate client keeps getting answers, and the slow
# connections are closed by the request deadline.
. "$GOSSIPD_SRC/tests/lib.sh"
command -v slowhttptest >/dev/null 2>&1 || t_skip "slowhttptest is not installed"
t_init
make_pki "$T_DIR"
port=$(free_port)
start_node n1 --node-ip 127.0.0.1 --node-port "$port" \
	--certificate-file "$T_DIR/node/node.crt" \
	--certificate-private-key-file "$T_DIR/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
	--request-timeout-ms 3000 --handshake-timeout-ms 2000 \
	--max-connections 1000 --max-connections-per-ip 1000
url="https://127.0.0.1:$port"
ca=(--cacert "$T_DIR/ca/ca.crt")
wait_for 15 curl -sf "${ca[@]}" "$url/health/live" || t_fail "daemon did not start"
base_fds=$(ls "/proc/$PID_n1/fd" | wc -l)

# 400 slow-header connections for 15 s, one header line every 2 s.
slowhttptest -H -c 400 -r 200 -i 2 -s 8192 -l 15 -x 24 -p 3 \
	-u "$url/health/live" -o "$T_DIR/slow" >"$T_DIR/slowhttptest.log" 2>&1 &
slow=$!
T_PIDS+=("$slow")

# The legitimate client polls from 127.0.0.2 while the attack runs.
ok=0 bad=0
deadline=$((SECONDS + 15))
while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$slow" 2>/dev/null; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --interface 127.0.0.2 \
		"${ca[@]}" "$url/health/live")
	if [ "$code" = 204 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
	sleep 0.2
done
wait_exit "$slow" 60 >/dev/null || t_fail "slowhttptest did not finish"
t_log "legitimate client during slowloris: $ok answered, $bad failed"
[ "$ok" -ge 10 ] || t_fail "too few legitimate polls ran ($ok)"
assert_eq 0 "$bad" "legitimate requests that failed during slowloris"
grep -qiE 'closed|timeout' "$T_DIR/slowhttptest.log" || true
wait_for 15 test "$(ls "/proc/$PID_n1/fd" | wc -l)" -le $((base_fds + 4)) ||
	t_fail "descriptors not back to baseline after slowloris"
t_pass
