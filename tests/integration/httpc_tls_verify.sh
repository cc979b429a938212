#!/usr/bin/env bash
# httpc: the server chain is verified against the trusted roots and the
# CRL, and each refusal says why. Also the node-credentials path
# (tls_creds_load): the node certificate is presented as client certificate.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tools/httpc_testlib.sh"
t_init
httpc_prepare

# Another CA, unknown to the servers' certificates.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=other-ca -days 2 -keyout "$T_DIR/other.key" \
	-out "$T_DIR/other.crt" >/dev/null 2>&1 || t_fail "openssl req"

pn=$(free_port)
start_nginx good "127.0.0.1:$pn" "$PKI/node1-bundle.pem" "$PKI/node1.key"
out=$("$HTTPC_GET" --ca "$T_DIR/other.crt" 127.0.0.1 "$pn" /gossip) &&
	t_fail "accepted a server from another CA: $out"
assert_contains "$out" \
	"#1 error: TLS handshake with 127.0.0.1:$pn: certificate is not signed by a trusted CA" \
	"wrong CA"

pe=$(free_port)
start_nginx expired "127.0.0.1:$pe" "$PKI/expired.crt" "$PKI/expired.key"
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$pe" /gossip) &&
	t_fail "accepted an expired certificate: $out"
assert_contains "$out" "127.0.0.1:$pe: certificate has expired" "expired"

pf=$(free_port)
start_nginx future "127.0.0.1:$pf" "$PKI/future.crt" "$PKI/future.key"
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$pf" /gossip) &&
	t_fail "accepted a not yet valid certificate: $out"
assert_contains "$out" "127.0.0.1:$pf: certificate is not yet valid" "future"

# A trusted certificate that is not for servers (EKU clientAuth only).
pc=$(free_port)
start_nginx clientcert "127.0.0.1:$pc" "$PKI/client.crt" "$PKI/client.key"
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$pc" /gossip) &&
	t_fail "accepted a client-only certificate from a server: $out"
assert_eq "#1 error: TLS handshake with 127.0.0.1:$pc: certificate's key usage does not allow it for this TLS role" \
	"$out" "client-only certificate"

# Node credentials: trusted roots and CRL from tls_creds_load. The
# server must be a node: the revoked server below is revoked.cluster.test.
node=(--node-cert "$PKI/node1-bundle.pem" --node-key "$PKI/node1.key"
	--trusted "$PKI/ca.crt" --reserved-cn '*.cluster.test')
out=$("$HTTPC_GET" "${node[@]}" --repeat 2 127.0.0.1 "$pn" /gossip) ||
	t_fail "node credentials: $out"
assert_contains "$out" "#2 status=200 reused=1" "node credentials"
wait_for 5 grep -q "SUCCESS GET /gossip 200" "$T_DIR/good/access.log" ||
	t_fail "nginx did not verify the node certificate: $(access_lines good)"

pr=$(free_port)
start_nginx revoked "127.0.0.1:$pr" "$PKI/revoked.crt" "$PKI/revoked.key"
out=$("$HTTPC_GET" "${node[@]}" 127.0.0.1 "$pr" /gossip) ||
	t_fail "revoked certificate refused without a CRL: $out"
out=$("$HTTPC_GET" "${node[@]}" --crl "$PKI/crl.pem" 127.0.0.1 "$pr" /gossip) &&
	t_fail "accepted a revoked certificate: $out"
assert_contains "$out" \
	"#1 error: TLS handshake with 127.0.0.1:$pr: certificate has been revoked" \
	"revoked"

# A reload that adds the CRL: the kept-alive connection and the saved
# session to the revoked peer go, and the next request is refused.
out=$("$HTTPC_GET" "${node[@]}" --repeat 3 --reload-at 3 \
	--reload-crl "$PKI/crl.pem" 127.0.0.1 "$pr" /gossip) &&
	t_fail "revoked peer still reached after the reload: $out"
assert_eq "#1 status=200 reused=0 resumed=0 len=11 type=application/json
#2 status=200 reused=1 resumed=0 len=11 type=application/json
#3 error: TLS handshake with 127.0.0.1:$pr: certificate has been revoked" "$out" \
	"reload with a CRL"

# A reload without changes keeps the saved session of a server that still
# passes under the new set (httpc_peer_still_trusted): the session keeps
# the server's leaf alone, which the intermediate signed; it is verified
# again with the intermediate the set holds (it used to be refused as "not
# signed by a trusted CA", and forgotten at every reload).
out=$("$HTTPC_GET" "${node[@]}" --repeat 3 --close-between --reload-at 3 \
	127.0.0.1 "$pn" /gossip) || t_fail "reload: $out"
assert_eq "#1 status=200 reused=0 resumed=0 len=11 type=application/json
#2 status=200 reused=0 resumed=1 len=11 type=application/json
#3 status=200 reused=0 resumed=1 len=11 type=application/json" "$out" \
	"sessions after a reload"
t_pass
