#!/usr/bin/env bash
# Who may call what over TLS (SPEC 2 and 4): a node certificate is a node,
# a trusted client certificate with another CN is a client (403 on node
# endpoints), no certificate is anonymous (401); reads stay open. Each
# refusal is logged with the peer and the reason.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
port=$(free_port)
url="https://127.0.0.1:$port"
# shellcheck disable=SC2046
start_node n1 --node-port "$port" $(tls_args "$T_DIR") --log-level debug
wait_serving n1 "$url" 10 --cacert "$T_DIR/ca/ca.crt"
wait_log n1 'reserved node CN "gossipd-node" \(auto-configured'
json=(-X POST -H 'Content-Type: application/json' --data-binary '{}')

# A node: POST /gossip passes the identity check (400: the body is no
# document).
code=$(https_code "$url/gossip" node "${json[@]}")
assert_eq 400 "$code" "POST /gossip from a node"
wait_log n1 'client certificate CN "gossipd-node": node$'
# State changes over HTTPS are off by default (AdminOverHttps): the admin
# socket is the way (conn_admin_https tests the switch).
assert_eq 403 "$(https_code "$url/admin/reloadconfig" node -X POST)" "reload by a node, AdminOverHttps off"

# A trusted client that is not a node.
assert_eq 403 "$(https_code "$url/gossip" client "${json[@]}")" "POST /gossip from a client"
wait_log n1 'connection from 127\.0\.0\.1:[0-9]+ denied: CN "web-client" does not match the reserved node CN "gossipd-node" \(POST /gossip is for cluster nodes\)'
assert_eq 200 "$(https_code "$url/gossip" client)" "GET /gossip from a client"
assert_eq 403 "$(https_code "$url/admin/reloadconfig" client -X POST)" "reload by a client"
assert_eq 403 "$(https_code "$url/admin/member" client)" "GET /admin/member by a client"

# No certificate at all.
assert_eq 401 "$(https_code "$url/gossip" none "${json[@]}")" "POST /gossip anonymous"
wait_log n1 'connection from 127\.0\.0\.1:[0-9]+ denied: no client certificate was presented \(POST /gossip'
assert_eq 200 "$(https_code "$url/gossip" none)" "GET /gossip anonymous"
assert_eq 200 "$(https_code "$url/metrics" none)" "GET /metrics anonymous"
assert_eq 204 "$(https_code "$url/health/live" none)" "health anonymous"
assert_eq 401 "$(https_code "$url/admin/member" none -X PUT -H 'Content-Type: application/json' -d '{}')" \
	"PUT /admin/member anonymous"

# The admin socket is the local admin without any certificate.
out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" -X POST http://localhost/admin/reloadconfig)
assert_eq '{"result":"reloaded"}' "$out" "reload over the admin socket"

# The switches: GossipRequiresClientCert and MetricsRequiresNode.
port2=$(free_port)
url2="https://127.0.0.1:$port2"
# shellcheck disable=SC2046
start_node n2 --node-port "$port2" $(tls_args "$T_DIR") \
	--gossip-requires-client-cert --metrics-requires-node
wait_serving n2 "$url2" 10 --cacert "$T_DIR/ca/ca.crt"
assert_eq 401 "$(https_code "$url2/gossip" none)" "GET /gossip anonymous with the switch"
wait_log n2 'denied: no client certificate was presented \(GET /gossip is for trusted clients\)'
assert_eq 200 "$(https_code "$url2/gossip" client)" "GET /gossip by a client with the switch"
assert_eq 401 "$(https_code "$url2/metrics" none)" "metrics anonymous with the switch"
assert_eq 403 "$(https_code "$url2/metrics" client)" "metrics by a client with the switch"
assert_eq 200 "$(https_code "$url2/metrics" node)" "metrics by a node with the switch"
m=$(curl -s --max-time 5 --cacert "$T_DIR/ca/ca.crt" --cert "$T_DIR/node/node.crt" \
	--key "$T_DIR/node/node.key" "$url2/metrics")
assert_contains "$m" 'gossipd_certificate_expiry_seconds{cert="node"}' "expiry metric"
assert_contains "$m" 'gossipd_tls_handshakes_total{kind="full"}' "handshake metric"
t_pass
