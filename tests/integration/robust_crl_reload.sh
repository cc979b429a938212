#!/usr/bin/env bash
# A node certificate rotated and a CRL updated under load. A client keeps
# polling with fresh connections and another holds one keep-alive
# connection while node a (1) gets a new node certificate through
# POST /admin/reloadconfig on its admin socket, then (2) gets a CRL that
# revokes a third client's certificate, through SIGHUP. Afterwards:
# - a serves the new certificate;
# - a new connection with the revoked certificate is refused, and the
#   refusal is logged once with the peer address and "revoked";
# - a node certificate keeps working: node b keeps gossiping with a, and
#   a request with the rotated node certificate is answered;
# - no request of the non-revoked clients failed during the reloads, and
#   the keep-alive connection was never dropped.
. "$GOSSIPD_SRC/tests/lib.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
make_pki "$T_DIR"
"$GOSSIPD_BIN" cert create-client -ca-certificate "$T_DIR/ca/ca.crt" \
	-ca-key "$T_DIR/ca/ca.key" -out "$T_DIR/client2" \
	-common-name other-client >/dev/null || t_fail "cert create-client"

# A tiny openssl CA over the gossipd-made CA key, for the CRLs.
mkdir -p "$T_DIR/pki"
cat >"$T_DIR/pki/ca.cnf" <<EOF
[ ca ]
default_ca = gossipd_ca
[ gossipd_ca ]
database = $T_DIR/pki/index.txt
crlnumber = $T_DIR/pki/crlnumber
default_md = sha256
default_crl_days = 1
EOF
: >"$T_DIR/pki/index.txt"
echo 01 >"$T_DIR/pki/crlnumber"
ossl_ca() {
	openssl ca -batch -config "$T_DIR/pki/ca.cnf" -keyfile "$T_DIR/ca/ca.key" \
		-cert "$T_DIR/ca/ca.crt" "$@" >>"$T_DIR/openssl.out" 2>&1 ||
		t_fail "openssl ca $*: $(tail -n 3 "$T_DIR/openssl.out")"
}
# write_crl: a CRL of everything revoked so far, put in place atomically.
write_crl() {
	ossl_ca -gencrl -out "$T_DIR/pki/crl.new"
	mv "$T_DIR/pki/crl.new" "$T_DIR/crl.pem"
}
write_crl # nothing revoked yet

pa=$(free_port) pb=$(free_port)
url="https://127.0.0.1:$pa"
ca=(--cacert "$T_DIR/ca/ca.crt")
client=(--cert "$T_DIR/client/client.crt" --key "$T_DIR/client/client.key")
client2=(--cert "$T_DIR/client2/client.crt" --key "$T_DIR/client2/client.key")
# A generous exchange deadline: a reload makes a open new connections to b
# (new credentials), full handshakes that take long on a loaded ASan run.
gossip=(--cluster-size 2 --gossip-interval-ms 100 --gossip-timeout-ms 3000)
start_node a --node-ip 127.0.0.1 --node-port "$pa" "${gossip[@]}" \
	--gossip-seed "127.0.0.1:$pb" \
	--certificate-file "$T_DIR/node/node.crt" \
	--certificate-private-key-file "$T_DIR/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
	--certificate-revocation-list-file "$T_DIR/crl.pem"
start_node b --node-ip 127.0.0.1 --node-port "$pb" "${gossip[@]}" \
	--gossip-seed "127.0.0.1:$pa" \
	--certificate-file "$T_DIR/node/node.crt" \
	--certificate-private-key-file "$T_DIR/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt"
wait_serving a "$url" 15 "${ca[@]}"
wait_serving b "https://127.0.0.1:$pb" 15 "${ca[@]}"

b_stamp() { # b's timeStamp in a's view, when b is alive there
	curl -sf --max-time 3 "${ca[@]}" "$url/gossip" |
		jq -er --argjson p "$pb" '.members[] | select(.httpEndPointPort == $p and .isAlive and .state != "Manager") | .timeStamp'
}
wait_for 20 b_stamp || t_fail "a never saw b alive"
# The client to be revoked is served before the revocation.
assert_eq 200 "$(http_code "$url/gossip" "${ca[@]}" "${client[@]}" --interface 127.0.0.5)" \
	"GET /gossip with the client certificate before the revocation"
served_serial() {
	openssl s_client -connect "127.0.0.1:$pa" -CAfile "$T_DIR/ca/ca.crt" </dev/null 2>/dev/null |
		openssl x509 -noout -serial
}
old_serial=$(served_serial)
deaths="$(log_count a 'alive → dead')/$(log_count b 'alive → dead')"
[ -n "$old_serial" ] || t_fail "no certificate served"

