#!/usr/bin/env bash
# discover and status against a node that serves its gossip only to
# trusted client certificates (GossipRequiresClientCert): without one the
# reason says what to give; with --cert/--key, or userCertFile and
# userKeyFile in a connection string, it works.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
pki="$T_DIR/pki"
mkdir -p "$pki"
make_pki "$pki"
serve_on_free_port n1 https --gossip-requires-client-cert \
	--certificate-file "$pki/node/node.crt" \
	--certificate-private-key-file "$pki/node/node.key" \
	--trusted-root-certificates-path "$pki/ca/ca.crt"
gd() { "$GOSSIPD_BIN" "$@"; }
gd member set --state Leader --admin-socket "$T_DIR/n1.sock" >/dev/null || t_fail "member set"
seed="127.0.0.1:$port"
ca=(--cacert "$pki/ca/ca.crt")

out=$(gd discover "${ca[@]}" --seed "$seed" --attempts 1 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "no client certificate: exit status"
assert_contains "$out" "seed $seed: HTTP 401 from GET /gossip" "no client certificate: the status"
assert_contains "$out" "give --cert and --key" "no client certificate: what to do"

got=$(gd discover "${ca[@]}" --cert "$pki/client/client.crt" --key "$pki/client/client.key" --seed "$seed")
assert_eq "$seed" "$got" "with a client certificate"
got=$(gd discover "esdb://$seed?tlsCAFile=$pki/ca/ca.crt&userCertFile=$pki/client/client.crt&userKeyFile=$pki/client/client.key")
assert_eq "$seed" "$got" "client certificate from the connection string"
table=$(gd status "${ca[@]}" --cert "$pki/client/client.crt" --key "$pki/client/client.key" --seed "$seed")
assert_contains "$table" "* $seed" "status with a client certificate"

# a client certificate from another CA is refused in the handshake
gd cert create-ca -out "$T_DIR/other" >/dev/null || t_fail "second CA"
gd cert create-client -ca-certificate "$T_DIR/other/ca.crt" -ca-key "$T_DIR/other/ca.key" \
	-out "$T_DIR/stranger" -common-name stranger >/dev/null || t_fail "stranger certificate"
out=$(gd discover "${ca[@]}" --cert "$T_DIR/stranger/client.crt" --key "$T_DIR/stranger/client.key" \
	--seed "$seed" --attempts 1 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "untrusted client certificate: exit status"
assert_contains "$out" "seed $seed: " "untrusted client certificate: the seed named"
t_pass
