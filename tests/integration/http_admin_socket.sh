#!/usr/bin/env bash
# The admin socket: mode 0600, served without TLS as the local admin, a
# stale socket file is replaced, a live one is left alone with a warning,
# and a directory that cannot be made gives a warning and no socket.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
port=$(free_port)
sock="$T_DIR/run/sub/admin.sock"
start_node n1 --insecure --node-port "$port" --admin-socket "$sock"
wait_serving n1 "http://127.0.0.1:$port"
[ -S "$sock" ] || t_fail "no admin socket at $sock"
assert_eq 600 "$(stat -c %a "$sock")" "admin socket mode"
out=$(curl -s --max-time 5 --unix-socket "$sock" http://localhost/ping)
assert_eq '{"text":"Ping request successfully handled"}' "$out" "ping over the socket"
out=$(curl -s --max-time 5 --unix-socket "$sock" -X POST http://localhost/admin/reloadconfig)
assert_eq '{"result":"reloaded"}' "$out" "reload over the socket"

# A second daemon pointed at the live socket leaves it alone.
port2=$(free_port)
start_node n2 --insecure --node-port "$port2" --admin-socket "$sock"
wait_serving n2 "http://127.0.0.1:$port2"
wait_log n2 "AdminSocket: another process listens on .*admin\.sock; no admin socket"
out=$(curl -s --max-time 5 --unix-socket "$sock" http://localhost/ping)
assert_contains "$out" "successfully handled" "the first daemon keeps its socket"

# A daemon killed hard leaves a stale file; the next one replaces it.
kill -KILL "$PID_n1"
wait_exit "$PID_n1" 5 >/dev/null
[ -S "$sock" ] || t_fail "expected a stale socket file"
port3=$(free_port)
start_node n3 --insecure --node-port "$port3" --admin-socket "$sock"
wait_serving n3 "http://127.0.0.1:$port3"
wait_log n3 "admin socket at .*admin\.sock"
out=$(curl -s --max-time 5 --unix-socket "$sock" http://localhost/ping)
assert_contains "$out" "successfully handled" "ping over the replaced socket"

# A directory that cannot be made: a warning, and the node serves.
port4=$(free_port)
touch "$T_DIR/file"
start_node n4 --insecure --node-port "$port4" --admin-socket "$T_DIR/file/x.sock"
wait_serving n4 "http://127.0.0.1:$port4"
wait_log n4 "AdminSocket: cannot create the directory of .*; no admin socket"
t_pass
