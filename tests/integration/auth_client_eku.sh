#!/usr/bin/env bash
# GossipRequiresClientCert admits only certificates usable for client
# authentication: a trusted certificate whose extended key usage lacks
# clientAuth (serverAuth only) counts as no certificate: GET /gossip is
# 401 and the refusal says why. clientAuth, or no EKU at all, is admitted.
# A certificate with two subject CNs (the node's among them) is not a
# node: POST /gossip is 403 with that reason. Independent openssl PKI.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

pki="$T_DIR/pki"
ossl_ca "$pki" ca
ossl_node "$pki" ca node node1.gossip.test 127.0.0.1
ossl_leaf "$pki" ca client "/CN=web-client" "extendedKeyUsage=clientAuth"
ossl_leaf "$pki" ca noeku "/CN=reader" "basicConstraints=CA:FALSE"
ossl_leaf "$pki" ca server "/CN=web-server" "subjectAltName=IP:127.0.0.1" \
	"extendedKeyUsage=serverAuth"
ossl_leaf "$pki" ca twocn "/CN=web-client/CN=node2.gossip.test" \
	"subjectAltName=IP:127.0.0.1" \
	"keyUsage=critical,digitalSignature,keyAgreement" \
	"extendedKeyUsage=serverAuth,clientAuth"

serve_on_free_port n1 https --certificate-file "$pki/node.crt" \
	--certificate-private-key-file "$pki/node.key" \
	--trusted-root-certificates-path "$pki/ca.crt" \
	--certificate-reserved-node-common-name '*.gossip.test' \
	--gossip-requires-client-cert
url="https://127.0.0.1:$port/gossip"

code() { # WHO [curl args]
	local who=$1 id=()
	shift
	[ "$who" = none ] || id=(--cert "$pki/$who.crt" --key "$pki/$who.key")
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		--cacert "$pki/ca.crt" "${id[@]}" "$@" "$url"
}
assert_eq 401 "$(code none)" "GET /gossip without a certificate"
assert_eq 200 "$(code client)" "GET /gossip with EKU clientAuth"
assert_eq 200 "$(code noeku)" "GET /gossip with no EKU"
assert_eq 200 "$(code node)" "GET /gossip with the node certificate"
assert_eq 401 "$(code server)" "GET /gossip with EKU serverAuth only"
wait_log n1 "connection from 127\.0\.0\.1:[0-9]+ denied: certificate is not usable for client authentication \(extended key usage lacks clientAuth\) \(GET /gossip is for trusted clients\)"

doc=$(curl -sf --max-time 2 --cacert "$pki/ca.crt" --cert "$pki/node.crt" \
	--key "$pki/node.key" "$url") || t_fail "GET /gossip as a node"
assert_eq 200 "$(code twocn)" "GET /gossip with two CNs (a trusted client)"
assert_eq 403 "$(code twocn -X POST -H 'Content-Type: application/json' \
	--data-binary "$doc")" "POST /gossip with two CNs"
wait_log n1 "connection from 127\.0\.0\.1:[0-9]+ denied: certificate has more than one subject CN \(ambiguous identity\) \(POST /gossip is for cluster nodes\)"
assert_eq 200 "$(code node -X POST -H 'Content-Type: application/json' \
	--data-binary "$doc")" "POST /gossip as the node"
t_pass
