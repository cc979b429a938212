#!/usr/bin/env bash
# cost.sh: what one request costs gossipd, in figures that do not move
# with the machine's load: user-space instructions per request (valgrind
# callgrind, gossipd's own code and every library it calls) and system
# calls per request (strace -c on every thread), for keep-alive
# GET /gossip over TLS with a client certificate, one worker.
#
# Each figure: the counters are zeroed after a warm-up, loadgen runs for
# --seconds, and the count is divided by the requests loadgen completed.
#
# 3. CPU time per request: gossipd's user+system time (/proc/PID/stat)
# over a loadgen run, divided by the requests. Not the wall clock: other
# processes on a busy machine do not count, though they still disturb its
# caches. In full or resume mode a request is a connection with its
# handshake: CPU per handshake.
#
# usage: cost.sh [--seconds S] [--connections C] [--mode keepalive|full|resume]
#                [--phases "callgrind strace cpu"] [--smoke]
set -u
. "${GOSSIPD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
LOADGEN_BIN=${LOADGEN_BIN:-$(dirname "$GOSSIPD_BIN")/tests/bench/loadgen}

seconds=8 conns=2 mode=keepalive phases="callgrind strace cpu"
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift ;;
	--connections) conns=$2; shift ;;
	--mode) mode=$2; shift ;;
	--phases) phases=$2; shift ;;
	--smoke) seconds=3 conns=1 ;;
	*) echo "usage: $0 [--seconds S] [--connections C] [--mode M] [--phases P] [--smoke]" >&2; exit 2 ;;
	esac
	shift
done
command -v valgrind >/dev/null 2>&1 || t_skip "valgrind is not installed"
command -v strace >/dev/null 2>&1 || t_skip "strace is not installed"
# valgrind cannot run a sanitizer build (ASan reserves the shadow memory
# valgrind needs): the counted figures come from the normal build.
grep -qa __asan_init "$GOSSIPD_BIN" &&
	t_skip "an AddressSanitizer build: valgrind cannot run it (the normal build counts)"
[ -x "$LOADGEN_BIN" ] || t_fail "loadgen not built: $LOADGEN_BIN"
t_init
make_pki "$T_DIR"
tls=(--cacert "$T_DIR/ca/ca.crt" --cert "$T_DIR/client/client.crt" --key "$T_DIR/client/client.key")

# load N: one loadgen run of N seconds; prints the requests it completed.
load() {
	local out
	out=$("$LOADGEN_BIN" --host 127.0.0.1 --port "$port" --mode "$mode" \
		--seconds "$1" --connections "$conns" --threads 1 "${tls[@]}" \
		2>"$T_DIR/loadgen-err.txt") ||
		t_fail "loadgen: $(cat "$T_DIR/loadgen-err.txt") $out"
	echo "$out" | sed -n 's/.* requests=\([0-9]*\).*/\1/p'
}

# warm: a first run whose figures are not used (handshakes under
# valgrind on a busy machine may time out here; that is not counted).
warm() {
	"$LOADGEN_BIN" --host 127.0.0.1 --port "$port" --mode "$mode" --seconds 4 \
		--connections "$conns" --threads 1 "${tls[@]}" >/dev/null 2>&1
	return 0
}

