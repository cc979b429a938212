#!/usr/bin/env bash
# Outbound pooled connections after a reload (independent openssl PKI):
# node a gossips with b every 100 ms over a kept-alive connection.
# - Reloads that change nothing b depends on keep that connection: five
#   reloads of a cost fewer than five new outbound handshakes (each used to
#   close every pooled connection and forget its session: at least one
#   full handshake per reload).
# - A reload whose CRL revokes b's certificate drops the pooled connection
#   at once: a's exchanges with b fail from then on (the new handshake is
#   refused), none succeeds.
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
oca_node "$P" b b.cluster.test 127.0.0.2
oca_crl "$P" "$T_DIR/crl.pem"
pa=$(free_port) pb=$(free_port)
common=(--certificate-reserved-node-common-name '*.cluster.test'
	--trusted-root-certificates-path "$P/ca.crt" --cluster-size 2
	--gossip-interval-ms 100 --gossip-timeout-ms 2000)
start_node a --node-ip 127.0.0.1 --node-port "$pa" "${common[@]}" \
	--certificate-file "$P/a.crt" --certificate-private-key-file "$P/a.key" \
	--certificate-revocation-list-file "$T_DIR/crl.pem" --gossip-seed "127.0.0.2:$pb"
start_node b --node-ip 127.0.0.2 --node-port "$pb" "${common[@]}" \
	--certificate-file "$P/b.crt" --certificate-private-key-file "$P/b.key" \
	--gossip-seed "127.0.0.1:$pa"
bound a || t_fail "a's port was taken"
bound b || t_fail "b's port was taken"
ca=(--cacert "$P/ca.crt")
metric() { # NAME-AND-LABELS: a's value
	curl -s --max-time 5 "${ca[@]}" "https://127.0.0.1:$pa/metrics" |
		awk -v m="$1" '$1 == m {print $2}'
}
handshakes() {
	echo $(($(metric 'gossipd_gossip_outbound_handshakes_total{kind="full"}') +
		$(metric 'gossipd_gossip_outbound_handshakes_total{kind="resumed"}')))
}
exchanges() { metric gossipd_gossip_exchanges_total; }
more_exchanges() { [ "$(exchanges)" -ge $(($1 + $2)) ]; }
wait_for 20 more_exchanges 0 5 || t_fail "a does not gossip with b: $(grep -i 'denied\|fail' "$T_DIR/a.log" | tail -n 2)"

h0=$(handshakes)
for i in 1 2 3 4 5; do
	n=$(log_count a 'configuration reloaded')
	e=$(exchanges)
	kill -HUP "$PID_a"
	wait_for 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T_DIR/a.log') -gt $n ]" || t_fail "reload $i"
	wait_for 10 more_exchanges "$e" 3 || t_fail "no exchanges after reload $i"
done
h1=$(handshakes)
[ $((h1 - h0)) -lt 5 ] ||
	t_fail "five reloads cost $((h1 - h0)) outbound handshakes: pooled connections were not kept"
t_log "five reloads: outbound handshakes $h0 -> $h1"

# b revoked: the pooled connection is dropped, the new handshake refused.
oca_revoke "$P" b
oca_crl "$P" "$T_DIR/crl.pem"
n=$(log_count a 'configuration reloaded')
kill -HUP "$PID_a"
wait_for 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T_DIR/a.log') -gt $n ]" || t_fail "the revoking reload"
failures() { metric 'gossipd_gossip_exchange_failures_total{reason="tls"}'; }
more_failures() { [ "$(failures)" -ge $(($1 + 3)) ]; }
f=$(failures)
wait_for 10 more_failures "$f" || t_fail "a's exchanges with the revoked b do not fail: $(tail -n 3 "$T_DIR/a.log")"
# from the first failures on, none succeeds (an exchange in flight while
# the reload was applied may have ended before)
e=$(exchanges)
f=$(failures)
wait_for 10 more_failures "$f" || t_fail "a stopped trying b"
assert_eq "$e" "$(exchanges)" "exchanges with the revoked b that succeeded"
grep -qE 'revoked' "$T_DIR/a.log" || t_fail "no line says the peer's certificate is revoked"
t_pass
