#!/usr/bin/env bash
# A member killed with SIGKILL is suspect first, then dead on the others
# within GossipTimeoutMs + the suspicion timeout + an interval (and a
# little noise); restarted on the same
# endpoint it comes back alive with a new instanceId and no duplicate
# entry, and the change is logged once per transition.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

# state_of URL ENDPOINT: "alive instanceId" of that member, one line each.
state_of() {
	curl -sf --max-time 2 "$1/gossip" |
		jq -r --arg ep "$2" '.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | "\(.isAlive) \(.instanceId)"'
}
is_alive() { [ "$(state_of "$1" "$2" | cut -d' ' -f1)" = "$3" ]; }
alive_with() { [ "$(state_of "$1" "$2")" = "true $3" ]; }

p1=$(free_port) p2=$(free_port) p3=$(free_port)
seeds="127.0.0.1:$p1,127.0.0.2:$p2,127.0.0.3:$p3"
# Suspicion timeout: max(2000, 4 * log10(3)<1 → 1 * 200) = 2000 ms.
common=(--insecure --cluster-size 3 --gossip-seed "$seeds"
	--gossip-interval-ms 200 --gossip-timeout-ms 1500
	--gossip-suspicion-min-ms 2000)
start_node n1 "${common[@]}" --node-ip 127.0.0.1 --node-port "$p1"
start_node n2 "${common[@]}" --node-ip 127.0.0.2 --node-port "$p2"
start_node n3 "${common[@]}" --node-ip 127.0.0.3 --node-port "$p3"
u1="http://127.0.0.1:$p1" u2="http://127.0.0.2:$p2" u3="http://127.0.0.3:$p3"
wait_serving n1 "$u1"
wait_serving n2 "$u2"
wait_serving n3 "$u3"
ep3="127.0.0.3:$p3"
for u in "$u1" "$u2"; do
	wait_for 20 is_alive "$u" "$ep3" true || t_fail "n3 not alive at $u"
done
old_id=$(state_of "$u1" "$ep3" | cut -d' ' -f2)

kill -KILL "$PID_n3"
wait_exit "$PID_n3" 5 >/dev/null
t0=$SECONDS
# A killed member refuses connections at once: each other node suspects
# it within a few 200 ms rounds and declares it dead 2 s later: 1.5 +
# 2 + 0.2 = 3.7 s at most by the contract, 8 s with room for a loaded
# machine.
for u in "$u1" "$u2"; do
	wait_for 8 is_alive "$u" "$ep3" false || t_fail "n3 not dead at $u: $(state_of "$u" "$ep3")"
done
t_log "n3 dead on both others after $((SECONDS - t0)) s"
wait_log n1 "member $ep3: alive → dead"
wait_log n2 "member $ep3: alive → dead"
# Suspect before dead, on the node that found it itself.
grep -qE "member $ep3: alive → suspect" "$T_DIR/n1.log" "$T_DIR/n2.log" ||
	t_fail "no node logged n3 as suspect first"
# Reported once, not once per failed round: let n1 fail a few more
# exchanges with it, and count the lines again.
failures() {
	curl -sf --max-time 2 "$u1/metrics" |
		awk '$1 ~ /^gossipd_gossip_exchange_failures_total/ {s += $2} END {print s + 0}'
}
more_failures() { [ "$(failures)" -ge "$1" ]; }
deaths=$(log_count n1 "member $ep3: alive → dead")
f0=$(failures)
wait_for 10 more_failures $((f0 + 3)) || t_fail "n1 stopped trying the dead member"
assert_eq "$deaths" "$(log_count n1 "member $ep3: alive → dead")" "death lines on n1 after more failed rounds"

start_node n3b "${common[@]}" --node-ip 127.0.0.3 --node-port "$p3"
wait_serving n3b "$u3"
new_id=$(curl -sf --max-time 2 "$u3/gossip" | jq -r --arg ep "$ep3" \
	'.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | .instanceId')
[ -n "$new_id" ] && [ "$new_id" != "$old_id" ] || t_fail "no new instanceId ($old_id -> $new_id)"
for u in "$u1" "$u2"; do
	wait_for 20 alive_with "$u" "$ep3" "$new_id" ||
		t_fail "restarted n3 not alive at $u: $(state_of "$u" "$ep3")"
	assert_eq 3 "$(curl -sf --max-time 2 "$u/gossip" | jq '.members | length')" "members at $u"
done
wait_log n1 "member $ep3: dead → alive"
t_pass
