#!/usr/bin/env bash
# A reload that brings the same root (name and key) re-issued with a
# notAfter a few seconds ahead (independent openssl PKI). b's open
# connection passes the reload's re-check, and from then on keeps the
# notAfter of its path under the new set: it loses its node rights when
# the re-issued root expires and is closed ("closed: certificate has
# expired"), though b's own certificate and the root it verified under at
# its handshake run days longer.
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
oca_node "$P" b b.cluster.test 127.0.0.2
cp "$P/ca.crt" "$T_DIR/trust.pem"
serve_on_free_port a https --node-ip 127.0.0.1 \
	--certificate-file "$P/a.crt" --certificate-private-key-file "$P/a.key" \
	--trusted-root-certificates-path "$T_DIR/trust.pem" \
	--certificate-reserved-node-common-name '*.cluster.test'
python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" \
	--path /admin/member --ca "$P/ca.crt" --cert "$P/b.crt" --key "$P/b.key" \
	--bind 127.0.0.2 --interval 0.2 --count 150 --stop "$T_DIR/stop" \
	>"$T_DIR/b.out" 2>"$T_DIR/b.err" &
T_PIDS+=($!)
wait_for 10 grep -q ' 200 1$' "$T_DIR/b.out" || t_fail "b not served as a node: $(tail -n 2 "$T_DIR/b.err")"

# the root again: its subject and key, a notAfter a few seconds ahead
end=$(($(date +%s) + 8))
printf '%s\n' basicConstraints=critical,CA:TRUE \
	keyUsage=critical,keyCertSign,cRLSign subjectKeyIdentifier=hash >"$P/root.ext"
openssl x509 -x509toreq -in "$P/ca.crt" -signkey "$P/ca.key" -out "$P/ca.csr" \
	>>"$P/openssl.out" 2>&1 || t_fail "openssl: root request"
openssl ca -batch -notext -selfsign -config "$P/ca.cnf" -keyfile "$P/ca.key" \
	-in "$P/ca.csr" -out "$P/ca2.crt" -extfile "$P/root.ext" \
	-enddate "$(date -u -d "@$end" +%y%m%d%H%M%SZ)" \
	>>"$P/openssl.out" 2>&1 || t_fail "openssl ca: root: $(tail -n 3 "$P/openssl.out")"
cp "$P/ca2.crt" "$T_DIR/trust.pem"
kill -HUP "$PID_a"
wait_log a "audit: SIGHUP .*: reload"
n=$(wc -l <"$T_DIR/b.out")
wait_for 10 bash -c "[ \$(wc -l <'$T_DIR/b.out') -ge $((n + 3)) ]" || t_fail "b stopped"
[ "$(date +%s)" -lt "$end" ] || t_skip "the machine is too slow: the re-issued root expired before the reload was checked"
assert_eq 0 "$(awk '$2 != "200"' "$T_DIR/b.out" | wc -l)" "answers to b not 200 before the re-issued root's notAfter"

lost() { awk '$2 != "200"' "$T_DIR/b.out" | grep -q .; }
wait_for $((end - $(date +%s) + 10)) lost || t_fail "b's connection kept its rights after the re-issued root expired: $(tail -n 1 "$T_DIR/b.out")"
touch "$T_DIR/stop"
wait_log a 'connection from 127\.0\.0\.2:[0-9]+ closed: certificate has expired$' 5
late=$(awk -v t="$end" '$2 == "200" && $1 >= t + 2' "$T_DIR/b.out" | wc -l)
assert_eq 0 "$late" "answers 200 to b after the re-issued root's notAfter ($end)"
t_pass
