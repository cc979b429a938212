#!/usr/bin/env bash
# httpc against openssl s_server -WWW: an HTTP/1.0 answer whose body ends
# with the connection (close-delimited, over TLS), so no connection is kept.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tools/httpc_testlib.sh"
t_init
httpc_prepare

mkdir -p "$T_DIR/www"
printf '{"members":[],"serverIp":"127.0.0.1"}' >"$T_DIR/www/doc.json"
p=$(free_port)
(cd "$T_DIR/www" && exec openssl s_server -quiet -WWW \
	-accept "127.0.0.1:$p" -cert "$PKI/node1.crt" -key "$PKI/node1.key" \
	-cert_chain "$PKI/int.crt") >"$T_DIR/s_server.log" 2>&1 &
T_PIDS+=("$!")
wait_for 30 port_listening "$p" "$!" || t_fail "s_server did not listen"

out=$("$HTTPC_GET" --ca "$PKI/ca.crt" --repeat 2 --body 127.0.0.1 "$p" \
	/doc.json) || t_fail "s_server: $out"
assert_eq '#1 status=200 reused=0 resumed=0 len=37 type=text/plain
{"members":[],"serverIp":"127.0.0.1"}
#2 status=200 reused=0 resumed=1 len=37 type=text/plain
{"members":[],"serverIp":"127.0.0.1"}' "$out" "close-delimited over TLS"

# A server that requires a client certificate: refused without one, with
# the alert number; served with the fixture client certificate.
pv=$(free_port)
(cd "$T_DIR/www" && exec openssl s_server -quiet -WWW -Verify 1 \
	-CAfile "$PKI/ca.crt" -accept "127.0.0.1:$pv" -cert "$PKI/node1.crt" \
	-key "$PKI/node1.key" -cert_chain "$PKI/int.crt") \
	>"$T_DIR/s_server_verify.log" 2>&1 &
T_PIDS+=("$!")
wait_for 30 port_listening "$pv" "$!" ||
	t_fail "s_server -Verify did not listen"
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$pv" /doc.json) &&
	t_fail "handshake without a client certificate: $out"
assert_eq "#1 error: TLS handshake with 127.0.0.1:$pv: the server refused the handshake (TLS alert 40)" \
	"$out" "client certificate required"
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" --cert "$PKI/client.crt" \
	--key "$PKI/client.key" 127.0.0.1 "$pv" /doc.json) ||
	t_fail "with a client certificate: $out"
assert_contains "$out" "#1 status=200" "client certificate presented"
t_pass
