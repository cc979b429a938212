#!/usr/bin/env bash
# When only the link between two members is cut (every other member still
# reaches both), neither is marked dead (SPEC: suspicion before death,
# indirect probes). Four TLS members in network namespaces
# (tests/netns.sh), interval 200 ms, timeout 500 ms, suspicion timeout
# 3000 ms. The link 1-2 is cut (silently, both ways) for 7 s, longer than
# the suspicion timeout, so that only the indirect probes through 3 and 4
# (and their fresh news of 1 and 2) keep 1 and 2 alive. All four views
# are polled about 5 times a second throughout: nobody lists anyone as
# dead, and no log says 1 or 2 became dead; exchanges between 1 and 2 did
# fail (a log line says so); after healing all four see all four alive.
. "$GOSSIPD_SRC/tests/netns.sh"
t_init
ns_suspicion_args 3000
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

ns_cut 1 2 7
ns_reach 1 2 && t_fail "the cut did not cut"
ns_watch_no_death 7000 any 1 2 3 4
t_log "link 1-2 cut 7 s: $NS_WATCH_POLLS polls of 4 views, nobody dead"
ns_heal 1 2
for j in 1 2; do
	dead=$(ns_dead_logged "$(ns_ip "$j"):$NS_PORT")
	[ -z "$dead" ] || t_fail "member $j logged dead: $dead"
done
grep -E -- "$(ns_ip 2 | sed 's/\./\\./g'):$NS_PORT" "$T_DIR/n1.log" >/dev/null ||
	t_fail "member 1 logged nothing about member 2: did the exchanges across the cut fail?"
wait_for 20 ns_all_alive 4 1 2 3 4 || t_fail "not all alive after healing"
t_pass
