#!/usr/bin/env bash
# Hostile bytes cost nothing: random bytes and truncated TLS records on the
# port, plain HTTP on the TLS port, headers and bodies over the limits,
# 10,000 keep-alive requests on one connection, connections that never
# finish a handshake. Afterwards the daemon is alive, its descriptor count
# and memory are back near the baseline, and its member table is unchanged.
. "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
port=$(free_port)
# Under ASan, freed memory sits in a quarantine (256 MB by default) and
# resident memory says nothing about leaks; keep it small so that the
# memory check below means the same in both builds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
start_node n1 --node-ip 127.0.0.1 --node-port "$port" \
	--certificate-file "$T_DIR/node/node.crt" \
	--certificate-private-key-file "$T_DIR/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
	--handshake-timeout-ms 1000 --request-timeout-ms 2000 \
	--max-body-bytes 65536
url="https://127.0.0.1:$port"
ca=(--cacert "$T_DIR/ca/ca.crt")
node=(--cert "$T_DIR/node/node.crt" --key "$T_DIR/node/node.key")
wait_for 15 curl -sf "${ca[@]}" "$url/health/live" || t_fail "daemon did not start"

members() { curl -sf "${ca[@]}" "$url/gossip" | jq -c '[.members[] | {instanceId, state, httpEndPointIp, httpEndPointPort}]'; }
fds() { ls "/proc/$PID_n1/fd" | wc -l; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$PID_n1/status"; }
curl -sf "${ca[@]}" "$url/gossip" >/dev/null
base_members=$(members)
base_fds=$(fds)
base_rss=$(rss)
[ -n "$base_members" ] || t_fail "no member table"

# Random bytes, many times, and truncated TLS records.
for i in $(seq 1 20); do
	timeout 5 bash -c "head -c 70000 /dev/urandom >/dev/tcp/127.0.0.1/$port" 2>/dev/null
	# A ClientHello header promising 512 bytes, then only 10 of them.
	timeout 5 bash -c "printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' >/dev/tcp/127.0.0.1/$port" 2>/dev/null
done

# Plain HTTP on the TLS port: an alert or a close, quickly, never a hang.
start=$SECONDS
curl -s --max-time 8 "http://127.0.0.1:$port/gossip" -o /dev/null
rc=$?
[ "$rc" -ne 28 ] || t_fail "plain HTTP on the TLS port hung (curl timed out)"
[ $((SECONDS - start)) -le 5 ] || t_fail "plain HTTP on the TLS port took $((SECONDS - start)) s"

# Headers over the limit: refused with a 4xx or closed, never a 2xx.
{ printf 'X-Big: '; head -c 200000 /dev/zero | tr '\0' 'a'; echo; } >"$T_DIR/big-header.txt"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${ca[@]}" -H @"$T_DIR/big-header.txt" "$url/gossip")
case "$code" in 4??|000) ;; *) t_fail "200 KB header answered $code" ;; esac

# A body over the limit: 413 with a JSON error, also from a node.
head -c 10000000 /dev/zero | tr '\0' ' ' >"$T_DIR/big.json"
code=$(curl -s -o "$T_DIR/413.json" -w '%{http_code}' --max-time 20 "${ca[@]}" "${node[@]}" \
	-H 'Content-Type: application/json' --data-binary @"$T_DIR/big.json" "$url/gossip")
assert_eq 413 "$code" "10 MB POST /gossip"
jq -e '.error | length > 0' "$T_DIR/413.json" >/dev/null || t_fail "413 body is not a JSON error"
# The same without "Expect: 100-continue" (curl sends it only above 1 MB;
# other clients never): the body is still coming when the 413 is sent,
# and the client must get the 413, not a reset, every time.
head -c 100000 /dev/zero | tr '\0' ' ' >"$T_DIR/100k.json"
for i in $(seq 1 20); do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "${ca[@]}" "${node[@]}" -H 'Expect:' \
		-H 'Content-Type: application/json' --data-binary @"$T_DIR/100k.json" "$url/gossip")
	assert_eq 413 "$code" "100 kB POST /gossip without Expect, attempt $i"
done

# 10,000 keep-alive requests on one connection.
for i in $(seq 1 10000); do echo "url = \"$url/ping\""; echo "output = /dev/null"; done >"$T_DIR/urls.cfg"
curl -s "${ca[@]}" -K "$T_DIR/urls.cfg" -w '%{http_code} %{num_connects}\n' >"$T_DIR/ka.txt"
ok=$(grep -c '^200 ' "$T_DIR/ka.txt")
conns=$(awk '{s += $2} END {print s}' "$T_DIR/ka.txt")
assert_eq 10000 "$ok" "keep-alive requests answered 200"
assert_eq 1 "$conns" "TCP connections used for 10,000 keep-alive requests"

# Connections that never finish a handshake are closed by the deadline.
fdlist=()
for i in $(seq 1 30); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || t_fail "connect $i"
	fdlist+=("$fd")
done
for fd in "${fdlist[@]}"; do
	# EOF (or a reset) within the handshake deadline plus slack.
	timeout 6 cat <&"$fd" >/dev/null 2>&1
	[ $? -ne 124 ] || t_fail "a connection that never sent a ClientHello was held open"
	exec {fd}<&-
done
wait_log n1 'handshake' 5

# Afterwards: alive, same members, descriptors and memory back near baseline.
assert_eq 204 "$(http_code "$url/health/live" "${ca[@]}")" "health after the abuse"
assert_eq "$base_members" "$(members)" "member table after the abuse"
fds_back() { [ "$(fds)" -le $((base_fds + 4)) ]; }
wait_for 15 fds_back ||
	t_fail "descriptors not back to baseline: $base_fds before, $(fds) after"
now_rss=$(rss)
[ "$now_rss" -le $((base_rss + 32768)) ] ||
	t_fail "resident memory grew from $base_rss kB to $now_rss kB"
t_log "fds $base_fds -> $(fds), rss $base_rss kB -> $now_rss kB, 10000 keep-alive requests on 1 connection"
t_pass
