#!/usr/bin/env python3
"""A client that keeps one HTTPS connection alive and sends a request on it
every --interval seconds, for tests of what happens to open connections
(with --fresh: a new connection for every request).

One line per request on stdout: "EPOCH STATUS CONN", EPOCH the wall time
the answer (or the error) came, STATUS the HTTP status or ERR, CONN the
number of the connection it went on (1 = the first; a new one is opened
only when the previous one was closed). Ends after --count requests, or
when --stop names a file that exists. With --resume, a first connection
(not counted) saves the TLS session and every counted connection resumes
it; "# resumed CONN True|False" goes to stderr for each.
"""
import argparse
import http.client
import os
import socket
import ssl
import sys
import time


class Conn(http.client.HTTPSConnection):
    opened = 0
    session = None

    def connect(self):
        Conn.opened += 1
        if Conn.session is None:
            super().connect()
            return
        sock = socket.create_connection((self.host, self.port), self.timeout,
                                        self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host,
                                              session=Conn.session)
        print("# resumed %d %s" % (Conn.opened, self.sock.session_reused),
              file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/ping")
    ap.add_argument("--ca", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--stop")
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--resume", action="store_true")
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.ca)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    conn = Conn(a.host, a.port, context=ctx, timeout=5,
                source_address=(a.bind, 0))
    if a.resume:
        conn.request("GET", a.path)
        conn.getresponse().read()
        Conn.session = conn.sock.session
        conn.close()
        Conn.opened = 0
    for _ in range(a.count):
        if a.stop and os.path.exists(a.stop):
            break
        try:
            conn.request("GET", a.path)
            resp = conn.getresponse()
            resp.read()
            status = str(resp.status)
        except (OSError, http.client.HTTPException) as e:
            status = "ERR"
            print("# %s" % e, file=sys.stderr, flush=True)
            conn.close()
        print("%.3f %s %d" % (time.time(), status, Conn.opened), flush=True)
        if a.fresh:
            conn.close()
        time.sleep(a.interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
