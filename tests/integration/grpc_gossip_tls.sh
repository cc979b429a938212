#!/usr/bin/env bash
# gRPC Gossip/Read over TLS with ALPN h2, on the port that serves
# HTTP/1.1, with GossipRequiresClientCert: python3-grpcio without a
# client certificate gets UNAUTHENTICATED (one log line), with a trusted
# client or node certificate the members; curl, which offers h2 and
# http/1.1, still gets HTTP/1.1 and the JSON; an h2-only client gets
# HTTP/2 (SETTINGS) and GOAWAY for a malformed frame; a certificate that
# does not verify is refused in the handshake as on HTTP/1.1; an ALPN
# list with neither protocol is refused with a line that says so.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
PY=$(python_with grpc google.protobuf h2) || exit 77
tools="$GOSSIPD_SRC/tests/tools"
pki="$T_DIR/pki"
mkdir -p "$pki"
make_pki "$pki"
# shellcheck disable=SC2046
serve_on_free_port n1 https $(tls_args "$pki") --gossip-requires-client-cert
ca="$pki/ca/ca.crt"
call() { "$PY" "$tools/grpc_gossip.py" "127.0.0.1:$port" --ca "$ca" "$@"; }
field() { "$PY" -c "import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))" "$1"; }

r=$(call)
assert_eq UNAUTHENTICATED "$(field 'd["code"]' <<<"$r")" "no client certificate"
wait_log n1 'denied: no client certificate was presented \(gRPC /event_store.client.gossip.Gossip/Read is for trusted clients\)'
for who in client node; do
	r=$(call --cert "$pki/$who/$who.crt" --key "$pki/$who/$who.key")
	assert_eq OK "$(field 'd["code"]' <<<"$r")" "$who certificate"
	assert_eq "127.0.0.1:$port" "$(field 'd["members"][0]["address"]+":"+str(d["members"][0]["port"])' <<<"$r")" "http_end_point"
done
r=$(call --cert "$pki/client/client.crt" --key "$pki/client/client.key" --method /event_store.client.gossip.Gossip/Nope)
assert_eq UNIMPLEMENTED "$(field 'd["code"]' <<<"$r")" "another method over TLS"

# curl offers h2 and http/1.1: HTTP/1.1 and the JSON endpoints.
v=$(curl -s -o /dev/null -w '%{http_version} %{http_code}' --max-time 5 --http2 \
	--cacert "$ca" --cert "$pki/client/client.crt" --key "$pki/client/client.key" \
	"https://127.0.0.1:$port/gossip")
assert_eq "1.1 200" "$v" "curl offering h2 and http/1.1"

# An h2-only client: HTTP/2 after ALPN.
r=$(timeout 30 "$PY" "$tools/h2_probe.py" 127.0.0.1 "$port" settings --ca "$ca")
assert_contains "$r" '"MAX_CONCURRENT_STREAMS": 32' "SETTINGS over TLS"
r=$(timeout 30 "$PY" "$tools/h2_probe.py" 127.0.0.1 "$port" data-on-0 --ca "$ca")
assert_contains "$r" '"goaway": "PROTOCOL_ERROR"' "GOAWAY over TLS"
wait_log n1 'HTTP/2 connection from 127.0.0.1:[0-9]+ ended: GOAWAY PROTOCOL_ERROR'

# An ALPN list with neither h2 nor http/1.1: refused, and said so.
echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" -alpn acme-tls/1 >/dev/null 2>&1
wait_log n1 'denied: ClientHello refused \(its ALPN offers neither h2 nor http/1.1'

# A certificate from another CA: refused in the handshake, as on HTTP/1.1.
mkdir -p "$T_DIR/other"
"$GOSSIPD_BIN" cert create-ca -out "$T_DIR/other/ca" >/dev/null
"$GOSSIPD_BIN" cert create-client -ca-certificate "$T_DIR/other/ca/ca.crt" \
	-ca-key "$T_DIR/other/ca/ca.key" -out "$T_DIR/other/client" -common-name stranger >/dev/null
r=$(call --cert "$T_DIR/other/client/client.crt" --key "$T_DIR/other/client/client.key")
assert_eq UNAVAILABLE "$(field 'd["code"]' <<<"$r")" "untrusted client certificate"
wait_log n1 'denied: certificate is not signed by a trusted CA'
t_pass
