#!/usr/bin/env bash
# Bad peers cost nothing: a node whose seeds include a peer that accepts and
# never answers, one that answers garbage, one with a huge body, one that
# closes mid-response, one that closes at once, and a real node with a
# certificate from another CA. The node keeps gossiping with its good peer
# on time, never takes a bad peer for alive, and counts every failure.
. "$GOSSIPD_SRC/tests/lib.sh"
TOOLS=${GOSSIPD_TOOLS:-$(dirname "$GOSSIPD_BIN")/tests/tools}
[ -x "$TOOLS/fakepeer" ] || t_fail "fakepeer not built in $TOOLS"
t_init
make_pki "$T_DIR"
mkdir -p "$T_DIR/other"
make_pki "$T_DIR/other"
cert=(--certificate-file "$T_DIR/node/node.crt"
	--certificate-private-key-file "$T_DIR/node/node.key"
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt")
ca=(--cacert "$T_DIR/ca/ca.crt")

# Each fake peer binds a port the kernel chooses and says which.
declare -A fport
for mode in silent garbage huge midclose close; do
	"$TOOLS/fakepeer" --port 0 --mode "$mode" \
		--cert "$T_DIR/node/node.crt" --key "$T_DIR/node/node.key" \
		>"$T_DIR/fake-$mode.log" 2>&1 &
	T_PIDS+=($!)
done
for mode in silent garbage huge midclose close; do
	wait_log "fake-$mode" '^listening on 127\.0\.0\.1:[0-9]+$' 5
	fport[$mode]=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T_DIR/fake-$mode.log")
	T_PORTS="$T_PORTS${fport[$mode]} "
done

pa=$(free_port) pb=$(free_port) pc=$(free_port)
seeds="127.0.0.1:$pb,127.0.0.1:$pc"
for mode in silent garbage huge midclose close; do seeds="$seeds,127.0.0.1:${fport[$mode]}"; done
# A timeout that a loaded machine (or the ASan build) does not hit before a
# bad peer shows its real fault: the huge body must be refused as such.
gossip=(--cluster-size 3 --gossip-interval-ms 100 --gossip-timeout-ms 2000)
start_node a --node-ip 127.0.0.1 --node-port "$pa" "${cert[@]}" "${gossip[@]}" --gossip-seed "$seeds"
start_node b --node-ip 127.0.0.1 --node-port "$pb" "${cert[@]}" "${gossip[@]}" --gossip-seed "127.0.0.1:$pa"
start_node c --node-ip 127.0.0.1 --node-port "$pc" "${gossip[@]}" --gossip-seed "127.0.0.1:$pa" \
	--certificate-file "$T_DIR/other/node/node.crt" \
	--certificate-private-key-file "$T_DIR/other/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/other/ca/ca.crt"

view() { curl -sf --max-time 3 "${ca[@]}" "https://127.0.0.1:$pa/gossip"; }
alive() { # PORT: is that member alive in a's view?
	view | jq -e --argjson p "$1" '.members[] | select(.httpEndPointPort == $p and .isAlive and .state != "Manager")' >/dev/null
}
wait_for 20 alive "$pb" || t_fail "a never saw b alive"

# Every bad peer has been tried and failed: one line each, naming it and
# giving the reason (the start-up option listing names them all too, so
# the match is on the failure line itself).
declare -A why=([silent]='timed out' [garbage]='HTTP parse error' [huge]='body over'
	[midclose]='closed' [close]='clos|reset|EOF')
for mode in silent garbage huge midclose close; do
	wait_log a "seed 127\.0\.0\.1:${fport[$mode]} does not answer: .*(${why[$mode]})" 30
	[ "$(log_count a "seed 127\.0\.0\.1:${fport[$mode]} does not answer")" = 1 ] ||
		t_fail "the $mode peer was reported more than once"
done
wait_log a "seed 127\.0\.0\.1:$pc does not answer: .*not signed by a trusted CA" 30

# a keeps exchanging with b on time: b's entry keeps getting newer.
ts1=$(view | jq -r --argjson p "$pb" '.members[] | select(.httpEndPointPort == $p) | .timeStamp')
b_stamp() { view | jq -r --argjson p "$pb" '.members[] | select(.httpEndPointPort == $p) | .timeStamp'; }
b_newer() { local s; s=$(b_stamp) && [ -n "$s" ] && [ "$s" != "$ts1" ]; }
wait_for 5 b_newer ||
	t_fail "b's entry stopped advancing in a's view while bad peers hung"
alive "$pb" || t_fail "b not alive in a's view"

# None of the bad peers, nor the node from another CA, ever became a
# member in a's view: each stays what SPEC.md section 3 makes of a seed
# that never answered, a Manager placeholder with the zero GUID (which the
# spec lists as isAlive); nothing with a real instanceId or another state.
zero=00000000-0000-0000-0000-000000000000
for p in "${fport[@]}" "$pc"; do
	n=$(view | jq --argjson p "$p" --arg z "$zero" \
		'[.members[] | select(.httpEndPointPort == $p and (.state != "Manager" or .instanceId != $z))] | length')
	assert_eq 0 "$n" "entries other than a seed placeholder for the bad peer on port $p"
done
# The node from another CA refused a's certificate, and a refused c's.
grep -qE 'denied|refus|untrusted|not signed|verif' "$T_DIR/c.log" || t_fail "c did not log refusing a"

# Failures are counted by reason.
curl -sf "${ca[@]}" "https://127.0.0.1:$pa/metrics" >"$T_DIR/metrics.txt"
grep -qE '^gossipd_gossip_exchange_failures_total\{reason="[a-z_]+"\} [1-9]' "$T_DIR/metrics.txt" ||
	t_fail "no exchange failures counted in /metrics"
kill -0 "$PID_a" || t_fail "a died"
t_pass
