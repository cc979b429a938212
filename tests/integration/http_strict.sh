#!/usr/bin/env bash
# HTTP answers as the spec says, in JSON: an HTTP/1.1 request without Host
# is 400 (HTTP/1.0 needs none); conflicting Content-Length headers are 400
# (identical duplicates are one length); a transfer coding other than
# chunked is 501; a chunked body over MaxBodyBytes gets the 413 answer
# (3 and 40 times the limit) with a log line, beyond 64 times it is cut
# with a log line. The cases libmicrohttpd answers itself, in HTML, are
# checked to be what docs/security.md lists.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || t_skip "python3 is not installed"
serve_on_free_port n http --insecure --max-body-bytes 1024
# raw NAME: sends the request named NAME; prints "STATUS|CONTENT-TYPE|BODY".
raw() {
	"$py" - "$port" "$1" <<'PY'
import socket, sys
port, which = int(sys.argv[1]), sys.argv[2]
post = b"POST /gossip HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
def chunked(n):
    return post + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + \
        b"".join(b"400\r\n" + b"a" * 1024 + b"\r\n" for _ in range(n)) + b"0\r\n\r\n"
reqs = {
    "nohost": b"GET /ping HTTP/1.1\r\nConnection: close\r\n\r\n",
    "nohost10": b"GET /ping HTTP/1.0\r\n\r\n",
    "cl2": post + b"Content-Length: 2\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{}     ",
    "cl2same": post + b"Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    "gzip": post + b"Transfer-Encoding: gzip\r\nConnection: close\r\n\r\n{}",
    "chunked3": chunked(3),
    "chunked40": chunked(40),
    "chunked100": chunked(100),
    "badcl": post + b"Content-Length: 5x\r\nConnection: close\r\n\r\n{}",
    "badchunk": post + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "http20": b"GET /ping HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n",
    "bigheader": b"GET /ping HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 70000 + b"\r\n\r\n",
    "longurl": b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "nocolon": b"GET /ping HTTP/1.1\r\nHost: x\r\nBad\r\nConnection: close\r\n\r\n",
}
s = socket.create_connection(("127.0.0.1", port), timeout=10)
try:
    s.sendall(reqs[which])
except OSError:
    pass
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except OSError:
    pass
text = out.decode("latin1")
head, _, body = text.partition("\r\n\r\n")
lines = head.split("\r\n")
status = lines[0].split(" ")[1] if lines[0].startswith("HTTP/") else "-"
ct = next((l.split(":", 1)[1].strip() for l in lines[1:] if l.lower().startswith("content-type:")), "-")
# MHD 0.9.75 sends its header block twice for a bad Content-Length
while body.startswith("HTTP/1.1 "):
    body = body.partition("\r\n\r\n")[2]
print("%s|%s|%s" % (status, ct, body[:200]))
PY
}
J="application/json; charset=utf-8"
assert_eq "400|$J|{\"error\":\"an HTTP/1.1 request needs a Host header\"}" "$(raw nohost)" "HTTP/1.1 without Host"
assert_contains "$(raw nohost10)" "200|$J|" "HTTP/1.0 without Host"
assert_eq "400|$J|{\"error\":\"conflicting Content-Length headers\"}" "$(raw cl2)" "conflicting Content-Length"
assert_contains "$(raw cl2same)" "400|$J|{\"error\":\"invalid gossip document" "identical Content-Length headers are one length"
assert_eq "501|$J|{\"error\":\"only the chunked transfer coding is supported\"}" "$(raw gzip)" "Transfer-Encoding gzip"
assert_eq "413|$J|{\"error\":\"request body too large\"}" "$(raw chunked3)" "chunked, 3 times the limit"
assert_eq "413|$J|{\"error\":\"request body too large\"}" "$(raw chunked40)" "chunked, 40 times the limit"
wait_log n "info +POST /gossip from 127\.0\.0\.1:[0-9]+ refused: the body is over MaxBodyBytes \(1024\)"
assert_eq 2 "$(log_count n 'refused: the body is over MaxBodyBytes')" "one line per chunked 413"
out=$(raw chunked100)
assert_eq "-|-|" "$out" "chunked, 100 times the limit: cut"
wait_log n "POST /gossip from 127\.0\.0\.1:[0-9]+ cut: a chunked body more than 64 times MaxBodyBytes \(1024\)"
m=$(curl -sf --max-time 5 "http://127.0.0.1:$port/metrics")
assert_contains "$m" 'gossipd_gossip_documents_refused_total{reason="too_large"} 2' "413s counted"

# What libmicrohttpd answers itself, before our handler (docs/security.md).
doc=$GOSSIPD_SRC/docs/security.md
check_mhd() { # NAME STATUS DOC-FRAGMENT
	local out
	out=$(raw "$1")
	assert_contains "$out" "$2|-|<html>" "libmicrohttpd's own answer to $1"
	grep -qF -- "$3" "$doc" || t_fail "docs/security.md does not list: $3"
}
check_mhd badcl 400 "\`Content-Length\` that is not a number"
check_mhd badchunk 400 "malformed chunked encoding"
check_mhd http20 505 "\`HTTP/2.0\` (or any major version but 1) in an HTTP/1 request line"
check_mhd bigheader 431 "request headers larger than"
check_mhd longurl 414 "a request target larger than"
check_mhd nocolon 400 "a header line without a colon"
t_pass
