#!/usr/bin/env bash
# Rotating the node certificate with a reload while clients keep calling:
# no request fails (new connections get the new certificate, a kept-alive
# connection carries on), and a reload with a broken key keeps the
# current certificate and says why.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
"$GOSSIPD_BIN" cert create-node -ca-certificate "$T_DIR/ca/ca.crt" -ca-key "$T_DIR/ca/ca.key" \
	-out "$T_DIR/node2" -ip-addresses 127.0.0.1 -dns-names localhost >/dev/null ||
	t_fail "second node certificate"
live="$T_DIR/live"
mkdir -p "$live"
install -m 600 "$T_DIR/node/node.key" "$live/node.key"
install -m 644 "$T_DIR/node/node.crt" "$live/node.crt"
port=$(free_port)
url="https://127.0.0.1:$port"
start_node n1 --node-port "$port" --certificate-file "$live/node.crt" \
	--certificate-private-key-file "$live/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt"
wait_serving n1 "$url" 10 --cacert "$T_DIR/ca/ca.crt"
serial() { # the serial of the certificate the node presents
	timeout 5 openssl s_client -connect "127.0.0.1:$port" -CAfile "$T_DIR/ca/ca.crt" </dev/null 2>/dev/null |
		openssl x509 -noout -serial 2>/dev/null
}
file_serial() { openssl x509 -noout -serial -in "$1"; }
assert_eq "$(file_serial "$T_DIR/node/node.crt")" "$(serial)" "first certificate served"

# Clients: new connections in a loop, and one long kept-alive connection.
(
	while [ ! -f "$T_DIR/stop" ]; do
		curl -s -o /dev/null -w '%{http_code} %{errormsg}\n' --max-time 5 \
			--cacert "$T_DIR/ca/ca.crt" "$url/ping"
	done >"$T_DIR/codes"
) &
T_PIDS+=($!)
loop=$!
for _ in $(seq 1 1000); do printf 'url = "%s/ping"\noutput = /dev/null\n' "$url"; done >"$T_DIR/ka.cfg"
curl -s --cacert "$T_DIR/ca/ca.crt" --rate 200/s -K "$T_DIR/ka.cfg" \
	-w '%{http_code} %{num_connects}\n' >"$T_DIR/ka" 2>/dev/null &
T_PIDS+=($!)
ka=$!
wait_for 10 test -s "$T_DIR/codes" || t_fail "the client loop does not run"

# Rotate: new key and certificate in place, then reload.
install -m 600 "$T_DIR/node2/node.key" "$live/node.key.new"
install -m 644 "$T_DIR/node2/node.crt" "$live/node.crt.new"
mv "$live/node.key.new" "$live/node.key"
mv "$live/node.crt.new" "$live/node.crt"
out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" -X POST http://localhost/admin/reloadconfig)
assert_eq '{"result":"reloaded"}' "$out" "reload"
wait_log n1 "configuration reloaded"
assert_eq "$(file_serial "$T_DIR/node2/node.crt")" "$(serial)" "new certificate served"

# A broken key: the reload fails, the new-but-current certificate stays.
printf 'not a key\n' >"$live/node.key"
kill -HUP "$PID_n1"
wait_log n1 "reload failed, the previous settings stay: .*node\.key"
assert_eq "$(file_serial "$T_DIR/node2/node.crt")" "$(serial)" "certificate after a failed reload"

lines() { wc -l <"$T_DIR/codes"; }
more_lines() { [ "$(lines)" -gt "$1" ]; }
wait_for 10 more_lines $(($(lines) + 5)) || t_fail "client loop stalled"
wait_exit "$ka" 30 >/dev/null || t_fail "the kept-alive client did not finish"
touch "$T_DIR/stop"
wait_exit "$loop" 10 >/dev/null
total=$(wc -l <"$T_DIR/codes")
bad=$(grep -vc '^200 ' "$T_DIR/codes")
grep -v '^200 ' "$T_DIR/codes" | head -5 >&2
t_log "$total requests on new connections during the rotation, $bad failed"
assert_eq 0 "$bad" "failed requests on new connections"
assert_eq 1000 "$(grep -c '^200 ' "$T_DIR/ka")" "requests on the kept-alive connection"
assert_eq 1 "$(awk '{s += $2} END {print s}' "$T_DIR/ka")" "connections used by the kept-alive client"
t_pass
