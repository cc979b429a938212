#!/usr/bin/env bash
# gossipd status shows per-peer health and gives a verdict with its exit
# status: 3 (printed, unhealthy) with no leader, with two leaders, with a
# member dead or fewer live members than ClusterSize (--cluster-size, or
# the local configuration's); 0 when healthy. --watch prints again.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

p=("$(free_port)" "$(free_port)" "$(free_port)")
seeds="127.0.0.1:${p[0]},127.0.0.2:${p[1]},127.0.0.3:${p[2]}"
for i in 0 1 2; do
	start_node "n$i" --insecure --node-ip "127.0.0.$((i + 1))" --node-port "${p[i]}" \
		--cluster-size 3 --gossip-seed "$seeds" \
		--gossip-interval-ms 200 --gossip-timeout-ms 1000
done
for i in 0 1 2; do
	wait_serving "n$i" "http://127.0.0.$((i + 1)):${p[i]}"
done
st() { "$GOSSIPD_BIN" status --insecure --seed "127.0.0.1:${p[0]}" "$@"; }
# status_is RC PATTERN ARGS...: status exits RC and prints PATTERN
status_is() {
	local want=$1 pat=$2 out rc
	shift 2
	out=$(st "$@" 2>&1) && rc=0 || rc=$?
	[ "$rc" = "$want" ] && grep -qE -- "$pat" <<<"$out"
}
set_state() { # NODE STATE
	curl -sf --max-time 5 --unix-socket "$T_DIR/$1.sock" -X PUT \
		-H 'Content-Type: application/json' -d "{\"state\":\"$2\"}" \
		http://localhost/admin/member >/dev/null || t_fail "set $1 $2"
}

# Converged, but nobody is Leader.
wait_for 20 status_is 3 "^UNHEALTHY: no leader$" --cluster-size 3 ||
	t_fail "no leader: $(st --cluster-size 3 2>&1)"

# One leader: healthy, and every peer row tells its exchanges.
set_state n1 Leader
for i in 0 2; do set_state "n$i" Follower; done
wait_for 20 status_is 0 "^healthy: 3 live members, one leader$" --cluster-size 3 ||
	t_fail "healthy: $(st --cluster-size 3 2>&1)"
out=$(st --cluster-size 3)
t_log "status:"$'\n'"$out"
assert_contains "$out" "EXCHANGES" "the health column"
assert_contains "$(grep "127.0.0.1:${p[0]} " <<<"$out")" "(self)" "self row"
wait_for 10 sh -c "'$GOSSIPD_BIN' status --insecure --seed 127.0.0.1:${p[0]} | grep '127.0.0.2:${p[1]} ' | grep -qE 'ok [0-9]+s ago, [0-9.]+ ms'" ||
	t_fail "n1's row shows no successful exchange: $(st)"
# --json: the document, the same verdict by exit status.
out=$(st --json --cluster-size 3) || t_fail "status --json while healthy: $?"
assert_eq 3 "$(jq '.members | length' <<<"$out")" "status --json: the document"
# A ClusterSize larger than the cluster.
status_is 3 "^UNHEALTHY: 3 live members, fewer than ClusterSize 4$" --cluster-size 4 ||
	t_fail "ClusterSize 4: $(st --cluster-size 4 2>&1)"

# Two leaders.
set_state n2 Leader
wait_for 20 status_is 3 "^UNHEALTHY: 2 leaders$" --cluster-size 3 ||
	t_fail "two leaders: $(st --cluster-size 3 2>&1)"
set_state n2 Follower

# --watch prints again and again until stopped.
timeout 3 "$GOSSIPD_BIN" status --insecure --seed "127.0.0.1:${p[0]}" --watch --interval-ms 200 \
	>"$T_DIR/watch.out" 2>&1 && rc=0 || rc=$?
assert_eq 124 "$rc" "--watch runs until stopped"
n=$(grep -c "answered by 127.0.0.1:${p[0]}" "$T_DIR/watch.out")
[ "$n" -ge 2 ] || t_fail "--watch printed $n tables: $(cat "$T_DIR/watch.out")"

# A member dies: unhealthy, its row FAILING with the reason.
assert_eq 0 "$(stop_node n2 5)" "n2 stops"
wait_for 20 status_is 3 "member 127.0.0.3:${p[2]} is dead; 2 live members, fewer than ClusterSize 3" --cluster-size 3 ||
	t_fail "dead member: $(st --cluster-size 3 2>&1)"
# (it left with SIGTERM, so it is dead at once; the failed exchanges
# with it show from the next rounds on)
failing_row() { st --cluster-size 3 2>&1 | grep "127.0.0.3:${p[2]} " | grep -q "FAILING x[0-9]* (connect)"; }
wait_for 20 failing_row || t_fail "the dead member's row: $(st --cluster-size 3 2>&1)"

# ClusterSize from the local node's configuration.
cat >"$T_DIR/n0.conf" <<CONF
Insecure: true
NodeIp: 127.0.0.1
NodePort: ${p[0]}
ClusterSize: 3
CONF
out=$("$GOSSIPD_BIN" status --config "$T_DIR/n0.conf" 2>&1) && rc=0 || rc=$?
assert_eq 3 "$rc" "status --config: exit status"
assert_contains "$out" "fewer than ClusterSize 3" "ClusterSize from the configuration"
t_pass
