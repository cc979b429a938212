#!/usr/bin/env bash
# Started as root with RunAsUser/RunAsGroup: the sockets are bound first,
# then the process runs as that user, serves, reloads and stops cleanly.
# Without AllowRoot and without a user to drop to, it refuses to start.
source "$GOSSIPD_SRC/tests/lib.sh"
[ "$(id -u)" = 0 ] || t_skip "needs root"
id nobody >/dev/null 2>&1 || t_skip "no user nobody"
group=$(id -gn nobody)
t_init
port=$(free_port)
url="http://127.0.0.1:$port"
start_node n1 --insecure --node-port "$port" --run-as-user nobody --run-as-group "$group"
wait_serving n1 "$url"
wait_log n1 "running as user nobody"
uid=$(awk '/^Uid:/ {print $2 "," $3 "," $4 "," $5}' "/proc/$PID_n1/status")
assert_eq "65534,65534,65534,65534" "$uid" "real, effective, saved and fs uid"
groups=$(awk '/^Groups:/ {print $2}' "/proc/$PID_n1/status")
assert_eq "" "$groups" "supplementary groups"
kill -HUP "$PID_n1"
wait_log n1 "configuration reloaded"
assert_eq 0 "$(stop_node n1)" "exit status after SIGTERM"

# A user that does not exist: a clear error, exit 1, nothing served.
port2=$(free_port)
start_node n2 --insecure --node-port "$port2" --run-as-user no-such-user-xyz
st=$(wait_exit "$PID_n2" 10) || t_fail "n2 did not exit"
assert_eq 1 "$st" "exit status without the user"
wait_log n2 'RunAsUser/RunAsGroup: no such user "no-such-user-xyz" \(create it, or set AllowRoot: true\)'
assert_eq 000 "$(http_code "http://127.0.0.1:$port2/ping")" "n2 serves nothing"
t_pass
