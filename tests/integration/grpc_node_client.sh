#!/usr/bin/env bash
# @grpc/grpc-js (npm; installed at test time into the build tree) runs a
# client's discovery against a secured three-node cluster over TLS with
# ALPN h2, with GossipRequiresClientCert: with a client certificate it
# reads the members, picks the leader and a follower by state and is sent
# to the endpoint each member advertises to clients; without one it gets
# UNAUTHENTICATED; another method is UNIMPLEMENTED. Then the same client
# in insecure mode (h2c with prior knowledge).
source "$GOSSIPD_SRC/tests/lib.sh"
command -v node >/dev/null && command -v npm >/dev/null ||
	t_skip "node and npm are not installed (packaging/install-deps.sh)"
t_init
nm="${GOSSIPD_TOOLS:-$GOSSIPD_SRC/build/tests/tools}/../node"
if [ ! -d "$nm/node_modules/@grpc/grpc-js" ] || [ ! -d "$nm/node_modules/@grpc/proto-loader" ]; then
	mkdir -p "$nm"
	timeout 180 npm install --no-audit --no-fund --loglevel=error --prefix "$nm" \
		@grpc/grpc-js@1 @grpc/proto-loader@0.7 >"$T_DIR/npm.log" 2>&1 ||
		t_skip "npm could not install @grpc/grpc-js: $(tail -n 2 "$T_DIR/npm.log")"
fi
export NODE_PATH="$nm/node_modules"
js() { node "$GOSSIPD_SRC/tests/tools/grpc_gossip.js" "$GOSSIPD_SRC/proto" "$@"; }
field() { node -e 'const d=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(eval(process.argv[1]))' "$1"; }

pki="$T_DIR/pki"
mkdir -p "$pki"
make_pki "$pki"
# shellcheck disable=SC2207
tls=($(tls_args "$pki"))
common=("${tls[@]}" --cluster-size 3 --gossip-interval-ms 200 --gossip-requires-client-cert)
for try in 1 2 3; do
	p1=$(free_port)
	p2=$(free_port)
	p3=$(free_port)
	rm -f "$T_DIR"/n?.log
	start_node n1 "${common[@]}" --node-port "$p1" --gossip-seed "127.0.0.1:$p2,127.0.0.1:$p3" \
		--advertise-host-to-client-as 127.0.2.1 --advertise-node-port-to-client-as 2113
	start_node n2 "${common[@]}" --node-port "$p2" --gossip-seed "127.0.0.1:$p1,127.0.0.1:$p3" \
		--advertise-host-to-client-as 127.0.2.2 --advertise-node-port-to-client-as 2113
	start_node n3 "${common[@]}" --node-port "$p3" --gossip-seed "127.0.0.1:$p1,127.0.0.1:$p2" \
		--advertise-host-to-client-as 127.0.2.3 --advertise-node-port-to-client-as 2113
	ok=1
	for n in n1 n2 n3; do bound "$n" || ok=""; done
	[ -n "$ok" ] && break
	[ "$try" -lt 3 ] || t_fail "no free ports after 3 tries"
	kill -KILL "$PID_n1" "$PID_n2" "$PID_n3" 2>/dev/null
	for n in n1 n2 n3; do v="PID_$n"; wait_exit "${!v}" 5 >/dev/null; done
done
for n in n1 n2 n3; do
	"$GOSSIPD_BIN" member set --admin-socket "$T_DIR/$n.sock" \
		--state "$([ $n = n2 ] && echo Leader || echo Follower)" >/dev/null ||
		t_fail "member set on $n"
done
id=(--ca "$pki/ca/ca.crt" --cert "$pki/client/client.crt" --key "$pki/client/client.key")
eps='d.members.map(m => m.state + "=" + m.address + ":" + m.port).sort().join(" ")'
want="Follower=127.0.2.1:2113 Follower=127.0.2.3:2113 Leader=127.0.2.2:2113"
converged() { [ "$(js "127.0.0.1:$p1" "${id[@]}" | field "$eps")" = "$want" ]; }
wait_for 20 converged || t_fail "members from n1: $(js "127.0.0.1:$p1" "${id[@]}")"

r=$(js "127.0.0.1:$p3" "${id[@]}" --pick leader)
assert_eq "127.0.2.2:2113" "$(field 'd.picked.address + ":" + d.picked.port' <<<"$r")" "leader from n3"
r=$(js "127.0.0.1:$p2" "${id[@]}" --pick follower)
assert_contains "127.0.2.1:2113 127.0.2.3:2113" "$(field 'd.picked.address + ":" + d.picked.port' <<<"$r")" "a follower from n2"
doc=$(curl -s --max-time 5 --cacert "$pki/ca/ca.crt" --cert "$pki/client/client.crt" \
	--key "$pki/client/client.key" "https://127.0.0.1:$p1/gossip")
id2=$(field 'd.members.find(m => m.internalHttpEndPointPort == '"$p2"').instanceId' <<<"$doc")
r=$(js "127.0.0.1:$p1" "${id[@]}")
assert_eq "$id2" "$(field 'd.members.find(m => m.address == "127.0.2.2").id' <<<"$r")" "instance id as GET /gossip has it"
r=$(js "127.0.0.1:$p1" --ca "$pki/ca/ca.crt")
assert_eq UNAUTHENTICATED "$(field 'd.code' <<<"$r")" "no client certificate"
r=$(js "127.0.0.1:$p1" "${id[@]}" --method Write)
assert_eq UNIMPLEMENTED "$(field 'd.code' <<<"$r")" "another method"

# Insecure: h2c with prior knowledge.
serve_on_free_port n4 http --insecure
r=$(js "127.0.0.1:$port" --pick leader)
assert_eq OK "$(field 'd.code' <<<"$r")" "insecure Gossip/Read"
assert_eq "127.0.0.1:$port" "$(field 'd.members[0].address + ":" + d.members[0].port' <<<"$r")" "insecure member endpoint"
t_pass
