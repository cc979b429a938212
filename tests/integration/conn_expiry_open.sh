#!/usr/bin/env bash
# A peer certificate that expires while its connection is open stops
# counting at its notAfter. Node b's certificate (independent openssl
# PKI) expires a few seconds after it is issued; b keeps one keep-alive
# connection to a and asks a node-only endpoint every 200 ms. Its answers
# are 200 until the notAfter, and none is 200 after it (a second of slack
# for the clock's whole seconds); the connection is closed with one log
# line "connection from 127.0.0.2:P closed: certificate has expired".
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
end=$(($(date +%s) + 6))
oca_node "$P" b b.cluster.test 127.0.0.2 "$(date -u -d "@$end" +%y%m%d%H%M%SZ)"

oca_serve a "$P" a
[ "$(date +%s)" -lt $((end - 1)) ] || t_skip "the machine is too slow: b's certificate expired before the test began"

python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" \
	--path /admin/member --ca "$P/ca.crt" --cert "$P/b.crt" \
	--key "$P/b.key" --bind 127.0.0.2 --interval 0.2 --count 100 \
	--stop "$T_DIR/stop" >"$T_DIR/b.out" 2>"$T_DIR/b.err" &
T_PIDS+=($!)
wait_for 10 grep -q ' 200 1$' "$T_DIR/b.out" ||
	t_fail "b was not served as a node: $(tail -n 2 "$T_DIR/b.out" "$T_DIR/b.err")"
lost() { awk '$2 != "200"' "$T_DIR/b.out" | grep -q .; }
wait_for 15 lost || t_fail "b kept its node rights after its certificate expired: $(tail -n 3 "$T_DIR/b.out")"
wait_log a 'connection from 127\.0\.0\.2:[0-9]+ closed: certificate has expired' 5
touch "$T_DIR/stop"

first=$(awk '$2 == "200" {print $3; exit}' "$T_DIR/b.out")
assert_eq 1 "$first" "connection of b's first answers"
late=$(awk -v t="$end" '$2 == "200" && $1 >= t + 2' "$T_DIR/b.out" | wc -l)
assert_eq 0 "$late" "answers 200 to b after its notAfter ($end)"
served=$(awk '$2 == "200"' "$T_DIR/b.out" | wc -l)
[ "$served" -ge 3 ] || t_fail "b was served only $served times before the expiry"
assert_eq 1 "$(log_count a 'closed: certificate has expired')" "log lines for the expiry"
t_log "b: $served answers 200 up to $(awk '$2 == "200" {t = $1} END {print t}' "$T_DIR/b.out"), notAfter $end"
t_pass
