#!/usr/bin/env bash
# The intermediate CA of a peer's server certificate expires while a's
# kept-alive connection to it is pooled (independent openssl PKI: root ->
# int1, notAfter a few seconds ahead -> b; root -> int2 -> a; b's and a's
# own certificates run two days longer). a keeps the notAfter of the
# verified path (b, int1, the root) with the connection: it does not
# reuse it past int1's notAfter but closes it, with one line ("connection
# to A:P closed: certificate has expired"), and the new handshake is
# refused; no exchange with b succeeds from then on. Until then a reports
# int1's notAfter as b's certificate expiry (its metric).
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
. "$GOSSIPD_SRC/tests/tools/gossip_pair.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
end=$(($(date +%s) + 9))
oca_int "$P" int1 "$(date -u -d "@$end" +%y%m%d%H%M%SZ)"
oca_int "$P" int2
ossl_node "$P" int2 a a.cluster.test 127.0.0.1
ossl_node "$P" int1 b b.cluster.test 127.0.0.2
cat "$P/a.crt" "$P/int2.crt" >"$P/a-chain.crt"
cat "$P/b.crt" "$P/int1.crt" >"$P/b-chain.crt"
cp -p "$P/a.key" "$P/a-chain.key"
cp -p "$P/b.key" "$P/b-chain.key"
gp_start "$P" a-chain b-chain
gp_pooled
[ "$(date +%s)" -lt "$end" ] || t_skip "the machine is too slow: int1 expired before the connection was checked"
# b's certificate expiry as a reports it is int1's (seconds), not b's own
# (two days): when the connection's rights end
exp=$(curl -s --max-time 5 --cacert "$P/ca.crt" "https://127.0.0.1:$pa/metrics" |
	awk -v m="127.0.0.2:$pb" 'index($0, "gossipd_peer_certificate_expiry_seconds{") == 1 &&
		index($0, m) {print int($2)}')
[ -n "$exp" ] || t_fail "no gossipd_peer_certificate_expiry_seconds for b"
[ "$exp" -le 60 ] || t_fail "b's expiry is reported as ${exp} s, not its intermediate's (< 10 s)"

wait_log a "connection to 127\.0\.0\.2:$pb closed: certificate has expired$" $((end - $(date +%s) + 10))
gp_none_succeeds "int1 expired"
t_pass
