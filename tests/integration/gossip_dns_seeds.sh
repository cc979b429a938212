#!/usr/bin/env bash
# DiscoverViaDns: every address of ClusterDns on ClusterGossipPort is a
# seed. "localhost" resolves (through /etc/hosts) to 127.0.0.1, where the
# other member listens; the two find each other with no GossipSeed.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

getent ahosts localhost | grep -q '^127\.0\.0\.1 ' || t_skip "localhost does not resolve to 127.0.0.1"
alive_at() { # URL ENDPOINT
	curl -sf --max-time 2 "$1/gossip" |
		jq -e --arg ep "$2" '[.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep and .isAlive and .state != "Manager")] | length == 1' >/dev/null
}

pa=$(free_port) pb=$(free_port)
start_node a --insecure --node-ip 127.0.0.1 --node-port "$pa" --cluster-size 2 \
	--gossip-interval-ms 200 --gossip-timeout-ms 1500
start_node b --insecure --node-ip 127.0.0.2 --node-port "$pb" --cluster-size 2 \
	--discover-via-dns --cluster-dns localhost --cluster-gossip-port "$pa" \
	--gossip-interval-ms 200 --gossip-timeout-ms 1500
wait_serving a "http://127.0.0.1:$pa"
wait_serving b "http://127.0.0.2:$pb"
wait_for 20 alive_at "http://127.0.0.2:$pb" "127.0.0.1:$pa" || t_fail "b did not find a through DNS"
wait_for 20 alive_at "http://127.0.0.1:$pa" "127.0.0.2:$pb" || t_fail "a did not learn of b"
wait_log b "ClusterDns localhost gives [0-9]+ seed\(s\)"
wait_log b "seed 127.0.0.1:$pa answered as member 127.0.0.1:$pa|member 127.0.0.1:$pa joined"

# A name that does not resolve: one warning, retries every second (at
# debug level), and the node serves.
pc=$(free_port)
start_node c --insecure --node-port "$pc" --cluster-size 2 --log-level debug \
	--discover-via-dns --cluster-dns no-such-name.invalid \
	--gossip-interval-ms 200 --gossip-timeout-ms 500
wait_serving c "http://127.0.0.1:$pc"
wait_log c "warn +cannot resolve ClusterDns no-such-name.invalid: .*retrying in 1 s"
wait_log c "debug +cannot resolve ClusterDns no-such-name.invalid" 5
assert_eq 1 "$(log_count c "warn +cannot resolve ClusterDns")" "warnings for a failing name"
t_pass
