#!/usr/bin/env bash
# Outbound peers are nodes too (SPEC section 4). With an independent PKI
# made by openssl: a seed whose certificate is trusted, has an IP SAN for
# its own address and EKU serverAuth, but CN "web-client" (not the
# reserved node CN), serves a gossip document with a forged Leader. The
# node refuses it after the handshake: one line "connection to A:P
# denied: CN "web-client" does not match the reserved node CN ..." (the
# inbound side's words), the exchange counted with reason="not_node", no
# request sent to it, nothing merged. A second fake seed with a node
# certificate from the same CA (the control) is merged.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

pki="$T_DIR/pki"
ossl_ca "$pki" ca
ossl_node "$pki" ca node node1.gossip.test 127.0.0.1
ossl_leaf "$pki" ca web "/CN=web-client" "subjectAltName=IP:127.0.0.2" \
	"keyUsage=critical,digitalSignature,keyAgreement" \
	"extendedKeyUsage=serverAuth"
ossl_node "$pki" ca good node3.gossip.test 127.0.0.3

fakeseed() { # NAME HOST CERT STATE: starts it; its port in PORT_<NAME>
	python3 "$GOSSIPD_SRC/tests/tools/fakeseed.py" --host "$2" \
		--cert "$pki/$3.crt" --key "$pki/$3.key" --state "$4" \
		--count "$T_DIR/$1.count" >"$T_DIR/$1.out" 2>&1 &
	T_PIDS+=($!)
	wait_for 10 grep -q "listening on" "$T_DIR/$1.out" ||
		t_fail "fake seed $1 did not start: $(cat "$T_DIR/$1.out")"
	printf -v "PORT_$1" '%s' "$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T_DIR/$1.out")"
	: >>"$T_DIR/$1.count"
}
fakeseed bad 127.0.0.2 web Leader
fakeseed good 127.0.0.3 good Follower

tls=(--cacert "$pki/ca.crt" --cert "$pki/node.crt" --key "$pki/node.key")
serve_on_free_port n1 https --certificate-file "$pki/node.crt" \
	--certificate-private-key-file "$pki/node.key" \
	--trusted-root-certificates-path "$pki/ca.crt" \
	--certificate-reserved-node-common-name '*.gossip.test' \
	--cluster-size 3 --gossip-interval-ms 200 --gossip-timeout-ms 2000 \
	--gossip-seed "127.0.0.2:$PORT_bad,127.0.0.3:$PORT_good"
url="https://127.0.0.1:$port"

view() {
	curl -sf --max-time 2 "${tls[@]}" "$url/gossip" |
		jq -r '.members[] | "\(.httpEndPointIp):\(.httpEndPointPort) \(.state)"' | sort
}
refused() {
	curl -sf --max-time 2 "${tls[@]}" "$url/metrics" |
		awk '$1 == "gossipd_gossip_exchange_failures_total{reason=\"not_node\"}" {print $2}'
}
count() { grep -c . "$T_DIR/$1.count"; }
not_node_at_least() { [ "$(refused)" -ge "$1" ]; }
good_merged() { view | grep -qx "127.0.0.3:$PORT_good Follower"; }

# The control: the document of a seed with a node certificate merges.
wait_for 20 good_merged || t_fail "control seed not merged: $(view)"
wait_log n1 "connection to 127.0.0.2:$PORT_bad denied: CN \"web-client\" does not match the reserved node CN \"\*\.gossip\.test\"" 20
wait_for 20 not_node_at_least 3 || t_fail "not_node failures: $(refused)"
v=$(view)
assert_contains "$v" "127.0.0.3:$PORT_good Follower" "control seed in the table"
assert_not_contains "$v" "Leader" "forged Leader merged"
assert_eq 0 "$(count bad)" "requests that reached the refused seed"
t_log "table: $(echo $v); not_node failures: $(refused); control requests: $(count good)"
# Every refused exchange is counted; the line comes once a minute per
# peer and reason.
assert_eq 1 "$(log_count n1 "connection to 127.0.0.2:$PORT_bad denied")" "refusal lines"
t_pass
