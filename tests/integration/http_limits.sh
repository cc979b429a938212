#!/usr/bin/env bash
# Bounds: 413 from Content-Length and while streaming a chunked body, 415
# for a non-JSON body, and no request bytes echoed in errors.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
port=$(free_port)
url="http://127.0.0.1:$port"
start_node n1 --insecure --node-port "$port" --max-body-bytes 1024
wait_serving n1 "$url"

head -c 2000 /dev/zero | tr '\0' 'a' >"$T_DIR/big"
head -c 600 /dev/zero | tr '\0' 'b' >"$T_DIR/small"

# Content-Length over the limit: 413 before the body is read.
curl -s -D "$T_DIR/h" -o "$T_DIR/b" --max-time 5 -X POST \
	-H 'Content-Type: application/json' --data-binary @"$T_DIR/big" "$url/gossip"
assert_contains "$(cat "$T_DIR/h")" "HTTP/1.1 413" "413 by Content-Length"
assert_eq '{"error":"request body too large"}' "$(cat "$T_DIR/b")" "413 body"
assert_contains "$(tr -d '\r' <"$T_DIR/h")" "Content-Type: application/json" "413 type"

# A chunked body (no Content-Length) that grows past the limit.
code=$(curl -s -o "$T_DIR/b" -w '%{http_code}' --max-time 5 -X POST \
	-H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$T_DIR/big" "$url/gossip")
assert_eq 413 "$code" "413 while streaming"
assert_not_contains "$(cat "$T_DIR/b")" "aaaa" "413 echoes nothing"

# Far beyond the limit while streaming: the connection is cut instead.
head -c 200000 /dev/zero | tr '\0' 'c' >"$T_DIR/huge"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
	-H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$T_DIR/huge" "$url/gossip")
case "$code" in 000 | 413) ;; *) t_fail "huge chunked body: got $code" ;; esac

# A body that is not JSON: 415; nothing of it echoed.
curl -s -D "$T_DIR/h" -o "$T_DIR/b" --max-time 5 -X POST \
	-H 'Content-Type: text/plain' --data-binary @"$T_DIR/small" "$url/gossip"
assert_contains "$(cat "$T_DIR/h")" "HTTP/1.1 415" "415 status"
assert_not_contains "$(cat "$T_DIR/b")" "bbbb" "415 echoes nothing"
assert_contains "$(cat "$T_DIR/b")" '{"error":' "415 body is JSON"

# Pipelining: three requests in one write, three answers in order.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
out=$(timeout 5 cat <&3 | grep -aoE 'HTTP/1\.1 [0-9]{3}' | tr '\n' ' ')
exec 3<&-
assert_eq "HTTP/1.1 200 HTTP/1.1 404 HTTP/1.1 204 " "$out" "pipelined answers (a 404 keeps the connection)"

# A body just under the limit passes the bound (and reaches the gossip
# part, which refuses it as a document).
head -c 1000 /dev/zero | tr '\0' 'x' >"$T_DIR/under"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
	-H 'Content-Type: application/json' --data-binary @"$T_DIR/under" "$url/gossip")
assert_eq 400 "$code" "a body under the limit"

# The daemon still serves afterwards, on a kept-alive connection too.
out=$(curl -s -o /dev/null -o /dev/null --max-time 5 -w '%{http_code}/%{num_connects} ' \
	"$url/ping" "$url/ping")
assert_eq "200/1 200/0 " "$out" "second request on the same connection"
t_pass
