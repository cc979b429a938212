#!/usr/bin/env bash
# Forming a TLS cluster costs each node O(N) full handshakes: five nodes
# gossip every 100 ms until all list all alive and for 3 s more; each
# node's full handshakes (served + made by its gossiper) stay within
# 2(N-1) = 8: every peer is dialled with a full handshake once, later
# exchanges ride the kept connection or resume the session. Counted over
# the admin socket (plain), so that the test's own requests cost none.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR/pki"
read -r -a tls <<<"$(tls_args "$T_DIR/pki")"

N=5
declare -a port
seeds=""
for i in $(seq 1 $N); do
	port[$i]=$(free_port)
	seeds="$seeds${seeds:+,}127.0.0.1:${port[$i]}"
done
for i in $(seq 1 $N); do
	start_node "n$i" "${tls[@]}" --cluster-size $N --gossip-seed "$seeds" \
		--gossip-interval-ms 100 --node-ip 127.0.0.1 --node-port "${port[$i]}"
done
admin() { # NODE PATH
	curl -sf --max-time 2 --unix-socket "$T_DIR/$1.sock" "http://localhost$2"
}
all_alive() { # NODE
	[ "$(admin "$1" /gossip | jq '[.members[] | select(.isAlive and .instanceId != "00000000-0000-0000-0000-000000000000")] | length')" = $N ]
}
for i in $(seq 1 $N); do
	wait_log "n$i" "serving on" 20
done
for i in $(seq 1 $N); do
	wait_for 30 all_alive "n$i" || t_fail "n$i does not list all $N alive"
done
sleep 3 # more rounds: steady gossip must not add full handshakes
worst=0
for i in $(seq 1 $N); do
	m=$(admin "n$i" /metrics)
	served=$(awk '$1 == "gossipd_tls_handshakes_total{kind=\"full\"}" {print $2}' <<<"$m")
	made=$(awk '$1 == "gossipd_gossip_outbound_handshakes_total{kind=\"full\"}" {print $2}' <<<"$m")
	resumed=$(awk '$1 == "gossipd_gossip_outbound_handshakes_total{kind=\"resumed\"}" {print $2}' <<<"$m")
	total=$((served + made))
	t_log "n$i: full handshakes $total (served $served, made $made), resumed (made) $resumed"
	[ "$total" -gt "$worst" ] && worst=$total
done
t_log "worst node: $worst full handshakes, bound 2(N-1) = $((2 * (N - 1)))"
[ "$worst" -le $((2 * (N - 1))) ] || t_fail "$worst full handshakes on one node, over 2(N-1)"
t_pass
