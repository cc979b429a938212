#!/usr/bin/env bash
# A flood of connections beyond the caps is refused cleanly before any
# handshake work, a full-handshake flood is survived, and the daemon
# recovers: other clients are served throughout, descriptors return.
. "$GOSSIPD_SRC/tests/lib.sh"
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
base_fds=$(ls "/proc/$PID_n1/fd" | wc -l)

# 60 idle TCP connections from 127.0.0.1: only 20 are kept.
fdlist=()
for i in $(seq 1 60); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" && fdlist+=("$fd")
done
wait_log n1 'per.(IP|address|peer)' 5
# Another loopback address is still served while the first is at its cap.
assert_eq 204 "$(http_code "$url/health/live" "${ca[@]}" --interface 127.0.0.3)" \
	"health from another address during the flood"
for fd in "${fdlist[@]}"; do exec {fd}<&-; done

# A full-handshake flood from one address (loadgen, 3 s, 40 connections).
LOADGEN=${LOADGEN_BIN:-$(dirname "$GOSSIPD_BIN")/tests/bench/loadgen}
if [ -x "$LOADGEN" ]; then
	"$LOADGEN" --host 127.0.0.1 --port "$port" --mode full --connections 40 \
		--seconds 3 --path /health/live --cacert "$T_DIR/ca/ca.crt" >"$T_DIR/flood.txt" 2>&1
	t_log "handshake flood: $(head -n 1 "$T_DIR/flood.txt")"
fi

assert_eq 204 "$(http_code "$url/health/live" "${ca[@]}")" "health after the flood"
fds_back() { [ "$(ls "/proc/$PID_n1/fd" | wc -l)" -le $((base_fds + 4)) ]; }
wait_for 15 fds_back ||
	t_fail "descriptors not back to baseline after the flood: $base_fds before, $(ls "/proc/$PID_n1/fd" | wc -l) after"
t_pass
