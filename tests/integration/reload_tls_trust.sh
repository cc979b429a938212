#!/usr/bin/env bash
# A reload takes new trusted roots for new connections: a node of a second
# CA is refused, the second CA is added to the trust file, and after the
# reload the same node is admitted; a resumed session from before the
# reload is not accepted under the new set (full handshake instead).
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
mkdir -p "$T_DIR/two"
make_pki "$T_DIR/two"
trust="$T_DIR/trust.pem"
cp "$T_DIR/ca/ca.crt" "$trust"
port=$(free_port)
url="https://127.0.0.1:$port"
start_node n1 --node-port "$port" --certificate-file "$T_DIR/node/node.crt" \
	--certificate-private-key-file "$T_DIR/node/node.key" \
	--trusted-root-certificates-path "$trust"
wait_serving n1 "$url" 10 --cacert "$T_DIR/ca/ca.crt"
json=(-X POST -H 'Content-Type: application/json' --data-binary '{}')
other() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$T_DIR/ca/ca.crt" \
		--cert "$T_DIR/two/node/node.crt" --key "$T_DIR/two/node/node.key" "$@" "$url/gossip"
}
assert_eq 000 "$(other "${json[@]}")" "a node of the second CA before the reload"
wait_log n1 "denied: certificate is not signed by a trusted CA"

# A session to resume later.
sc() { timeout 5 openssl s_client -connect "127.0.0.1:$port" -CAfile "$T_DIR/ca/ca.crt" -tls1_2 "$@" </dev/null 2>&1; }
sc -sess_out "$T_DIR/sess" >/dev/null
assert_contains "$(sc -sess_in "$T_DIR/sess")" "Reused, TLSv1.2" "resumption before the reload"

cat "$T_DIR/ca/ca.crt" "$T_DIR/two/ca/ca.crt" >"$trust"
kill -HUP "$PID_n1"
wait_log n1 "configuration reloaded"
wait_log n1 "2 trusted roots"
assert_eq 400 "$(other "${json[@]}")" "a node of the second CA after the reload"
assert_eq 400 "$(https_code "$url/gossip" node "${json[@]}")" "a node of the first CA after the reload"
assert_not_contains "$(sc -sess_in "$T_DIR/sess")" "Reused" "a session from before the reload"
t_pass
