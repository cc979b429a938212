#!/usr/bin/env bash
# Session resumption never restores an identity a full handshake would
# refuse now. Node b's certificate (independent openssl PKI) expires a
# few seconds after it is issued. While it is valid, b's saved sessions
# (a ticket, and a session ID from the cache with -no_ticket) resume and
# b is a node (GET /admin/member answers 200). Once it has expired, the
# same saved sessions do not resume: a full handshake follows, which
# refuses the certificate ("denied: certificate has expired"), and no
# request is answered.
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
end=$(($(date +%s) + 6))
oca_node "$P" b b.cluster.test 127.0.0.2 "$(date -u -d "@$end" +%y%m%d%H%M%SZ)"

oca_serve a "$P" a

# sc OUT ARGS...: one GET /admin/member as b, s_client's report in OUT.
sc() {
	local out=$1
	shift
	printf 'GET /admin/member HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
		timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 \
			-CAfile "$P/ca.crt" -cert "$P/b.crt" -key "$P/b.key" \
			-ign_eof "$@" >"$out" 2>&1
}
sc "$T_DIR/t0" -sess_out "$T_DIR/sess.ticket"
sc "$T_DIR/c0" -no_ticket -sess_out "$T_DIR/sess.cache"
for k in ticket cache; do
	flag=()
	[ "$k" = cache ] && flag=(-no_ticket)
	sc "$T_DIR/$k.1" "${flag[@]}" -sess_in "$T_DIR/sess.$k"
	grep -q '^Reused, TLSv1.2' "$T_DIR/$k.1" || t_fail "b's $k session did not resume while valid: $(head -n 5 "$T_DIR/$k.1")"
	grep -q '^HTTP/1.1 200' "$T_DIR/$k.1" || t_fail "b not a node on its resumed $k session: $(grep HTTP/ "$T_DIR/$k.1")"
done
[ "$(date +%s)" -le "$end" ] || t_skip "the machine is too slow: b's certificate expired before the resumptions"

# notAfter is the last valid second: wait until it has passed.
wait_for 15 bash -c "[ \$(date +%s) -gt $((end + 1)) ]" || t_fail "clock"
expired_count() {
	curl -s --max-time 5 --cacert "$P/ca.crt" "https://127.0.0.1:$port/metrics" |
		sed -n 's/^gossipd_connection_refusals_total{reason="expired"} //p'
}
before=$(expired_count)
for k in ticket cache; do
	flag=()
	[ "$k" = cache ] && flag=(-no_ticket)
	sc "$T_DIR/$k.2" "${flag[@]}" -sess_in "$T_DIR/sess.$k"
	if grep -q '^Reused' "$T_DIR/$k.2"; then
		t_fail "b's $k session resumed after its certificate expired"
	fi
	if grep -q '^HTTP/1.1' "$T_DIR/$k.2"; then
		t_fail "a request on b's expired $k session was answered: $(grep HTTP/ "$T_DIR/$k.2")"
	fi
done
# Both full handshakes refused the certificate: counted, and logged (a
# repeated refusal from one peer may be folded into a summary line).
twice() { [ "$(expired_count)" -ge $((before + 2)) ]; }
wait_for 5 twice || t_fail "the full handshakes after the refused resumptions were not refused as expired ($before -> $(expired_count))"
wait_log a 'connection from 127\.0\.0\.1:[0-9]+ denied: certificate has expired' 5
t_pass
