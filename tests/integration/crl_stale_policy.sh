#!/usr/bin/env bash
# A stale CRL (past its nextUpdate) does not by itself take every node
# down; the strict switch keeps fail-closed. Independent openssl PKI, a
# CRL revoking r, due yesterday:
# - node a (default): starts, logs the CRL (issuer, 1 revoked serial, next
#   update) and an error that it is stale, at start and at every reload;
#   gossipd_crl_next_update_seconds{issuer} is negative; node n is still
#   served, r (revoked) is still refused;
# - node b (CertificateRevocationListStaleRefusesAll) refuses n too:
#   "the CRL of its issuer is past its next update";
# - outbound (httpc with node credentials) the same both ways;
# - a fresh CRL due in 3 days brought by a reload: logged, a warning that
#   it is due within 7 days, the metric positive, r still refused.
source "$GOSSIPD_SRC/tests/lib.sh"
source "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
t_init

P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
oca_node "$P" n n.cluster.test 127.0.0.1
oca_node "$P" r r.cluster.test 127.0.0.1
oca_revoke "$P" r
openssl ca -batch -config "$P/ca.cnf" -gencrl -out "$T_DIR/crl.pem" \
	-crl_lastupdate "$(date -u -d '-2 days' +%Y%m%d%H%M%SZ)" \
	-crl_nextupdate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" \
	>>"$P/openssl.out" 2>&1 || t_fail "openssl ca: stale CRL"
issuer="CN=oca test root $$"
node=(--certificate-file "$P/a.crt" --certificate-private-key-file "$P/a.key"
	--trusted-root-certificates-path "$P/ca.crt"
	--certificate-revocation-list-file "$T_DIR/crl.pem"
	--certificate-reserved-node-common-name '*.cluster.test')

as() { # WHO PORT: the status of GET /admin/member (a node-only endpoint)
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$P/ca.crt" \
		--cert "$P/$1.crt" --key "$P/$1.key" "https://127.0.0.1:$2/admin/member"
}
crl_metric() { # PORT
	curl -s --max-time 5 --cacert "$P/ca.crt" "https://127.0.0.1:$1/metrics" |
		grep -F "gossipd_crl_next_update_seconds{issuer=\"$issuer\"} " |
		awk '{print $NF}'
}

serve_on_free_port a https "${node[@]}"
pa=$port
wait_log a "CertificateRevocationListFile $T_DIR/crl.pem: CRL of \"$issuer\", 1 revoked serial, next update [0-9-]+ [0-9:]+ UTC"
stale="CertificateRevocationListFile $T_DIR/crl.pem: the CRL of \"$issuer\" is past its next update \([0-9-]+ [0-9:]+ UTC\): publish a new one and reload; the certificates it lists stay refused, the others of that CA are still accepted"
wait_log a "$stale"
assert_eq 200 "$(as n "$pa")" "a valid node with a stale CRL (default)"
assert_eq 000 "$(as r "$pa")" "a revoked node with a stale CRL"
wait_log a "connection from 127\.0\.0\.1:[0-9]+ denied: certificate has been revoked"
m=$(crl_metric "$pa")
[ -n "$m" ] && [ "$m" -lt -80000 ] || t_fail "gossipd_crl_next_update_seconds: '$m'"

kill -HUP "$PID_a"
stale_twice() { [ "$(log_count a "is past its next update")" -ge 2 ]; }
wait_for 10 stale_twice || t_fail "the stale CRL error not repeated at reload"

serve_on_free_port b https "${node[@]}" --certificate-revocation-list-stale-refuses-all
pb=$port
wait_log b "is past its next update .*and so is every other certificate of that CA \(CertificateRevocationListStaleRefusesAll\)"
assert_eq 000 "$(as n "$pb")" "a valid node with a stale CRL (strict)"
wait_log b "connection from 127\.0\.0\.1:[0-9]+ denied: the CRL of its issuer is past its next update"

# Outbound, the same verdict (httpc with node credentials, as the
# gossiper dials): node a's server certificate is accepted with the stale
# CRL, refused with the strict switch.
get=("${GOSSIPD_TOOLS:-$(dirname "$GOSSIPD_BIN")/tests/tools}/httpc_get"
	--node-cert "$P/n.crt" --node-key "$P/n.key" --trusted "$P/ca.crt"
	--crl "$T_DIR/crl.pem" --reserved-cn '*.cluster.test')
out=$("${get[@]}" 127.0.0.1 "$pa" /gossip) || t_fail "outbound, stale CRL (default): $out"
assert_contains "$out" "#1 status=200" "outbound, stale CRL (default)"
out=$("${get[@]}" --crl-stale-refuses-all 127.0.0.1 "$pa" /gossip) &&
	t_fail "outbound, stale CRL (strict) accepted: $out"
assert_eq "#1 error: TLS handshake with 127.0.0.1:$pa: the CRL of its issuer is past its next update" \
	"$out" "outbound, stale CRL (strict)"

# A fresh CRL due in 3 days: warned about at the reload.
openssl ca -batch -config "$P/ca.cnf" -gencrl -crldays 3 -out "$T_DIR/crl.new" \
	>>"$P/openssl.out" 2>&1 && mv "$T_DIR/crl.new" "$T_DIR/crl.pem" ||
	t_fail "openssl ca: fresh CRL"
kill -HUP "$PID_a"
wait_log a "CertificateRevocationListFile $T_DIR/crl.pem: the CRL of \"$issuer\" is due for its next update in 7[0-2] h \([0-9-]+ [0-9:]+ UTC\): publish a new one before then"
m=$(crl_metric "$pa")
[ -n "$m" ] && [ "$m" -gt 250000 ] && [ "$m" -le 259200 ] ||
	t_fail "gossipd_crl_next_update_seconds after the reload: '$m'"
# the CRL logged at start and at each of the two reloads
assert_eq 3 "$(log_count a "CertificateRevocationListFile $T_DIR/crl.pem: CRL of \"$issuer\", 1 revoked serial, next update")" \
	"CRL lines at start and reloads"
assert_eq 200 "$(as n "$pa")" "a valid node with a fresh CRL"
assert_eq 000 "$(as r "$pa")" "a revoked node with a fresh CRL"
t_pass
