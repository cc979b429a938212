#!/usr/bin/env python3
"""h2_probe.py: drives gossipd's HTTP/2 server with hand-made frames
(python3-h2, Debian), for the protocol checks gRPC libraries do not make.

Usage: h2_probe.py HOST PORT SCENARIO [--ca FILE]
Scenarios (one JSON line out, with what the server answered):
  deadline     gRPC headers with grpc-timeout 200m and no body: the server
               must answer DEADLINE_EXCEEDED by itself (ms measured)
  bad-timeout  grpc-timeout "abc": INTERNAL
  garbage      a valid preface, then bytes that are no frame: GOAWAY code
  data-on-0    a DATA frame on stream 0: GOAWAY PROTOCOL_ERROR
  streams      64 open streams at once: how many were refused
  headers      a header list over the bound: the answer
  body         a request body over the bound: the answer
  resets       1000 streams opened and reset at once: GOAWAY code
  not-grpc     POST with content-type application/json: :status
  window0      a flow-control window of 0, never opened: the answer's
               headers come, then the stream is reset (code, ms)
  settings     the server's SETTINGS
Every read has a deadline; the connection is closed at the end.
"""
import json
import socket
import ssl
import struct
import sys
import time

import h2.config
import h2.settings
import hpack
import hyperframe.frame
import h2.connection
import h2.events
import h2.exceptions

GOSSIP = "/event_store.client.gossip.Gossip/Read"


def connect(host, port, ca):
    s = socket.create_connection((host, port), timeout=5)
    if ca:
        ctx = ssl.create_default_context(cafile=ca)
        ctx.set_alpn_protocols(["h2"])
        s = ctx.wrap_socket(s, server_hostname=host)
        if s.selected_alpn_protocol() != "h2":
            raise SystemExit("ALPN did not select h2: %r" %
                             s.selected_alpn_protocol())
    return s


class Probe:
    def __init__(self, host, port, ca, validate=True):
        self.sock = connect(host, port, ca)
        cfg = h2.config.H2Configuration(
            client_side=True, header_encoding="utf-8",
            validate_outbound_headers=validate,
            normalize_outbound_headers=validate)
        self.c = h2.connection.H2Connection(config=cfg)
        self.c.initiate_connection()
        self.flush()
        self.events = []
        self.closed = False

    def flush(self):
        data = self.c.data_to_send()
        if data:
            self.sock.sendall(data)

    def raw(self, b):
        self.sock.sendall(b)

    def pump(self, until, secs=5.0):
        """Reads events until until(events) is true, the peer closes or
        the deadline passes."""
        end = time.monotonic() + secs
        while not until(self.events) and not self.closed:
            left = end - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                break
            except (ConnectionResetError, ssl.SSLError):
                self.closed = True
                break
            if not data:
                self.closed = True
                break
            try:
                self.events += self.c.receive_data(data)
            except h2.exceptions.ProtocolError as e:
                self.events.append(("protocol-error", str(e)))
            try:
                self.flush()
            except OSError:
                self.closed = True
        return self.events

    def grpc_headers(self, sid, extra=(), ctype="application/grpc"):
        h = [(":method", "POST"), (":scheme", "http"), (":path", GOSSIP),
             (":authority", "gossipd"), ("content-type", ctype),
             ("te", "trailers")] + list(extra)
        self.c.send_headers(sid, h)


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


def answer(events, sid):
    """The :status, grpc-status and grpc-message sent on stream sid."""
    out = {}
    for e in events:
        if isinstance(e, (h2.events.ResponseReceived,
                          h2.events.TrailersReceived)) and e.stream_id == sid:
            out.update(dict(e.headers))
    return {k: out.get(k) for k in (":status", "grpc-status", "grpc-message",
                                    "content-type")}


def ended(sid):
    return lambda ev: any(
        isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset))
        and e.stream_id == sid for e in ev)


def goaway(ev):
    g = of(ev, h2.events.ConnectionTerminated)
    return {"goaway": g[0].error_code.name if g else None,
            "closed": bool(g)}


