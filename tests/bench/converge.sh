#!/usr/bin/env bash
# converge.sh: how fast a cluster forms and notices a death, with TLS and
# without (the protocol alone).
#
# For each N and each mode (tls, insecure), starts N daemons on loopback
# (with TLS: one CA, one node certificate for 127.0.0.1), every node
# seeded with node 1 only (node 1 with node 2), gossip interval 100 ms,
# GossipTimeoutMs 2500 (the default: on a small machine a 50-node cluster
# forming over TLS needs more than a second of CPU for some handshakes).
# Measures (1) the time until every node lists all N members alive (and
# no placeholder), in seconds and in rounds (time / interval) from the
# start of the last daemon, beside the push-pull rumor-spreading figure
# log3(N) + ln(ln(N)) rounds (Karp et al., 2000); (2) what forming the
# cluster cost: full and resumed TLS handshakes (those a node served plus
# those its gossiper made as a client; the goal is at most 2(N-1) full
# ones per node), and the CPU
# seconds of all daemons; (3) after kill -9 of one node, the time until
# every survivor lists it as dead. Each N is bounded: a cluster that has
# not converged (or not seen the death) within --deadline seconds is
# reported as such, the next one runs, and the script ends with status 1.
#
# usage: converge.sh [--sizes "3 10 25 50"] [--modes "tls insecure"]
#                    [--interval-ms 100] [--timeout-ms 2500] [--deadline S] [--smoke]
set -u
. "${GOSSIPD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
sizes="3 10 25 50" modes="tls insecure" interval=100 timeout=2500 deadline=90
while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes=$2; shift ;;
	--modes) modes=$2; shift ;;
	--interval-ms) interval=$2; shift ;;
	--timeout-ms) timeout=$2; shift ;;
	--deadline) deadline=$2; shift ;;
	--smoke) sizes=3 deadline=30 ;;
	*) echo "usage: $0 [--sizes 'N ...'] [--modes 'tls insecure'] [--interval-ms MS] [--timeout-ms MS] [--deadline S] [--smoke]" >&2; exit 2 ;;
	esac
	shift
