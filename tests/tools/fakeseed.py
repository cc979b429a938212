#!/usr/bin/env python3
"""fakeseed: an HTTPS gossip peer with a certificate of the test's choice.

    fakeseed.py --host 127.0.0.2 --cert F --key F --state Leader

Answers every POST /gossip (and GET /gossip) with a gossip document in
which it is the only member, in the given state, advertised at its own
loopback address and port, timed now. Counts the requests it answered in
the file given by --count (one line per request). Prints "listening on
HOST:PORT" once bound to a port the kernel chose. Loopback only: the
document names no host but --host, which must be in 127.0.0.0/8.
"""
import argparse
import datetime
import ipaddress
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--state", default="Leader")
    ap.add_argument("--count", required=True)
    a = ap.parse_args()
    if not ipaddress.ip_address(a.host).is_loopback:
        sys.exit("fakeseed: --host must be a loopback address")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def answer(self):
            port = self.server.server_address[1]
            now = datetime.datetime.now(datetime.timezone.utc)
            member = {
                "instanceId": "7d0c2b9e-4f1a-4c3e-9a55-2f6d8e1b0c42",
                "timeStamp": now.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
                "state": a.state, "isAlive": True,
                "internalTcpIp": a.host, "internalTcpPort": 0,
                "internalSecureTcpPort": 1112,
                "externalTcpIp": a.host, "externalTcpPort": 0,
                "externalSecureTcpPort": 0,
                "internalHttpEndPointIp": a.host,
                "internalHttpEndPointPort": port,
                "httpEndPointIp": a.host, "httpEndPointPort": port,
                "lastCommitPosition": -1, "writerCheckpoint": -1,
                "chaserCheckpoint": -1, "epochPosition": -1,
                "epochNumber": -1,
                "epochId": "00000000-0000-0000-0000-000000000000",
                "nodePriority": 0, "isReadOnlyReplica": False,
                "esVersion": "fakeseed"}
            body = json.dumps({"members": [member], "serverIp": a.host,
                               "serverPort": port}).encode()
            with lock, open(a.count, "a") as f:
                f.write(self.command + "\n")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            if n > 4 * 1024 * 1024:
                self.send_error(413)
                return
            self.rfile.read(n)
            self.answer()

        def do_GET(self):
            self.answer()

    srv = ThreadingHTTPServer((a.host, 0), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("listening on %s:%d" % (a.host, srv.server_address[1]), flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
