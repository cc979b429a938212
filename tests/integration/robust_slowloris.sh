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
	--request-timeout-ms 3000 \
	--max-connections 1000 --max-connections-per-ip 1000
url="https://127.0.0.1:$port"
ca=(--cacert "$T_DIR/ca/ca.crt")
wait_for 15 curl -sf "${ca[@]}" "$url/health/live" || t_fail "daemon did not start"
base_fds=$(ls "/proc/$PID_n1/fd" | wc -l)

# 400 slow-header connections for up to 15 s, one header line every 2 s,
# opened at 50 a second: slow enough that the TLS handshakes alone do not
# take the CPU (about 7 ms each under ASan), so what is tested is the
# cost of connections that are held open, not a handshake flood
# (robust_flood.sh does that).
slowhttptest -H -c 400 -r 50 -i 2 -s 8192 -l 15 -x 24 -p 3 \
	-u "$url/health/live" -o "$T_DIR/slow" >"$T_DIR/slowhttptest.log" 2>&1 &
slow=$!
T_PIDS+=("$slow")

# The legitimate client polls from 127.0.0.2 while the attack runs.
ok=0 bad=0 max_fds=$base_fds
deadline=$((SECONDS + 15))
while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$slow" 2>/dev/null; do
	n=$(ls "/proc/$PID_n1/fd" | wc -l)
	[ "$n" -le "$max_fds" ] || max_fds=$n
	code=$(curl -s -o /dev/null -w '%{http_code} %{time_connect} %{time_appconnect} %{time_total} exit %{exitcode}: %{errormsg}' \
		--max-time 8 --interface 127.0.0.2 "${ca[@]}" "$url/health/live")
	if [ "${code%% *}" = 204 ]; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		t_log "legitimate request failed at ${SECONDS}s: code, connect, TLS, total: $code"
	fi
	sleep 0.2
done
wait_for 30 bash -c "! kill -0 $slow" || t_fail "slowhttptest did not finish"
t_log "legitimate client during slowloris: $ok answered, $bad failed"
t_log "daemon descriptors: $base_fds before, at most $max_fds during the attack"
[ "$ok" -ge 5 ] || t_fail "too few legitimate polls ran ($ok)"
# The attack did hold connections open at the same time (each costs the
# daemon a client socket and a socketpair).
[ "$max_fds" -ge $((base_fds + 100)) ] ||
	t_fail "the slow connections were not held open (at most $max_fds descriptors, $base_fds at rest)"
assert_eq 0 "$bad" "legitimate requests that failed during slowloris"
# The slow connections were closed by the daemon's request deadline.
wait_log n1 'closed: request not complete within 3000 ms' 5
fds_back() { [ "$(ls "/proc/$PID_n1/fd" | wc -l)" -le $((base_fds + 4)) ]; }
wait_for 15 fds_back ||
	t_fail "descriptors not back to baseline after slowloris: $base_fds before, $(ls "/proc/$PID_n1/fd" | wc -l) after; $(ss -Htanp "sport = :$port" | awk '{print $1}' | sort | uniq -c | tr '\n' ' ')"
t_pass
