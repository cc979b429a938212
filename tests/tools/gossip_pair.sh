# tests/tools/gossip_pair.sh: two nodes a (127.0.0.1) and b (127.0.0.2)
# gossiping with each other every 100 ms, and a's outbound exchanges as
# its metrics count them. Sourced after tests/lib.sh and
# tests/tools/openssl_ca.sh.
#
#   gp_start DIR A-CERT B-CERT [A ARGS...]  starts a and b with DIR's root
#                                   and reserved CN *.cluster.test;
#                                   A-CERT, B-CERT: names in DIR (NAME.crt,
#                                   NAME.key); ports in $pa, $pb
#   gp_pooled                       waits until a gossips with b, and checks
#                                   that its exchanges keep their connection
#   gp_none_succeeds WHAT           waits until a's exchanges with b fail,
#                                   and checks that none succeeds from then
#                                   on (WHAT: since when, for the message)

gp_start() {
	local dir=$1 an=$2 bn=$3
	shift 3
	GP_DIR=$dir
	pa=$(free_port) pb=$(free_port)
	local common=(--certificate-reserved-node-common-name '*.cluster.test'
		--trusted-root-certificates-path "$dir/ca.crt" --cluster-size 2
		--gossip-interval-ms 100 --gossip-timeout-ms 2000)
	start_node a --node-ip 127.0.0.1 --node-port "$pa" "${common[@]}" \
		--certificate-file "$dir/$an.crt" \
		--certificate-private-key-file "$dir/$an.key" \
		--gossip-seed "127.0.0.2:$pb" "$@"
	start_node b --node-ip 127.0.0.2 --node-port "$pb" "${common[@]}" \
		--certificate-file "$dir/$bn.crt" \
		--certificate-private-key-file "$dir/$bn.key" \
		--gossip-seed "127.0.0.1:$pa"
	bound a || t_fail "a's port was taken"
	bound b || t_fail "b's port was taken"
}

gp_metric() { # NAME-AND-LABELS: a's value (no client certificate needed)
	curl -s --max-time 5 --cacert "$GP_DIR/ca.crt" "https://127.0.0.1:$pa/metrics" |
		awk -v m="$1" '$1 == m {print $2}'
}
gp_exchanges() { gp_metric gossipd_gossip_exchanges_total; }
gp_failures() { gp_metric 'gossipd_gossip_exchange_failures_total{reason="tls"}'; }
gp_handshakes() {
	echo $(($(gp_metric 'gossipd_gossip_outbound_handshakes_total{kind="full"}') +
		$(gp_metric 'gossipd_gossip_outbound_handshakes_total{kind="resumed"}')))
}
gp_more() { [ "$(gp_exchanges)" -ge $(($1 + $2)) ]; }
gp_more_failures() { [ "$(gp_failures)" -ge $(($1 + 3)) ]; }

gp_pooled() {
	local h e
	wait_for 20 gp_more 0 10 || t_fail "a does not gossip with b: $(tail -n 2 "$T_DIR/a.log")"
	h=$(gp_handshakes) e=$(gp_exchanges)
	wait_for 10 gp_more "$e" 10 || t_fail "a stopped gossiping with b"
	[ $(($(gp_handshakes) - h)) -lt 5 ] || t_fail "a's exchanges with b do not keep their connection"
}

gp_none_succeeds() {
	local e f
	f=$(gp_failures)
	wait_for 10 gp_more_failures "$f" || t_fail "a's exchanges with b do not fail after $1: $(tail -n 3 "$T_DIR/a.log")"
	# from the first failures on, none succeeds (an exchange under way
	# at that moment may have ended before)
	e=$(gp_exchanges)
	f=$(gp_failures)
	wait_for 10 gp_more_failures "$f" || t_fail "a stopped trying b"
	assert_eq "$e" "$(gp_exchanges)" "exchanges with b that succeeded after $1"
}
