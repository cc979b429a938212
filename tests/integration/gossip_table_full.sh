#!/usr/bin/env bash
# A full member table never silently drops a real member: with MaxMembers
# 2, a live newcomer finds the table full of live members (logged once,
# counted); once a member is dead, it makes room and the newcomer is
# taken at once, without waiting for DeadMemberRemovalPeriodSec.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

listed() { # URL ENDPOINT ALIVE
	curl -sf --max-time 1 "$1/gossip" |
		jq -e --arg ep "$2" --argjson a "$3" '[.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep and .isAlive == $a)] | length == 1' >/dev/null
}
absent() {
	curl -sf --max-time 1 "$1/gossip" |
		jq -e --arg ep "$2" '[.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep)] | length == 0' >/dev/null
}
metric() { curl -sf --max-time 2 "$1/metrics" | awk -v k="$2" '$1 == k {print $2}'; }
full_counted() { [ "$(metric "$u1" gossipd_member_table_full_total)" -ge 1 ]; }

p1=$(free_port) p2=$(free_port) p3=$(free_port) p4=$(free_port)
common=(--insecure --cluster-size 4 --gossip-interval-ms 200 --gossip-timeout-ms 1000
	--gossip-suspicion-min-ms 1000)
start_node n1 "${common[@]}" --max-members 2 --gossip-seed "127.0.0.2:$p2" \
	--node-ip 127.0.0.1 --node-port "$p1"
start_node n2 "${common[@]}" --gossip-seed "127.0.0.1:$p1" --node-ip 127.0.0.2 --node-port "$p2"
start_node n3 "${common[@]}" --gossip-seed "127.0.0.1:$p1" --node-ip 127.0.0.3 --node-port "$p3"
u1="http://127.0.0.1:$p1"
wait_serving n1 "$u1"
wait_for 20 listed "$u1" "127.0.0.3:$p3" true || t_fail "n3 not in n1's table"
wait_for 20 listed "$u1" "127.0.0.2:$p2" true || t_fail "n2 not in n1's table"

# Full of live members: the newcomer n4 is refused, said once, counted.
start_node n4 "${common[@]}" --gossip-seed "127.0.0.1:$p1" --node-ip 127.0.0.4 --node-port "$p4"
wait_log n1 "member 127\.0\.0\.4:$p4 \(alive\) not taken: the member table holds MaxMembers \(2\) live members"
wait_for 10 full_counted || t_fail "gossipd_member_table_full_total not counted"
absent "$u1" "127.0.0.4:$p4" || t_fail "n4 taken into a full table"
assert_eq 1 "$(log_count n1 "127\.0\.0\.4:$p4 \(alive\) not taken")" "the refusal said once"

# n3 dies: its dead entry makes room, n4 is taken at once.
kill -KILL "$PID_n3"
wait_exit "$PID_n3" 5 >/dev/null
wait_for 15 listed "$u1" "127.0.0.4:$p4" true || t_fail "n4 not taken once n3 was dead"
absent "$u1" "127.0.0.3:$p3" || t_fail "dead n3 still listed"
wait_log n1 "member 127\.0\.0\.3:$p3 \(dead\) dropped: the table is full \(MaxMembers\): room for 127\.0\.0\.4:$p4"
t_pass