done
command -v jq >/dev/null 2>&1 || t_skip "jq is not installed (packaging/install-deps.sh installs it)"
t_init
make_pki "$T_DIR"

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
		args+=(-s --max-time 5 --unix-socket "${sock_of[$p]}" -o "$T_DIR/g.$p" http://localhost/gossip)
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

# alive_each_is COUNT PORTS...: every node's gossipd_members_alive{alive="true"}
# (entries alive, seed placeholders aside) is COUNT. Cheap: at N=50,
# parsing every node's whole document with jq at each poll kept a CPU busy,
# which is what the TLS daemons were short of; so the documents are read
# only once the metrics agree.
alive_each_is() {
	local want=$1 args=() p
	shift
	for p in "$@"; do
		rm -f "$T_DIR/m.$p"
		[ ${#args[@]} -gt 0 ] && args+=(--next)
		args+=(-s --max-time 5 --unix-socket "${sock_of[$p]}" -o "$T_DIR/m.$p" http://localhost/metrics)
	done
	curl --parallel --parallel-max 64 "${args[@]}" 2>/dev/null
	for p in "$@"; do
		awk -v w="$want" '$1 == "gossipd_members_alive{alive=\"true\"}" { f = ($2 == w) } END { exit !f }' \
			"$T_DIR/m.$p" 2>/dev/null || return 1
	done
}

# all_converged N PORTS...: every node lists N real members, all alive.
all_converged() {
	local n=$1 out
	shift
	alive_each_is "$n" "$@" || return 1
	poll_all "$@"
	out=$(count_each '[.members[] | select(.isAlive and .state != "Manager")] | length' "$@") || return 1
	[ "$(echo "$out" | grep -cx "$n")" = "$#" ]
}

# all_see_dead DEADPORT PORTS...: every node lists DEADPORT as not alive.
all_see_dead() {
	local dead=$1 out
	shift
	alive_each_is "$#" "$@" || return 1
	poll_all "$@"
	out=$(count_each "[.members[] | select(.httpEndPointPort == $dead and (.isAlive | not))] | length" "$@") || return 1
	[ "$(echo "$out" | grep -cx 1)" = "$#" ]
}

# metric_each SAMPLE PORTS...: one metric sample (name with labels) of
# each node, one line each (0 when absent).
metric_each() {
	local m=$1 p
	shift
	for p in "$@"; do
		curl -s --max-time 2 --unix-socket "${sock_of[$p]}" http://localhost/metrics |
			awk -v m="$m" 'index($0, m " ") == 1 {print $2; f = 1; exit} END {if (!f) print 0}'
	done
}

# run_one MODE N: one cluster of N, measured (one line), then stopped.
run_one() {
	local mode=$1 n=$2 i s seed first_seed="" t0 ts t1 t2 t3 conv=1 dead=1
	local ports=() sec=() names=()
	if [ "$mode" = tls ]; then
		sec=(--certificate-file "$T_DIR/node/node.crt"
			--certificate-private-key-file "$T_DIR/node/node.key"
			--trusted-root-certificates-path "$T_DIR/ca/ca.crt")
	else
		sec=(--insecure)
	fi
	for i in $(seq 1 "$n"); do
		ports+=("$(free_port)")
		names+=("${mode}${n}_$((i - 1))")
		sock_of[${ports[-1]}]="$T_DIR/${names[-1]}.sock"
	done
	seed="127.0.0.1:${ports[0]}"
	[ "$n" -gt 1 ] && first_seed="127.0.0.1:${ports[1]}"
	t0=$(now_ms)
	for i in $(seq 0 $((n - 1))); do
		s=$seed
		[ "$i" -eq 0 ] && s=$first_seed
		start_node "${names[$i]}" --node-ip 127.0.0.1 --node-port "${ports[$i]}" "${sec[@]}" \
			--cluster-size "$n" --gossip-seed "$s" \
			--gossip-interval-ms "$interval" --gossip-timeout-ms "$timeout" \
			--log-level warn --workers 1
	done
	ts=$(now_ms)
	wait_for "$deadline" all_converged "$n" "${ports[@]}" || conv=0
	t1=$(now_ms)
	# What convergence cost: full and resumed TLS handshakes served, and
	# the CPU seconds of all daemons (utime+stime, from /proc).
	# A node's full handshakes are those it served plus those its gossiper
	# made as a client (gossipd_gossip_outbound_handshakes_total, where the
	# engine counts them; else 2 x served / N on average is all we know).
	local full=0 resumed=0 outfull=0 maxfull=0 ticks=0 v f k
	local served=() out=()
	if [ "$mode" = tls ]; then
		served=($(metric_each 'gossipd_tls_handshakes_total{kind="full"}' "${ports[@]}"))
		out=($(metric_each 'gossipd_gossip_outbound_handshakes_total{kind="full"}' "${ports[@]}"))
		for f in $(metric_each 'gossipd_tls_handshakes_total{kind="resumed"}' "${ports[@]}"); do
			resumed=$((resumed + f))
		done
		for k in "${!served[@]}"; do
			full=$((full + served[k]))
			outfull=$((outfull + ${out[k]:-0}))
		done
		for k in "${!served[@]}"; do
			f=$((served[k] + (outfull > 0 ? ${out[k]:-0} : 0)))
			[ "$f" -gt "$maxfull" ] && maxfull=$f
		done
	fi
	for i in $(seq 0 $((n - 1))); do
		v="PID_${names[$i]}"
		ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/${!v}/stat" 2>/dev/null || echo 0)))
	done
	local victim=$((n - 1))
	v="PID_${names[$victim]}"
	kill -KILL "${!v}"
	t2=$(now_ms)
	if [ "$conv" = 1 ]; then
		wait_for "$deadline" all_see_dead "${ports[$victim]}" "${ports[@]:0:$victim}" || dead=0
	else
		dead=0
	fi
	t3=$(now_ms)
	[ "$conv" = 1 ] || missed="$missed N=$n $mode: not converged within ${deadline}s;"
	[ "$conv" = 0 ] || [ "$dead" = 1 ] || missed="$missed N=$n $mode: death not seen by all within ${deadline}s;"
	awk -v mode="$mode" -v n="$n" -v s=$((ts - t0)) -v c=$((t1 - t0)) -v a=$((t1 - ts)) \
		-v d=$((t3 - t2)) -v conv="$conv" -v dead="$dead" -v dl="$deadline" \
		-v full="$full" -v res="$resumed" -v maxf="$maxfull" -v outf="$outfull" -v tls="$([ "$mode" = tls ] && echo 1 || echo 0)" \
		-v cpu="$(awk -v t=$ticks -v h="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / h}')" \
		-v iv="$interval" -v la="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
		th = log(n) / log(3) + (n > 2 ? log(log(n)) : 0);
		cs = conv ? sprintf("%.2f", c / 1000) : ">" dl;
		ra = conv ? sprintf("%.1f", a / iv) : "-";
		df = conv ? sprintf("%+.1f", a / iv - th) : "-";
		ds = dead ? sprintf("%.2f", d / 1000) : (conv ? ">" dl : "-");
		hs = tls ? sprintf("%d/%d", full, res) : "-";
		pn = tls ? sprintf("%.1f", (outf > 0 ? full + outf : 2 * full) / n) : "-";
		mx = tls ? sprintf("%d%s", maxf, outf > 0 ? "" : "s") : "-";
		printf "%-8s %4d %8.2f %10s %7s %6.1f %6s %13s %9s %6s %6d %8s %6s %5s\n",
			mode, n, s / 1000, cs, ra, th, df, hs, pn, mx, 2 * (n - 1), ds, cpu, la }'
	for i in $(seq 0 $((n - 2))); do
		v="PID_${names[$i]}"
		kill -TERM "${!v}" 2>/dev/null
	done
	for i in $(seq 0 $((n - 2))); do
		v="PID_${names[$i]}"
		wait_exit "${!v}" 10 >/dev/null || kill -KILL "${!v}" 2>/dev/null
	done
}

missed=""
printf '%-8s %4s %8s %10s %7s %6s %6s %13s %9s %6s %6s %8s %6s %5s\n' \
	mode N start_s converge_s rounds expect diff 'full/resumed' 'full/node' maxnode '2(N-1)' dead_s cpu_s load
for n in $sizes; do
	for mode in $modes; do
		run_one "$mode" "$n"
	done
done
cat <<EOF
start_s: until the last daemon was started; converge_s: from the first start
  until every node lists all N alive; rounds: ${interval} ms rounds from the last
  start to convergence; expect: push-pull log3(N)+ln(ln(N)); diff: rounds - expect.
full/resumed: TLS handshakes served by all nodes until converged; full/node:
  a node's full handshakes as server and client, on average (goal <= 2(N-1));
  maxnode: the most of one node (with "s": served only, when the engine does
  not count its client handshakes; full/node is then 2 x full / N).
dead_s: from kill -9 of the last node until every survivor lists it dead.
cpu_s: CPU seconds of all daemons until converged; load: 1-min load average.
Every node seeded with node 1 only (node 1 with node 2); GossipTimeoutMs ${timeout}.
EOF
[ -z "$missed" ] || t_fail "$missed"
t_pass
