#!/usr/bin/env bash
# memory.sh: resident memory of an idle daemon, and per idle TLS
# connection at 1,000 and 10,000 open connections (or as many as the
# machine's open-file limit allows: a connection that has only read the
# document holds one descriptor in the daemon, its socket, as the fast
# lane serves it; one that libmicrohttpd serves would hold three).
#
# usage: memory.sh [--counts "1000 10000"] [--smoke]
set -u
. "${GOSSIPD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
LOADGEN_BIN=${LOADGEN_BIN:-$(dirname "$GOSSIPD_BIN")/tests/bench/loadgen}
counts="1000 10000"
while [ $# -gt 0 ]; do
	case "$1" in
	--counts) counts=$2; shift ;;
	--smoke) counts=20 ;;
	*) echo "usage: $0 [--counts 'N ...'] [--smoke]" >&2; exit 2 ;;
	esac
	shift
done
[ -x "$LOADGEN_BIN" ] || t_fail "loadgen not built: $LOADGEN_BIN"
t_init
ulimit -n "$(ulimit -Hn)" 2>/dev/null
fdmax=$(ulimit -n)
make_pki "$T_DIR"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

printf '%12s %12s %14s %16s\n' connections rss_kb delta_kb per_conn_bytes
for want in $counts; do
	n=$want
	cap=$((fdmax - 200))
	[ "$n" -gt "$cap" ] && n=$((cap / 100 * 100))
	port=$(free_port)
	start_node "m$want" --node-ip 127.0.0.1 --node-port "$port" \
		--certificate-file "$T_DIR/node/node.crt" \
		--certificate-private-key-file "$T_DIR/node/node.key" \
		--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
		--workers 1 --log-level warn --idle-timeout-sec 600 \
		--max-connections $((n + 100)) --max-connections-per-ip $((n + 100))
	pv="PID_m$want"
	pid=${!pv}
	wait_for 15 curl -sf --cacert "$T_DIR/ca/ca.crt" "https://127.0.0.1:$port/health/live" ||
		t_fail "daemon did not start"
	# One request first, so that lazily allocated state is counted as idle.
	curl -sf --cacert "$T_DIR/ca/ca.crt" "https://127.0.0.1:$port/gossip" >/dev/null
	idle=$(rss_kb "$pid")
	[ "$want" = "$(echo "$counts" | awk '{print $1}')" ] &&
		printf '%12s %12s %14s %16s\n' 0 "$idle" - "(idle daemon)"
	hold=$((n / 2 > 0 ? n / 2 : 1))
	threads=2
	[ "$n" -lt 2 ] && threads=1 hold=$n
	"$LOADGEN_BIN" --host 127.0.0.1 --port "$port" --mode hold \
		--connections "$hold" --threads "$threads" --seconds 3600 \
		--cacert "$T_DIR/ca/ca.crt" --cert "$T_DIR/client/client.crt" \
		--key "$T_DIR/client/client.key" >"$T_DIR/hold.out" 2>&1 &
	lg=$!
	T_PIDS+=("$lg")
	wait_for 300 grep -q '^held=' "$T_DIR/hold.out" ||
		t_fail "loadgen did not open $n connections: $(cat "$T_DIR/hold.out")"
	got=$(sed -n 's/^held=//p' "$T_DIR/hold.out")
	full=$(rss_kb "$pid")
	awk -v n="$got" -v full="$full" -v idle="$idle" -v want="$want" 'BEGIN {
		printf "%12d %12d %14d %16.0f%s\n", n, full, full - idle, (full - idle) * 1024 / n,
			(n < want ? "  (" want " asked; open-file limit)" : "") }'
	kill -TERM "$lg" 2>/dev/null
	wait "$lg" 2>/dev/null
	kill -TERM "$pid"
	wait_exit "$pid" 10 >/dev/null || t_fail "daemon did not stop"
done
echo "(open-file limit here: $fdmax; 1 descriptor per TLS connection of the fast lane in the daemon)"
t_pass
