#!/usr/bin/env bash
# Three members on three loopback addresses, each seeded with the other
# two, converge: every node's GET /gossip lists all three alive, with the
# advertised endpoints, ordered by endpoint, no placeholder left, the
# document complete (every field of every member), within a bounded time
# at a short gossip interval. A PUT /admin/member state change then shows
# on every node, and GET /admin/member answers the self entry.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

# view URL: "endpoint state alive" per member, in document order.
view() {
	curl -sf --max-time 2 "$1/gossip" |
		jq -r '.members[] | "\(.httpEndPointIp):\(.httpEndPointPort) \(.state) \(.isAlive)"'
}
# converged URL EXPECTED
converged() { [ "$(view "$1")" = "$2" ]; }

p1=$(free_port) p2=$(free_port) p3=$(free_port)
ips=(127.0.0.1 127.0.0.2 127.0.0.3)
ports=("$p1" "$p2" "$p3")
for i in 0 1 2; do
	seeds=""
	for j in 0 1 2; do
		[ "$i" = "$j" ] && continue
		seeds="$seeds${seeds:+,}${ips[j]}:${ports[j]}"
	done
	start_node "n$i" --insecure --node-ip "${ips[i]}" --node-port "${ports[i]}" \
		--cluster-size 3 --gossip-seed "$seeds" \
		--gossip-interval-ms 200 --gossip-timeout-ms 2000
done
for i in 0 1 2; do
	wait_serving "n$i" "http://${ips[i]}:${ports[i]}"
done

want="127.0.0.1:$p1 Unknown true
127.0.0.2:$p2 Unknown true
127.0.0.3:$p3 Unknown true"
for i in 0 1 2; do
	wait_for 20 converged "http://${ips[i]}:${ports[i]}" "$want" ||
		t_fail "n$i did not converge: $(view "http://${ips[i]}:${ports[i]}")"
done

# The document: serverIp/serverPort, every field, no Manager placeholder.
doc=$(curl -sf --max-time 2 "http://127.0.0.2:$p2/gossip")
assert_eq "127.0.0.2 $p2" "$(jq -r '"\(.serverIp) \(.serverPort)"' <<<"$doc")" "serverIp/serverPort"
assert_eq 0 "$(jq '[.members[] | select(.state == "Manager")] | length' <<<"$doc")" "placeholders left"
fields='["instanceId","timeStamp","state","isAlive","internalTcpIp","internalTcpPort","internalSecureTcpPort","externalTcpIp","externalTcpPort","externalSecureTcpPort","internalHttpEndPointIp","internalHttpEndPointPort","httpEndPointIp","httpEndPointPort","lastCommitPosition","writerCheckpoint","chaserCheckpoint","epochPosition","epochNumber","epochId","nodePriority","isReadOnlyReplica","esVersion"]'
assert_eq true "$(jq --argjson f "$fields" '[.members[] | keys_unsorted == $f] | all' <<<"$doc")" "every field in SPEC order"
# Insecure: replication port as internalTcpPort.
assert_eq "1112 0" "$(jq -r '.members[0] | "\(.internalTcpPort) \(.internalSecureTcpPort)"' <<<"$doc")" "insecure TCP ports"
ct=$(curl -s -o /dev/null -w '%{content_type}' --max-time 2 "http://127.0.0.1:$p1/gossip")
assert_eq "application/json; charset=utf-8" "$ct" "content type"

# A state reported through the admin socket reaches every node.
out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" -X PUT \
	-H 'Content-Type: application/json' \
	-d '{"state":"Leader","epochNumber":2,"writerCheckpoint":10}' \
	http://localhost/admin/member)
assert_eq "Leader 2 10 127.0.0.2" \
	"$(jq -r '"\(.state) \(.epochNumber) \(.writerCheckpoint) \(.httpEndPointIp)"' <<<"$out")" \
	"PUT /admin/member answer"
out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" http://localhost/admin/member)
assert_eq "Leader" "$(jq -r .state <<<"$out")" "GET /admin/member"
want="127.0.0.1:$p1 Unknown true
127.0.0.2:$p2 Leader true
127.0.0.3:$p3 Unknown true"
for i in 0 1 2; do
	wait_for 20 converged "http://${ips[i]}:${ports[i]}" "$want" ||
		t_fail "n$i does not show the leader: $(view "http://${ips[i]}:${ports[i]}")"
done
assert_eq leader "$(curl -sf --max-time 2 "http://127.0.0.2:$p2/info" | jq -r .state)" "/info state"
wait_log n0 "member 127.0.0.2:$p2: Unknown → Leader"

# A bad update changes nothing.
code=$(curl -s -o "$T_DIR/out" -w '%{http_code}' --max-time 5 --unix-socket "$T_DIR/n1.sock" \
	-X PUT -H 'Content-Type: application/json' -d '{"state":"Leader","colour":"red"}' \
	http://localhost/admin/member)
assert_eq 400 "$code" "unknown field in PUT /admin/member"
assert_contains "$(cat "$T_DIR/out")" "unknown field" "reason"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$T_DIR/n1.sock" \
	-X PUT -H 'Content-Type: application/json' -d '{"state":"Emperor"}' \
	http://localhost/admin/member)
assert_eq 400 "$code" "unknown state in PUT /admin/member"
assert_eq Leader "$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" http://localhost/admin/member | jq -r .state)" "state after refused updates"
t_pass
