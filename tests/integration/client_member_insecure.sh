#!/usr/bin/env bash
# member set/show over the admin socket of a plain-HTTP (--insecure)
# node, and what discover and status make of it: an Unknown member is not
# eligible, a Leader is; the preference falls back as KurrentDB clients
# do unless --strict, except that --prefer follower never gives the
# leader; the fields set are the ones gossiped.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
sock="$T_DIR/n1.sock"
serve_on_free_port n1 http --insecure
gd() { "$GOSSIPD_BIN" "$@"; }
seed="127.0.0.1:$port"

# A fresh node is Unknown: nothing eligible, and the reason says so.
out=$(gd discover --insecure --seed "$seed" --attempts 2 --delay-ms 50 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "Unknown member: exit status"
assert_contains "$out" "seed $seed: answered, but no eligible member: $seed is Unknown" "Unknown member: reason"

# member set: only the given fields change, all of them checked first
out=$(gd member set --state Leader --writer-checkpoint 4267 --chaser-checkpoint 4200 \
	--epoch-number 6 --epoch-id 37341E58-67A6-4B76-A5F9-4CBA7B329D93 \
	--node-priority 3 --admin-socket "$sock") || t_fail "member set: exit $?"
assert_contains "$out" "Leader" "member set prints the new entry"
json=$(gd member show --json --admin-socket "$sock")
for want in '"state":"Leader"' '"writerCheckpoint":4267' '"chaserCheckpoint":4200' \
	'"epochNumber":6' '"epochId":"37341e58-67a6-4b76-a5f9-4cba7b329d93"' \
	'"nodePriority":3' '"lastCommitPosition":-1'; do
	assert_contains "$json" "$want" "member show --json"
done
# ... and through the environment variable, as the old name of the state
GOSSIPD_ADMIN_SOCKET="$sock" gd member set --state Master --last-commit-position 4151 >/dev/null ||
	t_fail "member set via GOSSIPD_ADMIN_SOCKET"
json=$(gd member show --json --admin-socket "$sock")
assert_contains "$json" '"state":"Leader"' "Master is sent as Leader"
assert_contains "$json" '"lastCommitPosition":4151' "last commit position"
assert_contains "$json" '"writerCheckpoint":4267' "unchanged fields stay"

# discover and status see it
assert_eq "$seed" "$(gd discover --insecure --seed "$seed")" "discover: the leader"
assert_eq "$seed" "$(gd discover "esdb://$seed?tls=false")" "connection string with tls=false"
json=$(gd discover --insecure --seed "$seed" --json)
assert_contains "$json" '"nodePriority":3' "discover --json"
table=$(gd status --insecure --seed "$seed")
assert_contains "$table" "* $seed" "status: the answering node marked"
assert_contains "$table" "4267" "status: writer checkpoint"

# a preference is not a demand, unless --strict; but a request for a
# follower never gets the leader
assert_eq "$seed" "$(gd discover --insecure --seed "$seed" --prefer readonlyreplica)" "read-only preference falls back to the leader"
out=$(gd discover --insecure --seed "$seed" --prefer readonlyreplica --strict --attempts 1 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "--strict: exit status"
assert_contains "$out" "$seed is Leader, not ReadOnlyReplica" "--strict: reason"
out=$(gd discover --insecure --seed "$seed" --prefer follower --attempts 2 --delay-ms 10 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "--prefer follower with only a leader: exit status"
assert_contains "$out" "$seed is Leader, not Follower" "--prefer follower with only a leader: reason"

# states a client must not use
for st in Manager ShuttingDown PreLeader CatchingUp; do
	gd member set --state "$st" --admin-socket "$sock" >/dev/null || t_fail "set $st"
	out=$(gd discover --insecure --seed "$seed" --attempts 1 2>&1) && rc=0 || rc=$?
	assert_eq 1 "$rc" "$st: exit status"
	assert_contains "$out" "$seed is $st" "$st: reason"
done
gd member set --state ReadOnlyReplica --read-only-replica true --admin-socket "$sock" >/dev/null ||
	t_fail "set ReadOnlyReplica"
assert_eq "$seed" "$(gd discover --insecure --seed "$seed" --prefer readonlyreplica --strict)" "read-only replica"
assert_contains "$(gd member show --json --admin-socket "$sock")" '"isReadOnlyReplica":true' "read-only flag"

# the TLS client against a plain-HTTP node: fails, and says what to do
out=$(gd discover --seed "$seed" --attempts 1 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "TLS against plain HTTP: exit status"
assert_contains "$out" "seed $seed: " "TLS against plain HTTP: the seed named"

# a daemon that does not answer: the client gives up at its deadline
kill -STOP "$PID_n1"
out=$(gd member show --admin-socket "$sock" --timeout-ms 300 2>&1) && rc=0 || rc=$?
kill -CONT "$PID_n1"
assert_eq 1 "$rc" "hung daemon: exit status"
assert_contains "$out" "GET /admin/member to $sock: timed out after 300 ms" "hung daemon: message"

# a daemon that is gone: the socket file may stay, nobody listens
kill -KILL "$PID_n1"
wait_exit "$PID_n1" 5 >/dev/null
out=$(gd member show --admin-socket "$sock" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "dead daemon: exit status"
assert_contains "$out" "no gossipd is listening on $sock" "dead daemon: message"
t_pass
