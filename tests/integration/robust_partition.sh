#!/usr/bin/env bash
# A partition between two nodes of three, made with network namespaces:
# three hosts on a bridge, then blackhole routes between hosts 1 and 2.
# The third node keeps seeing both alive throughout, nobody loses a member
# from its table, and once healed every node sees all three alive.
. "$GOSSIPD_SRC/tests/lib.sh"
t_init
tag="gp$$"
hub="${tag}h"
ip netns add "$hub" 2>/dev/null || t_skip "cannot create network namespaces here (ip netns add failed)"
cleanup_ns() {
	t_cleanup
	for i in 1 2 3; do ip netns del "${tag}n$i" 2>/dev/null; done
	ip netns del "$hub" 2>/dev/null
}
trap cleanup_ns EXIT
ip -n "$hub" link add br0 type bridge && ip -n "$hub" link set br0 up || t_fail "bridge"
for i in 1 2 3; do
	ns="${tag}n$i"
	ip netns add "$ns" || t_fail "netns $ns"
	ip link add "${tag}v$i" type veth peer name "${tag}p$i" || t_fail "veth"
	ip link set "${tag}v$i" netns "$ns"
	ip link set "${tag}p$i" netns "$hub"
	ip -n "$hub" link set "${tag}p$i" master br0 up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "10.213.0.$i/24" dev "${tag}v$i"
	ip -n "$ns" link set "${tag}v$i" up
done

"$GOSSIPD_BIN" cert create-ca -out "$T_DIR/ca" >/dev/null || t_fail "ca"
"$GOSSIPD_BIN" cert create-node -ca-certificate "$T_DIR/ca/ca.crt" -ca-key "$T_DIR/ca/ca.key" \
	-out "$T_DIR/node" -ip-addresses 10.213.0.1,10.213.0.2,10.213.0.3 >/dev/null || t_fail "node cert"
declare -A npid
for i in 1 2 3; do
	ns="${tag}n$i"
	ip netns exec "$ns" "$GOSSIPD_BIN" start --node-ip "10.213.0.$i" --node-port 2113 \
		--certificate-file "$T_DIR/node/node.crt" \
		--certificate-private-key-file "$T_DIR/node/node.key" \
		--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
		--cluster-size 3 --gossip-seed "10.213.0.1:2113,10.213.0.2:2113,10.213.0.3:2113" \
		--gossip-interval-ms 100 --gossip-timeout-ms 500 \
		--admin-socket "$T_DIR/n$i.sock" --allow-root >"$T_DIR/n$i.log" 2>&1 &
	T_PIDS+=($!)
	npid[$i]=$!
done

# alive_count I: how many real members node I lists as alive.
alive_count() {
	ip netns exec "${tag}n$1" curl -sf --max-time 2 --cacert "$T_DIR/ca/ca.crt" \
		"https://10.213.0.$1:2113/gossip" |
		jq '[.members[] | select(.isAlive and .state != "Manager")] | length'
}
all_three() { for i in 1 2 3; do [ "$(alive_count "$i")" = 3 ] || return 1; done; }
wait_for 30 all_three || t_fail "the cluster did not converge in the namespaces"

ip -n "${tag}n1" route add blackhole 10.213.0.2/32 || t_fail "route"
ip -n "${tag}n2" route add blackhole 10.213.0.1/32 || t_fail "route"
wait_log n1 '10\.213\.0\.2' 10
# During the partition (3 s): node 3 sees everyone alive every time it is
# asked, and nobody drops a member.
end=$((SECONDS + 3))
while [ "$SECONDS" -lt "$end" ]; do
	assert_eq 3 "$(alive_count 3)" "alive members in node 3's view during the partition"
	for i in 1 2; do
		n=$(ip netns exec "${tag}n$i" curl -sf --max-time 2 --cacert "$T_DIR/ca/ca.crt" \
			"https://10.213.0.$i:2113/gossip" | jq '.members | length')
		assert_eq 3 "$n" "members in node $i's table during the partition"
	done
	sleep 0.3
done
ip -n "${tag}n1" route del blackhole 10.213.0.2/32
ip -n "${tag}n2" route del blackhole 10.213.0.1/32
wait_for 15 all_three || t_fail "the cluster did not heal after the partition"
# Every node stops cleanly (under ASan: with no leak report).
for i in 1 2 3; do
	kill -TERM "${npid[$i]}"
	wait_for 10 bash -c "! kill -0 ${npid[$i]} 2>/dev/null" ||
		t_fail "node $i did not stop within 10 s of SIGTERM"
	wait "${npid[$i]}"
	assert_eq 0 "$?" "node $i exit status"
done
t_pass
