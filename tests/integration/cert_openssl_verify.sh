#!/usr/bin/env bash
# gossipd cert: the PKI that make_pki builds is what OpenSSL expects. The
# node and client certificates verify against the CA; the CA is a proper
# CA; the node certificate carries the IPv4, IPv6 and DNS SANs, key usage
# and EKU; keys are 0600, certificates 0644, directories 0755.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

G=$GOSSIPD_BIN
P=$T_DIR/pki
umask 022
"$G" cert create-ca -out "$P/ca" >/dev/null || t_fail "create-ca"
"$G" cert create-node -ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca/ca.key" \
	-out "$P/node" -ip-addresses 127.0.0.1,::1 -dns-names localhost,node1.cluster.test \
	>/dev/null || t_fail "create-node"
"$G" cert create-client -ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca/ca.key" \
	-out "$P/client" -common-name web-client >/dev/null || t_fail "create-client"

out=$(openssl verify -CAfile "$P/ca/ca.crt" "$P/node/node.crt" "$P/client/client.crt" 2>&1) ||
	t_fail "openssl verify: $out"
assert_contains "$out" "node.crt: OK" "node verifies"
assert_contains "$out" "client.crt: OK" "client verifies"
out=$(openssl verify -purpose sslserver -CAfile "$P/ca/ca.crt" "$P/node/node.crt" 2>&1) ||
	t_fail "node as TLS server: $out"
out=$(openssl verify -purpose sslclient -CAfile "$P/ca/ca.crt" "$P/node/node.crt" 2>&1) ||
	t_fail "node as TLS client: $out"
out=$(openssl verify -purpose sslclient -CAfile "$P/ca/ca.crt" "$P/client/client.crt" 2>&1) ||
	t_fail "client as TLS client: $out"
if openssl verify -purpose sslserver -CAfile "$P/ca/ca.crt" "$P/client/client.crt" >/dev/null 2>&1; then
	t_fail "a client certificate must not pass as a TLS server"
fi

ca=$(openssl x509 -in "$P/ca/ca.crt" -noout -text)
assert_contains "$ca" "Subject: CN = gossipd CA" "CA default CN"
assert_contains "$ca" "Issuer: CN = gossipd CA" "CA is self-signed"
assert_contains "$ca" "X509v3 Basic Constraints: critical" "CA basicConstraints critical"
assert_contains "$ca" "CA:TRUE" "CA:TRUE"
assert_contains "$ca" "Certificate Sign, CRL Sign" "CA key usage"
assert_contains "$ca" "X509v3 Subject Key Identifier" "CA SKI"
assert_contains "$ca" "ecdsa-with-SHA256" "SHA-256 signature"
assert_contains "$ca" "prime256v1" "EC P-256 by default"
start=$(openssl x509 -in "$P/ca/ca.crt" -noout -startdate | cut -d= -f2)
end=$(openssl x509 -in "$P/ca/ca.crt" -noout -enddate | cut -d= -f2)
days=$((($(date -d "$end" +%s) - $(date -d "$start" +%s)) / 86400))
assert_eq 1825 "$days" "CA validity in days"

node=$(openssl x509 -in "$P/node/node.crt" -noout -text)
assert_contains "$node" "Subject: CN = gossipd-node" "node default CN"
assert_contains "$node" "DNS:localhost, DNS:node1.cluster.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" "node SANs"
assert_contains "$node" "Digital Signature, Key Encipherment" "node key usage"
assert_contains "$node" "TLS Web Server Authentication, TLS Web Client Authentication" "node EKU"
assert_contains "$node" "X509v3 Authority Key Identifier" "node AKI"
assert_contains "$node" "X509v3 Subject Key Identifier" "node SKI"
assert_contains "$node" "CA:FALSE" "node is not a CA"
start=$(openssl x509 -in "$P/node/node.crt" -noout -startdate | cut -d= -f2)
end=$(openssl x509 -in "$P/node/node.crt" -noout -enddate | cut -d= -f2)
days=$((($(date -d "$end" +%s) - $(date -d "$start" +%s)) / 86400))
assert_eq 365 "$days" "node validity in days"
now=$(date +%s)
nb=$(date -d "$start" +%s)
[ $((now - nb)) -ge 0 ] && [ $((now - nb)) -lt 120 ] || t_fail "notBefore $start is not now"
serial=$(openssl x509 -in "$P/node/node.crt" -noout -serial | cut -d= -f2)
assert_eq 32 "${#serial}" "a 16-byte serial"
serial2=$(openssl x509 -in "$P/client/client.crt" -noout -serial | cut -d= -f2)
[ "$serial" != "$serial2" ] || t_fail "serials repeat"

client=$(openssl x509 -in "$P/client/client.crt" -noout -text)
assert_contains "$client" "Subject: CN = web-client" "client CN"
assert_contains "$client" "TLS Web Client Authentication" "client EKU"
assert_not_contains "$client" "TLS Web Server Authentication" "client EKU"
assert_not_contains "$client" "Subject Alternative Name" "client without SANs"

# the keys are the certificates' keys, in SEC1 PEM
for n in ca/ca node/node client/client; do
	head -1 "$P/$n.key" | grep -q "BEGIN EC PRIVATE KEY" || t_fail "$n.key is not SEC1 PEM"
	a=$(openssl pkey -in "$P/$n.key" -pubout 2>/dev/null)
	b=$(openssl x509 -in "$P/$n.crt" -noout -pubkey)
	[ -n "$a" ] && [ "$a" = "$b" ] || t_fail "$n.key does not match $n.crt"
done

for n in ca/ca node/node client/client; do
	assert_eq 600 "$(stat -c %a "$P/$n.key")" "mode of $n.key"
	assert_eq 644 "$(stat -c %a "$P/$n.crt")" "mode of $n.crt"
done
for d in ca node client; do
	assert_eq 755 "$(stat -c %a "$P/$d")" "mode of $d/"
	assert_eq 2 "$(find "$P/$d" -mindepth 1 | wc -l)" "files in $d/ (no leftovers)"
done

# with a restrictive umask too, the modes are as promised
umask 077
"$G" cert create-node -ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca/ca.key" \
	-out "$P/node2" -dns-names localhost >/dev/null || t_fail "create-node (umask 077)"
assert_eq 600 "$(stat -c %a "$P/node2/node.key")" "key mode under umask 077"
assert_eq 644 "$(stat -c %a "$P/node2/node.crt")" "cert mode under umask 077"
t_pass
