#!/usr/bin/env bash
# A sender whose own timeStamp is further from our clock than
# GossipAllowedDifferenceMs is reported: one error line naming the peer
# and both times (not one per exchange), and the clock-skew metric counts
# every occurrence. A sender within the allowance is not reported.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

port=$(free_port)
start_node n1 --insecure --node-port "$port" --cluster-size 1 \
	--gossip-allowed-difference-ms 5000
url="http://127.0.0.1:$port"
wait_serving n1 "$url"

doc() { # SENDER-PORT TIMESTAMP
	cat <<JSON
{"members":[{"instanceId":"5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e11","timeStamp":"$2","state":"Follower","isAlive":true,"internalTcpIp":"127.0.0.9","internalTcpPort":0,"internalSecureTcpPort":1112,"externalTcpIp":"127.0.0.9","externalTcpPort":0,"externalSecureTcpPort":0,"internalHttpEndPointIp":"127.0.0.9","internalHttpEndPointPort":$1,"httpEndPointIp":"127.0.0.9","httpEndPointPort":$1,"lastCommitPosition":-1,"writerCheckpoint":-1,"chaserCheckpoint":-1,"epochPosition":-1,"epochNumber":-1,"epochId":"00000000-0000-0000-0000-000000000000","nodePriority":0,"isReadOnlyReplica":false,"esVersion":"test"}],"serverIp":"127.0.0.9","serverPort":$1}
JSON
}
post() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
		-H 'Content-Type: application/json' --data-binary "$1" "$url/gossip"
}
skew_metric() {
	curl -sf --max-time 2 "$url/metrics" | awk '$1 == "gossipd_clock_skew_events_total" {print $2}'
}

close=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%S.0000000Z)
assert_eq 200 "$(post "$(doc 4001 "$close")")" "sender within the allowance"
assert_eq 0 "$(skew_metric)" "no skew counted"

ahead=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%S.1234567Z)
assert_eq 200 "$(post "$(doc 4000 "$ahead")")" "sender two hours ahead"
wait_log n1 "error +clock skew with member 127.0.0.9:4000: its time $ahead, ours .*Z \(more than 5000 ms apart\)"
assert_eq 200 "$(post "$(doc 4000 "$ahead")")" "again"
assert_eq 2 "$(skew_metric)" "skew metric"
assert_eq 1 "$(log_count n1 "clock skew with member 127.0.0.9:4000")" "skew lines"
assert_eq 0 "$(log_count n1 "clock skew with member 127.0.0.9:4001")" "no skew line for the close sender"
t_pass
