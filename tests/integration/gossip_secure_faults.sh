#!/usr/bin/env bash
# Faults in a secured three-member cluster (TLS with node certificates):
# - the first member is seeded as localhost:PORT while it advertises
#   127.0.0.1: no stale Manager placeholder stays anywhere;
# - kill -9 of a member marks it dead on the others within an interval,
#   a timeout and a round or two; its restart brings it back alive with a
#   new instanceId and no duplicate entry;
# - a SIGSTOPped member (TLS handshakes hang) is marked dead and does not
#   stall the others; after SIGCONT it is alive again.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

make_pki "$T_DIR/pki" "127.0.0.1,127.0.0.2,127.0.0.3"
ca="$T_DIR/pki/ca/ca.crt"
tls=(--cacert "$ca" --cert "$T_DIR/pki/node/node.crt" --key "$T_DIR/pki/node/node.key")

doc() { curl -sf --max-time 2 "${tls[@]}" "$1/gossip"; }
view() { doc "$1" | jq -r '.members[] | "\(.httpEndPointIp):\(.httpEndPointPort) \(.state) \(.isAlive)"'; }
converged() { [ "$(view "$1")" = "$2" ]; }
member_of() { # URL ENDPOINT -> "alive instanceId state"
	doc "$1" | jq -r --arg ep "$2" '.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | "\(.isAlive) \(.instanceId) \(.state)"'
}
alive_is() { [ "$(member_of "$1" "$2" | cut -d' ' -f1)" = "$3" ]; }
field_is() { # URL ENDPOINT N VALUE: the Nth word of member_of
	[ "$(member_of "$1" "$2" | cut -d' ' -f"$3")" = "$4" ]
}

p=("$(free_port)" "$(free_port)" "$(free_port)")
u=("https://127.0.0.1:${p[0]}" "https://127.0.0.2:${p[1]}" "https://127.0.0.3:${p[2]}")
ep=("127.0.0.1:${p[0]}" "127.0.0.2:${p[1]}" "127.0.0.3:${p[2]}")
seeds="localhost:${p[0]},127.0.0.2:${p[1]},127.0.0.3:${p[2]}"
start() { # INDEX NAME
	start_node "$2" --node-ip "127.0.0.$(($1 + 1))" --node-port "${p[$1]}" \
		--certificate-file "$T_DIR/pki/node/node.crt" \
		--certificate-private-key-file "$T_DIR/pki/node/node.key" \
		--trusted-root-certificates-path "$ca" \
		--cluster-size 3 --gossip-seed "$seeds" \
		--gossip-interval-ms 200 --gossip-timeout-ms 2000 \
		--admin-over-https # PUT /admin/member with the node certificate
}
start 0 n0
start 1 n1
start 2 n2
wait_for 10 grep -qE "serving on|cannot start" "$T_DIR/n0.log"
if grep -q "TLS serving is not built yet" "$T_DIR/n0.log"; then
	t_skip "the daemon does not serve TLS yet"
fi
for i in 0 1 2; do wait_serving "n$i" "${u[i]}" 10 "${tls[@]}"; done
want="${ep[0]} Unknown true
${ep[1]} Unknown true
${ep[2]} Unknown true"
for i in 0 1 2; do
	wait_for 20 converged "${u[i]}" "$want" || t_fail "n$i: $(view "${u[i]}")"
done
sleep 0.5 # a few more rounds: the alias must not come back
for i in 0 1 2; do
	assert_eq 0 "$(doc "${u[i]}" | jq '[.members[] | select(.state == "Manager" or .httpEndPointIp == "localhost")] | length')" \
		"placeholders on n$i after more rounds"
done

# kill -9 and restart.
old_id=$(member_of "${u[0]}" "${ep[2]}" | cut -d' ' -f2)
kill -KILL "$PID_n2"
wait_exit "$PID_n2" 5 >/dev/null
t0=$SECONDS
for i in 0 1; do
	wait_for 6 alive_is "${u[i]}" "${ep[2]}" false || t_fail "killed n2 not dead on n$i"
done
t_log "killed member dead on both others after $((SECONDS - t0)) s"
start 2 n2b
wait_serving n2b "${u[2]}" 10 "${tls[@]}"
for i in 0 1; do
	wait_for 20 alive_is "${u[i]}" "${ep[2]}" true || t_fail "restarted n2 not alive on n$i"
	new_id=$(member_of "${u[i]}" "${ep[2]}" | cut -d' ' -f2)
	[ "$new_id" != "$old_id" ] || t_fail "n$i still has the old instanceId"
	assert_eq 3 "$(doc "${u[i]}" | jq '.members | length')" "members on n$i"
done

# SIGSTOP: hung TLS handshakes end at the deadline; the others go on.
kill -STOP "$PID_n1"
for i in 0 2; do
	wait_for 15 alive_is "${u[i]}" "${ep[1]}" false || t_fail "stopped n1 not dead on n$i"
done
curl -sf --max-time 5 "${tls[@]}" -X PUT -H 'Content-Type: application/json' \
	-d '{"state":"Leader"}' "${u[2]}/admin/member" >/dev/null || t_fail "PUT /admin/member"
wait_for 15 field_is "${u[0]}" "${ep[2]}" 3 Leader || t_fail "n0 stalled by the stopped n1"
kill -CONT "$PID_n1"
for i in 0 2; do
	wait_for 20 alive_is "${u[i]}" "${ep[1]}" true || t_fail "n1 not alive again on n$i"
done
wait_for 20 field_is "${u[1]}" "${ep[2]}" 3 Leader || t_fail "n1 does not learn the leader"
t_pass
