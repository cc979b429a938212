#!/usr/bin/env bash
# A member killed with kill -9 is seen dead by every other member within
# GossipTimeoutMs + the suspicion timeout + one interval (SPEC: liveness,
# suspicion before death), and (with suspicion) nobody else is taken for
# dead meanwhile.
# Four TLS members in network namespaces (tests/netns.sh), interval
# 200 ms, timeout 1000 ms, suspicion timeout 2000 ms where the engine has
# one. The measured time is printed; the assertion allows three times the
# bound plus 10 s, because a target is picked at random each round (the
# dead member may not be anyone's first pick), the news then has to
# spread, and the machine is shared (at load 55 on 2 cores, 6 s were
# measured against a bound of 1.2 s); tests/bench/faults.sh gives the
# figures.
. "$GOSSIPD_SRC/tests/netns.sh"
t_init
ns_init 4
ns_pki
interval=200 timeout=1000 susp=2000
ns_suspicion_args "$susp"
[ ${#NS_SUSP[@]} -gt 0 ] || susp=0
for i in 1 2 3 4; do
	ns_start "$i" --cluster-size 4 --gossip-seed "$(ns_seeds)" \
		--gossip-interval-ms "$interval" --gossip-timeout-ms "$timeout" "${NS_SUSP[@]}"
done
for i in 1 2 3 4; do ns_wait_serving "$i"; done
wait_for 30 ns_all_alive 4 1 2 3 4 || t_fail "the cluster did not form"
# Past the fast start (its first 2 s): the figure is for normal rounds.
sleep 2.5
wait_for 30 ns_all_alive 4 1 2 3 4 || t_fail "a member was lost before the kill: $(ns_dead_pairs 1 2 3 4 | tr '\n' ' ')"

kill -KILL "$(ns_pid 4)"
t0=${EPOCHREALTIME/./}
wait_for 30 ns_all_see_dead 4 1 2 3 || t_fail "member 4 not seen dead by all within 30 s"
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
bound=$((timeout + susp + interval))
t_log "kill -9: seen dead by all 3 others after $ms ms; bound $bound ms (GossipTimeoutMs $timeout + suspicion $susp + interval $interval)"
[ "$ms" -le $((3 * bound + 10000)) ] ||
	t_fail "member 4 seen dead by all after $ms ms, over 3 x $bound + 10000 ms"
# Only member 4 is dead anywhere (an engine without suspicion takes a
# slow exchange on a loaded machine for a death: only said, then).
ns_poll 1 2 3
others=$(ns_dead_pairs 1 2 3 | grep -vF " $(ns_ip 4):$NS_PORT" || true)
if [ -n "$others" ]; then
	[ "$susp" = 0 ] || t_fail "a live member taken for dead: $others"
	t_log "no suspicion in this engine; also listed dead: $others"
fi
t_pass
