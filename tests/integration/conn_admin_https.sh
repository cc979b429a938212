#!/usr/bin/env bash
# State changes are the local operator's, and audited.
# - By default PUT /admin/member and POST /admin/reloadconfig over HTTPS
#   are refused even to a node (403, "AdminOverHttps is off"); the admin
#   socket does both, and each change logs one audit line with the
#   socket peer's uid and pid and what changed; SIGHUP's audit line names
#   the sender.
# - With AdminOverHttps a node may (audit line with its address and CN), a
#   client still may not.
# - MetricsRequiresClientCert: /metrics for any trusted certificate (a
#   scraper with a client certificate, not a node's), not anonymous.
. "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
put=(-X PUT -H 'Content-Type: application/json')
# shellcheck disable=SC2046
serve_on_free_port n1 https --node-ip 127.0.0.1 $(tls_args "$T_DIR")
url="https://127.0.0.1:$port"
assert_eq 403 "$(https_code "$url/admin/member" node "${put[@]}" -d '{"state":"Leader"}')" \
	"PUT /admin/member by a node over HTTPS, default"
assert_eq 403 "$(https_code "$url/admin/reloadconfig" node -X POST)" "reload by a node over HTTPS, default"
body=$(curl -s --max-time 5 --cacert "$T_DIR/ca/ca.crt" --cert "$T_DIR/node/node.crt" \
	--key "$T_DIR/node/node.key" -X POST "$url/admin/reloadconfig")
assert_contains "$body" "admin socket" "the refusal says where to go"
wait_log n1 'connection from 127\.0\.0\.1:[0-9]+ denied: AdminOverHttps is off \(POST /admin/reloadconfig is for the admin socket\)'
assert_eq 0 "$(log_count n1 'audit:')" "audit lines for refused requests"
assert_eq 200 "$(https_code "$url/admin/member" node)" "GET /admin/member by a node stays"

# The admin socket: a change, and its audit line with uid and pid.
uid=$(id -u)
out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" "${put[@]}" \
	-d '{"state":"Leader","nodePriority":7}' http://localhost/admin/member)
assert_eq Leader "$(jq -r .state <<<"$out")" "PUT /admin/member on the admin socket"
wait_log n1 "audit: admin socket \(uid $uid, pid [0-9]+\): PUT /admin/member: state [A-Za-z]+ -> Leader, nodePriority 0 -> 7$"
out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" -X POST http://localhost/admin/reloadconfig)
assert_eq '{"result":"reloaded"}' "$out" "reload on the admin socket"
wait_log n1 "audit: admin socket \(uid $uid, pid [0-9]+\): reload: options changed: none"
kill -HUP "$PID_n1"
wait_log n1 "audit: SIGHUP \(pid $$, uid $uid\): reload: options changed: none"

# AdminOverHttps and MetricsRequiresClientCert.
n1_port=$port
# shellcheck disable=SC2046
serve_on_free_port n2 https --node-ip 127.0.0.1 $(tls_args "$T_DIR") \
	--admin-over-https --metrics-requires-client-cert
url2="https://127.0.0.1:$port"
[ "$port" != "$n1_port" ] || t_fail "one port for two nodes"
assert_eq 200 "$(https_code "$url2/admin/member" node "${put[@]}" -d '{"state":"Follower"}')" \
	"PUT /admin/member by a node with AdminOverHttps"
wait_log n2 'audit: 127\.0\.0\.1:[0-9]+ \(CN "gossipd-node", node\): PUT /admin/member: state [A-Za-z]+ -> Follower$'
assert_eq 403 "$(https_code "$url2/admin/member" client "${put[@]}" -d '{"state":"Leader"}')" \
	"PUT /admin/member by a client with AdminOverHttps"
assert_eq 401 "$(https_code "$url2/admin/reloadconfig" none -X POST)" "reload anonymous with AdminOverHttps"
assert_eq 200 "$(https_code "$url2/admin/reloadconfig" node -X POST)" "reload by a node with AdminOverHttps"
wait_log n2 'audit: 127\.0\.0\.1:[0-9]+ \(CN "gossipd-node", node\): reload: options changed: none'
assert_eq 1 "$(log_count n2 'audit:.*PUT /admin/member')" "audit lines for member changes on n2"
assert_eq 401 "$(https_code "$url2/metrics" none)" "metrics anonymous with MetricsRequiresClientCert"
wait_log n2 'denied: no client certificate was presented \(GET /metrics is for trusted clients\)'
assert_eq 200 "$(https_code "$url2/metrics" client)" "metrics with a client certificate"
assert_eq 200 "$(https_code "$url2/metrics" node)" "metrics with a node certificate"
t_pass
