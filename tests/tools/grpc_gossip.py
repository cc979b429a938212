#!/usr/bin/env python3
"""grpc_gossip.py: an independent gRPC client (python3-grpcio) of
event_store.client.gossip.Gossip/Read, for the integration tests.

The message classes are built at run time from descriptors written here
after proto/gossip.proto and proto/shared.proto (KurrentDB's public
contract), with google.protobuf's descriptor APIs: no generated stubs.

Usage: grpc_gossip.py TARGET [--ca F --cert F --key F --server-name N]
                      [--method PATH] [--timeout S] [--pick leader|follower]
TARGET is host:port; with --ca the call is over TLS (ALPN h2), without
it over plain HTTP/2 (prior knowledge). Prints one JSON line: the gRPC
status code name, the details, the trailing metadata, and the members
(instance id as text, ticks, state name, alive, endpoint); with --pick,
the member a discovering client would connect to.
"""
import argparse
import json
import sys
import uuid

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool

try:
    from google.protobuf import message_factory

    def _cls(pool, name):
        d = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(d)
        return message_factory.MessageFactory(pool).GetPrototype(d)
except ImportError:  # pragma: no cover
    raise

STATES = ["Initializing", "DiscoverLeader", "Unknown", "PreReplica",
          "CatchingUp", "Clone", "Follower", "PreLeader", "Leader",
          "Manager", "ShuttingDown", "Shutdown", "ReadOnlyLeaderless",
          "PreReadOnlyReplica", "ReadOnlyReplica", "ResigningLeader"]

F = descriptor_pb2.FieldDescriptorProto


def _field(msg, name, num, ftype, label=F.LABEL_OPTIONAL, type_name=None,
           oneof=None):
    f = msg.field.add(name=name, number=num, type=ftype, label=label)
    if type_name:
        f.type_name = type_name
    if oneof is not None:
        f.oneof_index = oneof


def build_pool():
    pool = descriptor_pool.DescriptorPool()
    shared = descriptor_pb2.FileDescriptorProto(
        name="shared.proto", package="event_store.client", syntax="proto3")
    u = shared.message_type.add(name="UUID")
    u.oneof_decl.add(name="value")
    s = u.nested_type.add(name="Structured")
    _field(s, "most_significant_bits", 1, F.TYPE_INT64)
    _field(s, "least_significant_bits", 2, F.TYPE_INT64)
    _field(u, "structured", 1, F.TYPE_MESSAGE,
           type_name=".event_store.client.UUID.Structured", oneof=0)
    _field(u, "string", 2, F.TYPE_STRING, oneof=0)
    shared.message_type.add(name="Empty")
    pool.Add(shared)

    g = descriptor_pb2.FileDescriptorProto(
        name="gossip.proto", package="event_store.client.gossip",
        syntax="proto3", dependency=["shared.proto"])
    ci = g.message_type.add(name="ClusterInfo")
    _field(ci, "members", 1, F.TYPE_MESSAGE, F.LABEL_REPEATED,
           ".event_store.client.gossip.MemberInfo")
    ep = g.message_type.add(name="EndPoint")
    _field(ep, "address", 1, F.TYPE_STRING)
    _field(ep, "port", 2, F.TYPE_UINT32)
    mi = g.message_type.add(name="MemberInfo")
    en = mi.enum_type.add(name="VNodeState")
    for i, n in enumerate(STATES):
        en.value.add(name=n, number=i)
    _field(mi, "instance_id", 1, F.TYPE_MESSAGE,
           type_name=".event_store.client.UUID")
    _field(mi, "time_stamp", 2, F.TYPE_INT64)
    _field(mi, "state", 3, F.TYPE_ENUM,
           type_name=".event_store.client.gossip.MemberInfo.VNodeState")
    _field(mi, "is_alive", 4, F.TYPE_BOOL)
    _field(mi, "http_end_point", 5, F.TYPE_MESSAGE,
           type_name=".event_store.client.gossip.EndPoint")
    pool.Add(g)
    return pool


def uuid_text(u):
    if u.WhichOneof("value") == "string":
        return u.string
    msb = u.structured.most_significant_bits & 0xFFFFFFFFFFFFFFFF
    lsb = u.structured.least_significant_bits & 0xFFFFFFFFFFFFFFFF
    return str(uuid.UUID(int=(msb << 64) | lsb))


def pick(members, pref):
    """A discovering client's choice: alive members in the wanted state."""
    want = {"leader": ["Leader"], "follower": ["Follower"]}[pref]
    for m in members:
        if m["alive"] and m["state"] in want:
            return m
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("--ca")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--server-name")
    ap.add_argument("--method", default="/event_store.client.gossip.Gossip/Read")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--pick", choices=["leader", "follower"])
    a = ap.parse_args()

    pool = build_pool()
    Empty = _cls(pool, "event_store.client.Empty")
    ClusterInfo = _cls(pool, "event_store.client.gossip.ClusterInfo")
    opts = []
    if a.ca:
        def rd(p):
            with open(p, "rb") as f:
                return f.read()
        creds = grpc.ssl_channel_credentials(
            root_certificates=rd(a.ca),
            private_key=rd(a.key) if a.key else None,
            certificate_chain=rd(a.cert) if a.cert else None)
        if a.server_name:
            opts.append(("grpc.ssl_target_name_override", a.server_name))
        ch = grpc.secure_channel(a.target, creds, options=opts)
    else:
        ch = grpc.insecure_channel(a.target)
    call = ch.unary_unary(a.method,
                          request_serializer=lambda m: m.SerializeToString(),
                          response_deserializer=ClusterInfo.FromString)
    out = {"code": "OK", "details": "", "trailers": {}, "members": []}
    try:
        resp, c = call.with_call(Empty(), timeout=a.timeout)
        out["trailers"] = {k: v for k, v in (c.trailing_metadata() or [])}
        for m in resp.members:
            out["members"].append({
                "id": uuid_text(m.instance_id),
                "ticks": m.time_stamp,
                "state": STATES[m.state] if m.state < len(STATES) else m.state,
                "alive": m.is_alive,
                "address": m.http_end_point.address,
                "port": m.http_end_point.port,
            })
    except grpc.RpcError as e:
        out["code"] = e.code().name
        out["details"] = e.details() or ""
        out["trailers"] = {k: v for k, v in (e.trailing_metadata() or [])}
    if a.pick:
        out["picked"] = pick(out["members"], a.pick)
    ch.close()
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
