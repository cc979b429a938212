#!/usr/bin/env bash
# Clients are sent to the database: a 3-node cluster where n1 advertises
# a client endpoint by its options (flag and KURRENTDB_ environment
# spellings) and n2 by `gossipd member set`, n3 not at all. Asked on n3,
# the gRPC answer (python3-grpcio) and GET /gossip carry each member's
# advertised endpoint (KurrentDB's client-facing gossip: httpEndPoint,
# externalTcpIp/Port advertised, internalHttpEndPoint its own), node-to-
# node gossip carries the advertise fields with the member's own
# endpoint, and a discovering client picks the leader and a follower by
# state and is sent to their advertised endpoints. Loopback addresses
# only (127.0.1.x are advertised, never dialled).
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
PY=$(python_with grpc google.protobuf) || exit 77
tools="$GOSSIPD_SRC/tests/tools"
common=(--insecure --cluster-size 3 --gossip-interval-ms 200)
for try in 1 2 3; do
	p1=$(free_port)
	p2=$(free_port)
	p3=$(free_port)
	rm -f "$T_DIR"/n?.log
	KURRENTDB_ADVERTISE_TCP_PORT_TO_CLIENT_AS=1113 start_node n1 "${common[@]}" \
		--node-port "$p1" --gossip-seed "127.0.0.1:$p2,127.0.0.1:$p3" \
		--advertise-host-to-client-as 127.0.1.1 --advertise-node-port-to-client-as 2113
	start_node n2 "${common[@]}" --node-port "$p2" --gossip-seed "127.0.0.1:$p1,127.0.0.1:$p3"
	start_node n3 "${common[@]}" --node-port "$p3" --gossip-seed "127.0.0.1:$p1,127.0.0.1:$p2"
	ok=1
	for n in n1 n2 n3; do bound "$n" || ok=""; done
	[ -n "$ok" ] && break
	[ "$try" -lt 3 ] || t_fail "no free ports after 3 tries"
	kill -KILL "$PID_n1" "$PID_n2" "$PID_n3" 2>/dev/null
	for n in n1 n2 n3; do v="PID_$n"; wait_exit "${!v}" 5 >/dev/null; done
done
grep -q 'option AdvertiseTcpPortToClientAs: 1113' "$T_DIR/n1.log" ||
	t_fail "the KURRENTDB_ spelling of AdvertiseTcpPortToClientAs was not taken"
gd() { "$GOSSIPD_BIN" "$@"; }
gd member set --admin-socket "$T_DIR/n2.sock" --state Leader \
	--advertise-host-to-client-as 127.0.1.2 --advertise-node-port-to-client-as 3113 \
	>/dev/null || t_fail "member set on n2"
gd member set --admin-socket "$T_DIR/n1.sock" --state Follower >/dev/null || t_fail "member set on n1"
gd member set --admin-socket "$T_DIR/n3.sock" --state Follower >/dev/null || t_fail "member set on n3"
out=$(gd member set --admin-socket "$T_DIR/n3.sock" --advertise-host-to-client-as 'a b' 2>&1)
[ $? -eq 2 ] || t_fail "a host with a space was taken: $out"

call() { "$PY" "$tools/grpc_gossip.py" "127.0.0.1:$p3" "$@"; }
field() { "$PY" -c "import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))" "$1"; }
eps='" ".join(sorted("%s=%s:%d" % (m["state"], m["address"], m["port"]) for m in d["members"]))'
want="Follower=127.0.0.1:$p3 Follower=127.0.1.1:2113 Leader=127.0.1.2:3113"
converged() { [ "$(call | field "$eps")" = "$want" ]; }
wait_for 20 converged || t_fail "n3's gRPC answer: $(call | field "$eps"), wanted $want"

# A discovering client: the leader, then a follower, by state.
r=$(call --pick leader)
assert_eq "127.0.1.2:3113" "$(field 'd["picked"]["address"]+":"+str(d["picked"]["port"])' <<<"$r")" "leader picked"
r=$(call --pick follower)
assert_eq "Follower" "$(field 'd["picked"]["state"]' <<<"$r")" "follower picked"

# GET /gossip on n3: the client view, as KurrentDB's client-facing gossip.
doc=$(curl -s --max-time 5 "http://127.0.0.1:$p3/gossip")
n1=$(field '[m for m in d["members"] if m["internalHttpEndPointPort"] == '"$p1"'][0]' <<<"$doc")
assert_contains "$n1" "'httpEndPointIp': '127.0.1.1', 'httpEndPointPort': 2113" "n1 httpEndPoint advertised"
assert_contains "$n1" "'externalTcpIp': '127.0.1.1', 'externalTcpPort': 1113, 'externalSecureTcpPort': 1113" "n1 externalTcp advertised"
assert_contains "$n1" "'internalHttpEndPointIp': '127.0.0.1', 'internalHttpEndPointPort': $p1" "n1 own endpoint kept internal"
assert_not_contains "$doc" "advertiseHostToClientAs" "client view without the advertise fields"

# Node-to-node: n3's table has the fields and n1's own endpoint.
nodes=$(curl -s --max-time 5 -X POST -H 'Content-Type: application/json' \
	--data '{"members":[],"serverIp":"127.0.0.1","serverPort":'"$p3"'}' "http://127.0.0.1:$p3/gossip")
n1=$(field '[m for m in d["members"] if m["httpEndPointPort"] == '"$p1"'][0]' <<<"$nodes")
assert_contains "$n1" "'httpEndPointIp': '127.0.0.1'" "node view keeps n1's own endpoint"
assert_contains "$n1" "'advertiseHostToClientAs': '127.0.1.1', 'advertiseHttpPortToClientAs': 2113, 'advertiseTcpPortToClientAs': 1113" "node view carries the advertise fields"
t_pass
