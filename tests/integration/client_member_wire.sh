#!/usr/bin/env bash
# gossipd member against a scripted admin socket: the exact request it
# sends (method, path, headers, JSON body), and how it takes refusals,
# chunked answers, oversized, malformed and missing answers.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
command -v python3 >/dev/null || t_skip "python3 is needed for the scripted socket"
sock="$T_DIR/fake.sock"
cat >"$T_DIR/fake.py" <<'PY'
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
big = b"x" * (1024 * 1024 + 10)
answers = [
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 41\r\n\r\n"
    b'{"state":"Leader","writerCheckpoint":10}\n',
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 36\r\n\r\n"
    b'{"error":"epochNumber: not allowed"}',
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'5\r\n{"sta\r\n10\r\nte":"Follower"}\n\r\n0\r\n\r\n',
    b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(big)).encode() + b"\r\n\r\n" + big,
    b"this is not HTTP\r\n\r\n",
    b"",
]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
for answer in answers:
    conn, _ = srv.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        body += conn.recv(65536)
    with open(log, "ab") as f:
        f.write(head.split(b"\r\n")[0] + b" " + body + b"\n")
        for line in head.split(b"\r\n")[1:]:
            f.write(b"  " + line + b"\n")
    try:
        conn.sendall(answer)
    except OSError:
        pass
    conn.close()
srv.close()
os.unlink(path)
PY
python3 "$T_DIR/fake.py" "$sock" "$T_DIR/requests" &
T_PIDS+=("$!")
wait_for 10 test -S "$sock" || t_fail "the scripted socket did not come up"
gd() { "$GOSSIPD_BIN" "$@"; }

# 1: the request, exactly
out=$(gd member set --state master --writer-checkpoint 10 --epoch-id 37341E58-67A6-4B76-A5F9-4CBA7B329D93 \
	--read-only-replica FALSE --admin-socket "$sock") || t_fail "set: exit $?"
assert_contains "$out" "Leader" "set prints the answer"
req=$(cat "$T_DIR/requests")
assert_contains "$req" 'PUT /admin/member HTTP/1.1 {"state":"Leader","writerCheckpoint":10,"epochId":"37341e58-67a6-4b76-a5f9-4cba7b329d93","isReadOnlyReplica":false}' "the request line and body"
assert_contains "$req" "Content-Type: application/json" "the content type"
assert_contains "$req" "Content-Length: 115" "the content length"

# 2: a refusal: exit 1, the daemon's reason
out=$(gd member set --epoch-number 7 --admin-socket "$sock" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "refused: exit status"
assert_contains "$out" "the daemon refused the update: HTTP 400: epochNumber: not allowed" "refused: reason"

# 3: a chunked answer to show
out=$(gd member show --json --admin-socket "$sock") || t_fail "chunked: exit $?"
assert_eq '{"state":"Follower"}' "$out" "chunked answer, as received"
assert_contains "$(tail -n +1 "$T_DIR/requests")" "GET /admin/member HTTP/1.1" "show is a GET"

# 4: an answer over the bound
out=$(gd member show --admin-socket "$sock" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "oversized: exit status"
assert_contains "$out" "GET /admin/member to $sock: response body over 1048576 bytes" "oversized: reason"

# 5: not HTTP
out=$(gd member show --admin-socket "$sock" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "garbage: exit status"
assert_contains "$out" "GET /admin/member to $sock: HTTP parse error" "garbage: reason"

# 6: closed without an answer
out=$(gd member show --admin-socket "$sock" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "no answer: exit status"
assert_contains "$out" "GET /admin/member to $sock: connection closed by the server before any response" "no answer: reason"
t_pass
