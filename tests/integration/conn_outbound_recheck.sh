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
. "$GOSSIPD_SRC/tests/tools/gossip_pair.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
oca_node "$P" b b.cluster.test 127.0.0.2
oca_crl "$P" "$T_DIR/crl.pem"
gp_start "$P" a b --certificate-revocation-list-file "$T_DIR/crl.pem"
wait_for 20 gp_more 0 5 || t_fail "a does not gossip with b: $(grep -i 'denied\|fail' "$T_DIR/a.log" | tail -n 2)"

h0=$(gp_handshakes)
for i in 1 2 3 4 5; do
	n=$(log_count a 'configuration reloaded')
	e=$(gp_exchanges)
	kill -HUP "$PID_a"
	wait_for 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T_DIR/a.log') -gt $n ]" || t_fail "reload $i"
	wait_for 10 gp_more "$e" 3 || t_fail "no exchanges after reload $i"
done
h1=$(gp_handshakes)
[ $((h1 - h0)) -lt 5 ] ||
	t_fail "five reloads cost $((h1 - h0)) outbound handshakes: pooled connections were not kept"
t_log "five reloads: outbound handshakes $h0 -> $h1"

# b revoked: the pooled connection is dropped, the new handshake refused.
oca_revoke "$P" b
oca_crl "$P" "$T_DIR/crl.pem"
n=$(log_count a 'configuration reloaded')
kill -HUP "$PID_a"
wait_for 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T_DIR/a.log') -gt $n ]" || t_fail "the revoking reload"
gp_none_succeeds "the reload that revoked it"
grep -qE 'revoked' "$T_DIR/a.log" || t_fail "no line says the peer's certificate is revoked"
t_pass
