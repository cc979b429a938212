#!/usr/bin/env bash
# gossipd member remove HOST:PORT: a dead member is removed from the
# whole cluster and stays removed (its removal record goes round with the
# gossip, so relayed copies do not bring it back); a live member needs
# --force; an unknown one is refused; a restart (new instanceId) does come
# back.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

listed() { # URL ENDPOINT
	curl -sf --max-time 1 "$1/gossip" |
		jq -e --arg ep "$2" '[.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep)] | length > 0' >/dev/null
}
not_listed() { ! listed "$@"; }
alive_at() { # URL ENDPOINT
	curl -sf --max-time 1 "$1/gossip" |
		jq -e --arg ep "$2" '.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | .isAlive' >/dev/null
}
dead_at() {
	[ "$(curl -sf --max-time 1 "$1/gossip" | jq -r --arg ep "$2" '.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | .isAlive')" = false ]
}
gd() { "$GOSSIPD_BIN" "$@"; }

p1=$(free_port) p2=$(free_port) p3=$(free_port)
# n3 is no seed: once removed, nothing but gossip could bring it back.
seeds="127.0.0.1:$p1,127.0.0.2:$p2"
common=(--insecure --cluster-size 3 --gossip-interval-ms 200 --gossip-timeout-ms 1000
	--gossip-suspicion-min-ms 1000)
start_node n1 "${common[@]}" --gossip-seed "$seeds" --node-ip 127.0.0.1 --node-port "$p1"
start_node n2 "${common[@]}" --gossip-seed "$seeds" --node-ip 127.0.0.2 --node-port "$p2"
start_node n3 "${common[@]}" --gossip-seed "$seeds" --node-ip 127.0.0.3 --node-port "$p3"
u1="http://127.0.0.1:$p1" u2="http://127.0.0.2:$p2" u3="http://127.0.0.3:$p3"
wait_serving n1 "$u1"
wait_serving n2 "$u2"
wait_serving n3 "$u3"
ep2="127.0.0.2:$p2" ep3="127.0.0.3:$p3"
for u in "$u1" "$u2"; do
	wait_for 20 alive_at "$u" "$ep3" || t_fail "n3 not alive at $u"
done

# A live member needs --force; an unknown one is refused.
out=$(gd member remove "$ep2" --admin-socket "$T_DIR/n1.sock" 2>&1) && t_fail "removed live n2 without --force"
assert_contains "$out" "--force" "refusal names --force"
listed "$u1" "$ep2" || t_fail "n2 gone after a refused removal"
out=$(gd member remove "127.0.0.9:1" --admin-socket "$T_DIR/n1.sock" 2>&1) && t_fail "removed an unknown member"
assert_contains "$out" "HTTP 404" "unknown member"

kill -KILL "$PID_n3"
wait_exit "$PID_n3" 5 >/dev/null
for u in "$u1" "$u2"; do
	wait_for 15 dead_at "$u" "$ep3" || t_fail "killed n3 not dead at $u"
done
out=$(gd member remove "$ep3" --admin-socket "$T_DIR/n1.sock" 2>&1) || t_fail "remove: $out"
assert_contains "$out" "removed $ep3" "remove output"
wait_log n1 "member $ep3 removed by an operator here"
# The record reaches n2 with the gossip; n2 drops its copy too.
wait_for 10 not_listed "$u2" "$ep3" || t_fail "n2 still lists the removed n3"
wait_log n2 "member $ep3 removed by an operator elsewhere"
# It sticks: 20 rounds of gossip later, neither lists it again.
t0=${EPOCHREALTIME/./}
while [ $(( ${EPOCHREALTIME/./} - t0 )) -lt 4000000 ]; do
	for u in "$u1" "$u2"; do
		not_listed "$u" "$ep3" || t_fail "removed n3 came back at $u"
	done
	sleep 0.1
done
# A restart is a new instance: it comes back.
start_node n3b "${common[@]}" --gossip-seed "$seeds" --node-ip 127.0.0.3 --node-port "$p3"
wait_serving n3b "$u3"
for u in "$u1" "$u2"; do
	wait_for 20 alive_at "$u" "$ep3" || t_fail "restarted n3 not back at $u"
done
t_pass
