#!/usr/bin/env bash
# pkg_devcluster: the README's first command, packaging/dev-cluster.sh,
# with this build's binary (no install, no build) in a private directory on
# a free port: three nodes start, converge, take their roles, answer the
# commands it prints, and "stop" stops them; a second start replaces the
# first cluster.
. "$(dirname "$0")/../lib.sh"
t_init

script=$GOSSIPD_SRC/packaging/dev-cluster.sh
export DEV_CLUSTER_BIN=$GOSSIPD_BIN DEV_CLUSTER_STATE=$T_DIR/cluster
export DEV_CLUSTER_PORT
DEV_CLUSTER_PORT=$(free_port)
# The nodes are started with setsid: stop them however this test ends.
trap 'bash "$script" stop >/dev/null 2>&1; t_cleanup' EXIT

pids() { cat "$DEV_CLUSTER_STATE"/node*/pid 2>/dev/null | tr '\n' ' '; }
out=$(bash "$script" 2>&1) || t_fail "dev-cluster.sh failed: $out"
assert_contains "$out" "The cluster is up." "start"
first=$(pids)
assert_eq 3 "$(wc -w <<<"$first")" "three pid files"

ca=$DEV_CLUSTER_STATE/ca/ca.crt
out=$("$GOSSIPD_BIN" start --what-if --config "$DEV_CLUSTER_STATE/node2/gossipd.conf") ||
	t_fail "node 2's configuration does not load: $out"
assert_contains "$out" "NodeIp: 127.0.0.2 (Config File)" "node 2's configuration"
# 0 healthy, 3 printed but unhealthy (the roles may not have spread yet).
st=$("$GOSSIPD_BIN" status --seed "127.0.0.1:$DEV_CLUSTER_PORT" --cacert "$ca") && rc=0 || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || t_fail "gossipd status, as printed, failed ($rc): $st"
assert_contains "$st" "3 members, 3 alive" "status"
# The roles were set through each node's admin socket; gossip carries them
# to the others within a few rounds.
roles_seen() { # N: node N sees one Leader and two Followers
	local doc
	doc=$(curl -sf --cacert "$ca" "https://127.0.0.$1:$DEV_CLUSTER_PORT/gossip") || return 1
	[ "$(grep -o '"state": *"Leader"' <<<"$doc" | wc -l)" = 1 ] &&
		[ "$(grep -o '"state": *"Follower"' <<<"$doc" | wc -l)" = 2 ]
}
for n in 1 2 3; do
	wait_for 15 roles_seen "$n" || t_fail "node $n does not see one Leader and two Followers: $(curl -s --cacert "$ca" "https://127.0.0.$n:$DEV_CLUSTER_PORT/gossip")"
done
st=$("$GOSSIPD_BIN" status --seed "127.0.0.1:$DEV_CLUSTER_PORT" --cacert "$ca" --cluster-size 3) ||
	t_fail "gossipd status: unhealthy once the roles are set: $st"
assert_contains "$st" "healthy: 3 live members, one leader" "status verdict"
code=$(http_code "https://127.0.0.1:$DEV_CLUSTER_PORT/gossip" --cacert "$ca" \
	--cert "$DEV_CLUSTER_STATE/client/client.crt" --key "$DEV_CLUSTER_STATE/client/client.key" \
	-X POST -H 'Content-Type: application/json' -d '{}')
assert_eq 403 "$code" "POST /gossip with the client certificate, as printed"

# Idempotent: a second run stops the first cluster and starts a new one.
out=$(bash "$script" 2>&1) || t_fail "second dev-cluster.sh failed: $out"
assert_contains "$out" "stopped 3 node(s)" "second start stops the first cluster"
for pid in $first; do
	kill -0 "$pid" 2>/dev/null && t_fail "node $pid of the first cluster still runs"
done

second=$(pids)
out=$(bash "$script" stop 2>&1)
assert_contains "$out" "stopped 3 node(s)" "stop"
for pid in $second; do
	kill -0 "$pid" 2>/dev/null && t_fail "node $pid still runs after stop"
done
assert_contains "$(bash "$script" status)" "node1 127.0.0.1:$DEV_CLUSTER_PORT not running" "status after stop"

t_pass
