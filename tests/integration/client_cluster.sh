#!/usr/bin/env bash
# discover, status and member set against a real 3-node secured cluster
# on loopback: the leader is found, --prefer follower spreads over the
# followers and never returns the leader, a new leader is found after the
# old one is killed (through a dead first seed), and a wrong CA fails
# with the certificate problem named.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
pki="$T_DIR/pki"
mkdir -p "$pki"
make_pki "$pki"
tls=(--certificate-file "$pki/node/node.crt"
	--certificate-private-key-file "$pki/node/node.key"
	--trusted-root-certificates-path "$pki/ca/ca.crt")


# Three nodes, each seeded with the other two. A port that another test
# takes between free_port and the bind means starting over on new ones.
for try in 1 2 3; do
	p1=$(free_port)
	p2=$(free_port)
	p3=$(free_port)
	rm -f "$T_DIR"/n?.log
	start_node n1 "${tls[@]}" --node-port "$p1" --cluster-size 3 \
		--gossip-seed "127.0.0.1:$p2,127.0.0.1:$p3" --gossip-interval-ms 200
	start_node n2 "${tls[@]}" --node-port "$p2" --cluster-size 3 \
		--gossip-seed "127.0.0.1:$p1,127.0.0.1:$p3" --gossip-interval-ms 200
	start_node n3 "${tls[@]}" --node-port "$p3" --cluster-size 3 \
		--gossip-seed "127.0.0.1:$p1,127.0.0.1:$p2" --gossip-interval-ms 200
	ok=1
	for n in n1 n2 n3; do
		bound "$n" || ok=""
	done
	[ -n "$ok" ] && break
	[ "$try" -lt 3 ] || t_fail "no free ports after 3 tries"
	kill -KILL "$PID_n1" "$PID_n2" "$PID_n3" 2>/dev/null
	for n in n1 n2 n3; do
		pid_var="PID_$n"
		wait_exit "${!pid_var}" 5 >/dev/null
	done
done
for n in 1 2 3; do
	port_var="p$n"
	wait_serving "n$n" "https://127.0.0.1:${!port_var}" 20 --cacert "$pki/ca/ca.crt"
done

ca=(--cacert "$pki/ca/ca.crt")
all="127.0.0.1:$p1,127.0.0.1:$p2,127.0.0.1:$p3"
gd() { "$GOSSIPD_BIN" "$@"; }
set_state() { # NODE STATE
	gd member set --state "$2" --admin-socket "$T_DIR/$1.sock" >/dev/null ||
		t_fail "member set --state $2 on $1"
}
# discovers_as WANT ARGS...: discover prints exactly WANT
discovers_as() {
	local want=$1
	shift
	[ "$(gd discover "${ca[@]}" "$@" 2>/dev/null)" = "$want" ]
}

set_state n1 Leader
set_state n2 Follower
set_state n3 Follower
shown=$(gd member show --admin-socket "$T_DIR/n1.sock")
assert_contains "$shown" "Leader" "member show"

# The cluster has formed when every node lists every other one alive.
wait_for 15 sh -c "'$GOSSIPD_BIN' status --cacert '$pki/ca/ca.crt' --seed 127.0.0.1:$p3 | grep -c ' yes ' | grep -qx 3" ||
	t_fail "the cluster did not form: $(gd status "${ca[@]}" --seed "127.0.0.1:$p3" 2>&1)"

# --prefer leader: the node set to Leader, whichever seeds are asked
for seeds in "$all" "127.0.0.1:$p2" "127.0.0.1:$p3,127.0.0.1:$p2"; do
	wait_for 10 discovers_as "127.0.0.1:$p1" --seed "$seeds" --prefer leader ||
		t_fail "leader via $seeds: $(gd discover "${ca[@]}" --seed "$seeds" 2>&1)"
done
trace=$(gd discover "${ca[@]}" --seed "127.0.0.1:$p2" -v 2>&1 >/dev/null)
assert_contains "$trace" "discover: asking seed 127.0.0.1:$p2" "-v: what was asked"
assert_contains "$trace" "discover: chose 127.0.0.1:$p1 (Leader)" "-v: what was chosen"
json=$(gd discover "${ca[@]}" --seed "$all" --json)
assert_contains "$json" '"state":"Leader"' "--json: the whole entry"
assert_contains "$json" "\"httpEndPointPort\":$p1" "--json: the leader's entry"
assert_contains "$json" '"instanceId":"' "--json: every field"

