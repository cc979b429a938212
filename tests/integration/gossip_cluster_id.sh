#!/usr/bin/env bash
# ClusterId: two clusters that can reach each other (one node of "beta"
# is seeded, by mistake, with a node of "alpha") refuse each other both
# ways, with one clear line on each side, and never merge; "alpha" itself
# forms, and with more live members than its ClusterSize it warns and
# counts it.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

members() { # URL: the endpoints of real entries (no placeholders)
	curl -sf --max-time 1 "$1/gossip" |
		jq -r '.members[] | select(.instanceId != "00000000-0000-0000-0000-000000000000") | "\(.httpEndPointIp):\(.httpEndPointPort)"' | sort | tr '\n' ' '
}
metric() { curl -sf --max-time 2 "$1/metrics" | awk -v k="$2" '$1 == k {print $2}'; }
has_n() { [ "$(members "$1" | wc -w)" -eq "$2" ]; }

pa1=$(free_port) pa2=$(free_port) pa3=$(free_port) pb=$(free_port)
alpha="127.0.0.1:$pa1,127.0.0.2:$pa2,127.0.0.3:$pa3"
common=(--insecure --gossip-interval-ms 200 --gossip-timeout-ms 1000)
# ClusterSize 2 for three members: the warning and the metric.
for i in 1 2 3; do
	pv="pa$i"
	start_node "a$i" "${common[@]}" --cluster-id alpha --cluster-size 2 \
		--gossip-seed "$alpha" --node-ip "127.0.0.$i" --node-port "${!pv}"
done
start_node b "${common[@]}" --cluster-id beta --cluster-size 2 \
	--gossip-seed "127.0.0.1:$pa1" --node-ip 127.0.0.4 --node-port "$pb"
ua="http://127.0.0.1:$pa1" ub="http://127.0.0.4:$pb"
wait_serving a1 "$ua"
wait_serving b "$ub"
wait_for 20 has_n "$ua" 3 || t_fail "alpha did not form: $(members "$ua")"
# Each side says it once, in its own words.
wait_log a1 "gossip from [0-9.]+:[0-9]+ refused: it is of cluster \"beta\", we are \"alpha\" \(ClusterId\)"
wait_log b "gossip with 127\.0\.0\.1:$pa1 refused: it is of cluster \"alpha\", we are \"beta\" \(ClusterId\)"
# Two seconds (10 rounds) later: still apart, and each line written once.
sleep 2 # a window of rounds in which a merge would show
assert_eq "127.0.0.1:$pa1 127.0.0.2:$pa2 127.0.0.3:$pa3 " "$(members "$ua")" "alpha's members"
assert_eq "127.0.0.4:$pb " "$(members "$ub")" "beta's members"
assert_eq 1 "$(log_count b "refused: it is of cluster")" "lines on b"
assert_eq 1 "$(log_count a1 "refused: it is of cluster")" "lines on a1"
[ "$(metric "$ua" 'gossipd_gossip_documents_refused_total{reason="cluster_id"}')" -ge 2 ] ||
	t_fail "a1 counted no refused document"
[ "$(metric "$ub" 'gossipd_gossip_exchange_failures_total{reason="cluster_id"}')" -ge 2 ] ||
	t_fail "b counted no refused exchange"
# Alpha: three live members, ClusterSize 2.
wait_log a1 "3 live members, more than ClusterSize 2"
assert_eq 1 "$(metric "$ua" gossipd_members_beyond_cluster_size)" "members beyond ClusterSize"
# A ClusterId a header cannot carry is a start-up error naming the option.
out=$("$GOSSIPD_BIN" start --insecure --cluster-size 2 --cluster-id "a b" \
	--node-ip 127.0.0.1 --node-port "$(free_port)" --admin-socket "$T_DIR/x.sock" 2>&1) &&
	t_fail "a ClusterId with a space was accepted"
assert_contains "$out" "ClusterId" "start-up error names the option"
t_pass
