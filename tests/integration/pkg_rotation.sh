#!/usr/bin/env bash
# pkg_rotation: the certificate procedures of docs/operations.md, step by
# step, on a running node, without a restart: a new node certificate from
# the same CA (and a reload between the two "mv" keeps the old set), a move
# to a new CA with both CAs trusted meanwhile, and a revocation by CRL made
# with the documented "openssl ca" configuration.
. "$(dirname "$0")/../lib.sh"
t_init

B=$GOSSIPD_BIN
d=$T_DIR
port=$(free_port)
url=https://127.0.0.1:$port

"$B" cert create-ca -out "$d/ca1" >/dev/null || t_fail "create-ca 1"
"$B" cert create-ca -out "$d/ca2" -common-name "gossipd CA 2" >/dev/null || t_fail "create-ca 2"
mk_node() { # ca out
	"$B" cert create-node -ca-certificate "$d/$1/ca.crt" -ca-key "$d/$1/ca.key" \
		-out "$d/$2" -ip-addresses 127.0.0.1 -dns-names localhost >/dev/null ||
		t_fail "create-node $2"
}
mk_client() { # ca out cn
	"$B" cert create-client -ca-certificate "$d/$1/ca.crt" -ca-key "$d/$1/ca.key" \
		-out "$d/$2" -common-name "$3" >/dev/null || t_fail "create-client $2"
}
mk_node ca1 first
mk_client ca1 c1 client-one
mk_client ca2 c2 client-two
mk_client ca2 c3 client-three
mkdir -p "$d/certs" "$d/trust"
cp "$d/first/node.crt" "$d/first/node.key" "$d/certs/"
cp "$d/ca1/ca.crt" "$d/trust/ca1.crt"
cat >"$d/gossipd.conf" <<EOF
CertificateFile: $d/certs/node.crt
CertificatePrivateKeyFile: $d/certs/node.key
TrustedRootCertificatesPath: $d/trust
CertificateReservedNodeCommonName: gossipd-node
EOF

start_node n1 --config "$d/gossipd.conf" --node-port "$port"
wait_serving n1 "$url" 20 --cacert "$d/ca1/ca.crt"

# The fingerprint of the certificate the node serves now.
served() {
	openssl s_client -connect "127.0.0.1:$port" -servername localhost </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256
}
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
reloads=0
reload() { # ok|failed: SIGHUP, then the matching log line
	kill -HUP "$PID_n1"
	if [ "$1" = ok ]; then
		reloads=$((reloads + 1))
		wait_for 10 reloaded "$reloads" || t_fail "reload $reloads not done"
	else
		wait_log n1 "reload failed, the previous settings stay"
	fi
}
reloaded() { [ "$(log_count n1 'configuration reloaded')" -ge "$1" ]; }
# client_ok CLIENT CA: a request with that client certificate is served.
client_ok() {
	curl -sf -o /dev/null --max-time 5 --cacert "$d/$2/ca.crt" \
		--cert "$d/$1/client.crt" --key "$d/$1/client.key" "$url/gossip"
}

assert_eq "$(fingerprint "$d/first/node.crt")" "$(served)" "first certificate served"

# 1. A node certificate from the same CA, put in place as documented.
mk_node ca1 new
install -m 600 "$d/new/node.key" "$d/certs/node.key.new"
install -m 644 "$d/new/node.crt" "$d/certs/node.crt.new"
mv "$d/certs/node.key.new" "$d/certs/node.key"
reload failed # key and certificate do not match yet: the old set stays
assert_eq "$(fingerprint "$d/first/node.crt")" "$(served)" "old certificate after a failed reload"
mv "$d/certs/node.crt.new" "$d/certs/node.crt"
reload ok
assert_eq "$(fingerprint "$d/new/node.crt")" "$(served)" "new certificate after the reload"

# 2. A new CA: trust both, move the node certificate, drop the old CA.
client_ok c1 ca1 || t_fail "the client of the old CA is refused before the move"
client_ok c2 ca1 && t_fail "a client of the new CA is served before its CA is trusted"
cp "$d/ca2/ca.crt" "$d/trust/ca2.crt"
reload ok
client_ok c2 ca1 || t_fail "the client of the new CA is refused once both CAs are trusted"
mk_node ca2 moved
install -m 600 "$d/moved/node.key" "$d/certs/node.key.new"
install -m 644 "$d/moved/node.crt" "$d/certs/node.crt.new"
mv "$d/certs/node.key.new" "$d/certs/node.key"
mv "$d/certs/node.crt.new" "$d/certs/node.crt"
reload ok
assert_eq "$(fingerprint "$d/moved/node.crt")" "$(served)" "certificate of the new CA served"
client_ok c1 ca2 || t_fail "the client of the old CA is refused while both are trusted"
rm "$d/trust/ca1.crt"
reload ok
client_ok c1 ca2 && t_fail "the client of the old CA is still served after its CA was removed"
wait_log n1 "denied: certificate is not signed by a trusted CA"

# 3. Revocation, with the openssl ca configuration of the document.
(
	cd "$d/ca2" || exit 1
	cat >ca.cnf <<'EOF'
[ ca ]
default_ca = gossipd_ca
[ gossipd_ca ]
database = index.txt
crlnumber = crlnumber
default_md = sha256
default_crl_days = 30
EOF
	[ -f index.txt ] || { touch index.txt && echo 01 >crlnumber; }
	openssl ca -config ca.cnf -cert ca.crt -keyfile ca.key -revoke "$d/c2/client.crt" &&
		openssl ca -config ca.cnf -cert ca.crt -keyfile ca.key -gencrl -out ca.crl
) >"$d/openssl-ca.log" 2>&1 || t_fail "openssl ca: $(cat "$d/openssl-ca.log")"
echo "CertificateRevocationListFile: $d/ca2/ca.crl" >>"$d/gossipd.conf"
reload ok
client_ok c2 ca2 && t_fail "a revoked client certificate is still served"
wait_log n1 "denied: certificate has been revoked"
client_ok c3 ca2 || t_fail "a client that is not revoked is refused"

t_log "$reloads reloads, no restart"
t_pass