# The load: fresh connections with client2, one line per request, until
# the stop file appears; and 400 keep-alive requests at 40 a second on one
# connection (10 s, spanning both reloads).
# wait_child PID SECONDS: waits for a background child of this shell.
wait_child() {
	wait_for "$2" bash -c "! kill -0 $1 2>/dev/null" || return 1
	wait "$1"
}
(
	end=$((SECONDS + 60))
	while [ ! -e "$T_DIR/stop" ] && [ "$SECONDS" -lt "$end" ]; do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 "${ca[@]}" "${client2[@]}" \
			--interface 127.0.0.2 "$url/gossip"
		echo "exit $?"
	done >"$T_DIR/poll.txt"
) &
poller=$!
T_PIDS+=("$poller")
for i in $(seq 1 400); do echo "url = \"$url/ping\""; echo "output = /dev/null"; done >"$T_DIR/ka.cfg"
curl -s "${ca[@]}" "${client2[@]}" --interface 127.0.0.3 --rate 40/s -K "$T_DIR/ka.cfg" \
	-w '%{http_code} %{num_connects}\n' >"$T_DIR/ka.txt" 2>&1 &
keepalive=$!
T_PIDS+=("$keepalive")
wait_for 10 grep -q '^200$' "$T_DIR/poll.txt" || t_fail "the polling client did not start"

# (1) Rotation: a new node key and certificate, moved into place, then a
# reload through the admin socket.
"$GOSSIPD_BIN" cert create-node -ca-certificate "$T_DIR/ca/ca.crt" \
	-ca-key "$T_DIR/ca/ca.key" -out "$T_DIR/node2" \
	-ip-addresses 127.0.0.1 -dns-names localhost >/dev/null || t_fail "cert create-node (rotation)"
mv "$T_DIR/node2/node.key" "$T_DIR/node/node.key"
mv "$T_DIR/node2/node.crt" "$T_DIR/node/node.crt"
code=$(curl -s -o "$T_DIR/reload1.json" -w '%{http_code}' --max-time 10 \
	--unix-socket "$T_DIR/a.sock" -X POST http://localhost/admin/reloadconfig)
assert_eq 200 "$code" "POST /admin/reloadconfig after the rotation"
new_serial=$(served_serial)
[ -n "$new_serial" ] && [ "$new_serial" != "$old_serial" ] ||
	t_fail "a still serves the old certificate ($old_serial) after the rotation ($new_serial)"

# (2) Revocation: the client's certificate goes on the CRL, then SIGHUP.
ossl_ca -revoke "$T_DIR/client/client.crt"
write_crl
reloads=$(log_count a 'configuration reloaded')
kill -HUP "$PID_a"
reloaded() { [ "$(log_count a 'configuration reloaded')" -gt "$reloads" ]; }
wait_for 10 reloaded ||
	t_fail "no reload after SIGHUP"
[ "$(log_count a 'reload failed')" = 0 ] || t_fail "a reload failed"
# The keep-alive connection spans both reloads.
kill -0 "$keepalive" 2>/dev/null || t_fail "the keep-alive client ended before the second reload"

# A new connection with the revoked certificate is refused, with a log
# line naming the peer and the reason.
code=$(http_code "$url/gossip" "${ca[@]}" "${client[@]}" --interface 127.0.0.5)
assert_eq 000 "$code" "GET /gossip with the revoked client certificate"
wait_log a 'connection from 127\.0\.0\.5:[0-9]+ denied: .*revoked' 5

# A node certificate keeps working: the rotated one as a client, and b's
# gossip with a (its entry keeps getting newer in a's view).
assert_eq 200 "$(http_code "$url/gossip" "${ca[@]}" --cert "$T_DIR/node/node.crt" --key "$T_DIR/node/node.key")" \
	"GET /gossip with the rotated node certificate"
s1=$(b_stamp) || t_fail "b not alive in a's view after the reloads"
b_newer() { local s; s=$(b_stamp) && [ -n "$s" ] && [ "$s" != "$s1" ]; }
wait_for 5 b_newer ||
	t_fail "b's gossip with a stopped after the reloads"
assert_eq "$deaths" "$(log_count a 'alive → dead')/$(log_count b 'alive → dead')" \
	"members that a/b found dead, after the reloads"

# The non-revoked clients: every request answered, one connection kept.
wait_child "$keepalive" 30 || t_fail "the keep-alive client did not finish, or failed"
touch "$T_DIR/stop"
wait_child "$poller" 10 || t_fail "the polling client did not stop"
polled=$(grep -c '^200$' "$T_DIR/poll.txt")
failed=$(grep -vcE '^(200|exit 0)$' "$T_DIR/poll.txt")
[ "$failed" = 0 ] || t_fail "polling client: $failed failures: $(grep -vE '^(200|exit 0)$' "$T_DIR/poll.txt" | sort | uniq -c | tr '\n' ' ')"
[ "$polled" -ge 10 ] || t_fail "too few polls ran ($polled)"
assert_eq 400 "$(grep -c '^200 ' "$T_DIR/ka.txt")" "keep-alive requests answered 200"
assert_eq 1 "$(awk '{s += $2} END {print s}' "$T_DIR/ka.txt")" "connections used by the keep-alive client"
t_log "$polled polls on fresh connections and 400 keep-alive requests, none failed; serial $old_serial -> $new_serial"
t_pass
