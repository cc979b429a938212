#!/usr/bin/env bash
# discover against a cluster it cannot reach: exit 1 within
# attempts x (timeout + delay), naming the reason for each seed (a port
# where nothing listens, and a node that accepts but never answers).
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
# Port 1 (tcpmux) has no listener anywhere we run; a free port could be
# taken by another test between free_port and the connect.
dead=1
if ss -Htln "sport = :1" 2>/dev/null | grep -q .; then
	dead=$(free_port)
fi
serve_on_free_port hung http --insecure
hung=$port
kill -STOP "$PID_hung" # the kernel still accepts; nobody answers

now_ms() { date +%s%3N; }
t0=$(now_ms)
out=$("$GOSSIPD_BIN" discover --insecure \
	--seed "127.0.0.1:$dead,127.0.0.1:$hung" \
	--attempts 3 --delay-ms 100 --timeout-ms 400 2>"$T_DIR/err") && rc=0 || rc=$?
t1=$(now_ms)
err=$(cat "$T_DIR/err")
assert_eq 1 "$rc" "exit status"
assert_eq "" "$out" "nothing on stdout"
assert_contains "$err" "no gossip document from any seed in 3 attempts" "summary line"
assert_contains "$err" "seed 127.0.0.1:$dead: connect: Connection refused" "refused seed"
assert_contains "$err" "seed 127.0.0.1:$hung: " "hung seed named"
assert_contains "$err" "timed out" "hung seed reason"
# 3 x (400 + 100) = 1500 ms, plus the start and exit of the process
# (measured, as it is slow under ASan on a loaded machine)
b0=$(now_ms)
"$GOSSIPD_BIN" discover --help >/dev/null
b1=$(now_ms)
elapsed=$((t1 - t0))
overhead=$((b1 - b0))
t_log "unreachable cluster: exit 1 after ${elapsed} ms (process overhead ${overhead} ms)"
[ "$elapsed" -le $((1500 + 3 * overhead + 1000)) ] ||
	t_fail "took ${elapsed} ms; the bound is 1500 ms plus ${overhead} ms to start"
[ "$elapsed" -ge 800 ] || t_fail "took ${elapsed} ms: did it wait for the hung seed at all?"

kill -CONT "$PID_hung" # so that it can stop at the end

# status: one pass, same reasons
out=$("$GOSSIPD_BIN" status --insecure --seed "127.0.0.1:$dead" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "status exit status"
assert_contains "$out" "seed 127.0.0.1:$dead: connect: Connection refused" "status reason"

# --cluster-dns: every address of the name is a seed
out=$("$GOSSIPD_BIN" discover --insecure --cluster-dns localhost --port "$dead" \
	--attempts 1 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "DNS seeds exit status"
assert_contains "$out" "seed 127.0.0.1:$dead: connect: Connection refused" "DNS seed 127.0.0.1"
t_pass
