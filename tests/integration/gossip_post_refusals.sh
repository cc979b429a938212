#!/usr/bin/env bash
# POST /gossip refuses what is not a valid document, and changes nothing:
# garbage, a member without a field, a position that is not an exact
# integer, an unknown state (400 with a reason that does not echo the
# input), 10 MB (413), a non-JSON content type (415). A valid document
# is merged and answered with the merged document.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

port=$(free_port)
start_node n1 --insecure --node-port "$port" --cluster-size 1
url="http://127.0.0.1:$port"
wait_serving n1 "$url"
ids() { curl -sf --max-time 2 "$url/gossip" | jq -c '[.members[] | .httpEndPointIp + ":" + (.httpEndPointPort | tostring) + " " + .state]'; }
before=$(ids)

member() { # PORT STATE WRITER
	cat <<JSON
{"instanceId":"5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e11","timeStamp":"$(date -u +%Y-%m-%dT%H:%M:%S.0000000Z)","state":"$2","isAlive":true,"internalTcpIp":"127.0.0.9","internalTcpPort":0,"internalSecureTcpPort":1112,"externalTcpIp":"127.0.0.9","externalTcpPort":0,"externalSecureTcpPort":0,"internalHttpEndPointIp":"127.0.0.9","internalHttpEndPointPort":$1,"httpEndPointIp":"127.0.0.9","httpEndPointPort":$1,"lastCommitPosition":-1,"writerCheckpoint":$3,"chaserCheckpoint":-1,"epochPosition":-1,"epochNumber":-1,"epochId":"00000000-0000-0000-0000-000000000000","nodePriority":0,"isReadOnlyReplica":false,"esVersion":"test"}
JSON
}
post() { # BODY [CONTENT-TYPE] -> "code body"
	curl -s -o "$T_DIR/out" -w '%{http_code}' --max-time 10 -X POST \
		-H "Content-Type: ${2:-application/json}" --data-binary "$1" "$url/gossip"
}
expect() { # CODE REASON-PART WHAT BODY [CONTENT-TYPE]
	local code
	code=$(post "$4" "${5:-}")
	assert_eq "$1" "$code" "status for $3"
	[ -z "$2" ] || assert_contains "$(cat "$T_DIR/out")" "$2" "reason for $3"
	assert_eq "$before" "$(ids)" "table after $3"
}

expect 400 "not valid JSON" garbage "EVILGARBAGE{{{"
assert_not_contains "$(cat "$T_DIR/out")" EVILGARBAGE "reason echoes input"
m=$(member 4000 Follower 10)
expect 400 'field \"esVersion\" is missing' "missing field" \
	"{\"members\":[${m/,\"esVersion\":\"test\"/}],\"serverIp\":\"127.0.0.9\",\"serverPort\":4000}"
expect 400 "not an exact integer" "fractional position" \
	"{\"members\":[$(member 4000 Follower 1.5)],\"serverIp\":\"127.0.0.9\",\"serverPort\":4000}"
expect 400 "not a known state" "unknown state" \
	"{\"members\":[$(member 4000 EVILSTATE 1)],\"serverIp\":\"127.0.0.9\",\"serverPort\":4000}"
assert_not_contains "$(cat "$T_DIR/out")" EVILSTATE "reason echoes input"
expect 415 "" "text content type" \
	"{\"members\":[$m],\"serverIp\":\"127.0.0.9\",\"serverPort\":4000}" text/plain
head -c 10485760 /dev/zero | tr '\0' ' ' >"$T_DIR/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
	-H 'Content-Type: application/json' --data-binary @"$T_DIR/big" "$url/gossip")
assert_eq 413 "$code" "10 MB body"
assert_eq "$before" "$(ids)" "table after 10 MB"

# A valid document with the old state name is merged and answered.
code=$(post "{\"members\":[$(member 4000 Slave 10)],\"serverIp\":\"127.0.0.9\",\"serverPort\":4000}")
assert_eq 200 "$code" "valid document"
assert_eq "Follower" "$(jq -r '.members[] | select(.httpEndPointPort == 4000) | .state' "$T_DIR/out")" "merged answer"
assert_contains "$(ids)" "127.0.0.9:4000 Follower" "table after a valid document"
wait_log n1 "member 127.0.0.9:4000 joined \(Follower, alive\)"
t_pass
