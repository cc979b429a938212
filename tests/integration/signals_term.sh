#!/usr/bin/env bash
# SIGTERM and SIGINT: a request in flight is finished, then the process
# exits 0 within 2 s and says so in its log.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
port=$(free_port)
url="http://127.0.0.1:$port"
# (AdminOverHttps: the reload below is a request over TCP)
start_node n1 --insecure --node-port "$port" --log-level debug --admin-over-https
wait_serving n1 "$url"

# A request whose body is only half sent when SIGTERM arrives.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /admin/reloadconfig HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab' >&3
wait_log n1 "POST /admin/reloadconfig from 127\.0\.0\.1"
t0=$(date +%s%N)
kill -TERM "$PID_n1"
wait_log n1 "Terminated: stopping"
# New connections are refused at once while the request drains.
t1=$(date +%s%N)
curl -s -o /dev/null --max-time 3 "$url/ping"
rc=$?
assert_eq 7 "$rc" "curl exit status for a new connection while stopping"
[ $((($(date +%s%N) - t1) / 1000000)) -lt 1000 ] || t_fail "new connection not refused at once"
printf 'cd' >&3
resp=$(timeout 3 cat <&3 | tr -d '\r')
exec 3<&-
assert_contains "$resp" "HTTP/1.1 200" "the request in flight was answered"
assert_contains "$resp" "Connection: close" "the answer while stopping closes the connection"
st=$(wait_exit "$PID_n1" 3) || t_fail "no exit after SIGTERM"
ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq 0 "$st" "exit status after SIGTERM"
[ "$ms" -le 2000 ] || t_fail "exit took ${ms} ms"
wait_log n1 "info +stopped$"
[ -e "$T_DIR/n1.sock" ] && t_fail "admin socket left behind"

# SIGINT on an idle node: exit 0 promptly; new connections are refused.
port2=$(free_port)
start_node n2 --insecure --node-port "$port2"
wait_serving n2 "http://127.0.0.1:$port2"
exec 4<>"/dev/tcp/127.0.0.1/$port2" # an idle keep-alive connection
t0=$(date +%s%N)
kill -INT "$PID_n2"
st=$(wait_exit "$PID_n2" 3) || t_fail "no exit after SIGINT"
ms=$((($(date +%s%N) - t0) / 1000000))
exec 4<&-
assert_eq 0 "$st" "exit status after SIGINT"
[ "$ms" -le 2000 ] || t_fail "exit after SIGINT took ${ms} ms"
wait_log n2 "Interrupt: stopping"
assert_eq 000 "$(http_code "http://127.0.0.1:$port2/ping")" "refused after exit"
t_pass
