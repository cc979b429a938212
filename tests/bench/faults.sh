#!/usr/bin/env bash
# faults.sh: figures for the fault goals of SPEC §2 ("suspicion before
# death"), measured on the network-namespace harness (tests/netns.sh).
#
# N TLS members (default 5), each seeded with all, interval 200 ms,
# timeout 1000 ms, the engine's default suspicion timeout (or
# --suspicion-ms: GossipSuspicionMinMs). Four phases, each reported as it ends:
#   1. loss: P% (default 10) of the packets of every link, each way, for
#      D seconds (default 300); all views polled about 5 times a second.
#      Reports polls that found a member listed dead, the first such, the
#      "→ dead" and suspicion log lines, gossip exchanges succeeded and
#      failed, member packets dropped.
#   2. kill -9: R times (default 5) the last member is killed, the time
#      until every other lists it dead is taken, and it is restarted.
#      Reports min / median / max beside GossipTimeoutMs + suspicion
#      timeout + one interval (when the suspicion timeout is known).
#   3. freeze: the last member is stopped (SIGSTOP) for each of the given
#      durations (default "1 2 4 8" s), then continued; whether anyone
#      listed it dead (watched until 3 s after SIGCONT), and when.
#   4. cut link: only the link 1-2 cut for C seconds (default 30): polls
#      that found anyone dead.
# The engine without suspicion is measured the same way (the "before").
#
# usage: faults.sh [--nodes N] [--loss P] [--seconds D] [--kills R]
#                  [--freezes "S ..."] [--cut S] [--suspicion-ms MS] [--smoke]
set -u
. "${GOSSIPD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/netns.sh"
nodes=5 loss=10 secs=300 kills=5 freezes="1 2 4 8" cut=30 susp=""
interval=200 timeout=1000
while [ $# -gt 0 ]; do
	case "$1" in
	--nodes) nodes=$2; shift ;;
	--loss) loss=$2; shift ;;
	--seconds) secs=$2; shift ;;
	--kills) kills=$2; shift ;;
	--freezes) freezes=$2; shift ;;
	--cut) cut=$2; shift ;;
	--suspicion-ms) susp=$2; shift ;;
	--smoke) nodes=3 secs=5 kills=1 freezes=1 cut=3 ;;
	*)
		echo "usage: $0 [--nodes N] [--loss P] [--seconds D] [--kills R] [--freezes 'S ...'] [--cut S] [--suspicion-ms MS] [--smoke]" >&2
		exit 2
		;;
	esac
	shift
