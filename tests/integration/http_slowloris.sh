#!/usr/bin/env bash
# Caps that act before HTTP: a request that does not complete within
# RequestTimeoutMs is cut, and MaxConnectionsPerIp refuses the extra
# connection at once; both are logged and counted.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
port=$(free_port)
url="http://127.0.0.1:$port"
start_node n1 --insecure --node-port "$port" --workers 1 \
	--request-timeout-ms 500 --max-connections-per-ip 3
wait_serving n1 "$url"

# Headers that never end: closed after ~500 ms, not after the idle timeout.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n' >&3
t0=$(date +%s%N)
timeout 5 cat <&3 >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
exec 3<&-
[ "$ms" -lt 3000 ] || t_fail "slow request held for ${ms} ms"
wait_log n1 "connection from 127\.0\.0\.1:[0-9]+ closed: request not complete within 500 ms"

# A body that trickles in: the same deadline covers headers and body.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /gossip HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\nab' >&3
t0=$(date +%s%N)
timeout 5 cat <&3 >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
exec 3<&-
[ "$ms" -lt 3000 ] || t_fail "slow body held for ${ms} ms"
# (counted now: the silent connections below may reach the same limit)
m=$(curl -s --max-time 5 "$url/metrics")
assert_contains "$m" 'gossipd_connection_refusals_total{reason="request_timeout"} 2' "timeout metric"

# Per-IP cap: three kept-alive connections (each answered once: a silent
# one would meet RequestTimeoutMs) fill it; the next is cut.
ask() { # FD: one request on the kept-alive connection FD; its status line
	printf 'GET /ping HTTP/1.1\r\nHost: x\r\n\r\n' >&"$1"
	local line
	read -r -t 3 line <&"$1" && echo "${line%$'\r'}"
}
exec 4<>"/dev/tcp/127.0.0.1/$port"
assert_eq "HTTP/1.1 200 OK" "$(ask 4)" "a request on kept-alive connection 1"
exec 5<>"/dev/tcp/127.0.0.1/$port"
assert_eq "HTTP/1.1 200 OK" "$(ask 5)" "a request on kept-alive connection 2"
exec 6<>"/dev/tcp/127.0.0.1/$port"
assert_eq "HTTP/1.1 200 OK" "$(ask 6)" "a request on kept-alive connection 3"
code=$(http_code "$url/health/live" --max-time 2)
assert_eq 000 "$code" "a 4th connection from one address"
wait_log n1 "connection from 127\.0\.0\.1:[0-9]+ refused: per-IP connection limit reached \(MaxConnectionsPerIp 3\)"
exec 4<&- 5<&- 6<&-
wait_for 5 curl -sf -o /dev/null "$url/health/live" ||
	t_fail "connections not released after close"
# An idle kept-alive connection is closed after IdleTimeoutSec.
port3=$(free_port)
start_node n3 --insecure --node-port "$port3" --idle-timeout-sec 1
wait_serving n3 "http://127.0.0.1:$port3"
exec 3<>"/dev/tcp/127.0.0.1/$port3"
printf 'GET /ping HTTP/1.1\r\nHost: x\r\n\r\n' >&3
t0=$(date +%s%N)
out=$(timeout 6 cat <&3)
ms=$((($(date +%s%N) - t0) / 1000000))
exec 3<&-
assert_contains "$out" "successfully handled" "answer before the idle close"
[ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ] || t_fail "idle connection closed after ${ms} ms"

# The total cap, on a node with three workers.
port2=$(free_port)
start_node n2 --insecure --node-port "$port2" --workers 3 --max-connections 2
wait_serving n2 "http://127.0.0.1:$port2"
wait_log n2 "serving on 127\.0\.0\.1:$port2 with 3 workers"
# Two connections that never sent a request: a 3rd makes the one that
# waited longest give its place (a flood of silent connections cannot lock
# everyone out).
exec 4<>"/dev/tcp/127.0.0.1/$port2"
exec 5<>"/dev/tcp/127.0.0.1/$port2"
assert_eq 200 "$(http_code "http://127.0.0.1:$port2/ping" --max-time 2)" "a 3rd connection, two silent ones open"
wait_log n2 "connection from 127\.0\.0\.1:[0-9]+ closed: connection limit reached \(MaxConnections 2\), and it had waited longest without a request"
exec 4<&- 5<&-
# Two connections answered once and kept alive: a 3rd is refused.
exec 4<>"/dev/tcp/127.0.0.1/$port2"
assert_eq "HTTP/1.1 200 OK" "$(ask 4)" "a request on the 1st kept-alive connection"
exec 5<>"/dev/tcp/127.0.0.1/$port2"
assert_eq "HTTP/1.1 200 OK" "$(ask 5)" "a request on the 2nd kept-alive connection"
assert_eq 000 "$(http_code "http://127.0.0.1:$port2/ping" --max-time 2)" "a 3rd connection, two answered ones open"
wait_log n2 "connection from 127\.0\.0\.1:[0-9]+ refused: connection limit reached \(MaxConnections 2\)"
exec 4<&- 5<&-
wait_for 5 curl -sf -o /dev/null "http://127.0.0.1:$port2/ping" || t_fail "n2 caps not released"

m=$(curl -s --max-time 5 "$url/metrics")
assert_contains "$m" 'gossipd_connection_refusals_total{reason="per_ip_limit"} 1' "per-ip metric"
t_pass
