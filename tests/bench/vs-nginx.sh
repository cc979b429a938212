#!/usr/bin/env bash
# vs-nginx.sh: gossipd beside nginx, measured in one run.
#
# Both servers get the same node certificate, the same trusted CA and
# require client certificates; nginx serves a static copy of gossipd's own
# /gossip document. Each server is pinned to CPU 0 with one worker, the
# load generator to CPU 1. Every loadgen mode runs against both servers in
# alternation for several rounds; the figures of each and the ratio
# gossipd/nginx (median, and the spread over rounds) are printed.
# Mode "latency" (after the others): each server at half its own median
# keep-alive rate of this run (loadgen --rate), latency from when each
# request was due. --workers 2: both servers with two workers, unpinned
# (the load generator shares the CPUs), loadgen with two threads.
#
# usage: vs-nginx.sh [--rounds N] [--seconds S] [--connections C]
#                    [--modes "keepalive resume full latency"] [--workers N] [--smoke]
set -u
. "${GOSSIPD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
LOADGEN_BIN=${LOADGEN_BIN:-$(dirname "$GOSSIPD_BIN")/tests/bench/loadgen}

rounds=3 seconds=5 conns=32 modes="keepalive resume full latency" workers=1
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--connections) conns=$2; shift ;;
	--modes) modes=$2; shift ;;
	--workers) workers=$2; shift ;;
	--smoke) rounds=1 seconds=1 conns=4 ;;
	*) echo "usage: $0 [--rounds N] [--seconds S] [--connections C] [--modes 'keepalive resume full'] [--smoke]" >&2; exit 2 ;;
	esac
	shift
done

command -v nginx >/dev/null 2>&1 || apt-get install -y -q nginx-light >/dev/null 2>&1 ||
	t_skip "nginx is not installed and cannot be installed"
[ -x "$LOADGEN_BIN" ] || t_fail "loadgen not built: $LOADGEN_BIN"
t_init

srv_cpu="" gen_cpu=""
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
	srv_cpu=0 gen_cpu=1
	[ "$workers" -gt 1 ] && srv_cpu="" gen_cpu=""
fi
pin() { # pin PID CPU: the process and all its threads
	[ -n "$2" ] && taskset -a -p -c "$2" "$1" >/dev/null
}

make_pki "$T_DIR"
pg=$(free_port) pn=$(free_port)
tls=(--cacert "$T_DIR/ca/ca.crt" --cert "$T_DIR/client/client.crt" --key "$T_DIR/client/client.key")

start_node gossipd --node-ip 127.0.0.1 --node-port "$pg" \
	--certificate-file "$T_DIR/node/node.crt" \
	--certificate-private-key-file "$T_DIR/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
	--gossip-requires-client-cert --workers "$workers" --log-level warn \
	--max-connections 20000 --max-connections-per-ip 20000
wait_for 15 curl -sf "${tls[@]}" "https://127.0.0.1:$pg/gossip" ||
	t_fail "gossipd did not serve /gossip"
pin "$PID_gossipd" "$srv_cpu"
curl -sf "${tls[@]}" -o "$T_DIR/gossip.json" "https://127.0.0.1:$pg/gossip" ||
	t_fail "cannot fetch the document"

mkdir -p "$T_DIR/nginx/logs"
# The worker runs as the invoking user: the test directory is private.
cat >"$T_DIR/nginx/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root root;")
worker_processes $workers;
daemon off;
pid $T_DIR/nginx/nginx.pid;
error_log $T_DIR/nginx.log warn;
events { worker_connections 20000; }
http {
	access_log off;
	keepalive_requests 100000000;
	server {
		listen 127.0.0.1:$pn ssl;
		ssl_certificate $T_DIR/node/node.crt;
		ssl_certificate_key $T_DIR/node/node.key;
		ssl_client_certificate $T_DIR/ca/ca.crt;
		ssl_verify_client on;
		ssl_protocols TLSv1.2;
		ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
		ssl_session_cache shared:bench:10m;
		ssl_session_tickets on;
		location = /gossip {
			default_type "application/json; charset=utf-8";
			add_header Cache-Control no-cache;
			alias $T_DIR/gossip.json;
		}
	}
}
EOF
nginx -c "$T_DIR/nginx/nginx.conf" -p "$T_DIR/nginx" &
T_PIDS+=($!)
nginx_pid=$!
wait_for 10 curl -sf "${tls[@]}" "https://127.0.0.1:$pn/gossip" ||
	t_fail "nginx did not start"
pin "$nginx_pid" "$srv_cpu"
for p in $(pgrep -P "$nginx_pid"); do pin "$p" "$srv_cpu"; done

