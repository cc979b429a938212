#!/usr/bin/env bash
# A CRL is matched to the trusted CA whose key signed it. Independent
# openssl PKI: a CRL signed by a CA that is not trusted stops the start
# (exit 1, the message names the file); the same CRL brought by a reload
# fails the reload (naming the file) and the previous set stays. A CRL of
# the trusted CA is logged at start: issuer, revoked serials, next update.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

pki="$T_DIR/pki"
ossl_ca "$pki" ca
ossl_ca "$pki" stranger
ossl_node "$pki" ca node node1.gossip.test 127.0.0.1
ossl_crl "$pki" ca "$pki/ca.crl"
ossl_crl "$pki" stranger "$pki/stranger.crl"
node=(--certificate-file "$pki/node.crt" --certificate-private-key-file "$pki/node.key"
	--trusted-root-certificates-path "$pki/ca.crt")

port=$(free_port)
start_node bad "${node[@]}" --node-port "$port" \
	--certificate-revocation-list-file "$pki/stranger.crl"
assert_eq 1 "$(wait_exit "$PID_bad" 10)" "exit status with a CRL of an untrusted CA"
grep -qF "CertificateRevocationListFile $pki/stranger.crl: the CRL of \"CN=stranger $$\" matches no trusted CA" \
	"$T_DIR/bad.log" || t_fail "no error naming the file: $(tail -n 3 "$T_DIR/bad.log")"

cp "$pki/ca.crl" "$T_DIR/live.crl"
serve_on_free_port n1 https "${node[@]}" \
	--certificate-revocation-list-file "$T_DIR/live.crl"
wait_log n1 "CertificateRevocationListFile $T_DIR/live.crl: CRL of \"CN=ca $$\", 0 revoked serials, next update [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC"

cp "$pki/stranger.crl" "$T_DIR/live.crl"
kill -HUP "$PID_n1"
wait_log n1 "reload failed, the previous settings stay: CertificateRevocationListFile $T_DIR/live.crl: the CRL of \"CN=stranger $$\" matches no trusted CA"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$pki/ca.crt" \
	--cert "$pki/node.crt" --key "$pki/node.key" "https://127.0.0.1:$port/admin/member")
assert_eq 200 "$code" "the node still serves nodes after the failed reload"
t_pass
