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
. "$GOSSIPD_SRC/tests/tools/gossip_pair.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
oca_node "$P" b b.cluster.test 127.0.0.2
due=$(($(date +%s) + 8))
oca_crl "$P" "$T_DIR/crl.pem" 8
gp_start "$P" a b --certificate-revocation-list-file "$T_DIR/crl.pem" \
	--certificate-revocation-list-stale-refuses-all
gp_pooled
[ "$(date +%s)" -lt "$due" ] || t_skip "the machine is too slow: the CRL turned stale before the connection was checked"

wait_log a "connection to 127\.0\.0\.2:$pb closed: the CRL of its issuer is past its next update$" 20
gp_none_succeeds "the CRL of its issuer turned stale"
assert_eq 1 "$(log_count a 'connection to 127\.0\.0\.2:[0-9]+ closed: ')" "lines saying a's connection to b was closed"
t_pass
