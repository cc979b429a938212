#!/usr/bin/env bash
# Outbound, a saved TLS session is resumed only if the peer's certificate
# still passes rule 1 now (validity, CRL, trust), as a full handshake
# would: httpc with node credentials talks to a node whose certificate
# expires a few seconds later (full handshake, 200), then, once it has
# expired, closes and comes back with its saved session: refused with
# "saved session not resumed: certificate has expired"; a full handshake
# then refuses the expired certificate too.
# Independent openssl PKI.
source "$GOSSIPD_SRC/tests/lib.sh"
source "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
t_init

P="$T_DIR/pki"
oca_init "$P"
end=$(($(date +%s) + 4))
oca_node "$P" s s.cluster.test 127.0.0.1 "$(date -u -d "@$end" +%Y%m%d%H%M%SZ)"
oca_node "$P" n n.cluster.test 127.0.0.1
serve_on_free_port s https --certificate-file "$P/s.crt" \
	--certificate-private-key-file "$P/s.key" \
	--trusted-root-certificates-path "$P/ca.crt" \
	--certificate-reserved-node-common-name '*.cluster.test'
now=$(date +%s)
[ "$now" -lt $((end - 1)) ] || t_skip "the node took too long to start (certificate already near its end)"
pause=$(((end + 2 - now) * 1000))
get=("${GOSSIPD_TOOLS:-$(dirname "$GOSSIPD_BIN")/tests/tools}/httpc_get"
	--node-cert "$P/n.crt" --node-key "$P/n.key" --trusted "$P/ca.crt"
	--reserved-cn '*.cluster.test')
out=$("${get[@]}" --repeat 2 --close-between --pause-ms "$pause" \
	127.0.0.1 "$port" /gossip) && t_fail "both answered: $out"
assert_contains "$out" "#1 status=200 reused=0 resumed=0 " "full handshake before the expiry"
assert_contains "$out" "
#2 error: TLS handshake with 127.0.0.1:$port: saved session not resumed: certificate has expired" \
	"the saved session after the expiry"
out=$("${get[@]}" 127.0.0.1 "$port" /gossip) && t_fail "answered: $out"
assert_eq "#1 error: TLS handshake with 127.0.0.1:$port: certificate has expired" "$out" \
	"a full handshake after the expiry"
t_pass
