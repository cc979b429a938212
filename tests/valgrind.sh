#!/usr/bin/env bash
# tests/valgrind.sh [BUILD_DIR]: memory errors and leaks of a secured
# three-node cluster, under valgrind.
#
# Builds a normal RelWithDebInfo tree (default build-valgrind beside the
# sources; no sanitizers, which valgrind cannot run with), starts three
# TLS nodes on 127.0.0.1-3 under
#   valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
#            --error-exitcode=99
# gossiping every 200 ms, and drives them: GET and POST /gossip with curl
# (anonymous, client and node certificates), PUT /admin/member and
# POST /admin/reloadconfig on the admin socket, SIGHUP, and bad requests
# (404, 405, 400, 401, 403, 413, 415, plain HTTP on the TLS port, random
# bytes, a truncated ClientHello, an oversized header, a connection that
# never finishes its handshake). Deadlines are long (handshake and request
# 20 s, exchange 10 s): valgrind runs the daemon some 20-50 times slower. Then SIGTERM to each, and a report per
# process: exit status, valgrind errors, definitely and indirectly lost
# bytes. Exits 1 when any process had an error or a leak, or did not
# exit 0 within its bound.
#
# Not part of ctest (a few minutes under valgrind); run it by hand or in
# a nightly job. Keep the directory for inspection with T_KEEP=1.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-valgrind}
command -v valgrind >/dev/null 2>&1 || {
	echo "valgrind.sh: valgrind is not installed" >&2
	exit 2
}
echo "valgrind.sh: building $build (RelWithDebInfo)" >&2
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
	cmake --build "$build" -j "$(nproc)" --target gossipd >/dev/null || {
	echo "valgrind.sh: build failed" >&2
	exit 2
}
REAL_BIN=$build/gossipd
export GOSSIPD_BIN=$REAL_BIN GOSSIPD_SRC=$src
. "$src/tests/lib.sh"
T_NAME=valgrind
t_init
make_pki "$T_DIR"
# Nodes run through this wrapper: valgrind execs gossipd in the same
# process, so its report for pid P is $T_DIR/vg.P.
cat >"$T_DIR/vg-gossipd" <<EOF
#!/bin/sh
exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \\
	--error-exitcode=99 --num-callers=30 --log-file="$T_DIR/vg.%p" \\
	"$REAL_BIN" "\$@"
EOF
chmod +x "$T_DIR/vg-gossipd"
GOSSIPD_BIN=$T_DIR/vg-gossipd

ca=(--cacert "$T_DIR/ca/ca.crt")
node=(--cert "$T_DIR/node/node.crt" --key "$T_DIR/node/node.key")
client=(--cert "$T_DIR/client/client.crt" --key "$T_DIR/client/client.key")
"$REAL_BIN" cert create-node -ca-certificate "$T_DIR/ca/ca.crt" \
	-ca-key "$T_DIR/ca/ca.key" -out "$T_DIR/cluster" \
	-ip-addresses 127.0.0.1,127.0.0.2,127.0.0.3 >/dev/null || t_fail "node certificate"
declare -A port
seeds=""
for i in 1 2 3; do
	port[$i]=$(free_port)
	seeds="$seeds${seeds:+,}127.0.0.$i:${port[$i]}"
done
for i in 1 2 3; do
	start_node "n$i" --node-ip "127.0.0.$i" --node-port "${port[$i]}" \
		--certificate-file "$T_DIR/cluster/node.crt" \
		--certificate-private-key-file "$T_DIR/cluster/node.key" \
		--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
		--cluster-size 3 --gossip-seed "$seeds" \
		--gossip-interval-ms 200 --gossip-timeout-ms 10000 \
		--handshake-timeout-ms 20000 --request-timeout-ms 20000 \
		--max-body-bytes 65536
done
url() { echo "https://127.0.0.$1:${port[$1]}"; }
for i in 1 2 3; do
	wait_serving "n$i" "$(url "$i")" 120 "${ca[@]}"
done
t_log "three nodes serving under valgrind"

alive() { # I: how many real members node I lists as alive
	curl -sf --max-time 10 "${ca[@]}" "$(url "$1")/gossip" |
		jq '[.members[] | select(.isAlive and .state != "Manager")] | length'
}
converged() { for i in 1 2 3; do [ "$(alive "$i")" = 3 ] || return 1; done; }
wait_for 120 converged || t_fail "the cluster did not converge under valgrind"
t_log "converged"

