#!/usr/bin/env bash
# converge.sh: how fast a secured cluster forms and notices a death.
#
# For each N, starts N daemons on loopback (one CA, one node certificate
# for 127.0.0.1), every node seeded with node 1 only, gossip interval
# 100 ms. Measures (1) the time until every node lists all N members alive
# (and no placeholder), and (2) after kill -9 of one node, the time until
# every survivor lists it as dead. Times are printed in seconds and in
# rounds (time / interval), beside the push-pull rumor-spreading figure
# log3(N) + ln(ln(N)) rounds (Karp et al., 2000).
#
# usage: converge.sh [--sizes "3 5 10 25 50"] [--interval-ms 100] [--smoke]
set -u
. "${GOSSIPD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
sizes="3 5 10 25 50" interval=100 deadline=60
while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes=$2; shift ;;
	--interval-ms) interval=$2; shift ;;
	--smoke) sizes=3 deadline=30 ;;
	*) echo "usage: $0 [--sizes 'N ...'] [--interval-ms MS] [--smoke]" >&2; exit 2 ;;
	esac
	shift
done
command -v jq >/dev/null 2>&1 || t_skip "jq is not installed (packaging/install-deps.sh installs it)"
t_init
make_pki "$T_DIR"
tls=(--cacert "$T_DIR/ca/ca.crt" --cert "$T_DIR/node/node.crt" --key "$T_DIR/node/node.key")

now_ms() { date +%s%3N; }

# poll_all PORTS...: fetches every node's /gossip in parallel into
# $T_DIR/g.<port>, through each node's admin socket: plain HTTP on a unix
# socket, so that watching the cluster does not cost every node a full TLS
# handshake per poll (at N=50 that alone kept both CPUs busy).
declare -A sock_of
poll_all() {
	local args=() p
	for p in "$@"; do
		rm -f "$T_DIR/g.$p"
		[ ${#args[@]} -gt 0 ] && args+=(--next)
		args+=(-s --max-time 2 --unix-socket "${sock_of[$p]}" -o "$T_DIR/g.$p" http://localhost/gossip)
	done
	curl --parallel --parallel-max 64 "${args[@]}" 2>/dev/null
	return 0
}

# count_each JQFILTER PORTS...: the filter's number for each node's document,
# one line each (one jq for all).
count_each() {
	local f=$1 p files=()
	shift
	for p in "$@"; do files+=("$T_DIR/g.$p"); done
	jq "$f" "${files[@]}" 2>/dev/null
}

# all_converged N PORTS...: every node lists N real members, all alive.
all_converged() {
	local n=$1 out
	shift
	poll_all "$@"
	out=$(count_each '[.members[] | select(.isAlive and .state != "Manager")] | length' "$@") || return 1
	[ "$(echo "$out" | grep -cx "$n")" = "$#" ]
}

# all_see_dead DEADPORT PORTS...: every node lists DEADPORT as not alive.
all_see_dead() {
	local dead=$1 out
	shift
	poll_all "$@"
	out=$(count_each "[.members[] | select(.httpEndPointPort == $dead and (.isAlive | not))] | length" "$@") || return 1
	[ "$(echo "$out" | grep -cx 1)" = "$#" ]
}

printf '%5s %11s %10s %14s %10s %14s %10s %22s\n' N start_s converge_s rounds_after dead_seen_s rounds 'load avg' 'push-pull log3N+lnlnN'
for n in $sizes; do
	ports=()
	for i in $(seq 1 "$n"); do
		ports+=("$(free_port)")
		sock_of[${ports[-1]}]="$T_DIR/n${n}_$((i - 1)).sock"
	done
	seed="127.0.0.1:${ports[0]}"
	[ "$n" -gt 1 ] && first_seed="127.0.0.1:${ports[1]}"
	t0=$(now_ms)
	for i in $(seq 0 $((n - 1))); do
		s=$seed
		[ "$i" -eq 0 ] && s=$first_seed
		start_node "n${n}_$i" --node-ip 127.0.0.1 --node-port "${ports[$i]}" \
			--certificate-file "$T_DIR/node/node.crt" \
			--certificate-private-key-file "$T_DIR/node/node.key" \
			--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
			--cluster-size "$n" --gossip-seed "$s" \
			--gossip-interval-ms "$interval" --gossip-timeout-ms 1000 \
			--log-level warn --workers 1
	done
	ts=$(now_ms)
	wait_for "$deadline" all_converged "$n" "${ports[@]}" ||
		t_fail "N=$n did not converge within ${deadline}s"
	t1=$(now_ms)
	# What convergence cost: full and resumed TLS handshakes served, and
	# the CPU seconds of all daemons (utime+stime, from /proc).
	full=0 resumed=0 ticks=0
	for i in $(seq 0 $((n - 1))); do
		m=$(curl -s --max-time 2 --unix-socket "$T_DIR/n${n}_$i.sock" http://localhost/metrics)
		full=$((full + $(echo "$m" | awk '/^gossipd_tls_handshakes_total\{kind="full"\}/ {print $2; exit}' | grep . || echo 0)))
		resumed=$((resumed + $(echo "$m" | awk '/^gossipd_tls_handshakes_total\{kind="resumed"\}/ {print $2; exit}' | grep . || echo 0)))
		v="PID_n${n}_$i"
		ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/${!v}/stat")))
	done
	cost="full=$full resumed=$resumed cpu_s=$(awk -v t=$ticks -v h="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / h}')"
	victim_idx=$((n - 1))
	victim_pid_var="PID_n${n}_${victim_idx}"
	kill -KILL "${!victim_pid_var}"
	t2=$(now_ms)
	wait_for "$deadline" all_see_dead "${ports[$victim_idx]}" "${ports[@]:0:$victim_idx}" ||
		t_fail "N=$n: the killed node was not seen dead by all within ${deadline}s"
	t3=$(now_ms)
	awk -v n="$n" -v s=$((ts - t0)) -v c=$((t1 - t0)) -v a=$((t1 - ts)) -v d=$((t3 - t2)) \
		-v iv="$interval" -v la="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
		th = log(n) / log(3) + (n > 2 ? log(log(n)) : 0);
		printf "%5d %11.2f %10.2f %14.1f %10.2f %10.1f %10s %22.1f\n", n, s / 1000, c / 1000, a / iv, d / 1000, d / iv, la, th }'
	echo "      until converged: handshakes $cost"
	for i in $(seq 0 $((n - 2))); do
		v="PID_n${n}_$i"
		kill -TERM "${!v}" 2>/dev/null
	done
	for i in $(seq 0 $((n - 2))); do
		v="PID_n${n}_$i"
		wait_exit "${!v}" 10 >/dev/null || kill -KILL "${!v}" 2>/dev/null
	done
done
echo "(start_s: until the last daemon was started; converge_s from the first start; rounds_after:"
echo " rounds of ${interval} ms from the last start to convergence; every node seeded with node 1 only)"
t_pass
