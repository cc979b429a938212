#!/usr/bin/env bash
# gossipd cert: a node certificate serves TLS and a client certificate is
# accepted by a server that requires one, for EC and RSA keys: curl talks to
# openssl s_server by IP and by DNS name, and is refused without its
# client certificate.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

G=$GOSSIPD_BIN

listening() { ss -Htln "sport = :$1" | grep -q .; }

for kt in ec rsa; do
	P=$T_DIR/$kt
	"$G" cert create-ca -out "$P/ca" -key-type "$kt" >/dev/null || t_fail "$kt: create-ca"
	"$G" cert create-node -ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca/ca.key" \
		-out "$P/node" -ip-addresses 127.0.0.1,::1 -dns-names localhost \
		-key-type "$kt" >/dev/null || t_fail "$kt: create-node"
	"$G" cert create-client -ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca/ca.key" \
		-out "$P/client" -common-name web-client -key-type "$kt" >/dev/null ||
		t_fail "$kt: create-client"
	if [ "$kt" = rsa ]; then
		head -1 "$P/node/node.key" | grep -q "BEGIN RSA PRIVATE KEY" ||
			t_fail "rsa: node.key is not PKCS#1 PEM"
		openssl x509 -in "$P/node/node.crt" -noout -text |
			grep -q "Public-Key: (2048 bit)" || t_fail "rsa: not 2048 bits"
	fi

	port=$(free_port)
	openssl s_server -accept "127.0.0.1:$port" -cert "$P/node/node.crt" \
		-key "$P/node/node.key" -CAfile "$P/ca/ca.crt" -Verify 1 \
		-verify_return_error -www >"$T_DIR/s_server_$kt.log" 2>&1 </dev/null &
	T_PIDS+=($!)
	wait_for 10 listening "$port" || t_fail "$kt: s_server did not listen"

	auth=(--cacert "$P/ca/ca.crt" --cert "$P/client/client.crt" --key "$P/client/client.key")
	code=$(http_code "https://127.0.0.1:$port/" "${auth[@]}")
	assert_eq 200 "$code" "$kt: by IP with a client certificate"
	code=$(http_code "https://localhost:$port/" "${auth[@]}" \
		--resolve "localhost:$port:127.0.0.1")
	assert_eq 200 "$code" "$kt: by DNS name with a client certificate"
	code=$(http_code "https://127.0.0.1:$port/" --cacert "$P/ca/ca.crt")
	[ "$code" != 200 ] || t_fail "$kt: served without a client certificate"
	# a name that is not a SAN is refused by curl's verification
	code=$(http_code "https://other.test:$port/" "${auth[@]}" \
		--resolve "other.test:$port:127.0.0.1")
	[ "$code" != 200 ] || t_fail "$kt: accepted a name that is not a SAN"
done
t_pass