# serve NAME: starts gossipd (under T_NODE_WRAP) and waits for /gossip.
serve() {
	port=$(free_port)
	start_node "$1" --node-ip 127.0.0.1 --node-port "$port" $(tls_args "$T_DIR") \
		--gossip-requires-client-cert --workers 1 --log-level warn \
		--handshake-timeout-ms 60000 --request-timeout-ms 60000
	wait_for 60 curl -sf "${tls[@]}" "https://127.0.0.1:$port/gossip" ||
		t_fail "$1 did not serve /gossip"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

callgrind_phase() {
# 1. Instructions per request, under callgrind. Every loadgen run opens
# its connections with full handshakes (millions of instructions each
# under mbedTLS): two runs of different lengths with the same connections,
# and the difference of instructions over the difference of requests.
T_NODE_WRAP=(valgrind --tool=callgrind --callgrind-out-file="$T_DIR/cg.%p")
serve cg
pid=$PID_cg
T_NODE_WRAP=()
# counted S K: zeroes the counters, runs loadgen S seconds, dumps (the K-th dump); prints
# "requests instructions".
counted() {
	local n ir f
	callgrind_control -z "$pid" >/dev/null 2>&1 || t_fail "callgrind_control -z"
	n=$(load "$1")
	callgrind_control -d "$pid" >/dev/null 2>&1 || t_fail "callgrind_control -d"
	f="$T_DIR/cg.$pid.$2"
	wait_for 30 grep -q '^summary:' "$f" || t_fail "no callgrind dump $f"
	ir=$(awk '/^summary:/ {print $2}' "$f")
	[ -n "$n" ] && [ -n "$ir" ] || exit 1
	echo "$n $ir"
}
warm
out1=$(counted "$seconds" 1) || t_fail "the first counted run failed"
out2=$(counted $((seconds * 3)) 2) || t_fail "the second counted run failed"
read -r n1 ir1 <<<"$out1"
read -r n2 ir2 <<<"$out2"
case "$n1 $n2 $ir1 $ir2" in
*[!0-9\ ]* | "") t_fail "a counted run failed (see above)" ;;
esac
[ "$((n2 - n1))" -gt 0 ] || t_fail "no requests counted ($n1, $n2)"
awk -v a="$n1" -v b="$n2" -v x="$ir1" -v y="$ir2" -v m="$mode" 'BEGIN {
	printf "%s: %d and %d requests under callgrind, %.0f instructions per request (user space)\n", m, a, b, (y - x) / (b - a) }'
if [ -n "${COST_TOP:-}" ]; then
	callgrind_annotate "$T_DIR/cg.$pid.2" 2>/dev/null | sed -n '/^ *Ir/,$p' | head -n "$COST_TOP"
fi
stop_node cg 30 >/dev/null

}

strace_phase() {
# 2. System calls per request, under strace (every thread).
serve sc
pid=$PID_sc
warm
tasks=()
for t in /proc/"$pid"/task/*; do tasks+=(-p "${t##*/}"); done
strace -c -f -o "$T_DIR/strace.txt" "${tasks[@]}" 2>/dev/null &
st=$!
T_PIDS+=("$st")
wait_for 10 grep -q . "/proc/$st/status"
sleep 0.5 # strace attaches asynchronously; no figure depends on this wait
n=$(load "$seconds")
[ -n "$n" ] || t_fail "the strace run failed"
kill -INT "$st"
wait "$st" 2>/dev/null
[ -s "$T_DIR/strace.txt" ] || t_fail "strace wrote nothing"
awk -v n="$n" -v m="$mode" 'BEGIN {}
	$1 ~ /^[0-9.]+$/ && $NF ~ /^[a-z_0-9]+$/ && $NF != "total" {
		errs = NF == 6 ? $5 : 0
		tot += $4; line[$NF] = sprintf("  %-14s %6.2f per request (%.2f failed)", $NF, $4 / n, errs / n) }
	END {
		printf "%s: %d requests under strace, %.2f system calls per request\n", m, n, tot / n
		for (s in line) if (line[s] !~ / 0\.0[0-4] per/) print line[s] | "sort"
	}' "$T_DIR/strace.txt"
}

# 3. CPU time per request.
cpu_phase() {
	serve cpu
	pid=$PID_cpu
	warm
	local t0 t1 n hz
	hz=$(getconf CLK_TCK)
	t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	n=$(load "$seconds")
	[ -n "$n" ] || t_fail "the CPU run failed"
	t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	awk -v a="$t0" -v b="$t1" -v hz="$hz" -v n="$n" -v m="$mode" 'BEGIN {
		printf "%s: %d requests, %.2f s of CPU, %.1f us of CPU per request\n", m, n, (b - a) / hz, 1e6 * (b - a) / hz / n }'
	stop_node cpu 10 >/dev/null
}

for ph in $phases; do
	case "$ph" in
	callgrind) callgrind_phase ;;
	strace) strace_phase ;;
	cpu) cpu_phase ;;
	*) t_fail "unknown phase $ph" ;;
	esac
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
t_pass
