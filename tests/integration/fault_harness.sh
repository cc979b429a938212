#!/usr/bin/env bash
# The fault harness (tests/netns.sh) does what the fault scenarios rely
# on: three TLS members in their own namespaces form a cluster; a cut
# link stops exactly the traffic between its two members (both ways,
# silently) while the third still reaches both; healing restores it; a
# 5 s cut ends by itself; a loss rule drops about the
# share of packets asked for; delay is applied or its absence explained;
# and after teardown none of the namespaces is left.
. "$GOSSIPD_SRC/tests/netns.sh"
t_init
ns_init 3
ns_pki
for i in 1 2 3; do
	ns_start "$i" --cluster-size 3 --gossip-seed "$(ns_seeds)" \
		--gossip-interval-ms 100 --gossip-timeout-ms 2000
done
for i in 1 2 3; do ns_wait_serving "$i"; done
wait_for 30 ns_all_alive 3 1 2 3 || t_fail "the TLS cluster did not form across the namespaces"

# Nothing of this run is visible in the root namespace.
ip -o addr show | grep -q -- "$NS_NET\." && t_fail "a member address is visible in the root namespace"
ip -o link show | grep -q -- "$NS_TAG" && t_fail "a link of this run is in the root namespace"

# A cut: only 1<->2, both ways.
ns_cut 1 2 30
ns_reach 1 2 && t_fail "1 still reaches 2 through a cut link"
ns_reach 2 1 && t_fail "2 still reaches 1 through a cut link"
# (A success may take a retry on a loaded machine; a cut never lets one through.)
for p in "1 3" "3 1" "2 3" "3 2"; do
	wait_for 10 ns_reach $p || t_fail "cutting 1-2 also cut $p"
done
ns_heal 1 2
wait_for 10 ns_reach 1 2 || t_fail "1 does not reach 2 after healing"
wait_for 10 ns_reach 2 1 || t_fail "2 does not reach 1 after healing"

# A cut ends by itself when its time is up.
ns_cut 1 3 5
ns_reach 1 3 && t_fail "1 still reaches 3 through a cut link"
wait_for 15 ns_reach 1 3 || t_fail "the 5 s cut of 1-3 did not end by itself"

# Loss: with 30% asked, the share of member packets dropped lies well
# within 15..45% once a few hundred have crossed (the gossip traffic
# itself, 3 members every 100 ms).
read -r s0 l0 < <(ns_loss_counts)
ns_loss 30 60
enough() {
	local s l
	read -r s l < <(ns_loss_counts)
	[ $((s - s0)) -ge 400 ]
}
wait_for 60 enough || t_fail "not 400 packets between members within 60 s"
ns_loss 0 0
read -r s1 l1 < <(ns_loss_counts)
seen=$((s1 - s0)) lost=$((l1 - l0))
t_log "loss 30% asked: $lost of $seen member packets dropped"
[ $((lost * 100)) -ge $((seen * 15)) ] && [ $((lost * 100)) -le $((seen * 45)) ] ||
	t_fail "loss 30% asked, $lost of $seen packets dropped"
read -r s2 l2 < <(ns_loss_counts)
wait_for 10 ns_all_alive 3 1 2 3 || t_fail "the cluster is not whole after the loss"
read -r s3 l3 < <(ns_loss_counts)
assert_eq "$l2" "$l3" "packets dropped after the loss was ended"

# Delay: applied and measured where the kernel has netem, else the reason.
if why=$(ns_delay 100); then
	t=$(ns_exec 1 curl -s -o /dev/null -w '%{time_connect}' --max-time 5 \
		"http://$(ns_ip 2):$NS_PORT/" || true)
	t_log "delay 100 ms each way: TCP connect took ${t}s"
	awk -v t="${t:-0}" 'BEGIN { exit !(t >= 0.15) }' ||
		t_fail "delay of 100 ms each way, yet connect took ${t}s"
else
	t_log "delay not available here: $why"
fi

# Teardown leaves nothing.
t_sanitizer_check
ns_teardown
ip netns list | grep -q -- "$NS_TAG" && t_fail "namespaces left after teardown: $(ip netns list | grep -- "$NS_TAG")"
t_pass
