#!/usr/bin/env bash
# Readiness and per-peer health. A TLS node with ClusterSize 2 serves
# (/health/live 204) but is not ready (/health/ready 503, JSON reason)
# until its first successful exchange; then 200. GET /members/health
# shows the peer's last success, round-trip time and certificate expiry,
# /metrics the same labelled by member; once the peer stops, the last
# error and its reason. /members/health follows /metrics' access rule.
# A single node (ClusterSize 1) is ready at once, and not ready any more
# once its node certificate has expired (while still live).
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

make_pki "$T_DIR/pki" "127.0.0.1,127.0.0.2"
pki=$T_DIR/pki
ca=(--cacert "$pki/ca/ca.crt")
node=("${ca[@]}" --cert "$pki/node/node.crt" --key "$pki/node/node.key")
tls=(--certificate-file "$pki/node/node.crt"
	--certificate-private-key-file "$pki/node/node.key"
	--trusted-root-certificates-path "$pki/ca/ca.crt")
pa=$(free_port) pb=$(free_port)
a=https://127.0.0.1:$pa
start_node a "${tls[@]}" --node-ip 127.0.0.1 --node-port "$pa" --cluster-size 2 \
	--gossip-seed "127.0.0.2:$pb" --gossip-interval-ms 200 --gossip-timeout-ms 1000 \
	--metrics-requires-node true
wait_serving a "$a" 10 "${ca[@]}"

# Serving, not ready: nobody to exchange with.
assert_eq 204 "$(http_code "$a/health/live" "${ca[@]}")" "live while alone"
body=$(curl -s --max-time 5 "${ca[@]}" -w ' %{http_code}' "$a/health/ready")
assert_eq '{"ready":false,"reason":"no successful gossip exchange yet"} 503' "$body" "not ready while alone"
ct=$(curl -s -o /dev/null -w '%{content_type}' --max-time 5 "${ca[@]}" "$a/health/ready")
assert_eq "application/json; charset=utf-8" "$ct" "ready content type"

start_node b "${tls[@]}" --node-ip 127.0.0.2 --node-port "$pb" --cluster-size 2 \
	--gossip-seed "127.0.0.1:$pa" --gossip-interval-ms 200 --gossip-timeout-ms 1000
ready() { [ "$(http_code "$a/health/ready" "${ca[@]}")" = 200 ]; }
wait_for 20 ready || t_fail "a not ready after b started: $(curl -s "${ca[@]}" "$a/health/ready")"
assert_eq '{"ready":true}' "$(curl -s --max-time 5 "${ca[@]}" "$a/health/ready")" "ready body"

# Per-peer health: the same access rule as /metrics (nodes only here).
assert_eq 401 "$(http_code "$a/members/health" "${ca[@]}")" "members/health without a certificate"
assert_eq 401 "$(http_code "$a/metrics" "${ca[@]}")" "metrics without a certificate"
assert_eq 403 "$(http_code "$a/members/health" "${ca[@]}" --cert "$pki/client/client.crt" --key "$pki/client/client.key")" \
	"members/health with a client certificate"
