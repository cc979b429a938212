#!/usr/bin/env bash
# SIGHUP and POST /admin/reloadconfig: the log level from the YAML file
# changes; a broken file keeps the old settings and says why; a changed
# option that needs a restart is named.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
port=$(free_port)
url="http://127.0.0.1:$port"
conf="$T_DIR/gossipd.conf"
printf 'LogLevel: info\n' >"$conf"
# AdminOverHttps: POST /admin/reloadconfig is also made over TCP below
start_node n1 --insecure --node-port "$port" --config "$conf" --admin-over-https
wait_serving n1 "$url"
curl -s -o /dev/null "$url/ping"
assert_eq 0 "$(log_count n1 'debug +GET /ping')" "no debug lines at info"

printf 'LogLevel: debug\n' >"$conf"
kill -HUP "$PID_n1"
wait_log n1 "configuration reloaded: applied LogLevel \(log level debug\)"
curl -s -o /dev/null "$url/ping"
wait_log n1 "debug +GET /ping from 127\.0\.0\.1"

# A broken file: the reload fails, the old level stays, serving goes on.
printf 'LogLevel: [debug\n' >"$conf"
kill -HUP "$PID_n1"
wait_log n1 "reload failed, the previous settings stay: .*gossipd\.conf"
assert_eq 204 "$(http_code "$url/health/live")" "serving after a failed reload"
code=$(curl -s -o "$T_DIR/b" -w '%{http_code}' -X POST "$url/admin/reloadconfig")
assert_eq 500 "$code" "POST reload with a broken file"
assert_contains "$(cat "$T_DIR/b")" '{"error":"' "500 body"
n=$(log_count n1 'debug +GET /ping')
curl -s -o /dev/null "$url/ping"
wait_for 5 test "$(log_count n1 'debug +GET /ping')" -gt "$n" ||
	t_fail "the debug level did not survive the failed reload"

# Over the admin socket, with an option that needs a restart.
printf 'LogLevel: warn\nWorkers: 3\n' >"$conf"
out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" -X POST \
	http://localhost/admin/reloadconfig)
assert_eq '{"result":"reloaded"}' "$out" "reload over the admin socket"
wait_log n1 "take effect only after a restart: .*Workers"
kill -0 "$PID_n1" || t_fail "n1 died"
t_pass
