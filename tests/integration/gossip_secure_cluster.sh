#!/usr/bin/env bash
# A secured three-member cluster on 127.0.0.1-3 (node certificates with
# IP SANs) converges over TLS with mutual authentication; a state set
# through PUT /admin/member with the node certificate shows on every node.
# POST /gossip without a certificate is 401, with a trusted client
# certificate that is not a node 403, and neither changes the table.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

make_pki "$T_DIR/pki" "127.0.0.1,127.0.0.2,127.0.0.3"
ca="$T_DIR/pki/ca/ca.crt"
tls=(--cacert "$ca" --cert "$T_DIR/pki/node/node.crt" --key "$T_DIR/pki/node/node.key")
client=(--cacert "$ca" --cert "$T_DIR/pki/client/client.crt" --key "$T_DIR/pki/client/client.key")

view() {
	curl -sf --max-time 2 "${tls[@]}" "$1/gossip" |
		jq -r '.members[] | "\(.httpEndPointIp):\(.httpEndPointPort) \(.state) \(.isAlive)"'
}
converged() { [ "$(view "$1")" = "$2" ]; }

p=("$(free_port)" "$(free_port)" "$(free_port)")
seeds="127.0.0.1:${p[0]},127.0.0.2:${p[1]},127.0.0.3:${p[2]}"
for i in 0 1 2; do
	start_node "n$i" --node-ip "127.0.0.$((i + 1))" --node-port "${p[i]}" \
		--certificate-file "$T_DIR/pki/node/node.crt" \
		--certificate-private-key-file "$T_DIR/pki/node/node.key" \
		--trusted-root-certificates-path "$ca" \
		--cluster-size 3 --gossip-seed "$seeds" \
		--gossip-interval-ms 200 --gossip-timeout-ms 2000 \
		--admin-over-https # PUT /admin/member with the node certificate
done
wait_for 10 grep -qE "serving on|cannot start" "$T_DIR/n0.log"
if grep -q "TLS serving is not built yet" "$T_DIR/n0.log"; then
	t_skip "the daemon does not serve TLS yet"
fi
for i in 0 1 2; do
	wait_serving "n$i" "https://127.0.0.$((i + 1)):${p[i]}" 10 "${tls[@]}"
done
want="127.0.0.1:${p[0]} Unknown true
127.0.0.2:${p[1]} Unknown true
127.0.0.3:${p[2]} Unknown true"
for i in 0 1 2; do
	wait_for 20 converged "https://127.0.0.$((i + 1)):${p[i]}" "$want" ||
		t_fail "n$i did not converge: $(view "https://127.0.0.$((i + 1)):${p[i]}")"
done
doc=$(curl -sf --max-time 2 "${tls[@]}" "https://127.0.0.1:${p[0]}/gossip")
assert_eq "0 1112" "$(jq -r '.members[0] | "\(.internalTcpPort) \(.internalSecureTcpPort)"' <<<"$doc")" "secure TCP ports"

# Leader through PUT /admin/member with the node certificate.
out=$(curl -s --max-time 5 "${tls[@]}" -X PUT -H 'Content-Type: application/json' \
	-d '{"state":"Leader"}' "https://127.0.0.3:${p[2]}/admin/member")
assert_eq Leader "$(jq -r .state <<<"$out")" "PUT /admin/member"
want="127.0.0.1:${p[0]} Unknown true
127.0.0.2:${p[1]} Unknown true
127.0.0.3:${p[2]} Leader true"
for i in 0 1 2; do
	wait_for 20 converged "https://127.0.0.$((i + 1)):${p[i]}" "$want" ||
		t_fail "n$i does not show the leader: $(view "https://127.0.0.$((i + 1)):${p[i]}")"
done

# Who may POST /gossip.
body=$(curl -sf --max-time 2 "${tls[@]}" "https://127.0.0.1:${p[0]}/gossip" |
	jq -c '.members[0].state = "Shutdown" | .members[1].state = "Shutdown"')
url="https://127.0.0.1:${p[0]}/gossip"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$ca" -X POST \
	-H 'Content-Type: application/json' --data-binary "$body" "$url")
assert_eq 401 "$code" "POST /gossip without a certificate"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${client[@]}" -X POST \
	-H 'Content-Type: application/json' --data-binary "$body" "$url")
assert_eq 403 "$code" "POST /gossip with a client certificate"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${client[@]}" -X PUT \
	-H 'Content-Type: application/json' -d '{"state":"Shutdown"}' \
	"https://127.0.0.1:${p[0]}/admin/member")
assert_eq 403 "$code" "PUT /admin/member with a client certificate"
assert_eq 0 "$(curl -sf --max-time 2 "${tls[@]}" "$url" | jq '[.members[] | select(.state == "Shutdown")] | length')" \
	"refused posts changed nothing"
t_pass
