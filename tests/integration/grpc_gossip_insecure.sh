#!/usr/bin/env bash
# gRPC Gossip/Read over HTTP/2 with prior knowledge (insecure mode, as a
# client with tls=false calls it), beside HTTP/1.1 on the same port:
# an independent client (python3-grpcio) reads the members and they are
# those of GET /gossip (id, ticks, state, liveness, endpoint); another
# method is UNIMPLEMENTED; a non-gRPC request on h2 gets an HTTP error;
# hand-made frames (python3-h2) check the trailers, grpc-timeout, the
# bounds (streams, header list, body) and GOAWAY with its code and one
# log line for malformed input; the daemon serves on through all of it
# and counts the calls by protocol and status.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
PY=$(python_with grpc google.protobuf h2) || exit 77
tools="$GOSSIPD_SRC/tests/tools"
serve_on_free_port n1 http --insecure --request-timeout-ms 3000
url="http://127.0.0.1:$port"
call() { "$PY" "$tools/grpc_gossip.py" "127.0.0.1:$port" "$@"; }
probe() { timeout 30 "$PY" "$tools/h2_probe.py" 127.0.0.1 "$port" "$1"; }
field() { "$PY" -c "import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))" "$1"; }

# The members, compared with the JSON document of GET /gossip.
r=$(call) || t_fail "grpc client: $r"
assert_eq OK "$(field 'd["code"]' <<<"$r")" "Gossip/Read status"
assert_eq 1 "$(field 'len(d["members"])' <<<"$r")" "one member"
doc=$(curl -s --max-time 5 "$url/gossip")
id=$(field 'd["members"][0]["instanceId"]' <<<"$doc")
assert_eq "$id" "$(field 'd["members"][0]["id"]' <<<"$r")" "instance id (structured UUID)"
assert_eq "Unknown" "$(field 'd["members"][0]["state"]' <<<"$r")" "state"
assert_eq "True" "$(field 'd["members"][0]["alive"]' <<<"$r")" "alive"
assert_eq "127.0.0.1:$port" "$(field 'd["members"][0]["address"]+":"+str(d["members"][0]["port"])' <<<"$r")" "http_end_point"
# time_stamp: 100-ns ticks since the Unix epoch, within a minute of now
ticks=$(field 'd["members"][0]["ticks"]' <<<"$r")
now=$(date +%s)
[ $((ticks / 10000000 - now)) -le 60 ] && [ $((now - ticks / 10000000)) -le 60 ] ||
	t_fail "time_stamp $ticks is not ticks since the Unix epoch (now $now)"

# Another method of the same service, another service: UNIMPLEMENTED.
for m in /event_store.client.gossip.Gossip/Write /event_store.client.streams.Streams/Read; do
	r=$(call --method "$m")
	assert_eq UNIMPLEMENTED "$(field 'd["code"]' <<<"$r")" "$m"
done

# Trailers, by hand: HEADERS, DATA, then grpc-status in the trailers.
r=$(probe settings)
assert_contains "$r" '"MAX_CONCURRENT_STREAMS": 32' "SETTINGS_MAX_CONCURRENT_STREAMS"
assert_contains "$r" '"MAX_HEADER_LIST_SIZE": 8192' "SETTINGS_MAX_HEADER_LIST_SIZE"
r=$(probe bad-timeout)
assert_contains "$r" '"grpc-status": "13"' "malformed grpc-timeout: INTERNAL"
r=$(probe deadline)
assert_contains "$r" '"grpc-status": "4"' "grpc-timeout honoured: DEADLINE_EXCEEDED"
ms=$(field 'd["ms"]' <<<"$r")
[ "$ms" -lt 2500 ] || t_fail "the 200 ms grpc-timeout was answered after $ms ms (request timeout 3000)"
r=$(probe not-grpc)
assert_contains "$r" '":status": "415"' "POST application/json on h2"
code=$(curl -s -o "$T_DIR/b" -w '%{http_version} %{http_code}' --max-time 5 --http2-prior-knowledge "$url/gossip")
assert_eq "2 505" "$code" "GET /gossip over h2"
assert_contains "$(cat "$T_DIR/b")" '"error":' "JSON error body"

# Bounds.
r=$(probe streams)
assert_eq 32 "$(field 'd["refused"]' <<<"$r")" "streams past 32 refused"
r=$(probe headers)
assert_contains "$r" '"grpc-status": "8"' "header list over the bound: RESOURCE_EXHAUSTED"
r=$(probe window0)
assert_contains "$r" '"reset": "CANCEL"' "an answer never taken (window 0): the stream is reset"
assert_contains "$r" '"data": 0' "no DATA through a closed window"
wait_log n1 'HTTP/2 stream from 127.0.0.1:[0-9]+ ended: answer not taken in time'
r=$(probe body)
assert_contains "$r" '"grpc-status": "8"' "request body over the bound: RESOURCE_EXHAUSTED"

# Malformed frames: GOAWAY with the code, one log line each.
r=$(probe data-on-0)
assert_contains "$r" '"goaway": "PROTOCOL_ERROR"' "DATA on stream 0"
wait_log n1 'HTTP/2 connection from 127.0.0.1:[0-9]+ ended: GOAWAY PROTOCOL_ERROR'
r=$(probe garbage)
assert_contains "$r" '"goaway": "FRAME_SIZE_ERROR"' "garbage after the preface"
wait_log n1 'ended: GOAWAY FRAME_SIZE_ERROR'
r=$(probe resets)
assert_contains "$r" '"closed": true' "1000 streams opened and reset: the connection ends"
assert_not_contains "$r" '"goaway": null' "with a GOAWAY"

# HTTP/1.1 on the same port, and gRPC again: all still served.
assert_eq 200 "$(http_code "$url/gossip")" "GET /gossip over HTTP/1.1"
assert_eq OK "$(call | field 'd["code"]')" "Gossip/Read after the abuse"
m=$(curl -s --max-time 5 "$url/metrics")
assert_contains "$m" 'gossipd_grpc_requests_total{status="UNIMPLEMENTED"} 2' "UNIMPLEMENTED counted"
n=$(sed -n 's|^gossipd_grpc_requests_total{status="OK"} ||p' <<<"$m")
[ "${n:-0}" -ge 2 ] || t_fail "OK calls counted: '$n'"
n=$(sed -n 's|^gossipd_http_requests_total{protocol="h2",code="2xx"} ||p' <<<"$m")
[ "${n:-0}" -ge 6 ] || t_fail "h2 2xx answers counted: '$n'"
n=$(sed -n 's|^gossipd_http_requests_total{protocol="h2",code="5xx"} ||p' <<<"$m")
assert_eq 1 "$n" "h2 505 counted"
t_pass
