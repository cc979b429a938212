#!/usr/bin/env bash
# CertificateRevocationListStaleRefusesAll with two roots and two CRLs due
# at different times (independent openssl PKIs): when the first CRL turns
# stale the open connections are re-checked, and the next CRL's nextUpdate
# is armed too, so an open connection from a node of the second root
# loses its rights when that second CRL turns stale, without a reload.
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
A="$T_DIR/pa"
B="$T_DIR/pb"
oca_init "$A" a
oca_init "$B" b
oca_node "$A" s s.cluster.test 127.0.0.1
oca_node "$B" c c.cluster.test 127.0.0.2
cat "$A/ca.crt" "$B/ca.crt" >"$T_DIR/roots.pem"
due_a=$(($(date +%s) + 6))
oca_crl "$A" "$T_DIR/crl_a.pem" 6
due_b=$(($(date +%s) + 12))
oca_crl "$B" "$T_DIR/crl_b.pem" 12
cat "$T_DIR/crl_a.pem" "$T_DIR/crl_b.pem" >"$T_DIR/crls.pem"
serve_on_free_port s https --node-ip 127.0.0.1 \
	--certificate-file "$A/s.crt" --certificate-private-key-file "$A/s.key" \
	--trusted-root-certificates-path "$T_DIR/roots.pem" \
	--certificate-reserved-node-common-name '*.cluster.test' \
	--certificate-revocation-list-file "$T_DIR/crls.pem" \
	--certificate-revocation-list-stale-refuses-all
ps=$port
[ "$(date +%s)" -lt $((due_a - 2)) ] || t_skip "the machine is too slow: the first CRL is due before the test began"

python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$ps" \
	--path /admin/member --ca "$A/ca.crt" --cert "$B/c.crt" \
	--key "$B/c.key" --bind 127.0.0.2 --interval 0.2 --count 150 \
	--stop "$T_DIR/stop" >"$T_DIR/c.out" 2>"$T_DIR/c.err" &
T_PIDS+=($!)
wait_for 10 grep -q ' 200 1$' "$T_DIR/c.out" || t_fail "c not served as a node: $(tail -n 2 "$T_DIR/c.err")"
# the first CRL (of root a) turns stale: c's issuer's CRL is still fresh
# and c goes on being served on the same connection
wait_for 15 bash -c "[ \$(date +%s) -gt $((due_a + 1)) ]"
n=$(wc -l <"$T_DIR/c.out")
wait_for 10 bash -c "[ \$(wc -l <'$T_DIR/c.out') -ge $((n + 3)) ]" || t_fail "c stopped"
[ "$(date +%s)" -lt "$due_b" ] || t_skip "the machine is too slow: the second CRL was due before c was checked"
assert_eq 0 "$(awk -v t="$due_a" -v u="$due_b" '$1 < u && ($2 != "200" || $3 != 1)' "$T_DIR/c.out" | wc -l)" \
	"answers to c not 200 or on another connection before the second CRL is due"
# the second CRL (of c's root) turns stale: c's connection is closed
lost() { awk '$2 != "200"' "$T_DIR/c.out" | grep -q .; }
wait_for 25 lost || t_fail "c kept its rights after the second CRL turned stale: $(tail -n 2 "$T_DIR/c.out")"
wait_log s 'connection from 127\.0\.0\.2:[0-9]+ closed: the CRL of its issuer is past its next update$' 5
touch "$T_DIR/stop"
late=$(awk -v t="$due_b" '$2 == "200" && $1 >= t + 2' "$T_DIR/c.out" | wc -l)
assert_eq 0 "$late" "answers 200 to c after the second CRL's nextUpdate ($due_b)"
t_pass
