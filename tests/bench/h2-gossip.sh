#!/usr/bin/env bash
# h2-gossip.sh: gRPC Gossip/Read over HTTP/2 beside GET /gossip over
# HTTP/1.1, on the same gossipd port, measured by the same client
# (h2load, Debian's nghttp2-client), with TLS (ALPN h2 / http/1.1) and in
# insecure mode (h2c with prior knowledge / plain HTTP/1.1).
#
# One daemon, one worker, pinned to CPU 0 with its 3-member table; h2load
# on CPU 1. Every request of the gRPC runs must be answered grpc-status OK
# (checked against the daemon's gossipd_grpc_requests_total). Prints
# requests per second for each.
#
# usage: h2-gossip.sh [--requests N] [--clients C] [--streams M] [--smoke]
set -u
. "${GOSSIPD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
n=200000 c=32 m=10
while [ $# -gt 0 ]; do
	case "$1" in
	--requests) n=$2; shift ;;
	--clients) c=$2; shift ;;
	--streams) m=$2; shift ;;
	--smoke) n=2000 c=4 m=4 ;;
	*) echo "usage: $0 [--requests N] [--clients C] [--streams M] [--smoke]" >&2; exit 2 ;;
	esac
	shift
done
command -v h2load >/dev/null 2>&1 ||
	t_skip "h2load is not installed (nghttp2-client; packaging/install-deps.sh)"
t_init
make_pki "$T_DIR"
pin() { if command -v taskset >/dev/null 2>&1; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }
printf '\0\0\0\0\0' >"$T_DIR/empty.grpc"
read_path=/event_store.client.gossip.Gossip/Read

# run URL ARGS...: one h2load run; req/s in $rps (fails on any error).
run() {
	local out
	out=$(pin 1 h2load -n "$n" -c "$c" "$@" 2>&1)
	rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
	rps=${rps%.*}
	grep -qE "^requests: $n total, $n started, $n done, $n succeeded" <<<"$out" ||
		t_fail "h2load $*: not every request succeeded: $(grep -E '^(requests|status codes):' <<<"$out")"
}
grpc_ok() { curl -s --max-time 5 -k "$1/metrics" | sed -n 's|^gossipd_grpc_requests_total{status="OK"} ||p'; }

for mode in tls insecure; do
	if [ "$mode" = tls ]; then
		# shellcheck disable=SC2046
		args=($(tls_args "$T_DIR"))
		scheme=https
	else
		args=(--insecure)
		scheme=http
	fi
	for try in 1 2 3; do
		port=$(free_port)
		rm -f "$T_DIR/g-$mode.log"
		# taskset execs gossipd: $! is the daemon itself, stopped by its PID
		# (through the pin function it was a subshell, and gossipd outlived it).
		taskset -c 0 "$GOSSIPD_BIN" start "${args[@]}" --node-port "$port" --workers 1 \
			--cluster-size 3 --gossip-seed "127.0.0.1:1,127.0.0.1:2" \
			--admin-socket "$T_DIR/$mode.sock" --allow-root --max-connections-per-ip 1000 \
			>"$T_DIR/g-$mode.log" 2>&1 &
		pid=$!
		T_PIDS+=("$pid")
		wait_for 20 grep -qE "serving on|cannot start" "$T_DIR/g-$mode.log"
		grep -q "serving on" "$T_DIR/g-$mode.log" && break
		[ "$try" -lt 3 ] || t_fail "gossipd did not start: $(tail -n 3 "$T_DIR/g-$mode.log")"
	done
	url="$scheme://127.0.0.1:$port"
	before=$(grpc_ok "$url")
	alpn=()
	[ "$mode" = tls ] && alpn=(--npn-list=h2)
	run "$url$read_path" -m "$m" -d "$T_DIR/empty.grpc" \
		-H 'content-type: application/grpc' -H 'te: trailers' "${alpn[@]}"
	h2=$rps
	after=$(grpc_ok "$url")
	[ $((after - before)) -eq "$n" ] ||
		t_fail "$mode: $((after - before)) of $n gRPC calls answered OK"
	run "$url/gossip" --h1
	h1=$rps
	printf '%-8s gRPC Gossip/Read (HTTP/2, %d streams/conn): %7s req/s   GET /gossip (HTTP/1.1 keep-alive): %7s req/s   (%d requests, %d connections)\n' \
		"$mode" "$m" "$h2" "$h1" "$n" "$c"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
done
t_pass
