#!/usr/bin/env bash
# Descriptors above 1024 work (no select() anywhere): with 1100 idle
# connections held open the daemon uses well over 1024 descriptors, and
# both a new connection and the newest idle one are answered. (In
# insecure mode a connection that has sent nothing yet holds only its own
# descriptor: its first bytes decide HTTP/2 or libmicrohttpd.)
source "$GOSSIPD_SRC/tests/lib.sh"
command -v python3 >/dev/null || t_skip "python3 is not installed"
ulimit -n 8192 2>/dev/null || t_skip "cannot raise the descriptor limit"
t_init
port=$(free_port)
url="http://127.0.0.1:$port"
start_node n1 --insecure --node-port "$port" --max-connections 4000 \
	--max-connections-per-ip 4000 --idle-timeout-sec 60
wait_serving n1 "$url"
python3 - "$port" "$PID_n1" >"$T_DIR/py.log" 2>&1 <<'PY' || { cat "$T_DIR/py.log" >&2; t_fail "client script"; }
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(1100):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    socks.append(s)
def ping(s):
    s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"handled" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("connection closed: %r" % data)
        data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data
deadline = time.time() + 20
while len(os.listdir("/proc/%d/fd" % pid)) < 1100:
    if time.time() > deadline:
        raise SystemExit("daemon holds only %d fds" % len(os.listdir("/proc/%d/fd" % pid)))
    time.sleep(0.05)
fresh = socket.create_connection(("127.0.0.1", port), timeout=5)
ping(fresh)
ping(socks[-1])
ping(socks[0])
print("daemon fds:", len(os.listdir("/proc/%d/fd" % pid)))
PY
t_log "$(cat "$T_DIR/py.log")"
assert_eq 204 "$(http_code "$url/health/live")" "health after the idle connections closed"
# Out of descriptors: connections beyond the limit are shed (accepted and
# closed, logged), the loop does not spin, and service resumes after.
command -v prlimit >/dev/null || t_skip "prlimit is not installed"
port2=$(free_port)
url2="http://127.0.0.1:$port2"
start_node n2 --insecure --node-port "$port2" --workers 1
wait_serving n2 "$url2"
prlimit --pid "$PID_n2" --nofile=40:40 || t_fail "prlimit"
fds=()
for i in $(seq 1 30); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port2" && fds+=("$fd")
done
wait_log n2 "refused: (socketpair: )?Too many open files \(raise the descriptor limit"
cpu() { awk '{print $14 + $15}' "/proc/$PID_n2/stat"; }
c0=$(cpu)
sleep 1 # a fixed second on purpose: it measures CPU use over time
c1=$(cpu)
[ $((c1 - c0)) -lt 30 ] || t_fail "the loop spins at EMFILE: $((c1 - c0)) ticks in 1 s"
for fd in "${fds[@]}"; do exec {fd}<&-; done
wait_for 10 curl -sf -o /dev/null "$url2/ping" || t_fail "no service after the descriptors came back"
t_pass
