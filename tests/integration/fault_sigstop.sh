#!/usr/bin/env bash
# A member frozen (SIGSTOP) for less than the suspicion timeout is never
# listed dead by anyone (SPEC: suspicion before death). Four TLS members
# in network namespaces (tests/netns.sh), interval 200 ms, timeout
# 500 ms, suspicion timeout 6000 ms; member 4 is frozen for 2.5 s, five
# times GossipTimeoutMs, so that exchanges with it surely fail and it
# surely becomes suspect. From the freeze until 8 s after it ends, the
# others' views are polled about 5 times a second: member 4 is alive in
# every one, and no log line says it became dead. Then it is suspected
# in some log (else the freeze tested nothing), and all four see all four
# alive.
. "$GOSSIPD_SRC/tests/netns.sh"
t_init
ns_suspicion_args 6000
[ ${#NS_SUSP[@]} -gt 0 ] || t_skip "this gossipd has no suspicion timeout option (engine without suspicion)"
ns_init 4
ns_pki
for i in 1 2 3 4; do
	ns_start "$i" --cluster-size 4 --gossip-seed "$(ns_seeds)" \
		--gossip-interval-ms 200 --gossip-timeout-ms 500 "${NS_SUSP[@]}"
done
for i in 1 2 3 4; do ns_wait_serving "$i"; done
wait_for 30 ns_all_alive 4 1 2 3 4 || t_fail "the cluster did not form"
sleep 2.5 # past the fast start

ep4="$(ns_ip 4):$NS_PORT"
kill -STOP "$(ns_pid 4)"
ns_watch_no_death 2500 4 1 2 3
t_log "frozen 2.5 s: $NS_WATCH_POLLS polls of 3 views, member 4 alive in all"
kill -CONT "$(ns_pid 4)"
ns_watch_no_death 8000 4 1 2 3 4
dead=$(ns_dead_logged "$ep4")
[ -z "$dead" ] || t_fail "member 4 logged dead: $dead"
grep -iE -- "member ${ep4//./\\.}: .*suspect" "$T_DIR"/n[123].log >/dev/null ||
	t_fail "nobody logged member 4 as suspect: the freeze tested nothing"
wait_for 20 ns_all_alive 4 1 2 3 4 || t_fail "not all alive after the freeze"
t_pass
