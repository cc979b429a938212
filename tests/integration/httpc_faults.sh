#!/usr/bin/env bash
# httpc: every failure ends within the deadline and says what happened:
# a peer that accepts and never answers (plain, during the TLS handshake,
# after it), refused connections, garbage, oversized and cut responses.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tools/httpc_testlib.sh"
t_init
httpc_prepare
[ -x "$FAKEPEER" ] || t_fail "no fakepeer at $FAKEPEER"

# start_fake NAME MODE [fakepeer args]: its port in FAKE_PORT, chosen by
# the kernel (--port 0), so no other test can take it first. Not run in a
# command substitution: the pid must reach this shell's T_PIDS.
start_fake() {
	local name=$1 mode=$2
	shift 2
	"$FAKEPEER" --host 127.0.0.1 --port 0 --mode "$mode" "$@" \
		>"$T_DIR/$name.log" 2>&1 &
	T_PIDS+=("$!")
	wait_log "$name" '^listening on 127\.0\.0\.1:[0-9]+$' 30
	FAKE_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
		"$T_DIR/$name.log")
}

# timed NAME CMD...: runs CMD; its output in OUT, milliseconds in MS.
timed() {
	local t0 t1
	t0=$(date +%s%N)
	OUT=$("$@") && t_fail "expected a failure, got: $OUT"
	t1=$(date +%s%N)
	MS=$(((t1 - t0) / 1000000))
}

start_fake silent silent
silent=$FAKE_PORT
start_fake tls_silent silent --cert "$PKI/node1-bundle.pem" \
	--key "$PKI/node1.key"
tls_silent=$FAKE_PORT

timed "$HTTPC_GET" --plain --timeout 400 127.0.0.1 "$silent" /gossip
assert_eq "#1 error: GET /gossip to 127.0.0.1:$silent: timed out after 400 ms" \
	"$OUT" "silent peer, plain"
[ "$MS" -lt 5000 ] || t_fail "silent peer took $MS ms with a 400 ms deadline"

timed "$HTTPC_GET" --ca "$PKI/ca.crt" --timeout 400 127.0.0.1 "$silent" /gossip
assert_eq "#1 error: TLS handshake with 127.0.0.1:$silent: timed out after 400 ms" \
	"$OUT" "silent peer, TLS handshake"
[ "$MS" -lt 5000 ] || t_fail "handshake took $MS ms with a 400 ms deadline"

# The handshake fits in the deadline even under sanitizers (two EC
# handshakes on a loaded machine); the silence after it does not.
timed "$HTTPC_GET" --ca "$PKI/ca.crt" --timeout 5000 --method POST \
	--data '{}' 127.0.0.1 "$tls_silent" /gossip
assert_eq "#1 error: POST /gossip to 127.0.0.1:$tls_silent: timed out after 5000 ms" \
	"$OUT" "silent peer after the TLS handshake"
[ "$MS" -lt 10000 ] || t_fail "TLS request took $MS ms with a 5000 ms deadline"

closed=$(free_port)
timed "$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$closed" /gossip
assert_eq "#1 error: connect 127.0.0.1:$closed: Connection refused" "$OUT" \
	"refused"

start_fake garbage garbage
garbage=$FAKE_PORT
timed "$HTTPC_GET" --plain 127.0.0.1 "$garbage" /gossip
assert_contains "$OUT" "#1 error: GET /gossip to 127.0.0.1:$garbage: HTTP parse error: " \
	"garbage"

start_fake huge huge --huge-bytes 5000000 \
	--cert "$PKI/node1-bundle.pem" --key "$PKI/node1.key"
huge=$FAKE_PORT
timed "$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$huge" /gossip
assert_eq "#1 error: GET /gossip to 127.0.0.1:$huge: response body over 4194304 bytes" \
	"$OUT" "huge body"
timed "$HTTPC_GET" --ca "$PKI/ca.crt" --max-body 1000 127.0.0.1 "$huge" /gossip
assert_contains "$OUT" "response body over 1000 bytes" "huge body, max_body"

start_fake midclose midclose --cert "$PKI/node1-bundle.pem" \
	--key "$PKI/node1.key"
mid=$FAKE_PORT
timed "$HTTPC_GET" --ca "$PKI/ca.crt" 127.0.0.1 "$mid" /gossip
assert_eq "#1 error: GET /gossip to 127.0.0.1:$mid: connection closed in the middle of the response body" \
	"$OUT" "cut response"

start_fake close close
closer=$FAKE_PORT
timed "$HTTPC_GET" --plain 127.0.0.1 "$closer" /gossip
assert_eq "#1 error: GET /gossip to 127.0.0.1:$closer: connection closed by the server before any response" \
	"$OUT" "closed at once"
t_pass
