#!/usr/bin/env bash
# A seed given by a name the peer does not advertise (localhost:PORT for
# a node that advertises 127.0.0.1:PORT) is replaced by the member that
# answers there: no stale Manager placeholder stays on any node, and no
# node imports another's placeholder.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

view() {
	curl -sf --max-time 2 "$1/gossip" |
		jq -r '.members[] | "\(.httpEndPointIp):\(.httpEndPointPort) \(.state) \(.isAlive)"'
}
converged() { [ "$(view "$1")" = "$2" ]; }

pa=$(free_port) pb=$(free_port)
# Before B runs, A shows the seed as a placeholder.
start_node a --insecure --node-port "$pa" --cluster-size 2 \
	--gossip-seed "localhost:$pb" --gossip-interval-ms 200 --gossip-timeout-ms 1500
wait_serving a "http://127.0.0.1:$pa"
doc=$(curl -sf --max-time 2 "http://127.0.0.1:$pa/gossip")
assert_eq "Manager true 00000000-0000-0000-0000-000000000000 -1 -1" \
	"$(jq -r --arg ep "localhost:$pb" '.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | "\(.state) \(.isAlive) \(.instanceId) \(.writerCheckpoint) \(.epochNumber)"' <<<"$doc")" \
	"placeholder for the seed"
# The unanswering seed is reported (after the first fast rounds) once,
# not once per round.
wait_log a "warn +seed localhost:$pb does not answer: "
failed_rounds() { # at least N failed exchanges counted on a
	local n
	n=$(curl -sf --max-time 2 "http://127.0.0.1:$pa/metrics" |
		awk '$1 ~ /^gossipd_gossip_exchange_failures_total/ {s += $2} END {print s + 0}')
	[ "$n" -ge "$1" ]
}
wait_for 10 failed_rounds 4 || t_fail "fewer than 4 failed exchanges with the missing seed"
assert_eq 1 "$(log_count a "seed localhost:$pb does not answer")" "seed warnings"

start_node b --insecure --node-port "$pb" --cluster-size 2 \
	--gossip-seed "localhost:$pa" --gossip-interval-ms 200 --gossip-timeout-ms 1500
wait_serving b "http://127.0.0.1:$pb"
lines=("127.0.0.1:$pa Unknown true" "127.0.0.1:$pb Unknown true")
want=$(printf '%s\n' "${lines[@]}" | sort)
for p in "$pa" "$pb"; do
	wait_for 20 converged "http://127.0.0.1:$p" "$want" ||
		t_fail "node on $p: $(view "http://127.0.0.1:$p")"
done
wait_log a "seed localhost:$pb answered as member 127.0.0.1:$pb"
wait_log a "seed localhost:$pb answers"
# And it stays so over further rounds: no localhost entry comes back.
sleep 1
for p in "$pa" "$pb"; do
	assert_not_contains "$(view "http://127.0.0.1:$p")" "localhost" "view on $p after more rounds"
	assert_not_contains "$(view "http://127.0.0.1:$p")" "Manager" "view on $p after more rounds"
done
assert_eq 0 "$(log_count a "clock skew")" "no false clock-skew errors"
t_pass
