#!/usr/bin/env bash
# A peer's server certificate that expires while a's kept-alive
# connection to it is pooled: a reuses neither that connection nor the
# saved session past the notAfter, so its next exchange is a full
# handshake that refuses the expired certificate; no exchange with b
# succeeds after it (independent openssl PKI; b's certificate expires
# 8 s after it is made).
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
end=$(($(date +%s) + 8))
oca_node "$P" b b.cluster.test 127.0.0.2 "$(date -u -d "@$end" +%y%m%d%H%M%SZ)"
pa=$(free_port) pb=$(free_port)
common=(--certificate-reserved-node-common-name '*.cluster.test'
	--trusted-root-certificates-path "$P/ca.crt" --cluster-size 2
	--gossip-interval-ms 100 --gossip-timeout-ms 2000)
start_node a --node-ip 127.0.0.1 --node-port "$pa" "${common[@]}" \
	--certificate-file "$P/a.crt" --certificate-private-key-file "$P/a.key" \
	--gossip-seed "127.0.0.2:$pb"
start_node b --node-ip 127.0.0.2 --node-port "$pb" "${common[@]}" \
	--certificate-file "$P/b.crt" --certificate-private-key-file "$P/b.key" \
	--gossip-seed "127.0.0.1:$pa"
bound a || t_fail "a's port was taken"
bound b || t_fail "b's port was taken"
metric() { # NAME-AND-LABELS: a's value
	curl -s --max-time 5 --cacert "$P/ca.crt" "https://127.0.0.1:$pa/metrics" |
		awk -v m="$1" '$1 == m {print $2}'
}
exchanges() { metric gossipd_gossip_exchanges_total; }
more() { [ "$(exchanges)" -ge $(($1 + 5)) ]; }
wait_for 20 more 0 || t_fail "a does not gossip with b: $(tail -n 2 "$T_DIR/a.log")"
[ "$(date +%s)" -lt "$end" ] || t_skip "the machine is too slow: b's certificate expired before the test began"
# notAfter is the last valid second: wait until it has passed, and for
# the first failed exchanges after it.
wait_for 20 bash -c "[ \$(date +%s) -gt $((end + 1)) ]" || t_fail "clock"
failures() { metric 'gossipd_gossip_exchange_failures_total{reason="tls"}'; }
more_failures() { [ "$(failures)" -ge $(($1 + 3)) ]; }
f=$(failures)
wait_for 10 more_failures "$f" || t_fail "a's exchanges with b go on after b's certificate expired"
e=$(exchanges)
f=$(failures)
wait_for 10 more_failures "$f" || t_fail "a stopped trying b"
assert_eq "$e" "$(exchanges)" "exchanges with b that succeeded after its certificate expired"
grep -qE 'expired' "$T_DIR/a.log" || t_fail "no line says the peer's certificate expired"
t_pass
