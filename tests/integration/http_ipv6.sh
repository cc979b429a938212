#!/usr/bin/env bash
# IPv6: NodeIp ::1 serves on the IPv6 loopback, NodeIp :: serves IPv4 and
# IPv6 alike, and the peer address in the log has the [v6]:port form.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null ||
	t_skip "no IPv6 loopback"
port=$(free_port)
start_node n1 --insecure --node-ip ::1 --node-port "$port" --log-level debug
wait_serving n1 "http://[::1]:$port" 10 -g
assert_eq 200 "$(http_code "http://[::1]:$port/ping" -g)" "ping over ::1"
wait_log n1 "GET /ping from \[::1\]:[0-9]+ "
assert_eq 000 "$(http_code "http://127.0.0.1:$port/ping")" "no IPv4 on ::1"

port2=$(free_port)
start_node n2 --insecure --node-ip :: --node-port "$port2" --log-level debug
wait_serving n2 "http://127.0.0.1:$port2"
assert_eq 200 "$(http_code "http://127.0.0.1:$port2/ping")" "IPv4 on ::"
wait_log n2 "GET /ping from 127\.0\.0\.1:[0-9]+ "
assert_eq 200 "$(http_code "http://[::1]:$port2/ping" -g)" "IPv6 on ::"
t_pass
