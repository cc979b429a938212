#!/usr/bin/env bash
# A flood of connections beyond the caps is refused cleanly before any
# handshake work, a full-handshake flood is survived, and the daemon
# recovers: other clients are served throughout, descriptors return.
. "$GOSSIPD_SRC/tests/lib.sh"
LOADGEN=${LOADGEN_BIN:-$(dirname "$GOSSIPD_BIN")/tests/bench/loadgen}
[ -x "$LOADGEN" ] || t_fail "loadgen not built at $LOADGEN"
t_init
make_pki "$T_DIR"
port=$(free_port)
start_node n1 --node-ip 127.0.0.1 --node-port "$port" \
	--certificate-file "$T_DIR/node/node.crt" \
	--certificate-private-key-file "$T_DIR/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
	--max-connections 100 --max-connections-per-ip 20 \
	--handshake-timeout-ms 3000
url="https://127.0.0.1:$port"
ca=(--cacert "$T_DIR/ca/ca.crt")
wait_for 15 curl -sf "${ca[@]}" "$url/health/live" || t_fail "daemon did not start"
fds() { ls "/proc/$PID_n1/fd" | wc -l; }
refusals() { # REASON: the daemon's refusal counter
	curl -sf --max-time 5 "${ca[@]}" --interface 127.0.0.4 "$url/metrics" |
		sed -n "s/^gossipd_connection_refusals_total{reason=\"$1\"} \([0-9]*\)$/\1/p"
}
base_fds=$(fds)
base_refused=$(refusals per_ip_limit)
[ -n "$base_refused" ] || t_fail "no per-IP refusal counter in /metrics"

# 60 idle TCP connections from 127.0.0.1: only 20 are kept, the other 40
# are closed at accept (counted, and logged at most a few times a second)
# and cost no descriptor.
fdlist=()
for i in $(seq 1 60); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" && fdlist+=("$fd")
done
wait_log n1 'refused: per-IP connection limit reached \(MaxConnectionsPerIp 20\)' 5
refused_now() { [ "$(refusals per_ip_limit)" -ge $((base_refused + 40)) ]; }
wait_for 5 refused_now || t_fail "per-IP refusals: $(refusals per_ip_limit), expected at least $((base_refused + 40))"
[ "$(fds)" -le $((base_fds + 20 + 4)) ] ||
	t_fail "more than 20 connections from one address held: $(fds) descriptors, $base_fds at rest"
# Another loopback address is still served while the first is at its cap.
assert_eq 204 "$(http_code "$url/health/live" "${ca[@]}" --interface 127.0.0.3)" \
	"health from another address during the flood"
for fd in "${fdlist[@]}"; do exec {fd}<&-; done

# A full-handshake flood from 127.0.0.1 (loadgen, 3 s, 40 connections, a
# new handshake for every request; half of them over the per-IP cap)
# while another address keeps being served.
# SIGPIPE ignored: the refused connections are closed under loadgen's
# writes, and a generator killed by that would end the flood early.
(
	trap '' PIPE
	exec "$LOADGEN" --host 127.0.0.1 --port "$port" --mode full --connections 40 \
		--seconds 3 --path /health/live --cacert "$T_DIR/ca/ca.crt"
) >"$T_DIR/flood.txt" 2>&1 &
flood=$!
T_PIDS+=("$flood")
served=0
while kill -0 "$flood" 2>/dev/null; do
	code=$(http_code "$url/health/live" "${ca[@]}" --interface 127.0.0.3 --max-time 8)
	assert_eq 204 "$code" "health from another address during the handshake flood"
	served=$((served + 1))
done
wait "$flood"
requests=$(sed -n 's/.* requests=\([0-9]*\) .*/\1/p' "$T_DIR/flood.txt")
t_log "handshake flood: $(grep -m 1 'requests=' "$T_DIR/flood.txt"); $served requests from another address answered meanwhile"
[ "${requests:-0}" -gt 0 ] || t_fail "the handshake flood got no answer at all: $(cat "$T_DIR/flood.txt")"
[ "$served" -ge 1 ] || t_fail "no request from another address ran during the flood"

assert_eq 204 "$(http_code "$url/health/live" "${ca[@]}")" "health after the flood"
fds_back() { [ "$(fds)" -le $((base_fds + 4)) ]; }
wait_for 15 fds_back ||
	t_fail "descriptors not back to baseline after the flood: $base_fds before, $(fds) after"
t_pass
