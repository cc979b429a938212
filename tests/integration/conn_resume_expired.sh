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
. "$GOSSIPD_SRC/tests/tools/tls_resume.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
end=$(($(date +%s) + 6))
oca_node "$P" b b.cluster.test 127.0.0.2 "$(date -u -d "@$end" +%y%m%d%H%M%SZ)"

oca_serve a "$P" a

tr_save "$port" -CAfile "$P/ca.crt" -cert "$P/b.crt" -key "$P/b.key"
tr_resumes "while b's certificate is valid"
[ "$(date +%s)" -le "$end" ] || t_skip "the machine is too slow: b's certificate expired before the resumptions"

# notAfter is the last valid second: wait until it has passed.
wait_for 15 bash -c "[ \$(date +%s) -gt $((end + 1)) ]" || t_fail "clock"
expired_count() {
	curl -s --max-time 5 --cacert "$P/ca.crt" "https://127.0.0.1:$port/metrics" |
		sed -n 's/^gossipd_connection_refusals_total{reason="expired"} //p'
}
before=$(expired_count)
tr_refused "after b's certificate expired"
# Both full handshakes refused the certificate: counted, and logged (a
# repeated refusal from one peer may be folded into a summary line).
twice() { [ "$(expired_count)" -ge $((before + 2)) ]; }
wait_for 5 twice || t_fail "the full handshakes after the refused resumptions were not refused as expired ($before -> $(expired_count))"
wait_log a 'connection from 127\.0\.0\.1:[0-9]+ denied: certificate has expired' 5
t_pass
