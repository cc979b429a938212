#!/usr/bin/env bash
# httpc: requests to one peer share one kept-alive TLS connection, and a
# new connection resumes the last TLS session. Counted by nginx itself:
# $connection (serial of the TCP connection) and $ssl_session_reused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tools/httpc_testlib.sh"
t_init
httpc_prepare

p=$(free_port)
start_nginx ka "127.0.0.1:$p" "$PKI/node1-bundle.pem" "$PKI/node1.key"

out=$("$HTTPC_GET" --ca "$PKI/ca.crt" --repeat 5 127.0.0.1 "$p" /gossip) ||
	t_fail "keep-alive run: $out"
assert_eq 1 "$(grep -c 'reused=0' <<<"$out")" "fresh connections (client)"
assert_eq 4 "$(grep -c 'status=200 reused=1' <<<"$out")" "reused (client)"
wait_for 5 test "$(access_lines ka | wc -l)" -eq 5 ||
	t_fail "nginx logged $(access_lines ka | wc -l) requests, expected 5"
assert_eq 1 "$(access_lines ka | awk '{print $1}' | sort -u | wc -l)" \
	"TCP connections for 5 requests (nginx)"

# Closing between requests: a new connection each time, resuming the
# session of the previous one. POST with a body on the way.
: >"$T_DIR/ka/access.log"
out=$("$HTTPC_GET" --ca "$PKI/ca.crt" --repeat 4 --close-between \
	--method POST --content-type application/json --data '{"a":1}' \
	127.0.0.1 "$p" /gossip) || t_fail "resumption run: $out"
assert_eq 3 "$(grep -c 'reused=0 resumed=1' <<<"$out")" "resumed (client)"
wait_for 5 test "$(access_lines ka | wc -l)" -eq 4 ||
	t_fail "nginx logged $(access_lines ka | wc -l) requests, expected 4"
assert_eq 4 "$(access_lines ka | awk '{print $1}' | sort -u | wc -l)" \
	"TCP connections with close-between (nginx)"
assert_eq ". r r r" "$(access_lines ka | awk '{print $2}' | xargs)" \
	"sessions reused (nginx)"
assert_eq 4 "$(grep -c 'POST /gossip 200' "$T_DIR/ka/access.log")" "POSTs"
t_pass
