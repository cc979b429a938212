#!/usr/bin/env bash
# Client certificates that must not pass (SPEC 4, rule 1, at the TLS
# layer: the handshake ends) and trusted ones that are not nodes (rules
# 3-4: 403 on POST /gossip). Each outcome is asserted with its log line.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
pki=$T_DIR
ca=(-ca-certificate "$pki/ca/ca.crt" -ca-key "$pki/ca/ca.key")
mk() { # NAME extra create-node flags...
	local name=$1
	shift
	"$GOSSIPD_BIN" cert create-node "${ca[@]}" -out "$pki/$name" "$@" >/dev/null ||
		t_fail "cert create-node $name"
	mv "$pki/$name/node.crt" "$pki/$name/$name.crt"
	mv "$pki/$name/node.key" "$pki/$name/$name.key"
}
mk expired -ip-addresses 127.0.0.1 -not-before 20200101000000 -not-after 20210101000000
mk future -ip-addresses 127.0.0.1 -not-before 20400101000000 -not-after 20410101000000
mk serveronly -ip-addresses 127.0.0.1 -eku server
mk revoked -ip-addresses 127.0.0.1

# Another CA, whose node certificate carries our node CN.
mkdir -p "$T_DIR/other"
make_pki "$T_DIR/other"
mkdir -p "$pki/foreign"
cp "$T_DIR/other/node/node.crt" "$pki/foreign/foreign.crt"
cp "$T_DIR/other/node/node.key" "$pki/foreign/foreign.key"

# A self-signed certificate carrying the node CN and a SAN.
mkdir -p "$pki/selfsigned"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=gossipd-node" -addext "subjectAltName=IP:127.0.0.1" \
	-addext "extendedKeyUsage=serverAuth,clientAuth" \
	-keyout "$pki/selfsigned/selfsigned.key" -out "$pki/selfsigned/selfsigned.crt" 2>/dev/null ||
	t_fail "self-signed cert"

# A certificate without any SAN (openssl, as certgen insists on one).
mkdir -p "$pki/nosan"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=gossipd-node" -keyout "$pki/nosan/nosan.key" \
	-out "$T_DIR/nosan.csr" 2>/dev/null || t_fail "nosan csr"
printf 'keyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth,clientAuth\n' >"$T_DIR/nosan.ext"
openssl x509 -req -in "$T_DIR/nosan.csr" -CA "$pki/ca/ca.crt" -CAkey "$pki/ca/ca.key" \
	-CAcreateserial -days 30 -extfile "$T_DIR/nosan.ext" -out "$pki/nosan/nosan.crt" 2>/dev/null ||
	t_fail "nosan cert"

# A CRL revoking one of them.
touch "$T_DIR/index.txt"
echo 01 >"$T_DIR/crlnumber"
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s\ncrlnumber=%s\ndefault_md=sha256\ndefault_crl_days=30\n' \
	"$T_DIR/index.txt" "$T_DIR/crlnumber" >"$T_DIR/ca.cnf"
openssl ca -config "$T_DIR/ca.cnf" -keyfile "$pki/ca/ca.key" -cert "$pki/ca/ca.crt" \
	-revoke "$pki/revoked/revoked.crt" >/dev/null 2>&1 || t_fail "revoke"
openssl ca -config "$T_DIR/ca.cnf" -keyfile "$pki/ca/ca.key" -cert "$pki/ca/ca.crt" \
	-gencrl -out "$T_DIR/ca.crl" >/dev/null 2>&1 || t_fail "gencrl"

port=$(free_port)
url="https://127.0.0.1:$port"
# shellcheck disable=SC2046
start_node n1 --node-port "$port" $(tls_args "$pki") \
	--certificate-revocation-list-file "$T_DIR/ca.crl"
wait_serving n1 "$url" 10 --cacert "$pki/ca/ca.crt"
json=(-X POST -H 'Content-Type: application/json' --data-binary '{}')
peer='connection from 127\.0\.0\.1:[0-9]+ denied'

# The node and client certificates still work with the CRL in place.
assert_eq 400 "$(https_code "$url/gossip" node "${json[@]}")" "a node with the CRL loaded"
assert_eq 200 "$(https_code "$url/gossip" client)" "a client with the CRL loaded"

# Rule 1: the handshake itself fails.
refused() { # NAME LOG-REGEXP
	local code
	code=$(https_code "$url/gossip" "$1")
	assert_eq 000 "$code" "handshake with the $1 certificate"
	wait_log n1 "$peer: $2"
}
refused foreign "certificate is not signed by a trusted CA"
refused selfsigned "certificate is not signed by a trusted CA"
refused expired "certificate has expired"
refused future "certificate is not yet valid"
refused revoked "certificate has been revoked"

# Rules 3 and 4: trusted, but not a node.
assert_eq 403 "$(https_code "$url/gossip" nosan "${json[@]}")" "no SAN"
wait_log n1 "$peer: certificate has no DNS or IP subject alternative name"
assert_eq 200 "$(https_code "$url/gossip" nosan)" "no SAN may read"
# EKU serverAuth only: not usable for client authentication at all, so it
# counts as no certificate (401, SPEC section 4 and GossipRequiresClientCert).
assert_eq 401 "$(https_code "$url/gossip" serveronly "${json[@]}")" "EKU serverAuth only"
wait_log n1 "$peer: certificate is not usable for client authentication \(extended key usage lacks clientAuth\)"

m=$(curl -s --max-time 5 --cacert "$pki/ca/ca.crt" "$url/metrics")
assert_contains "$m" 'gossipd_connection_refusals_total{reason="untrusted"} 2' "refusal metric untrusted"
for r in expired not_yet_valid revoked; do
	assert_contains "$m" "gossipd_connection_refusals_total{reason=\"$r\"} 1" "refusal metric $r"
done
kill -0 "$PID_n1" || t_fail "n1 died"
t_pass
