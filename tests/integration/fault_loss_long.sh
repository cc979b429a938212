#!/usr/bin/env bash
# With 10% packet loss on every link, a 5-node cluster shows no false
# death (SPEC: suspicion before death). Five TLS members in network
# namespaces (tests/netns.sh), interval 200 ms, timeout 1000 ms, the
# engine's default suspicion timeout; 10% of the packets of every link
# dropped, each direction, for 40 s, while all five views are polled
# about 5 times a second: nobody is ever listed dead, and no log line
# says anyone became dead. The 5-minute run with figures is
# tests/bench/faults.sh. Label "long" (ctest -LE long leaves it out).
. "$GOSSIPD_SRC/tests/netns.sh"
t_init
[ -n "$(gossip_suspicion_flag)" ] ||
	t_skip "this gossipd has no suspicion timeout option (engine without suspicion)"
ns_init 5
ns_pki
for i in 1 2 3 4 5; do
	ns_start "$i" --cluster-size 5 --gossip-seed "$(ns_seeds)" \
		--gossip-interval-ms 200 --gossip-timeout-ms 1000
done
for i in 1 2 3 4 5; do ns_wait_serving "$i"; done
wait_for 30 ns_all_alive 5 1 2 3 4 5 || t_fail "the cluster did not form"

read -r s0 l0 < <(ns_loss_counts)
ns_loss 10 45
ns_watch_no_death 40000 any 1 2 3 4 5
read -r s1 l1 < <(ns_loss_counts)
ns_loss 0 0
t_log "10% loss for 40 s: $((l1 - l0)) of $((s1 - s0)) member packets dropped; $NS_WATCH_POLLS polls of 5 views, nobody dead"
[ $((s1 - s0)) -gt 0 ] && [ $((l1 - l0)) -gt 0 ] || t_fail "no packet was dropped: the loss did not apply"
for j in 1 2 3 4 5; do
	dead=$(ns_dead_logged "$(ns_ip "$j"):$NS_PORT")
	[ -z "$dead" ] || t_fail "member $j logged dead: $dead"
done
t_pass