expect() { # CODE WHAT CURL-ARGS...
	local want=$1 what=$2 got
	shift 2
	got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$@")
	[ "$got" = "$want" ] || t_fail "$what: expected $want, got $got"
}
u1=$(url 1)
curl -sf --max-time 10 "${ca[@]}" "$(url 2)/gossip" >"$T_DIR/doc2.json" || t_fail "GET /gossip"
head -c 100000 /dev/zero | tr '\0' ' ' >"$T_DIR/big.json"
{ printf 'X-Big: '; head -c 100000 /dev/zero | tr '\0' 'a'; echo; } >"$T_DIR/bighdr.txt"
json=(-H 'Content-Type: application/json')
for round in 1 2 3; do
	for i in 1 2 3; do
		expect 200 "GET /gossip" "${ca[@]}" "$(url "$i")/gossip"
		expect 200 "GET /gossip with a client certificate" "${ca[@]}" "${client[@]}" "$(url "$i")/gossip"
		expect 200 "POST /gossip from a node" "${ca[@]}" "${node[@]}" "${json[@]}" \
			--data-binary @"$T_DIR/doc2.json" "$(url "$i")/gossip"
		expect 204 "GET /health/live" "${ca[@]}" "$(url "$i")/health/live"
		expect 200 "GET /metrics" "${ca[@]}" "$(url "$i")/metrics"
	done
	# Refusals and bad requests.
	expect 401 "POST /gossip without a certificate" "${ca[@]}" "${json[@]}" --data-binary @"$T_DIR/doc2.json" "$u1/gossip"
	expect 403 "POST /gossip from a client" "${ca[@]}" "${client[@]}" "${json[@]}" --data-binary @"$T_DIR/doc2.json" "$u1/gossip"
	expect 400 "POST /gossip with a bad document" "${ca[@]}" "${node[@]}" "${json[@]}" --data-binary '{"members":[{"state":"Nope"}]}' "$u1/gossip"
	expect 415 "POST /gossip as text" "${ca[@]}" "${node[@]}" -H 'Content-Type: text/plain' --data-binary x "$u1/gossip"
	expect 413 "POST /gossip over the body limit" "${ca[@]}" "${node[@]}" "${json[@]}" -H 'Expect:' \
		--data-binary @"$T_DIR/big.json" "$u1/gossip"
	expect 404 "unknown path" "${ca[@]}" "$u1/nothing-here"
	expect 405 "DELETE /gossip" "${ca[@]}" -X DELETE "$u1/gossip"
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${ca[@]}" -H @"$T_DIR/bighdr.txt" "$u1/gossip")
	case "$code" in 4?? | 000) ;; *) t_fail "oversized header answered $code" ;; esac
	curl -s -o /dev/null --max-time 30 "http://127.0.0.1:${port[1]}/gossip"
	timeout 10 bash -c "head -c 20000 /dev/urandom >/dev/tcp/127.0.0.1/${port[1]}" 2>/dev/null
	timeout 10 bash -c "printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' >/dev/tcp/127.0.0.1/${port[1]}" 2>/dev/null
	# The admin socket: member updates and a reload.
	for i in 1 2 3; do
		expect 200 "PUT /admin/member" --unix-socket "$T_DIR/n$i.sock" -X PUT "${json[@]}" \
			--data-binary "{\"state\":\"Follower\",\"writerCheckpoint\":$((round * 100 + i)),\"epochNumber\":$round}" \
			http://localhost/admin/member
		expect 400 "PUT /admin/member with an unknown field" --unix-socket "$T_DIR/n$i.sock" -X PUT "${json[@]}" \
			--data-binary '{"colour":"blue"}' http://localhost/admin/member
	done
	expect 200 "POST /admin/reloadconfig" --unix-socket "$T_DIR/n2.sock" -X POST http://localhost/admin/reloadconfig
	kill -HUP "$PID_n3"
done
# A connection that never finishes its handshake, closed by the deadline.
exec {idle}<>"/dev/tcp/127.0.0.1/${port[1]}"
timeout 40 cat <&"$idle" >/dev/null 2>&1
[ $? -ne 124 ] || t_fail "a connection without a handshake was held past the 20 s deadline"
exec {idle}<&-
wait_log n3 'configuration reloaded' 60
wait_for 60 converged || t_fail "the cluster did not stay converged"
t_log "driven: 3 rounds of requests, refusals, member updates and reloads"

# Stop every node and read the reports.
bad=0
for i in 1 2 3; do
	pid_var="PID_n$i"
	pid=${!pid_var}
	kill -TERM "$pid"
	rc=$(wait_exit "$pid" 120) || rc=timeout
	vg="$T_DIR/vg.$pid"
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$vg" | tail -n 1)
	definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$vg" | tail -n 1 | tr -d ,)
	indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$vg" | tail -n 1 | tr -d ,)
	reachable=$(sed -n 's/.*still reachable: \([0-9,]*\) bytes.*/\1/p' "$vg" | tail -n 1 | tr -d ,)
	allocs=$(sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$vg" | tail -n 1)
	grep -q 'All heap blocks were freed' "$vg" && definite=0 indirect=0 reachable=0
	printf 'valgrind.sh: n%d (pid %s): exit %s, %s errors, definitely lost %s bytes, indirectly lost %s bytes, still reachable %s bytes, %s allocations\n' \
		"$i" "$pid" "$rc" "${errors:-?}" "${definite:-?}" "${indirect:-?}" "${reachable:-?}" "${allocs:-?}"
	if [ "$rc" != 0 ] || [ "${errors:-x}" != 0 ] || [ "${definite:-x}" != 0 ] || [ "${indirect:-x}" != 0 ]; then
		bad=1
		echo "----- $vg" >&2
		grep -E -A 25 '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and|[0-9,]+ .*(definitely|indirectly) lost)' "$vg" | head -n 120 >&2
	fi
done
if [ "$bad" != 0 ]; then
	T_KEEP=1
	t_log "FAIL: valgrind found errors or leaks; reports kept in $T_DIR"
	exit 1
fi
t_log "PASS: no valgrind errors, no definite or indirect leaks in 3 nodes ($SECONDS s)"
exit 0
