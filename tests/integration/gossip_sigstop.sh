#!/usr/bin/env bash
# A stopped (SIGSTOP) member accepts connections but never answers: the
# others mark it dead within their deadline, and keep gossiping with each
# other meanwhile (a state change on one still reaches the other quickly);
# after SIGCONT it is alive again.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

field_of() { # URL ENDPOINT FIELD
	curl -sf --max-time 2 "$1/gossip" |
		jq -r --arg ep "$2" --arg f "$3" '.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | .[$f]'
}
has() { [ "$(field_of "$1" "$2" "$3")" = "$4" ]; }

p1=$(free_port) p2=$(free_port) p3=$(free_port)
seeds="127.0.0.1:$p1,127.0.0.2:$p2,127.0.0.3:$p3"
common=(--insecure --cluster-size 3 --gossip-seed "$seeds"
	--gossip-interval-ms 200 --gossip-timeout-ms 1000)
start_node n1 "${common[@]}" --node-ip 127.0.0.1 --node-port "$p1"
start_node n2 "${common[@]}" --node-ip 127.0.0.2 --node-port "$p2"
start_node n3 "${common[@]}" --node-ip 127.0.0.3 --node-port "$p3"
u1="http://127.0.0.1:$p1" u2="http://127.0.0.2:$p2" u3="http://127.0.0.3:$p3"
wait_serving n1 "$u1"
wait_serving n2 "$u2"
wait_serving n3 "$u3"
for u in "$u1" "$u2"; do
	wait_for 20 has "$u" "127.0.0.3:$p3" isAlive true || t_fail "n3 not alive at $u"
done

kill -STOP "$PID_n3"
for u in "$u1" "$u2"; do
	wait_for 10 has "$u" "127.0.0.3:$p3" isAlive false || t_fail "stopped n3 not dead at $u"
done
# Whoever tried first timed out; the other may have learnt it from it.
wait_for 10 grep -qE "member 127.0.0.3:$p3: alive → dead \(.*timed out" \
	"$T_DIR/n1.log" "$T_DIR/n2.log" || t_fail "no timed-out exchange logged"
# n1 and n2 still talk: a change on n2 reaches n1 within a few rounds,
# although every other exchange may wait out n3's deadline.
t0=$SECONDS
curl -sf --max-time 5 --unix-socket "$T_DIR/n2.sock" -X PUT \
	-H 'Content-Type: application/json' -d '{"state":"Follower"}' \
	http://localhost/admin/member >/dev/null || t_fail "PUT /admin/member"
wait_for 10 has "$u1" "127.0.0.2:$p2" state Follower || t_fail "n1 stalled by the stopped n3"
t_log "change propagated in $((SECONDS - t0)) s while n3 is stopped"
# The stopped node does not hold GET /gossip either.
code=$(http_code "$u1/gossip")
assert_eq 200 "$code" "GET /gossip on n1 while n3 is stopped"

kill -CONT "$PID_n3"
for u in "$u1" "$u2"; do
	wait_for 20 has "$u" "127.0.0.3:$p3" isAlive true || t_fail "n3 not alive again at $u"
done
t_pass
