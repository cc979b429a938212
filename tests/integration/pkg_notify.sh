#!/usr/bin/env bash
# pkg_notify: what the Type=notify unit relies on. With NOTIFY_SOCKET set
# (as systemd sets it), the daemon sends READY=1 only once it serves,
# RELOADING=1 then READY=1 around a SIGHUP reload, and STOPPING=1 on
# SIGTERM; and if the unit sets WatchdogSec=, WATCHDOG=1 at least every
# half interval (as WATCHDOG_USEC asks). A NOTIFY_SOCKET or WATCHDOG_USEC
# it cannot use is one warning each, and the daemon serves all the same.
. "$(dirname "$0")/../lib.sh"
t_init

py=$(command -v /usr/bin/python3 || command -v python3 || true)
[ -n "$py" ] || t_skip "python3 is not installed"
unit=$GOSSIPD_SRC/packaging/gossipd.service

# A stand-in for systemd's notification socket: one datagram, one line.
sock=$T_DIR/notify.sock
msgs=$T_DIR/notify.msgs
"$py" - "$sock" "$msgs" "$T_DIR/notify.stop" <<'EOF' &
import os, socket, sys, time
path, out, stop = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.1)
deadline = time.time() + 120
with open(out, "a") as f:
    while time.time() < deadline and not os.path.exists(stop):
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        for line in data.decode(errors="replace").split("\n"):
            if line:
                f.write(line + "\n")
                f.flush()
EOF
listener=$!
T_PIDS+=("$listener")
wait_for 10 test -S "$sock" || t_fail "the notification socket did not appear"

watchdog_usec=""
if grep -q '^WatchdogSec=' "$unit"; then
	watchdog_usec=1000000 # 1 s: WATCHDOG=1 due at least every 0.5 s
fi

make_pki "$T_DIR/pki"
: >"$T_DIR/empty.conf" # not /etc/gossipd/gossipd.conf, should one exist
port=$(free_port)
url=https://127.0.0.1:$port
export NOTIFY_SOCKET=$sock
[ -n "$watchdog_usec" ] && export WATCHDOG_USEC=$watchdog_usec
start_node n1 --config "$T_DIR/empty.conf" --node-port "$port" \
	--certificate-file "$T_DIR/pki/node/node.crt" \
	--certificate-private-key-file "$T_DIR/pki/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/pki/ca/ca.crt"
unset NOTIFY_SOCKET WATCHDOG_USEC

# READY=1 means serving: the very first request after it must succeed.
ready_or_gone() { grep -qx 'READY=1' "$msgs" || ! kill -0 "$PID_n1" 2>/dev/null; }
wait_for 20 ready_or_gone || t_fail "no READY=1 from the daemon within 20 s"
kill -0 "$PID_n1" 2>/dev/null || t_fail "the daemon exited before READY=1"
curl -sf -o /dev/null --max-time 5 --cacert "$T_DIR/pki/ca/ca.crt" "$url/health/live" ||
	t_fail "READY=1 was sent before the listener served"

# count_at_least N LINE: LINE was received at least N times.
count_at_least() { [ "$(grep -c -x -- "$2" "$msgs")" -ge "$1" ]; }

kill -HUP "$PID_n1"
wait_log n1 "configuration reloaded"
wait_for 10 count_at_least 2 'READY=1' ||
	t_fail "no READY=1 after the reload"
order=$(grep -x -e 'READY=1' -e 'RELOADING=1' "$msgs" | tr '\n' ' ')
assert_eq "READY=1 RELOADING=1 READY=1 " "$order" "notifications around a reload"

if [ -n "$watchdog_usec" ]; then
	# Due every 0.5 s at the latest: 4 more take at most 2.0 s (plus
	# scheduling slack), where pinging only once per interval would take
	# at least 3.0 s. Timed in milliseconds: wait_for counts whole seconds.
	before=$(grep -c -x 'WATCHDOG=1' "$msgs")
	t0=$(date +%s%3N)
	wait_for 10 count_at_least $((before + 4)) 'WATCHDOG=1' ||
		t_fail "the unit sets WatchdogSec= but the daemon sent fewer than 4 WATCHDOG=1 in 10 s with WATCHDOG_USEC=1000000"
	took=$(($(date +%s%3N) - t0))
	[ "$took" -le 2700 ] ||
		t_fail "4 WATCHDOG=1 took $took ms with WATCHDOG_USEC=1000000 (due every 500 ms)"
	t_log "4 watchdog pings in $took ms"
fi

assert_eq 0 "$(stop_node n1 10)" "exit status after SIGTERM"
grep -qx 'STOPPING=1' "$msgs" || t_fail "no STOPPING=1 on SIGTERM"

# A NOTIFY_SOCKET of another form and a WATCHDOG_USEC that is not a number:
# the daemon serves all the same, says so once (not at every notification)
# and sends nothing to the real socket; docs/operations.md explains both.
lines_before=$(wc -l <"$msgs")
port2=$(free_port)
export NOTIFY_SOCKET=relative/notify.sock WATCHDOG_USEC=30s
start_node n2 --config "$T_DIR/empty.conf" --node-port "$port2" \
	--certificate-file "$T_DIR/pki/node/node.crt" \
	--certificate-private-key-file "$T_DIR/pki/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/pki/ca/ca.crt"
unset NOTIFY_SOCKET WATCHDOG_USEC
wait_serving n2 "https://127.0.0.1:$port2" 20 --cacert "$T_DIR/pki/ca/ca.crt"
kill -HUP "$PID_n2"
wait_log n2 "configuration reloaded"
for fragment in "cannot notify the service manager (READY=1): NOTIFY_SOCKET is neither a path" \
	"the systemd watchdog is not pinged: WATCHDOG_USEC=30s: not a number"; do
	assert_eq 1 "$(grep -cF -- "$fragment" "$T_DIR/n2.log")" "log lines: $fragment"
	doc=${fragment%%(*}
	doc=${doc%%:*}
	grep -qF -- "\`$doc" "$GOSSIPD_SRC/docs/operations.md" ||
		t_fail "docs/operations.md does not explain: $doc"
done
# RELOADING=1 and READY=1 of the reload failed too: still one line.
assert_eq 1 "$(log_count n2 'cannot notify')" "warnings about NOTIFY_SOCKET"
assert_eq 0 "$(stop_node n2 10)" "exit status after SIGTERM (n2)"
assert_eq "$lines_before" "$(wc -l <"$msgs")" "datagrams from the node with a bad NOTIFY_SOCKET"
touch "$T_DIR/notify.stop"
t_log "notifications: $(sort "$msgs" | uniq -c | tr -s ' \n' ' ')"
t_pass
