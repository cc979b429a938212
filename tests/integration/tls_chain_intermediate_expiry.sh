#!/usr/bin/env bash
# An intermediate CA that expires before the node certificates it signed
# (independent openssl PKI: root -> intermediate, notAfter a few seconds
# ahead -> nodes a and b, whose own notAfter is two days ahead). A saved
# TLS session keeps b's leaf alone, but what it restores is judged on the
# whole path, as a full handshake judges it:
# - while the intermediate is valid, b's saved sessions (a ticket, and a
#   session ID from the cache) resume and b is a node; once it has
#   expired, they do not resume, and the full handshake that follows is
#   refused ("denied: certificate has expired");
# - b's open connection, which resumed a session (the leaf alone), loses
#   its node rights when the intermediate expires and is closed ("closed:
#   certificate has expired"), though b's own certificate is still valid.
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
. "$GOSSIPD_SRC/tests/tools/tls_resume.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
end=$(($(date +%s) + 9))
oca_int "$P" int "$(date -u -d "@$end" +%y%m%d%H%M%SZ)"
ossl_node "$P" int a a.cluster.test 127.0.0.1
ossl_node "$P" int b b.cluster.test 127.0.0.2
cat "$P/a.crt" "$P/int.crt" >"$P/a-chain.crt"
cat "$P/b.crt" "$P/int.crt" >"$P/b-chain.crt"
serve_on_free_port a https --node-ip 127.0.0.1 \
	--certificate-file "$P/a-chain.crt" --certificate-private-key-file "$P/a.key" \
	--trusted-root-certificates-path "$P/ca.crt" \
	--certificate-reserved-node-common-name '*.cluster.test'

tr_save "$port" -CAfile "$P/ca.crt" -cert "$P/b.crt" -cert_chain "$P/int.crt" -key "$P/b.key"
tr_resumes "while the intermediate is valid"
# an open connection that resumed a session, a request every 200 ms
python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" \
	--path /admin/member --ca "$P/ca.crt" --cert "$P/b-chain.crt" \
	--key "$P/b.key" --bind 127.0.0.2 --interval 0.2 --count 150 \
	--resume --stop "$T_DIR/stop" >"$T_DIR/k.out" 2>"$T_DIR/k.err" &
T_PIDS+=($!)
wait_for 10 grep -q ' 200 1$' "$T_DIR/k.out" || t_fail "b not served as a node: $(tail -n 2 "$T_DIR/k.err")"
grep -q '^# resumed 1 True$' "$T_DIR/k.err" || t_fail "b's connection did not resume: $(cat "$T_DIR/k.err")"
[ "$(date +%s)" -lt "$end" ] || t_skip "the machine is too slow: the intermediate expired before the test began"

# notAfter is the last valid second: the connection's rights end after it
lost() { awk '$2 != "200"' "$T_DIR/k.out" | grep -q .; }
wait_for $((end - $(date +%s) + 10)) lost || t_fail "b's resumed connection kept its rights after the intermediate expired: $(tail -n 1 "$T_DIR/k.out")"
wait_log a 'connection from 127\.0\.0\.2:[0-9]+ closed: certificate has expired$' 5
touch "$T_DIR/stop"
late=$(awk -v t="$end" '$2 == "200" && $1 >= t + 2' "$T_DIR/k.out" | wc -l)
assert_eq 0 "$late" "answers 200 to b after the intermediate's notAfter ($end)"

wait_for 10 bash -c "[ \$(date +%s) -gt $((end + 1)) ]" || t_fail "clock"
n=$(log_count a 'connection from 127\.0\.0\.1:[0-9]+ denied: certificate has expired')
tr_refused "after the intermediate expired"
# both full handshakes that followed refused b (a repeated refusal from
# one peer may be folded into a summary line: at least one new line)
more() { [ "$(log_count a 'connection from 127\.0\.0\.1:[0-9]+ denied: certificate has expired')" -gt "$n" ]; }
wait_for 5 more || t_fail "no line says the full handshake after the refused resumption was refused as expired"
t_pass
