#!/usr/bin/env bash
# The TLS endpoint's protocol rules: TLS 1.2 minimum, ECDHE with AEAD
# only, session resumption, plain HTTP and silent peers closed quickly,
# each with its log line.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
port=$(free_port)
url="https://127.0.0.1:$port"
# shellcheck disable=SC2046
start_node n1 --node-port "$port" $(tls_args "$T_DIR") --handshake-timeout-ms 700
wait_serving n1 "$url" 10 --cacert "$T_DIR/ca/ca.crt"
peer='connection from 127\.0\.0\.1:[0-9]+'
sc() { timeout 5 openssl s_client -connect "127.0.0.1:$port" -CAfile "$T_DIR/ca/ca.crt" "$@" </dev/null 2>&1; }

# TLS 1.1 (and the weak settings it needs on the client) is refused.
out=$(sc -tls1_1 -cipher 'DEFAULT@SECLEVEL=0')
assert_contains "$out" "alert protocol version" "TLS 1.1 answer"
wait_log n1 "$peer denied: TLS versions below 1.2 are not accepted"

# TLS 1.2 with ECDHE and AEAD: accepted.
for c in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
	out=$(sc -tls1_2 -cipher "$c")
	assert_contains "$out" "Cipher is $c" "suite $c"
done
# No forward secrecy, or no AEAD: refused.
for c in AES128-GCM-SHA256 ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA; do
	out=$(sc -tls1_2 -cipher "$c")
	assert_not_contains "$out" "Cipher is $c" "suite $c must be refused"
done

# Session resumption (a ticket or the cache): the second handshake reuses.
sc -tls1_2 -sess_out "$T_DIR/sess" >/dev/null
out=$(sc -tls1_2 -sess_in "$T_DIR/sess")
assert_contains "$out" "Reused, TLSv1.2" "resumed session"
m=$(curl -s --max-time 5 --cacert "$T_DIR/ca/ca.crt" "$url/metrics")
resumed=$(printf '%s\n' "$m" | sed -n 's/^gossipd_tls_handshakes_total{kind="resumed"} //p')
[ "${resumed:-0}" -ge 1 ] || t_fail "resumed handshakes not counted: '$resumed'"

# A large body through TLS and the pump (900 kB of a 1 MiB limit): it
# reaches the gossip part intact, which refuses it as a document.
head -c 900000 /dev/zero | tr '\0' ' ' >"$T_DIR/big.json"
printf '{}' >>"$T_DIR/big.json"
code=$(curl -s -o "$T_DIR/b" -w '%{http_code}' --max-time 10 --cacert "$T_DIR/ca/ca.crt" \
	--cert "$T_DIR/node/node.crt" --key "$T_DIR/node/node.key" -H 'Content-Type: application/json' \
	--data-binary @"$T_DIR/big.json" "$url/gossip")
assert_eq 400 "$code" "900 kB POST /gossip from a node"
assert_contains "$(cat "$T_DIR/b")" '"error":' "its answer"

# Plain HTTP on the TLS port: closed at once, never a hang.
t0=$(date +%s%N)
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/ping")
ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq 000 "$code" "plain HTTP on the TLS port"
[ "$ms" -lt 2000 ] || t_fail "plain HTTP took ${ms} ms to be closed"
wait_log n1 "$peer denied: not a TLS ClientHello"

# A peer that connects and says nothing: closed by the handshake deadline.
exec 3<>"/dev/tcp/127.0.0.1/$port"
t0=$(date +%s%N)
timeout 5 cat <&3 >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
exec 3<&-
[ "$ms" -lt 3000 ] || t_fail "silent peer held ${ms} ms"
wait_log n1 "$peer closed: no TLS handshake within 700 ms"
assert_eq 204 "$(https_code "$url/health/live" none)" "still serving"

# A node certificate that expires in 10 days: a warning at start, and the
# seconds to expiry in /metrics.
"$GOSSIPD_BIN" cert create-node -ca-certificate "$T_DIR/ca/ca.crt" -ca-key "$T_DIR/ca/ca.key" \
	-out "$T_DIR/soon" -ip-addresses 127.0.0.1 -days 10 >/dev/null || t_fail "short-lived cert"
port2=$(free_port)
start_node n2 --node-port "$port2" --certificate-file "$T_DIR/soon/node.crt" \
	--certificate-private-key-file "$T_DIR/soon/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt"
wait_serving n2 "https://127.0.0.1:$port2" 10 --cacert "$T_DIR/ca/ca.crt"
wait_log n2 "warn .*expires on .* \(in (9|10) days\)"
secs=$(curl -s --max-time 5 --cacert "$T_DIR/ca/ca.crt" "https://127.0.0.1:$port2/metrics" |
	sed -n 's/^gossipd_certificate_expiry_seconds{cert="node"} //p')
[ -n "$secs" ] && [ "$secs" -gt $((9 * 86400)) ] && [ "$secs" -le $((10 * 86400)) ] ||
	t_fail "node certificate expiry seconds: '$secs'"
t_pass
