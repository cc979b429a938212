#!/usr/bin/env bash
# A CRL that passes its nextUpdate while a's kept-alive connection to b is
# pooled (independent openssl PKI; the CRL is due 8 s after it is made;
# a runs with CertificateRevocationListStaleRefusesAll, b without a CRL).
# a gossips with b every 100 ms over one kept-alive connection; once the
# CRL of b's issuer is stale, a does not reuse that connection: it is
# closed with one line naming b and the reason ("connection to A:P closed:
# the CRL of its issuer is past its next update"), the new handshake is
# refused, and no exchange with b succeeds from then on (nothing of b is
# merged).
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
oca_node "$P" b b.cluster.test 127.0.0.2
due=$(($(date +%s) + 8))
oca_crl "$P" "$T_DIR/crl.pem" 8
pa=$(free_port) pb=$(free_port)
common=(--certificate-reserved-node-common-name '*.cluster.test'
	--trusted-root-certificates-path "$P/ca.crt" --cluster-size 2
	--gossip-interval-ms 100 --gossip-timeout-ms 2000)
start_node a --node-ip 127.0.0.1 --node-port "$pa" "${common[@]}" \
	--certificate-file "$P/a.crt" --certificate-private-key-file "$P/a.key" \
	--certificate-revocation-list-file "$T_DIR/crl.pem" \
	--certificate-revocation-list-stale-refuses-all \
	--gossip-seed "127.0.0.2:$pb"
start_node b --node-ip 127.0.0.2 --node-port "$pb" "${common[@]}" \
	--certificate-file "$P/b.crt" --certificate-private-key-file "$P/b.key" \
	--gossip-seed "127.0.0.1:$pa"
bound a || t_fail "a's port was taken"
bound b || t_fail "b's port was taken"
# a's metrics over plain curl with the CA (no client certificate: the
# stale CRL does not stop anonymous clients)
metric() { # NAME-AND-LABELS: a's value
	curl -s --max-time 5 --cacert "$P/ca.crt" "https://127.0.0.1:$pa/metrics" |
		awk -v m="$1" '$1 == m {print $2}'
}
exchanges() { metric gossipd_gossip_exchanges_total; }
handshakes() {
	echo $(($(metric 'gossipd_gossip_outbound_handshakes_total{kind="full"}') +
		$(metric 'gossipd_gossip_outbound_handshakes_total{kind="resumed"}')))
}
more() { [ "$(exchanges)" -ge $(($1 + $2)) ]; }
wait_for 20 more 0 10 || t_fail "a does not gossip with b: $(tail -n 2 "$T_DIR/a.log")"
[ "$(date +%s)" -lt $((due - 2)) ] || t_skip "the machine is too slow: the CRL is due before the test began"
# the exchanges go over the pooled connection: more exchanges than
# handshakes while the CRL is fresh
h=$(handshakes) e=$(exchanges)
wait_for 10 more "$e" 10 || t_fail "a stopped gossiping with b"
[ $(($(handshakes) - h)) -lt 5 ] || t_fail "a's exchanges with b do not keep their connection"
[ "$(date +%s)" -lt "$due" ] || t_skip "the machine is too slow: the CRL turned stale before the connection was checked"

wait_log a "connection to 127\.0\.0\.2:$pb closed: the CRL of its issuer is past its next update$" 20
failures() { metric 'gossipd_gossip_exchange_failures_total{reason="tls"}'; }
more_failures() { [ "$(failures)" -ge $(($1 + 3)) ]; }
f=$(failures)
wait_for 10 more_failures "$f" || t_fail "a's exchanges with b do not fail after the CRL turned stale: $(tail -n 3 "$T_DIR/a.log")"
e=$(exchanges)
f=$(failures)
wait_for 10 more_failures "$f" || t_fail "a stopped trying b"
assert_eq "$e" "$(exchanges)" "exchanges with b that succeeded after the CRL of its issuer turned stale"
assert_eq 1 "$(log_count a 'connection to 127\.0\.0\.2:[0-9]+ closed: ')" "lines saying a's connection to b was closed"
t_pass
