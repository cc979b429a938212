#!/usr/bin/env bash
# A CRL that passes its nextUpdate while the node runs is noticed when it
# does (the hourly check is scheduled no later than the next nextUpdate):
# a warning at the reload that brings it (due within 7 days: in 3 s),
# then the stale error once it is
# past, with the metric negative; the revoked certificate stays refused
# and a valid one is still served (default policy). Independent openssl PKI.
source "$GOSSIPD_SRC/tests/lib.sh"
source "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
t_init

P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
oca_node "$P" n n.cluster.test 127.0.0.1
oca_node "$P" r r.cluster.test 127.0.0.1
oca_revoke "$P" r
oca_crl "$P" "$T_DIR/crl.pem" # due in a day
issuer="CN=oca test root $$"

serve_on_free_port a https --certificate-file "$P/a.crt" \
	--certificate-private-key-file "$P/a.key" \
	--trusted-root-certificates-path "$P/ca.crt" \
	--certificate-revocation-list-file "$T_DIR/crl.pem" \
	--certificate-reserved-node-common-name '*.cluster.test'
# A CRL due in 3 s, brought by a reload (so that a slow start cannot eat
# its time).
openssl ca -batch -config "$P/ca.cnf" -gencrl -crlsec 3 -out "$T_DIR/crl.new" \
	>>"$P/openssl.out" 2>&1 && mv "$T_DIR/crl.new" "$T_DIR/crl.pem" ||
	t_fail "openssl ca: CRL"
kill -HUP "$PID_a"
wait_log a "the CRL of \"$issuer\" is due for its next update in 0 h"
# (the reload found it not yet stale: so the error below comes from the
# timer, not from a load)
wait_log a "the CRL of \"$issuer\" is past its next update" 15
m=$(curl -s --max-time 5 --cacert "$P/ca.crt" "https://127.0.0.1:$port/metrics" |
	grep -F "gossipd_crl_next_update_seconds{issuer=\"$issuer\"} " | awk '{print $NF}')
[ -n "$m" ] && [ "$m" -le 0 ] || t_fail "gossipd_crl_next_update_seconds once stale: '$m'"
as() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$P/ca.crt" \
		--cert "$P/$1.crt" --key "$P/$1.key" "https://127.0.0.1:$port/admin/member"
}
assert_eq 200 "$(as n)" "a valid node once the CRL is stale"
assert_eq 000 "$(as r)" "the revoked node once the CRL is stale"
t_pass