# the connection string an application would use works the same
got=$(gd discover "esdb://admin:changeit@127.0.0.1:$p2,127.0.0.1:$p3?tlsCAFile=$pki/ca/ca.crt&nodePreference=leader")
assert_eq "127.0.0.1:$p1" "$got" "connection string"
got=$(gd discover "kurrentdb://127.0.0.1:$p1?tlsCAFile=$pki/ca/ca.crt&nodePreference=follower")
[ "$got" != "127.0.0.1:$p1" ] || t_fail "connection string nodePreference=follower gave the leader"

# --prefer follower: never the leader, and both followers come up
seen2="" seen3=""
for _ in $(seq 1 16); do
	got=$(gd discover "${ca[@]}" --seed "$all" --prefer follower) ||
		t_fail "discover --prefer follower failed"
	case "$got" in
	"127.0.0.1:$p2") seen2=1 ;;
	"127.0.0.1:$p3") seen3=1 ;;
	*) t_fail "--prefer follower returned $got (leader is 127.0.0.1:$p1)" ;;
	esac
done
[ -n "$seen2" ] && [ -n "$seen3" ] || t_fail "--prefer follower always chose the same follower"
got=$(gd discover "${ca[@]}" --seed "$all" --prefer random)
case "$got" in "127.0.0.1:$p1" | "127.0.0.1:$p2" | "127.0.0.1:$p3") ;;
*) t_fail "--prefer random returned $got" ;;
esac

# status: one row per member, the answering one marked
table=$(gd status "${ca[@]}" --seed "127.0.0.1:$p2")
t_log "status:"$'\n'"$table"
assert_contains "$table" "* 127.0.0.1:$p2" "status marks the answering node"
[ "$(grep -c '127.0.0.1:' <<<"$table")" -ge 3 ] || t_fail "status: not every member listed"
assert_contains "$(grep "127.0.0.1:$p1 " <<<"$table")" "Leader" "status: the leader's row"
raw=$(gd status "${ca[@]}" --seed "127.0.0.1:$p2" --json)
assert_contains "$raw" '"members":[' "status --json: the document"

# A wrong CA: exit 1, the certificate problem named per seed
gd cert create-ca -out "$T_DIR/other" >/dev/null || t_fail "second CA"
out=$(gd discover --cacert "$T_DIR/other/ca.crt" --seed "127.0.0.1:$p1" --attempts 2 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "wrong CA: exit status"
assert_contains "$out" "seed 127.0.0.1:$p1: " "wrong CA: the seed named"
grep -qiE "certificate|verif" <<<"$out" || t_fail "wrong CA: no certificate problem named: $out"
# ... and --no-verify skips the verification, over TLS
got=$(gd discover --cacert "$T_DIR/other/ca.crt" --no-verify --seed "127.0.0.1:$p2")
assert_eq "127.0.0.1:$p1" "$got" "--no-verify"
# plain HTTP against TLS nodes fails, quickly
out=$(gd discover --insecure --seed "127.0.0.1:$p1" --attempts 1 --timeout-ms 2000 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "--insecure against TLS: exit status"

# The leader dies hard; another is set to Leader: discovery finds it,
# even with the dead node as one of the seeds.
kill -KILL "$PID_n1"
wait_exit "$PID_n1" 5 >/dev/null
set_state n2 Leader
wait_for 10 discovers_as "127.0.0.1:$p2" --seed "127.0.0.1:$p1,127.0.0.1:$p3" ||
	t_fail "new leader: $(gd discover "${ca[@]}" --seed "127.0.0.1:$p1,127.0.0.1:$p3" 2>&1)"
for _ in $(seq 1 6); do # the seeds are shuffled: the dead one often first
	got=$(gd discover "${ca[@]}" --seed "127.0.0.1:$p1,127.0.0.1:$p3") ||
		t_fail "discover with a dead first seed failed"
	assert_eq "127.0.0.1:$p2" "$got" "the new leader"
done
# --prefer follower: the remaining follower, never the new leader
for _ in $(seq 1 4); do
	got=$(gd discover "${ca[@]}" --seed "$all" --prefer follower)
	assert_eq "127.0.0.1:$p3" "$got" "--prefer follower after the change"
done
t_pass
