#!/usr/bin/env bash
# A node certificate from an intermediate CA (the full chain is sent), a
# wildcard reserved node CN, client chains with and without the
# intermediate, and the same node certificate as a PKCS#12 file made by
# OpenSSL 3 with its defaults.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
g() { "$GOSSIPD_BIN" cert "$@" >/dev/null || t_fail "gossipd cert $*"; }
d=$T_DIR
g create-ca -out "$d/root"
g create-ca -ca-certificate "$d/root/ca.crt" -ca-key "$d/root/ca.key" -out "$d/inter" \
	-common-name "gossipd intermediate"
inter=(-ca-certificate "$d/inter/ca.crt" -ca-key "$d/inter/ca.key")
g create-node "${inter[@]}" -out "$d/n1" -ip-addresses 127.0.0.1 -common-name node1.cluster.test
g create-node "${inter[@]}" -out "$d/n2" -ip-addresses 127.0.0.2 -common-name node2.cluster.test
g create-node "${inter[@]}" -out "$d/deep" -ip-addresses 127.0.0.3 -common-name a.b.cluster.test
for n in n1 n2 deep; do cat "$d/$n/node.crt" "$d/inter/ca.crt" >"$d/$n/bundle.crt"; done

port=$(free_port)
url="https://127.0.0.1:$port"
start_node n1 --node-port "$port" --certificate-file "$d/n1/bundle.crt" \
	--certificate-private-key-file "$d/n1/node.key" \
	--trusted-root-certificates-path "$d/root/ca.crt" \
	--certificate-reserved-node-common-name '*.cluster.test' --log-level debug
wait_serving n1 "$url" 10 --cacert "$d/root/ca.crt"

# The chain reaches a client that trusts only the root.
out=$(timeout 5 openssl s_client -connect "127.0.0.1:$port" -CAfile "$d/root/ca.crt" </dev/null 2>&1)
assert_contains "$out" "Verify return code: 0 (ok)" "chain verifies to the root"
assert_contains "$out" "1 s:CN = gossipd intermediate" "intermediate sent"

json=(-X POST -H 'Content-Type: application/json' --data-binary '{}')
call() { # BUNDLE KEY [curl args]
	local crt=$1 key=$2
	shift 2
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$d/root/ca.crt" \
		--cert "$crt" --key "$key" "$@" "$url/gossip"
}
# Another node under the wildcard, its chain from the handshake: a node.
assert_eq 400 "$(call "$d/n2/bundle.crt" "$d/n2/node.key" "${json[@]}")" "node2 under *.cluster.test"
wait_log n1 'client certificate CN "node2\.cluster\.test": node$'
# Two labels under the wildcard: not a node.
assert_eq 403 "$(call "$d/deep/bundle.crt" "$d/deep/node.key" "${json[@]}")" "a.b.cluster.test"
wait_log n1 'denied: CN "a\.b\.cluster\.test" does not match the reserved node CN "\*\.cluster\.test"'
# The leaf alone does not chain to the root: the handshake ends.
assert_eq 000 "$(call "$d/n2/node.crt" "$d/n2/node.key")" "client leaf without its intermediate"
wait_log n1 'denied: certificate is not signed by a trusted CA'

# The same node certificate as PKCS#12 (OpenSSL 3 defaults: PBES2, AES).
openssl pkcs12 -export -in "$d/n1/node.crt" -inkey "$d/n1/node.key" \
	-certfile "$d/inter/ca.crt" -passout pass:s3cret -out "$d/n1/node.p12" ||
	t_fail "openssl pkcs12 -export"
chmod 600 "$d/n1/node.p12"
port2=$(free_port)
start_node p12 --node-port "$port2" --certificate-file "$d/n1/node.p12" \
	--certificate-password s3cret --trusted-root-certificates-path "$d/root/ca.crt" \
	--certificate-reserved-node-common-name '*.cluster.test'
wait_serving p12 "https://127.0.0.1:$port2" 10 --cacert "$d/root/ca.crt"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$d/root/ca.crt" \
	--cert "$d/n2/bundle.crt" --key "$d/n2/node.key" "${json[@]}" "https://127.0.0.1:$port2/gossip")
assert_eq 400 "$code" "a node against the PKCS#12-configured daemon"
assert_not_contains "$(cat "$T_DIR/p12.log")" "s3cret" "the password is not logged"

# Credentials that do not load stop the start (exit 1), naming option and file.
port3=$(free_port)
start_node bad --node-port "$port3" --certificate-file "$d/n1/bundle.crt" \
	--certificate-private-key-file "$d/missing.key" --trusted-root-certificates-path "$d/root/ca.crt"
st=$(wait_exit "$PID_bad" 10) || t_fail "no exit with a missing key"
assert_eq 1 "$st" "exit status with a missing key"
wait_log bad "cannot start: CertificatePrivateKeyFile .*missing\.key"
t_pass
