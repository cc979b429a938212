#!/usr/bin/env bash
# httpc against gossipd itself, as the gossiper uses it: node credentials
# (tls_creds_load), the IP SAN of a "gossipd cert" node certificate,
# keep-alive across requests and session resumption on reconnect.
source "$GOSSIPD_SRC/tests/lib.sh"
source "$GOSSIPD_SRC/tests/tools/httpc_testlib.sh"
t_init
[ -x "$HTTPC_GET" ] || t_fail "no httpc_get at $HTTPC_GET"

make_pki "$T_DIR/pki"
ca="$T_DIR/pki/ca/ca.crt"
node=(--node-cert "$T_DIR/pki/node/node.crt"
	--node-key "$T_DIR/pki/node/node.key" --trusted "$ca")
p=$(free_port)
start_node n1 --node-ip 127.0.0.1 --node-port "$p" \
	--certificate-file "$T_DIR/pki/node/node.crt" \
	--certificate-private-key-file "$T_DIR/pki/node/node.key" \
	--trusted-root-certificates-path "$ca"
wait_serving n1 "https://127.0.0.1:$p" 10 --cacert "$ca"

out=$("$HTTPC_GET" "${node[@]}" --repeat 4 --body 127.0.0.1 "$p" \
	/gossip) || t_fail "GET /gossip: $out"
assert_eq 4 "$(grep -c '^#[0-9] status=200 ' <<<"$out")" "answers"
assert_eq 3 "$(grep -c 'reused=1' <<<"$out")" "kept-alive requests"
assert_contains "$out" "type=application/json; charset=utf-8" "content type"
assert_contains "$out" "\"serverPort\":$p" "gossip document"

out=$("$HTTPC_GET" "${node[@]}" --repeat 3 --close-between 127.0.0.1 "$p" \
	/gossip) || t_fail "reconnecting: $out"
assert_eq 2 "$(grep -c 'reused=0 resumed=1' <<<"$out")" \
	"sessions resumed by gossipd"

# The node certificate is for 127.0.0.1 (and localhost), not 127.0.0.2.
p2=$(free_port)
start_node n2 --node-ip 127.0.0.2 --node-port "$p2" \
	--node-host-advertise-as 127.0.0.1 \
	--certificate-file "$T_DIR/pki/node/node.crt" \
	--certificate-private-key-file "$T_DIR/pki/node/node.key" \
	--trusted-root-certificates-path "$ca"
wait_serving n2 "https://127.0.0.2:$p2" 10 --cacert "$ca" -k
out=$("$HTTPC_GET" "${node[@]}" 127.0.0.2 "$p2" /gossip) &&
	t_fail "127.0.0.2 accepted with a certificate for 127.0.0.1: $out"
assert_eq "#1 error: TLS handshake with 127.0.0.2:$p2: server certificate has no SAN matching 127.0.0.2" \
	"$out" "SAN check against gossipd"
t_pass
