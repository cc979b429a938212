#!/usr/bin/env bash
# The HTTP/1.1 fast lane (daemon/h1_fast.c): plain GET/HEAD /gossip is
# answered in the worker without libmicrohttpd, with the same headers (in
# libmicrohttpd's order, ClusterId included) as the route sends through
# libmicrohttpd; the first other request on the connection goes to
# libmicrohttpd (a socketpair appears then, not before), in order after
# pipelined answers; refusals, 406 and 401 stay the route's; a request
# split across records is answered; requests are counted in the metrics;
# IdleTimeoutSec closes an idle connection of the lane, and one whose
# answers are not read.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
py=$(python_with ssl json)
make_pki "$T_DIR"
serve_on_free_port n1 https $(tls_args "$T_DIR") --node-ip 127.0.0.1 \
	--cluster-id lane --gossip-requires-client-cert --idle-timeout-sec 2 \
	--request-timeout-ms 60000 --log-level debug

"$py" - "$port" "$T_DIR" "$PID_n1" <<'EOF' || t_fail "fast lane checks failed"
import json, os, socket, ssl, sys, time

port, pki, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
GET = b"GET /gossip HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

def connect(cert=True):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.load_verify_locations(pki + "/ca/ca.crt")
    if cert:
        c.load_cert_chain(pki + "/client/client.crt", pki + "/client/client.key")
    c.set_alpn_protocols(["http/1.1"])
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return c.wrap_socket(s, server_hostname="127.0.0.1")

class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""
    def more(self):
        d = self.s.recv(65536)
        if not d:
            fail("connection closed before a whole answer")
        self.buf += d
    def answer(self, head=False):
        while b"\r\n\r\n" not in self.buf:
            self.more()
        h, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = h.decode().split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = [tuple(l.split(": ", 1)) for l in lines[1:]]
        n = 0 if head else int(dict((k.lower(), v) for k, v in hdrs)["content-length"])
        while len(self.buf) < n:
            self.more()
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, hdrs, body

def sockets():
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            n += os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:")
        except OSError:
            pass
    return n

def without_date(hdrs):
    return [(k, v) for k, v in hdrs if k != "Date"]

def metric_2xx():
    s = connect()
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    st, _, body = Reader(s).answer()
    s.close()
    for line in body.decode().splitlines():
        if line.startswith('gossipd_http_requests_total{protocol="http/1.1",code="2xx"}'):
            return int(line.split()[-1])
    fail("no 2xx counter in /metrics")

def settle(want, secs=10):
    # the daemon closes a connection once it sees the client's end
    deadline = time.monotonic() + secs
    while sockets() != want and time.monotonic() < deadline:
        time.sleep(0.02)
    return sockets() == want

base = sockets()
m0 = metric_2xx()
if not settle(base):
    fail("the /metrics connection is still open in the daemon")

# A: the lane, then libmicrohttpd on the same connection.
a = connect()
ra = Reader(a)
a.sendall(GET)
st1, h1, b1 = ra.answer()
if st1 != 200:
    fail("GET /gossip: %d" % st1)
if sockets() != base + 1:
    fail("a socketpair exists for a connection of the lane: %d sockets, base %d" % (sockets(), base))
a.sendall(b"HEAD /gossip HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"
          b"GET /gossip?format=json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + GET)
st2, h2, b2 = ra.answer(head=True)
st3, h3, b3 = ra.answer()
st4, h4, b4 = ra.answer()
if (st2, st3, st4) != (200, 200, 200):
    fail("pipelined: %s" % [st2, st3, st4])
if sockets() != base + 3:
    fail("no socketpair after a request for libmicrohttpd: %d sockets, base %d" % (sockets(), base))
names = [k for k, _ in h1]
if names != [k for k, _ in h3] or names != [k for k, _ in h2]:
    fail("headers differ: lane %s, HEAD %s, libmicrohttpd %s" % (h1, h2, h3))
if names[0] != "Date":
    fail("Date is not first: %s" % names)
for k, v in without_date(h1):
    if k != "Content-Length" and (k, v) not in h3:
        fail("lane header %s: %s not as libmicrohttpd's %s" % (k, v, h3))
if ("Gossip-Cluster-Id", "lane") not in h1:
    fail("no Gossip-Cluster-Id from the lane: %s" % h1)
if dict(h2)["Content-Length"] != str(len(b1)) and abs(int(dict(h2)["Content-Length"]) - len(b1)) > 64:
    fail("HEAD Content-Length %s against a body of %d" % (dict(h2)["Content-Length"], len(b1)))
ids = lambda b: sorted(m["instanceId"] for m in json.loads(b)["members"])
if ids(b1) != ids(b3) or ids(b1) != ids(b4):
    fail("documents differ")
a.close()

# B: libmicrohttpd's 406 after an answer of the lane, then served again.
b = connect()
rb = Reader(b)
b.sendall(GET + b"GET /gossip HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n" + GET)
codes = [rb.answer()[0] for _ in range(3)]
if codes != [200, 406, 200]:
    fail("200, 406, 200 expected: %s" % codes)
b.close()

# C: no client certificate (GossipRequiresClientCert): the route's 401.
c = connect(cert=False)
c.sendall(GET)
st, _, body = Reader(c).answer()
if st != 401 or "error" not in json.loads(body):
    fail("anonymous: %d %s" % (st, body))
c.close()

# D: a request in three records.
d = connect()
for part in (GET[:7], GET[7:25], GET[25:]):
    d.sendall(part)
    time.sleep(0.05)
if Reader(d).answer()[0] != 200:
    fail("a request in three records")
d.close()

# The counter: A 2 + B 2 (+406 is 4xx) + D 1 from the lane, A 2 and the
# first /metrics itself through libmicrohttpd.
m1 = metric_2xx()
if m1 - m0 != 2 + 2 + 2 + 1 + 1:
    fail("2xx counter moved by %d, expected 8" % (m1 - m0))

# E: IdleTimeoutSec (2 s) closes an idle connection of the lane.
e = connect()
e.sendall(GET)
re_ = Reader(e)
re_.answer()
e.settimeout(15)
t0 = time.monotonic()
try:
    left = e.recv(100)
except (ConnectionResetError, ssl.SSLError):
    left = b""
if left != b"" or time.monotonic() - t0 > 14:
    fail("idle connection not closed: %r" % left)
e.close()

# F: a client that sends requests and reads none of the answers: once the
# daemon cannot send, it stops reading, and IdleTimeoutSec (2 s) closes
# the connection (its socket leaves the daemon), whatever requests wait
# unanswered (RequestTimeoutMs is 60 s here).
f = connect()
f.settimeout(0.5)
sent = 0
try:
    for _ in range(20000):
        f.sendall(GET * 50)
        sent += 50
except (socket.timeout, ssl.SSLError, OSError):
    pass
if sent >= 20000 * 50:
    fail("the daemon read a million requests without its answers being read")
deadline = time.monotonic() + 20
while sockets() > base and time.monotonic() < deadline:
    time.sleep(0.1)
if sockets() > base:
    fail("a connection whose answers are not read is still open after 20 s (%d requests sent)" % sent)
print("ok: lane answers as libmicrohttpd, %d sockets at base; %d unread requests closed" % (base, sent))
EOF
assert_contains "$(cat "$T_DIR/n1.log")" "denied: no client certificate was presented" \
	"the anonymous request is refused with the route's log line"
assert_contains "$(cat "$T_DIR/n1.log")" "GET /gossip from 127.0.0.1" "debug line of a lane answer"
t_pass
