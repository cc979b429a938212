#!/usr/bin/env bash
# Rounds on schedule whatever a peer does: one healthy member and three
# silent seeds (they accept, finish nothing, never answer) do not slow
# the rounds, with fan-out 4 every round picks the silent ones too; the
# silent seeds are reported within the first seconds, and the healthy
# member keeps converging meanwhile.
source "$GOSSIPD_SRC/tests/lib.sh"
TOOLS=${GOSSIPD_TOOLS:-$(dirname "$GOSSIPD_BIN")/tests/tools}
[ -x "$TOOLS/fakepeer" ] || t_fail "fakepeer not built in $TOOLS"
t_init

declare -a fport
for i in 1 2 3; do
	"$TOOLS/fakepeer" --port 0 --mode silent >"$T_DIR/fake-$i.log" 2>&1 &
	T_PIDS+=($!)
done
for i in 1 2 3; do
	wait_log "fake-$i" '^listening on 127\.0\.0\.1:[0-9]+$' 5
	fport[$i]=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T_DIR/fake-$i.log")
	T_PORTS="$T_PORTS${fport[$i]} "
done

pa=$(free_port) pb=$(free_port)
iv=200
seeds="127.0.0.1:$pb,127.0.0.1:${fport[1]},127.0.0.1:${fport[2]},127.0.0.1:${fport[3]}"
gossip=(--insecure --cluster-size 2 --gossip-interval-ms $iv --gossip-timeout-ms 1500)
start_node a --node-ip 127.0.0.1 --node-port "$pa" "${gossip[@]}" --gossip-fanout 4 \
	--gossip-seed "$seeds"
start_node b --node-ip 127.0.0.1 --node-port "$pb" "${gossip[@]}" --gossip-seed "127.0.0.1:$pa"
ua="http://127.0.0.1:$pa" ub="http://127.0.0.1:$pb"
wait_serving a "$ua"
wait_serving b "$ub"

rounds() {
	curl -sf --max-time 2 "$ua/metrics" | awk '$1 == "gossipd_gossip_rounds_total" {print $2}'
}
# Every silent seed is reported once the fast start (2 s) is over.
for i in 1 2 3; do
	wait_log a "seed 127\.0\.0\.1:${fport[$i]} does not answer: .*timed out" 8
done
# A window after the fast start: the schedule is one round per $iv ms.
r0=$(rounds) t0=${EPOCHREALTIME/./}
sleep 4 # the measuring window itself, not a wait for a condition
r1=$(rounds) t1=${EPOCHREALTIME/./}
[ -n "$r0" ] && [ -n "$r1" ] || t_fail "no gossipd_gossip_rounds_total"
elapsed_ms=$(((t1 - t0) / 1000))
expected=$((elapsed_ms / iv))
got=$((r1 - r0))
t_log "$got rounds in $elapsed_ms ms (schedule: $expected)"
[ $((got * 100)) -ge $((expected * 80)) ] ||
	t_fail "rounds fell behind: $got of $expected scheduled"
# Each round asked every silent seed (one exchange in flight per peer):
# the timeouts piled up, yet the rounds did not wait for them.
fails=$(curl -sf --max-time 2 "$ua/metrics" |
	awk '$1 == "gossipd_gossip_exchange_failures_total{reason=\"timeout\"}" {print $2}')
[ "${fails:-0}" -ge 6 ] || t_fail "expected timed-out exchanges with the silent seeds, got ${fails:-0}"
# The healthy member was gossiped with all along.
curl -sf --max-time 2 "$ua/gossip" | jq -e --arg ep "127.0.0.1:$pb" \
	'.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | .isAlive' >/dev/null ||
	t_fail "healthy member b not alive at a"
t_pass
