#!/usr/bin/env bash
# gossipd discover and status --protocol grpc|http|auto: over TLS (ALPN
# h2) and insecure (h2c), gRPC Gossip/Read gives the same answer as
# GET /gossip, and the server's counters show which protocol was used
# (auto over TLS takes what the seed chooses: gossipd prefers HTTP/1.1);
# a gRPC error status reaches the reason line; a bad --protocol is a
# usage error.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
pki="$T_DIR/pki"
mkdir -p "$pki"
make_pki "$pki"
# shellcheck disable=SC2046
serve_on_free_port n1 https $(tls_args "$pki") --initial-state Leader
tp=$port
ca=(--cacert "$pki/ca/ca.crt")
gd() { "$GOSSIPD_BIN" "$@"; }
count() { # NAME METRIC-LINE-PREFIX: its value on NAME's port
	curl -s --max-time 5 "${ca[@]}" "https://127.0.0.1:$tp/metrics" |
		sed -n "s|^$1 ||p"
}
g0=$(count 'gossipd_grpc_requests_total{status="OK"}')
out=$(gd discover --seed "127.0.0.1:$tp" "${ca[@]}" --protocol grpc) || t_fail "discover --protocol grpc: $out"
assert_eq "127.0.0.1:$tp" "$out" "discover over gRPC"
g1=$(count 'gossipd_grpc_requests_total{status="OK"}')
[ "$g1" -gt "$g0" ] || t_fail "the server counted no gRPC call ($g0 -> $g1)"
assert_eq "127.0.0.1:$tp" "$(gd discover --seed "127.0.0.1:$tp" "${ca[@]}" --protocol http)" "discover over HTTP"
assert_eq "127.0.0.1:$tp" "$(gd discover --seed "127.0.0.1:$tp" "${ca[@]}")" "discover, auto"
g2=$(count 'gossipd_grpc_requests_total{status="OK"}')
assert_eq "$g1" "$g2" "auto: gossipd chose HTTP/1.1, no gRPC call"
out=$(gd status --seed "127.0.0.1:$tp" "${ca[@]}" --protocol grpc --cluster-size 1) ||
	t_fail "status --protocol grpc: $out"
assert_contains "$out" "* 127.0.0.1:$tp  Leader" "status row over gRPC"
assert_contains "$out" "healthy" "status verdict over gRPC"

# A gRPC error status in the reason.
stop_node n1 >/dev/null
# shellcheck disable=SC2046
serve_on_free_port n2 https $(tls_args "$pki") --gossip-requires-client-cert --initial-state Leader
out=$(gd discover --seed "127.0.0.1:$port" "${ca[@]}" --protocol grpc --attempts 1 2>&1)
assert_contains "$out" "gRPC Gossip/Read on 127.0.0.1:$port: status 16 (UNAUTHENTICATED): a trusted client certificate is required" "UNAUTHENTICATED reason"
out=$(gd discover --seed "127.0.0.1:$port" "${ca[@]}" --protocol grpc \
	--cert "$pki/client/client.crt" --key "$pki/client/client.key") ||
	t_fail "discover with a client certificate: $out"
assert_eq "127.0.0.1:$port" "$out" "discover over gRPC with a client certificate"

# Insecure: h2c with prior knowledge.
serve_on_free_port n3 http --insecure --initial-state Follower
assert_eq "127.0.0.1:$port" "$(gd discover --seed "127.0.0.1:$port" --insecure --protocol grpc --prefer follower)" "insecure gRPC"
out=$(gd discover --seed "127.0.0.1:$port" --insecure --protocol gRPC 2>&1)
[ $? -eq 2 ] || t_fail "a bad --protocol is not a usage error: $out"
assert_contains "$out" '--protocol: "gRPC" is not grpc, http or auto' "usage line"
t_pass
