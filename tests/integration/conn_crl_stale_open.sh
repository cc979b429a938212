#!/usr/bin/env bash
# A CRL that passes its nextUpdate while connections are open (independent
# openssl PKI; the CRL is due 8 s after it is made). Node s runs with
# CertificateRevocationListStaleRefusesAll: its open connection from node
# c1 loses its rights when the CRL turns stale and is closed ("closed: the
# CRL of its issuer is past its next update"), without a reload. Node d
# runs with the default (a stale CRL keeps what it lists revoked and
# nothing more): its open connection from c2 goes on being served.
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" s s.cluster.test 127.0.0.1
oca_node "$P" c1 c1.cluster.test 127.0.0.2
oca_node "$P" c2 c2.cluster.test 127.0.0.3
due=$(($(date +%s) + 8))
oca_crl "$P" "$T_DIR/crl.pem" 8
crl=(--certificate-revocation-list-file "$T_DIR/crl.pem")
oca_serve s "$P" s "${crl[@]}" --certificate-revocation-list-stale-refuses-all
ps=$port
oca_serve d "$P" s "${crl[@]}"
pd=$port
[ "$(date +%s)" -lt $((due - 2)) ] || t_skip "the machine is too slow: the CRL is due before the test began"

client() { # NAME PORT IP
	python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$2" \
		--path /admin/member --ca "$P/ca.crt" --cert "$P/$1.crt" \
		--key "$P/$1.key" --bind "$3" --interval 0.2 --count 120 \
		--stop "$T_DIR/stop" >"$T_DIR/$1.out" 2>"$T_DIR/$1.err" &
	T_PIDS+=($!)
}
client c1 "$ps" 127.0.0.2
client c2 "$pd" 127.0.0.3
wait_for 10 grep -q ' 200 1$' "$T_DIR/c1.out" || t_fail "c1 not served as a node: $(tail -n 2 "$T_DIR/c1.err")"
wait_for 10 grep -q ' 200 1$' "$T_DIR/c2.out" || t_fail "c2 not served as a node"
lost() { awk '$2 != "200"' "$T_DIR/c1.out" | grep -q .; }
wait_for 20 lost || t_fail "c1 kept its rights after the CRL turned stale: $(tail -n 2 "$T_DIR/c1.out")"
wait_log s 'connection from 127\.0\.0\.2:[0-9]+ closed: the CRL of its issuer is past its next update$' 5
n=$(wc -l <"$T_DIR/c2.out")
wait_for 10 bash -c "[ \$(wc -l <'$T_DIR/c2.out') -ge $((n + 5)) ]" || t_fail "c2 stopped"
touch "$T_DIR/stop"
late=$(awk -v t="$due" '$2 == "200" && $1 >= t + 2' "$T_DIR/c1.out" | wc -l)
assert_eq 0 "$late" "answers 200 to c1 after the CRL's nextUpdate ($due)"
assert_eq 0 "$(awk '$2 != "200" || $3 != 1' "$T_DIR/c2.out" | wc -l)" \
	"answers to c2 not 200 or on another connection (default policy)"
assert_eq 0 "$(log_count d 'closed: ')" "connections d closed"
t_pass