peer() { curl -sf --max-time 5 "${node[@]}" "$a/members/health" | jq -c ".members[] | select(.endpoint == \"127.0.0.2:$pb\")"; }
has_success() { [ "$(peer | jq -r .lastSuccess)" != null ]; }
wait_for 10 has_success || t_fail "no success recorded for b: $(curl -s "${node[@]}" "$a/members/health")"
p=$(peer)
t_log "b as a sees it: $p"
assert_eq true "$(jq '.isAlive and (.self | not) and (.seedNotYetAnswered | not)' <<<"$p")" "b alive, not self"
assert_eq true "$(jq '.roundTripMs > 0 and .roundTripMs < 1000' <<<"$p")" "round-trip time in ms"
# make_pki's node certificate is valid for a year or more.
assert_eq true "$(jq '.certificateExpiresInSeconds > 86400 * 300' <<<"$p")" "peer certificate expiry"
assert_eq true "$(jq '.lastSuccessSecondsAgo >= 0 and .lastSuccessSecondsAgo < 60' <<<"$p")" "last success age"
self=$(curl -sf --max-time 5 "${node[@]}" "$a/members/health" | jq -c ".members[] | select(.self)")
assert_eq "127.0.0.1:$pa" "$(jq -r .endpoint <<<"$self")" "self entry"
m=$(curl -sf --max-time 5 "${node[@]}" "$a/metrics")
assert_contains "$m" "gossipd_peer_last_success_timestamp_seconds{member=\"127.0.0.2:$pb\"} " "metric: last success"
assert_contains "$m" "gossipd_peer_round_trip_seconds{member=\"127.0.0.2:$pb\"} " "metric: round trip"
assert_contains "$m" "gossipd_peer_certificate_expiry_seconds{member=\"127.0.0.2:$pb\"} " "metric: peer certificate"
assert_contains "$m" "gossipd_peer_consecutive_failures{member=\"127.0.0.2:$pb\"} 0" "metric: no failures"

# b stops: the last error, its reason, the count of failures.
assert_eq 0 "$(stop_node b 5)" "b stops"
failing() { [ "$(peer | jq -r '.consecutiveFailures')" -ge 2 ]; }
wait_for 15 failing || t_fail "b's failures not recorded: $(peer)"
p=$(peer)
assert_eq connect "$(jq -r .lastErrorReason <<<"$p")" "last error reason"
assert_contains "$(jq -r .lastErrorText <<<"$p")" "127.0.0.2:$pb" "last error text names the peer"
assert_eq true "$(jq '.lastSuccess != null' <<<"$p")" "the last success is kept"
m=$(curl -sf --max-time 5 "${node[@]}" "$a/metrics")
assert_contains "$m" "gossipd_peer_last_error_timestamp_seconds{member=\"127.0.0.2:$pb\",reason=\"connect\"} " "metric: last error"
# Ready stays: readiness is about this node, not the whole cluster.
assert_eq 200 "$(http_code "$a/health/ready" "${ca[@]}")" "still ready after b stopped"

# A single node is ready as soon as it serves.
ps=$(free_port)
start_node s --insecure --node-ip 127.0.0.1 --node-port "$ps" --cluster-size 1
wait_serving s "http://127.0.0.1:$ps"
assert_eq 200 "$(http_code "http://127.0.0.1:$ps/health/ready")" "single node ready"
assert_eq 200 "$(http_code "http://127.0.0.1:$ps/members/health")" "members/health open by default"
assert_eq 200 "$(http_code "http://127.0.0.1:$ps/health/ready" -I)" "HEAD /health/ready"

# Valid credentials: a node certificate that expires while the node runs
# makes it not ready (it stays live).
until_ts=$(date -u -d '+4 seconds' +%Y%m%d%H%M%S)
"$GOSSIPD_BIN" cert create-node -ca-certificate "$pki/ca/ca.crt" -ca-key "$pki/ca/ca.key" \
	-out "$T_DIR/short" -ip-addresses 127.0.0.1 -not-after "$until_ts" >/dev/null ||
	t_fail "short-lived certificate"
pe=$(free_port)
start_node e --certificate-file "$T_DIR/short/node.crt" \
	--certificate-private-key-file "$T_DIR/short/node.key" \
	--trusted-root-certificates-path "$pki/ca/ca.crt" --node-port "$pe" --cluster-size 1
wait_serving e "https://127.0.0.1:$pe" 10 -k
assert_eq 200 "$(http_code "https://127.0.0.1:$pe/health/ready" -k)" "ready while the certificate is valid"
expired() { [ "$(curl -sk --max-time 5 "https://127.0.0.1:$pe/health/ready")" = '{"ready":false,"reason":"the node certificate has expired"}' ]; }
wait_for 15 expired || t_fail "not 503 after the certificate expired: $(curl -sk "https://127.0.0.1:$pe/health/ready")"
assert_eq 204 "$(http_code "https://127.0.0.1:$pe/health/live" -k)" "still live"
t_pass
