#!/usr/bin/env bash
# Suspicion before death (SWIM/Lifeguard): a member frozen (SIGSTOP) for
# less than the suspicion timeout is suspected, probed through the other
# member, and never listed dead by anyone; the same member killed with
# kill -9 is seen dead by both others within GossipTimeoutMs + the
# suspicion timeout + one interval. The nodes have a ClusterId, so the
# probe requests (POST /gossip/probe) must carry it to be accepted.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

alive_of() { # URL ENDPOINT
	curl -sf --max-time 1 "$1/gossip" |
		jq -r --arg ep "$2" '.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | .isAlive'
}
is_alive() { [ "$(alive_of "$1" "$2")" = "$3" ]; }
metric() { # URL NAME{labels}
	curl -sf --max-time 2 "$1/metrics" | awk -v k="$2" '$1 == k {print $2}'
}

p1=$(free_port) p2=$(free_port) p3=$(free_port)
seeds="127.0.0.1:$p1,127.0.0.2:$p2,127.0.0.3:$p3"
# Suspicion timeout: max(4000, 4 * max(1, log10(3)) * 200) = 4000 ms.
iv=200 to=1000 susp=4000
common=(--insecure --cluster-size 3 --cluster-id susp --gossip-seed "$seeds"
	--gossip-interval-ms $iv --gossip-timeout-ms $to
	--gossip-suspicion-min-ms $susp)
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

# Frozen for 2 s, less than the 4 s suspicion timeout (which starts
# only after a first exchange timed out, 1 s on).
kill -STOP "$PID_n3"
t_stop=${EPOCHREALTIME/./}
dead_seen=""
while [ $(( ${EPOCHREALTIME/./} - t_stop )) -lt 2000000 ]; do
	for u in "$u1" "$u2"; do
		[ "$(alive_of "$u" "$ep3")" = false ] && dead_seen="$dead_seen $u"
	done
	sleep 0.1
done
kill -CONT "$PID_n3"
wait_log n1 "member $ep3: alive → suspect" 5 2>/dev/null ||
	wait_log n2 "member $ep3: alive → suspect" 5
# Until well past where a dead verdict would have come, nobody says dead.
t_cont=${EPOCHREALTIME/./}
while [ $(( ${EPOCHREALTIME/./} - t_cont )) -lt 4000000 ]; do
	for u in "$u1" "$u2"; do
		[ "$(alive_of "$u" "$ep3")" = false ] && dead_seen="$dead_seen $u"
	done
	sleep 0.1
done
[ -z "$dead_seen" ] || t_fail "n3 (stopped 2 s) listed dead at:$dead_seen"
for n in n1 n2; do
	[ "$(log_count $n "member $ep3: alive → dead")" = 0 ] || t_fail "$n logged n3 dead"
done
# Suspicion ended by a sign of life, and the indirect probe ran.
wait_for 10 grep -qE "member $ep3: suspect → alive" "$T_DIR/n1.log" "$T_DIR/n2.log" ||
	t_fail "no suspect → alive line"
asked=$(( $(metric "$u1" 'gossipd_gossip_probes_total{event="asked"}') + $(metric "$u2" 'gossipd_gossip_probes_total{event="asked"}') ))
[ "$asked" -ge 1 ] || t_fail "no indirect probe was asked for (or refused)"
for n in n1 n2; do
	[ "$(log_count $n "to probe: refused")" = 0 ] || t_fail "$n: a probe ask was refused"
done
failed=$(( $(metric "$u1" 'gossipd_gossip_probes_total{event="ask_failed"}') + $(metric "$u2" 'gossipd_gossip_probes_total{event="ask_failed"}') ))
t_log "SIGSTOP 2 s: suspected, $asked probe ask(s) accepted ($failed failed), never dead"

# kill -9: dead on both others within timeout + suspicion + interval.
kill -KILL "$PID_n3"
wait_exit "$PID_n3" 5 >/dev/null
t_kill=${EPOCHREALTIME/./}
bound_ms=$((to + susp + iv))
for u in "$u1" "$u2"; do
	wait_for 15 is_alive "$u" "$ep3" false || t_fail "killed n3 not dead at $u"
done
took_ms=$(( (${EPOCHREALTIME/./} - t_kill) / 1000 ))
t_log "kill -9: dead on both others after $took_ms ms (contract: $bound_ms ms)"
# The figure is logged; the assertion is generous (a loaded machine).
[ "$took_ms" -le $((bound_ms * 2)) ] || t_fail "dead after $took_ms ms, over twice the $bound_ms ms bound"
t_pass
