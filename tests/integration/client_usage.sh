#!/usr/bin/env bash
# The client commands refuse bad command lines with exit 2 and a message
# that names the flag, before contacting anything; a missing daemon is
# exit 1 with a message that says what to check.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

# expect_usage WHAT NEEDLE ARGS...: exit 2, NEEDLE on stderr, no stdout.
expect_usage() {
	local what=$1 needle=$2 out err rc
	shift 2
	out=$("$GOSSIPD_BIN" "$@" 2>"$T_DIR/err") && rc=0 || rc=$?
	err=$(cat "$T_DIR/err")
	assert_eq 2 "$rc" "$what: exit status"
	assert_eq "" "$out" "$what: stdout"
	assert_contains "$err" "$needle" "$what: message"
}

expect_usage "discover without seeds" "give --seed" discover
expect_usage "seed without port" '"127.0.0.1" has no port' \
	discover --seed 127.0.0.1
expect_usage "seeds separated by ;" "--seed" \
	discover --seed "127.0.0.1:1;127.0.0.1:2"
expect_usage "bad preference" '"master" is not one of' \
	discover --seed 127.0.0.1:1 --prefer master
expect_usage "seed and DNS" "not both" \
	discover --seed 127.0.0.1:1 --cluster-dns localhost
expect_usage "insecure with a CA" "--insecure is plain HTTP" \
	discover --seed 127.0.0.1:1 --insecure --cacert /nonexistent
expect_usage "cert without key" "--cert and --key go together" \
	discover --seed 127.0.0.1:1 --cert /nonexistent
expect_usage "attempts zero" "--attempts" \
	discover --seed 127.0.0.1:1 --attempts 0
expect_usage "timeout not a number" '"5s"' \
	discover --seed 127.0.0.1:1 --timeout-ms 5s
expect_usage "flag without value" "--delay-ms needs a value" \
	discover --seed 127.0.0.1:1 --delay-ms
expect_usage "port without DNS" "--port goes with --cluster-dns" \
	discover --seed 127.0.0.1:1 --port 2113
expect_usage "unknown flag" '"--bogus"' discover --seed 127.0.0.1:1 --bogus
expect_usage "status: unknown flag" '"--prefer"' status --prefer leader
expect_usage "verify flag value" "expected true or false" \
	status --tls-verify-cert=maybe
expect_usage "member: no subcommand" "usage: gossipd member" member
expect_usage "member: unknown subcommand" '"get"' member get
expect_usage "member set: nothing to set" "at least one field" member set
expect_usage "member set: unknown state" '"Boss" is not a state' \
	member set --state Boss --admin-socket "$T_DIR/none.sock"
expect_usage "member set: bad GUID" "is not a GUID" \
	member set --epoch-id 1234 --admin-socket "$T_DIR/none.sock"
expect_usage "member set: position over 2^53" "--writer-checkpoint" \
	member set --writer-checkpoint 9007199254740993
expect_usage "member set: bad boolean" "expected true or false" \
	member set --read-only-replica maybe
expect_usage "member set: a field twice" "state is given twice" \
	member set --state Leader --state Follower
expect_usage "member show: a set field" '"--state"' member show --state Leader

expect_usage "bad connection string" 'unknown setting "frobnicate"' \
	discover "esdb://admin:s3cret@127.0.0.1:1?frobnicate=1"
expect_usage "connection string and seeds" "no --seed" \
	discover "esdb://127.0.0.1:1" --seed 127.0.0.1:2
expect_usage "not a connection string" "expected esdb://" \
	status --connection-string "http://127.0.0.1:1"
err=$("$GOSSIPD_BIN" discover "esdb://admin:s3cret@127.0.0.1:1?tls=maybe" 2>&1)
assert_not_contains "$err" "s3cret" "a password is never echoed"

# other spellings of the flags: the daemon's --gossip-seed, --ca-file
out=$("$GOSSIPD_BIN" discover --gossip-seed 127.0.0.1:1 --ca-file "$T_DIR/nope.crt" 2>&1) && rc=0 || rc=$?
assert_eq 2 "$rc" "aliases: exit status"
assert_contains "$out" "nope.crt" "aliases: --ca-file is --cacert"

# --help is exit 0 on stdout
for sub in discover status "member"; do
	out=$("$GOSSIPD_BIN" $sub --help) || t_fail "$sub --help: exit $?"
	assert_contains "$out" "usage: gossipd $sub" "$sub --help"
done

# A CA file that cannot be read is a usage problem: exit 2, named.
out=$("$GOSSIPD_BIN" discover --seed 127.0.0.1:1 --cacert "$T_DIR/nope.crt" 2>&1) && rc=0 || rc=$?
assert_eq 2 "$rc" "unreadable CA: exit status"
assert_contains "$out" "nope.crt" "unreadable CA: message"

# No daemon at the admin socket: exit 1 and a message saying so.
out=$("$GOSSIPD_BIN" member set --state Leader --admin-socket "$T_DIR/none.sock" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "no daemon: exit status"
assert_contains "$out" "no gossipd is listening on $T_DIR/none.sock" "no daemon: message"
assert_contains "$out" "is AdminSocket set the same?" "no daemon: hint"
# ... also through the environment variable
out=$(GOSSIPD_ADMIN_SOCKET="$T_DIR/env.sock" "$GOSSIPD_BIN" member show 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "no daemon (env): exit status"
assert_contains "$out" "$T_DIR/env.sock" "the socket from GOSSIPD_ADMIN_SOCKET"
t_pass