# run SERVER PORT MODE [LOADGEN ARGS...]: one loadgen run; prints "rps p50
# p99 p999 resumed%".
lt=$((workers > 1 ? workers : 1)) # loadgen threads
run() {
	local out
	out=$(${gen_cpu:+taskset -c $gen_cpu} "$LOADGEN_BIN" --host 127.0.0.1 \
		--port "$2" --mode "$3" --seconds "$seconds" "${@:4}" \
		--threads "$lt" --connections "$((conns / lt))" --cacert "$T_DIR/ca/ca.crt" \
		--cert "$T_DIR/client/client.crt" --key "$T_DIR/client/client.key" \
		2>"$T_DIR/loadgen-err.txt")
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "!!! $1 $3: loadgen reported errors: $(cat "$T_DIR/loadgen-err.txt") $out" >&2
		return 1
	fi
	echo "$out" | awk '{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}
		print v["rps"], v["p50_us"], v["p99_us"], v["p999_us"],
			("resumed" in v && v["requests"] > 0) ? sprintf("%.0f%%", 100 * v["resumed"] / v["requests"]) : "-"}'
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "servers pinned to CPU ${srv_cpu:-none}, loadgen to CPU ${gen_cpu:-none}; $rounds round(s) of ${seconds}s, $conns connections"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %-5s %-8s %12s %10s %10s %10s %8s\n' mode round server rps p50_us p99_us p999_us resumed
errors=0
declare -A ratios g_rps n_rps
for r in $(seq 1 "$rounds"); do
	for m in $modes; do
		[ "$m" = latency ] && continue
		# Alternate which server goes first, so neither always runs warm.
		if [ $((r % 2)) -eq 1 ]; then order="gossipd nginx"; else order="nginx gossipd"; fi
		for s in $order; do
			port=$pg
			[ "$s" = nginx ] && port=$pn
			res=$(run "$s" "$port" "$m") || { errors=$((errors + 1)); continue; }
			read -r rps p50 p99 p999 resumed <<<"$res"
			printf '%-10s %-5s %-8s %12s %10s %10s %10s %8s\n' "$m" "$r" "$s" "$rps" "$p50" "$p99" "$p999" "$resumed"
			if [ "$s" = gossipd ]; then g_rps[$m]+="$rps "; else n_rps[$m]+="$rps "; fi
		done
	done
done

# Latency at half the maximum: each server at half its own median
# keep-alive rate measured above.
if [[ " $modes " == *" latency "* ]] && [[ " $modes " == *" keepalive "* ]]; then
	echo
	printf '%-10s %-8s %12s %10s %10s %10s\n' latency server rate_asked p50_us p99_us p999_us
	for s in gossipd nginx; do
		port=$pg rates=${g_rps[keepalive]:-}
		[ "$s" = nginx ] && port=$pn rates=${n_rps[keepalive]:-}
		half=$(echo "$rates" | awk '{n = split($0, R, " "); if (n == 0) exit
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (R[j] < R[i]) { t = R[i]; R[i] = R[j]; R[j] = t }
			printf "%.0f", ((n % 2) ? R[(n + 1) / 2] : (R[n / 2] + R[n / 2 + 1]) / 2) / 2 }')
		[ -n "$half" ] || continue
		res=$(run "$s" "$port" keepalive --rate "$half") || { errors=$((errors + 1)); continue; }
		read -r rps p50 p99 p999 _ <<<"$res"
		printf '%-10s %-8s %12s %10s %10s %10s\n' half-max "$s" "$half" "$p50" "$p99" "$p999"
	done
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "summary (gossipd/nginx requests per second: median ratio, and min..max over rounds)"
for m in $modes; do
	[ "$m" = latency ] && continue
	awk -v m="$m" -v g="${g_rps[$m]:-}" -v n="${n_rps[$m]:-}" 'BEGIN {
		ng = split(g, G, " "); nn = split(n, N, " ");
		k = ng < nn ? ng : nn;
		if (k == 0) { printf "%-10s no complete round\n", m; exit }
		for (i = 1; i <= k; i++) R[i] = G[i] / N[i];
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (R[j] < R[i]) { t = R[i]; R[i] = R[j]; R[j] = t }
		med = (k % 2) ? R[(k + 1) / 2] : (R[k / 2] + R[k / 2 + 1]) / 2;
		printf "%-10s ratio %.2f  (spread %.2f..%.2f over %d rounds)\n", m, med, R[1], R[k], k }'
done
# The ceiling: what mbedTLS's public-key arithmetic allows on the
# servers' CPU, in this run (tests/bench/hs_ceiling.c).
HS_CEILING_BIN=${HS_CEILING_BIN:-$(dirname "$LOADGEN_BIN")/hs_ceiling}
if [ -x "$HS_CEILING_BIN" ] && [[ " $modes " == *" full "* ]]; then
	ceil=$(${srv_cpu:+taskset -c $srv_cpu} "$HS_CEILING_BIN" --seconds "$([ "$seconds" -gt 1 ] && echo 1 || echo 0.2)" --no-rsa)
	echo
	echo "$ceil" | grep '^ceiling_'
	awk -v g="${g_rps[full]:-}" -v c="$(echo "$ceil" | awk '/^ceiling_full_x25519_p256/ {print $2}')" \
		-v k="$(echo "$ceil" | awk '/^ceiling_cached_x25519_p256/ {print $2}')" 'BEGIN {
		n = split(g, G, " "); if (n == 0 || c == 0) exit
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (G[j] < G[i]) { t = G[i]; G[i] = G[j]; G[j] = t }
		med = (n % 2) ? G[(n + 1) / 2] : (G[n / 2] + G[n / 2 + 1]) / 2
		printf "full handshakes: gossipd median %.1f/s = %.2f of the full ceiling (%.1f/s), %.2f of the cached-chain ceiling (%.1f/s)\n", med, med / c, c, med / k, k }'
fi
[ "$errors" -eq 0 ] || t_fail "$errors run(s) had errors (see above)"
t_pass
