#!/usr/bin/env bash
# Connection limits an attacker cannot turn into a lock-out. 1,100
# connections that never send a byte (never finish a TLS handshake) are
# held from 20 loopback addresses (127.0.0.10-29, 55 each: under
# MaxConnectionsPerIp 64, over MaxConnections 1024), and re-opened as soon
# as the daemon closes one. Meanwhile a client at another address
# (127.0.0.100) makes 200 requests, each on a new TLS connection: at least
# 99% of them are answered, because a full table makes the connection
# that has waited longest without a request give its place
# (gossipd_connection_refusals_total{reason="evicted"}).
. "$GOSSIPD_SRC/tests/lib.sh"
FLOOD=${GOSSIPD_TOOLS:-$(dirname "$GOSSIPD_BIN")/tests/tools}/flood
[ -x "$FLOOD" ] || t_fail "flood not built at $FLOOD"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
make_pki "$T_DIR"
# shellcheck disable=SC2046
serve_on_free_port n1 https --node-ip 127.0.0.1 $(tls_args "$T_DIR") \
	--max-connections 1024 --max-connections-per-ip 64
url="https://127.0.0.1:$port"

"$FLOOD" "$port" 1100 10 20 30 40000 >"$T_DIR/flood.out" 2>&1 &
flood=$!
T_PIDS+=("$flood")
wait_for 20 grep -q '^held' "$T_DIR/flood.out" || t_fail "the flood did not get going: $(cat "$T_DIR/flood.out")"

python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" --path /ping \
	--ca "$T_DIR/ca/ca.crt" --bind 127.0.0.100 --interval 0.02 --count 200 \
	--fresh >"$T_DIR/client.out" 2>"$T_DIR/client.err"
kill -0 "$flood" 2>/dev/null || t_fail "the flood ended before the client: $(cat "$T_DIR/flood.out")"
evicted=$(curl -s --max-time 10 --cacert "$T_DIR/ca/ca.crt" --interface 127.0.0.101 "$url/metrics" |
	sed -n 's/^gossipd_connection_refusals_total{reason="evicted"} //p')
kill "$flood"
wait "$flood" 2>/dev/null

total=$(wc -l <"$T_DIR/client.out")
ok=$(awk '$2 == "200"' "$T_DIR/client.out" | wc -l)
assert_eq 200 "$total" "requests the client made"
[ "${evicted:-0}" -gt 0 ] || t_fail "nothing was evicted: the table was never full (evicted '$evicted')"
[ "$((ok * 100))" -ge "$((total * 99))" ] ||
	t_fail "only $ok of $total requests answered during the flood: $(grep -v ' 200 ' "$T_DIR/client.out" | head -n 3; sort "$T_DIR/client.err" | uniq -c | head -n 3)"
t_log "flood: $(tail -n 1 "$T_DIR/flood.out"); evicted $evicted; client at 127.0.0.100: $ok of $total answered"
wait_serving n1 "$url" 10 --cacert "$T_DIR/ca/ca.crt"
t_pass
