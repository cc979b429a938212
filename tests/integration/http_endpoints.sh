#!/usr/bin/env bash
# The built-in endpoints over plain HTTP: status codes, headers, bodies,
# 404 and 405 with Allow, HEAD, liveCode.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
port=$(free_port)
url="http://127.0.0.1:$port"
start_node n1 --insecure --node-port "$port" --workers 1
wait_serving n1 "$url"

# /ping
out=$(curl -s -D "$T_DIR/h" --max-time 5 "$url/ping")
assert_eq '{"text":"Ping request successfully handled"}' "$out" "ping body"
assert_contains "$(cat "$T_DIR/h")" "HTTP/1.1 200" "ping status"
assert_contains "$(tr -d '\r' <"$T_DIR/h")" \
	"Content-Type: application/json; charset=utf-8" "ping content type"

# /health/live: 204 empty, liveCode=200, HEAD, invalid liveCode, 405
assert_eq 204 "$(http_code "$url/health/live")" "health"
assert_eq 200 "$(http_code "$url/health/live?liveCode=200")" "liveCode=200"
assert_eq 204 "$(http_code "$url/health/live" -I)" "HEAD health"
assert_eq 400 "$(http_code "$url/health/live?liveCode=abc")" "bad liveCode"
curl -s -D "$T_DIR/h" -o "$T_DIR/b" --max-time 5 -X DELETE "$url/health/live"
hdr=$(tr -d '\r' <"$T_DIR/h")
assert_contains "$hdr" "HTTP/1.1 405" "DELETE health status"
assert_contains "$hdr" "Allow: GET, HEAD" "405 Allow header"
assert_eq '{"error":"method not allowed"}' "$(cat "$T_DIR/b")" "405 body"

# /info
out=$(curl -s --max-time 5 "$url/info")
assert_contains "$out" '"esVersion":"gossipd 0.1.0"' "info version"
assert_contains "$out" '"state":"' "info state"
assert_contains "$out" '"features":{' "info features"
state=$(printf '%s' "$out" | sed -n 's/.*"state":"\([^"]*\)".*/\1/p')
assert_eq "$(printf '%s' "$state" | tr 'A-Z' 'a-z')" "$state" "info state lower case"

# unknown path: 404 JSON that does not echo the path
curl -s -D "$T_DIR/h" -o "$T_DIR/b" --max-time 5 "$url/no-such-thing-xyz"
assert_contains "$(cat "$T_DIR/h")" "HTTP/1.1 404" "404 status"
assert_contains "$(tr -d '\r' <"$T_DIR/h")" "Content-Type: application/json" "404 type"
assert_eq '{"error":"not found"}' "$(cat "$T_DIR/b")" "404 body"
assert_not_contains "$(cat "$T_DIR/b")" "xyz" "404 echoes nothing"

# refusals of requests without a body keep the connection alive
out=$(curl -s -o /dev/null -o /dev/null -o /dev/null --max-time 5 \
	-w '%{http_code}/%{num_connects} ' "$url/nope" "$url/admin/reloadconfig" "$url/ping")
assert_eq "404/1 405/0 200/0 " "$out" "404 and 405 on a kept-alive connection"

# wrong methods on the other paths
curl -s -D "$T_DIR/h" -o /dev/null --max-time 5 -X PUT "$url/gossip"
assert_contains "$(tr -d '\r' <"$T_DIR/h")" "Allow: GET, HEAD, POST" "gossip Allow"
curl -s -D "$T_DIR/h" -o /dev/null --max-time 5 -X DELETE "$url/admin/member"
assert_contains "$(tr -d '\r' <"$T_DIR/h")" "Allow: GET, HEAD, PUT" "member Allow"
assert_eq 405 "$(http_code "$url/admin/reloadconfig")" "GET reloadconfig"
assert_eq 405 "$(http_code "$url/ping" -X POST)" "POST ping"

# /gossip: an Accept or format that excludes JSON is 406
assert_eq 406 "$(http_code "$url/gossip" -H 'Accept: text/html')" "Accept html"
assert_eq 406 "$(http_code "$url/gossip?format=xml")" "format=xml"
assert_eq 406 "$(http_code "$url/gossip" -H 'Accept: application/json;q=0')" "q=0"

# /gossip: any Accept that admits JSON, and ?format=json, give the document
# with no-cache; HEAD gives the headers only.
for accept in "" "application/json" "*/*" "application/*" "text/html, application/json;q=0.5"; do
	code=$(curl -s -D "$T_DIR/h" -o "$T_DIR/b" -w '%{http_code}' --max-time 5 \
		${accept:+-H "Accept: $accept"} "$url/gossip")
	assert_eq 200 "$code" "GET /gossip with Accept '$accept'"
done
hdr=$(tr -d '\r' <"$T_DIR/h")
assert_contains "$hdr" "Content-Type: application/json; charset=utf-8" "gossip type"
assert_contains "$hdr" "Cache-Control: no-cache" "gossip no-cache"
assert_contains "$(cat "$T_DIR/b")" '"members":[' "gossip body"
assert_eq 200 "$(http_code "$url/gossip?format=json")" "format=json"
out=$(curl -s -I --max-time 5 "$url/gossip")
assert_contains "$out" "HTTP/1.1 200" "HEAD /gossip"
assert_not_contains "$out" '"members"' "HEAD /gossip has no body"

# /metrics: Prometheus text with HELP/TYPE and the build info
curl -s -D "$T_DIR/h" -o "$T_DIR/b" --max-time 5 "$url/metrics"
assert_contains "$(tr -d '\r' <"$T_DIR/h")" \
	"Content-Type: text/plain; version=0.0.4" "metrics type"
m=$(cat "$T_DIR/b")
assert_contains "$m" 'gossipd_build_info{version="0.1.0"} 1' "build info"
assert_contains "$m" "# TYPE gossipd_http_requests_total counter" "TYPE line"
assert_contains "$m" "# HELP gossipd_connections_open" "HELP line"
assert_contains "$m" 'gossipd_members{state="Unknown"} 1' "members by state"
assert_contains "$m" 'gossipd_members_alive{alive="true"} 1' "members alive"
n4=$(printf '%s\n' "$m" | sed -n 's|^gossipd_http_requests_total{protocol="http/1.1",code="4xx"} ||p')
[ "${n4:-0}" -ge 5 ] || t_fail "4xx requests counted: '$n4'"
t_pass
