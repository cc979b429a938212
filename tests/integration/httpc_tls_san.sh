#!/usr/bin/env bash
# httpc: the server certificate must carry the dialled address as an IP
# SAN (or the dialled name as a DNS SAN); mbedTLS alone would not check
# IP addresses at all. Servers: nginx with the fixture node certificates.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tools/httpc_testlib.sh"
t_init
httpc_prepare

# node1: SAN DNS node1.cluster.test, IP 127.0.0.1, IP ::1 (via intermediate).
p1=$(free_port)
extra=()
have_v6=0
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
	have_v6=1
	extra=("[::1]:$p1")
fi
start_nginx n1 "127.0.0.1:$p1" "$PKI/node1-bundle.pem" "$PKI/node1.key" \
	"${extra[@]}"

out=$("$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$p1" /gossip) ||
	t_fail "IP SAN 127.0.0.1 refused: $out"
assert_contains "$out" "#1 status=200" "127.0.0.1 with its IP SAN"

if [ "$have_v6" = 1 ]; then
	out=$("$HTTPC_GET" --ca "$PKI/ca.crt" ::1 "$p1" /gossip) ||
		t_fail "IP SAN ::1 refused: $out"
	assert_contains "$out" "#1 status=200" "::1 with its IP SAN"
else
	t_log "no IPv6 loopback: ::1 case not run"
fi

# A name the certificate does not carry (it resolves, to this server).
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" localhost "$p1" /gossip) &&
	t_fail "localhost accepted without a matching SAN: $out"
assert_contains "$out" \
	"TLS handshake with localhost:$p1: server certificate has no SAN matching localhost" \
	"DNS name not in the SAN"

# node2: SAN IP 127.0.0.2 only, served on 127.0.0.1 and 127.0.0.2.
p2=$(free_port)
start_nginx n2 "127.0.0.1:$p2" "$PKI/node2.crt" "$PKI/node2.key" \
	"127.0.0.2:$p2"
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$p2" /gossip) &&
	t_fail "127.0.0.1 accepted with a certificate for 127.0.0.2: $out"
assert_contains "$out" \
	"#1 error: TLS handshake with 127.0.0.1:$p2: server certificate has no SAN matching 127.0.0.1" \
	"IP not in the SAN"
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.2 "$p2" /gossip) ||
	t_fail "IP SAN 127.0.0.2 refused: $out"
assert_contains "$out" "#1 status=200" "127.0.0.2 with its IP SAN"

# A DNS SAN: certificates from "gossipd cert" carry DNS localhost, which
# may resolve to ::1 first (nginx listens on 127.0.0.1 only: the next
# address is tried).
make_pki "$T_DIR/gpki"
p3=$(free_port)
start_nginx n3 "127.0.0.1:$p3" "$T_DIR/gpki/node/node.crt" \
	"$T_DIR/gpki/node/node.key"
out=$("$HTTPC_GET" --ca "$T_DIR/gpki/ca/ca.crt" localhost "$p3" /gossip) ||
	t_fail "DNS SAN localhost refused: $out"
assert_contains "$out" "#1 status=200" "localhost with its DNS SAN"
out=$("$HTTPC_GET" --ca "$T_DIR/gpki/ca/ca.crt" 127.0.0.1 "$p3" /gossip) ||
	t_fail "IP SAN from gossipd cert refused: $out"
assert_contains "$out" "#1 status=200" "127.0.0.1 with gossipd cert's IP SAN"

# Only an explicit opt-out skips the check.
out=$("$HTTPC_GET" --verify-none 127.0.0.1 "$p2" /gossip) ||
	t_fail "verify-none: $out"
assert_contains "$out" "#1 status=200" "verify_none"

# The refused handshakes never reached HTTP: two requests in n2's log.
wait_for 5 test "$(access_lines n2 | wc -l)" -eq 2 ||
	t_fail "n2 served $(access_lines n2 | wc -l) requests, expected 2"
t_pass
