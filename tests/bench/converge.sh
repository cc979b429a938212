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

# poll_all PORTS...: fetches every node's /gossip in parallel into $T_DIR/g.<port>.
poll_all() {
	local args=() p
	for p in "$@"; do
		rm -f "$T_DIR/g.$p"
		args+=(-o "$T_DIR/g.$p" "https://127.0.0.1:$p/gossip")
	done
	curl -s --max-time 2 --parallel --parallel-max 64 "${tls[@]}" "${args[@]}" 2>/dev/null
	return 0
}

# all_converged N PORTS...: every node lists N real members, all alive.
all_converged() {
	local n=$1 p c
	shift
	poll_all "$@"
	for p in "$@"; do
		c=$(jq '[.members[] | select(.isAlive and .state != "Manager")] | length' \
			"$T_DIR/g.$p" 2>/dev/null) || return 1
		[ "$c" = "$n" ] || return 1
	done
}

# all_see_dead DEADPORT PORTS...: every node lists DEADPORT as not alive.
all_see_dead() {
	local dead=$1 p c
	shift
	poll_all "$@"
	for p in "$@"; do
		c=$(jq --argjson d "$dead" '[.members[] | select(.httpEndPointPort == $d and (.isAlive | not))] | length' \
			"$T_DIR/g.$p" 2>/dev/null) || return 1
		[ "$c" = 1 ] || return 1
	done
}

printf '%5s %14s %10s %14s %10s %22s\n' N converge_s rounds dead_seen_s rounds 'push-pull log3N+lnlnN'
for n in $sizes; do
	ports=()
	for i in $(seq 1 "$n"); do ports+=("$(free_port)"); done
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
	wait_for "$deadline" all_converged "$n" "${ports[@]}" ||
		t_fail "N=$n did not converge within ${deadline}s"
	t1=$(now_ms)
	victim_idx=$((n - 1))
	victim_pid_var="PID_n${n}_${victim_idx}"
	kill -KILL "${!victim_pid_var}"
	t2=$(now_ms)
	wait_for "$deadline" all_see_dead "${ports[$victim_idx]}" "${ports[@]:0:$victim_idx}" ||
		t_fail "N=$n: the killed node was not seen dead by all within ${deadline}s"
	t3=$(now_ms)
	awk -v n="$n" -v c=$((t1 - t0)) -v d=$((t3 - t2)) -v iv="$interval" 'BEGIN {
		th = log(n) / log(3) + (n > 2 ? log(log(n)) : 0);
		printf "%5d %14.2f %10.1f %14.2f %10.1f %22.1f\n", n, c / 1000, c / iv, d / 1000, d / iv, th }'
	for i in $(seq 0 $((n - 2))); do
		v="PID_n${n}_$i"
		kill -TERM "${!v}" 2>/dev/null
	done
	for i in $(seq 0 $((n - 2))); do
		v="PID_n${n}_$i"
		wait_exit "${!v}" 10 >/dev/null || kill -KILL "${!v}" 2>/dev/null
	done
done
echo "(times include process start; interval ${interval} ms; every node seeded with node 1 only)"
t_pass
