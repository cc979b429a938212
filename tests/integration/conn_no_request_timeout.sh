#!/usr/bin/env bash
# A connection that completes TLS and then never sends a request is
# closed after RequestTimeoutMs (here 800 ms), not IdleTimeoutSec (60 s):
# openssl s_client finishes its handshake and sends nothing; the daemon
# closes the connection with one line "connection from A:P closed: no
# request within 800 ms" and s_client ends. A kept-alive connection that
# has been answered once is still held until IdleTimeoutSec (the timeout
# is only for the first request).
. "$GOSSIPD_SRC/tests/lib.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
make_pki "$T_DIR"
# shellcheck disable=SC2046
serve_on_free_port n1 https --node-ip 127.0.0.1 $(tls_args "$T_DIR") \
	--request-timeout-ms 800 --idle-timeout-sec 60

# s_client's stdin stays open (a FIFO this shell holds) and sends nothing.
mkfifo "$T_DIR/in"
exec 3<>"$T_DIR/in"
timeout 30 openssl s_client -connect "127.0.0.1:$port" -CAfile "$T_DIR/ca/ca.crt" \
	-bind 127.0.0.7:0 <&3 >"$T_DIR/sc.out" 2>&1 &
T_PIDS+=($!)
wait_for 10 grep -q 'Verify return code: 0' "$T_DIR/sc.out" || t_fail "no handshake: $(tail -n 3 "$T_DIR/sc.out")"
wait_log n1 'connection from 127\.0\.0\.7:[0-9]+ closed: no request within 800 ms' 10
wait_for 10 grep -q '^closed' "$T_DIR/sc.out" || t_fail "s_client not told of the close: $(tail -n 2 "$T_DIR/sc.out")"

# Answered once, then idle: kept beyond RequestTimeoutMs (two requests
# 2 s apart go on one connection).
python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" --path /ping \
	--ca "$T_DIR/ca/ca.crt" --bind 127.0.0.8 --interval 2 --count 2 \
	>"$T_DIR/ka.out" 2>"$T_DIR/ka.err"
assert_eq "200 1
200 1" "$(awk '{print $2, $3}' "$T_DIR/ka.out")" "two requests 2 s apart on one kept-alive connection"
assert_eq 0 "$(log_count n1 '127\.0\.0\.8:[0-9]+ closed')" "closes of the answered connection"
t_pass