done
[ "$nodes" -ge 3 ] && [ "$nodes" -le 50 ] || { echo "--nodes: 3..50" >&2; exit 2; }
t_init
ns_init "$nodes"
ns_pki
NS_SUSP=()
[ -z "$susp" ] || ns_suspicion_args "$susp"
if [ -n "$susp" ] && [ ${#NS_SUSP[@]} -eq 0 ]; then
	t_log "this gossipd has no suspicion option: --suspicion-ms ignored"
	susp=""
fi
# help_default FLAG: the default that `gossipd start --help` gives FLAG.
help_default() {
	"$GOSSIPD_BIN" start --help 2>&1 | awk -v f="$1" '$1 == f { getline
		if (match($0, /Default: [0-9]+/)) print substr($0, RSTART + 9, RLENGTH - 9); exit }'
}
# The suspicion timeout in effect: max(GossipSuspicionMinMs,
# GossipSuspicionMult x max(1, log10(members)) x GossipIntervalMs).
susp_note=""
if [ -n "$(gossip_suspicion_flag)" ]; then
	min=${susp:-$(help_default --gossip-suspicion-min-ms)}
	mult=$(help_default --gossip-suspicion-mult)
	susp=$(awk -v m="${min:-0}" -v k="${mult:-0}" -v n="$nodes" -v i="$interval" 'BEGIN {
		l = log(n) / log(10); if (l < 1) l = 1; t = k * l * i; printf "%d", (t > m ? t : m) }')
	susp_note=" (GossipSuspicionMinMs $min, GossipSuspicionMult $mult)"
fi
all=$(seq 1 "$nodes")
last=$nodes
others=$(seq 1 $((nodes - 1)))

start() { # I
	ns_start "$1" --cluster-size "$nodes" --gossip-seed "$(ns_seeds)" \
		--gossip-interval-ms "$interval" --gossip-timeout-ms "$timeout" "${NS_SUSP[@]}"
}
for i in $all; do start "$i"; done
for i in $all; do ns_wait_serving "$i"; done
# shellcheck disable=SC2086
wait_for 60 ns_all_alive "$nodes" $all || t_fail "the cluster did not form"
sleep 2.5 # past the fast start
logs_matching() { cat "$T_DIR"/n*.log | grep -cE -- "$1" || true; }

echo "faults.sh: $nodes TLS members in network namespaces, interval ${interval} ms," \
	"timeout ${timeout} ms, suspicion timeout ${susp:-none: this engine has no suspicion} ms$susp_note"

# 1. Loss.
# shellcheck disable=SC2086
{
	ok0=$(ns_metric_sum gossipd_gossip_exchanges_total $all)
	fail0=$(ns_metric_sum gossipd_gossip_exchange_failures_total $all)
	dead0=$(logs_matching '→ dead')
	susp0=$(logs_matching '[Ss]uspect')
	read -r s0 l0 < <(ns_loss_counts)
	ns_loss "$loss" $((secs + 5))
	ns_watch $((secs * 1000)) any $all
	read -r s1 l1 < <(ns_loss_counts)
	ns_loss 0 0
	ok1=$(ns_metric_sum gossipd_gossip_exchanges_total $all)
	fail1=$(ns_metric_sum gossipd_gossip_exchange_failures_total $all)
	dead1=$(logs_matching '→ dead')
	susp1=$(logs_matching '[Ss]uspect')
}
echo "1. loss ${loss}% on every link for ${secs} s:" \
	"$((l1 - l0)) of $((s1 - s0)) member packets dropped;" \
	"exchanges $((ok1 - ok0)) ok, $((fail1 - fail0)) failed;" \
	"log lines: $((susp1 - susp0)) suspicion, $((dead1 - dead0)) '→ dead';" \
	"views: $NS_WATCH_BAD of $NS_WATCH_POLLS polls listed a member dead" \
	"${NS_WATCH_FIRST:+(first after $NS_WATCH_FIRST ms: $NS_WATCH_WHAT)}"
# shellcheck disable=SC2086
wait_for 60 ns_all_alive "$nodes" $all || t_fail "the cluster is not whole after the loss"

# 2. kill -9, R times.
times=()
for r in $(seq 1 "$kills"); do
	kill -KILL "$(ns_pid "$last")"
	t0=${EPOCHREALTIME/./}
	# shellcheck disable=SC2086
	wait_for 120 ns_all_see_dead "$last" $others ||
		t_fail "kill -9 number $r: not seen dead by all within 120 s"
	times+=($(((${EPOCHREALTIME/./} - t0) / 1000)))
	start "$last"
	ns_wait_serving "$last"
	# shellcheck disable=SC2086
	wait_for 60 ns_all_alive "$nodes" $all || t_fail "the restarted member did not rejoin"
	sleep 2.5 # its fast start
done
bound=""
[ -z "$susp" ] || bound="; bound GossipTimeoutMs + suspicion + interval = $((timeout + susp + interval)) ms"
[ -n "$(gossip_suspicion_flag)" ] || bound="; bound GossipTimeoutMs + interval = $((timeout + interval)) ms (no suspicion)"
printf '%s\n' "${times[@]}" | sort -n | awk -v r="$kills" -v b="$bound" '{ t[NR] = $1 } END {
	printf "2. kill -9, %d times: seen dead by all others after min %d / median %d / max %d ms%s\n",
		r, t[1], t[int((NR + 1) / 2)], t[NR], b }'

# 3. Freezes.
echo "3. SIGSTOP of member $last, then SIGCONT (others watched until 3 s after):"
for f in $freezes; do
	kill -STOP "$(ns_pid "$last")"
	# shellcheck disable=SC2086
	ns_watch $((f * 1000)) "$last" $others
	first=$NS_WATCH_FIRST what=$NS_WATCH_WHAT
	kill -CONT "$(ns_pid "$last")"
	if [ -z "$first" ]; then
		# shellcheck disable=SC2086
		ns_watch 3000 "$last" $all
		[ -z "$NS_WATCH_FIRST" ] || first=$((f * 1000 + NS_WATCH_FIRST)) what=$NS_WATCH_WHAT
	fi
	echo "   frozen ${f} s: $([ -z "$first" ] && echo "never listed dead" ||
		echo "listed dead ${first} ms after SIGSTOP ($what)")"
	# shellcheck disable=SC2086
	wait_for 60 ns_all_alive "$nodes" $all || t_fail "not all alive after the ${f} s freeze"
done

# 4. Cut link.
# shellcheck disable=SC2086
{
	dead0=$(logs_matching '→ dead')
	ns_cut 1 2 $((cut + 5))
	ns_watch $((cut * 1000)) any $all
	ns_heal 1 2
	dead1=$(logs_matching '→ dead')
}
echo "4. link 1-2 cut for ${cut} s: $NS_WATCH_BAD of $NS_WATCH_POLLS polls listed a member dead" \
	"${NS_WATCH_FIRST:+(first after $NS_WATCH_FIRST ms: $NS_WATCH_WHAT)}; $((dead1 - dead0)) '→ dead' log lines"
t_pass