def main():
    host, port, scen = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ca = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--ca" else None
    out = {"scenario": scen}
    if scen in ("garbage", "data-on-0"):
        p = Probe(host, port, ca)
        p.pump(lambda ev: of(ev, h2.events.RemoteSettingsChanged), 3)
        if scen == "garbage":
            p.raw(b"\xff" * 9 + b"not a frame at all" * 4)
        else:  # DATA (type 0) on stream 0
            p.raw(struct.pack(">I", 4)[1:] + b"\x00\x00" +
                  struct.pack(">I", 0) + b"abcd")
        ev = p.pump(lambda ev: of(ev, h2.events.ConnectionTerminated), 5)
        out.update(goaway(ev))
    elif scen in ("deadline", "bad-timeout"):
        p = Probe(host, port, ca)
        t0 = time.monotonic()
        p.grpc_headers(1, [("grpc-timeout",
                            "200m" if scen == "deadline" else "abc")])
        if scen == "bad-timeout":
            p.c.send_data(1, b"\x00\x00\x00\x00\x00", end_stream=True)
        p.flush()
        ev = p.pump(ended(1), 10)
        out["ms"] = int((time.monotonic() - t0) * 1000)
        out.update(answer(ev, 1))
    elif scen == "streams":
        # h2 will not open more streams than the server allows: the
        # frames are made here, and the answer read frame by frame
        s = connect(host, port, ca)
        enc = hpack.Encoder()
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" +
                  hyperframe.frame.SettingsFrame(0).serialize())
        hdr = [(":method", "POST"), (":scheme", "http"), (":path", GOSSIP),
               (":authority", "gossipd"), ("content-type", "application/grpc")]
        frames = b""
        for i in range(64):
            f = hyperframe.frame.HeadersFrame(1 + 2 * i)
            f.data = enc.encode(hdr)
            f.flags.add("END_HEADERS")
            frames += f.serialize()
        s.sendall(frames)
        buf, refused, end = b"", 0, time.monotonic() + 3
        while time.monotonic() < end and refused < 64 - 32:
            s.settimeout(max(0.01, end - time.monotonic()))
            try:
                d = s.recv(65536)
            except (socket.timeout, TimeoutError):
                break
            if not d:
                break
            buf += d
            while len(buf) >= 9:
                ln = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + ln:
                    break
                if buf[3] == 3 and int.from_bytes(buf[9:13], "big") == 7:
                    refused += 1  # RST_STREAM REFUSED_STREAM
                buf = buf[9 + ln:]
        out["refused"] = refused
    elif scen == "headers":
        p = Probe(host, port, ca)
        p.pump(lambda ev: of(ev, h2.events.RemoteSettingsChanged), 3)
        p.grpc_headers(1, [("x-big-%d" % i, "v" * 1000) for i in range(12)])
        p.c.send_data(1, b"\x00\x00\x00\x00\x00", end_stream=True)
        p.flush()
        ev = p.pump(ended(1), 5)
        out.update(answer(ev, 1))
        out.update(goaway(ev))
    elif scen == "body":
        p = Probe(host, port, ca)
        p.pump(lambda ev: of(ev, h2.events.RemoteSettingsChanged), 3)
        p.grpc_headers(1)
        p.c.send_data(1, b"\x00" + struct.pack(">I", 8000) + b"x" * 8000)
        p.flush()
        ev = p.pump(ended(1), 5)
        out.update(answer(ev, 1))
    elif scen == "resets":
        p = Probe(host, port, ca)
        p.pump(lambda ev: of(ev, h2.events.RemoteSettingsChanged), 3)
        for i in range(1000):
            sid = 1 + 2 * i
            try:
                p.grpc_headers(sid)
                p.c.reset_stream(sid)
            except h2.exceptions.ProtocolError:
                break
            if i % 50 == 49:
                try:
                    p.flush()
                except OSError:
                    break
        try:
            p.flush()
        except OSError:
            pass
        ev = p.pump(lambda ev: of(ev, h2.events.ConnectionTerminated), 5)
        out.update(goaway(ev))
    elif scen == "not-grpc":
        p = Probe(host, port, ca)
        p.grpc_headers(1, ctype="application/json")
        p.c.send_data(1, b"{}", end_stream=True)
        p.flush()
        ev = p.pump(ended(1), 5)
        out.update(answer(ev, 1))
    elif scen == "window0":
        p = Probe(host, port, ca)
        p.c.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
        p.flush()
        p.pump(lambda ev: of(ev, h2.events.SettingsAcknowledged), 3)
        t0 = time.monotonic()
        p.grpc_headers(1)
        p.c.send_data(1, b"\x00\x00\x00\x00\x00", end_stream=True)
        p.flush()
        ev = p.pump(ended(1), 20)
        out["ms"] = int((time.monotonic() - t0) * 1000)
        out["data"] = sum(len(e.data) for e in of(ev, h2.events.DataReceived))
        r = [e for e in of(ev, h2.events.StreamReset) if e.stream_id == 1]
        out["reset"] = r[0].error_code.name if r else None
        out.update(answer(ev, 1))
    elif scen == "settings":
        p = Probe(host, port, ca)
        ev = p.pump(lambda ev: of(ev, h2.events.RemoteSettingsChanged), 3)
        ch = of(ev, h2.events.RemoteSettingsChanged)
        out["settings"] = {
            k.name: v.new_value for k, v in
            (ch[0].changed_settings.items() if ch else [])}
    else:
        raise SystemExit("unknown scenario " + scen)
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
