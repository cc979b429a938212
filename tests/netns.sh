# tests/netns.sh: gossipd members in network namespaces, with faults.
#
# Sourced by a fault scenario (it sources tests/lib.sh itself):
#
#     . "$GOSSIPD_SRC/tests/netns.sh"
#     t_init
#     ns_init 3                 # 3 members on a bridge (exit 77: not root / no netns)
#     ns_pki                    # throwaway CA, one node certificate per member
#     for i in 1 2 3; do ns_start "$i" --cluster-size 3 --gossip-seed "$(ns_seeds)"; done
#     ns_loss 10 60             # 10% loss on every link, for at most 60 s
#     ns_cut 1 2 10             # only the link 1-2 cut, for at most 10 s
#     ns_heal 1 2
#     t_pass
#
# Topology. A hub namespace holds a bridge; member i has its own namespace
# with one veth into the bridge and the address $NS_NET.i/24 (NS_NET
# defaults to 10.211.0). Both ends of every veth are created inside
# namespaces this file made (ip -n HUB link add ... peer ... netns MEMBER):
# nothing is ever added to the root namespace (no link, no address, no
# route), so these addresses exist nowhere else and no packet can leave.
# Every name carries the shell's pid ($$), so parallel runs never meet.
#
# Faults are nftables rules in each member's own namespace (table inet
# gfault, input hook), so every packet between two members crosses exactly
# one of them, at its receiver:
#   - loss: `numgen random mod 100 < P drop` on packets from the members
#     (each direction of each link loses P% of its packets);
#   - cut: packets from the cut peer dropped, at both ends: a silent
#     black hole (a SYN goes unanswered), not a refusal.
# Both are keyed on nftables sets whose elements carry a timeout: every
# fault ends in the kernel on its own after the seconds given, whatever
# happens to the script; the namespaces themselves go on exit (trap).
#
# Delay: this needs netem (tc qdisc ... netem delay), which the test
# machines' kernel does not have; ns_delay tries it and says why not.
# Without netem nothing in the kernel delays a packet by a fixed time
# (nftables cannot, there is no fq qdisc for timestamps, no NFQUEUE):
# tbf/htb shaping exists, but that queues only under load.
#
# Observation never crosses the faults: each member's admin socket (a
# unix socket in $T_DIR) serves its /gossip and /metrics.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NS_NET=${NS_NET:-10.211.0}
NS_PORT=2113
NS_TAG="gfault$$"
NS_HUB=""
NS_N=0
NS_MEMBERS=() # index 1..N: namespace names

ns_name() { echo "${NS_TAG}n$1"; }
ns_ip() { echo "$NS_NET.$1"; }

# ns_teardown: deletes every namespace made here (with their links,
# addresses and nftables tables). Idempotent. The members' processes must
# be gone first (t_cleanup), or a namespace outlives its name.
ns_teardown() {
	local i
	for ((i = 1; i <= NS_N; i++)); do
		ip netns del "$(ns_name "$i")" 2>/dev/null
	done
	[ -n "$NS_HUB" ] && ip netns del "$NS_HUB" 2>/dev/null
	return 0
}

ns_cleanup() {
	t_cleanup
	ns_teardown
}

# ns_exec I CMD...: runs CMD inside member I's namespace.
ns_exec() {
	local i=$1
	shift
	ip netns exec "$(ns_name "$i")" "$@"
}

# ns_init N: the hub and N members (N <= 200), each with its nftables
# table. Skips the test (77) when not root or when namespaces cannot be
# made here; any later failure fails the test.
ns_init() {
	local n=$1 i ns
	[ "$n" -ge 1 ] && [ "$n" -le 200 ] || t_fail "ns_init: 1..200 members, not $n"
	[ "$(id -u)" = 0 ] || t_skip "network namespaces need root"
	command -v ip >/dev/null || t_skip "no ip command (iproute2)"
	command -v nft >/dev/null ||
		t_fail "nft not found (packaging/install-deps.sh installs nftables)"
	command -v jq >/dev/null || t_fail "jq not found (packaging/install-deps.sh installs it)"
	trap ns_cleanup EXIT
	NS_HUB="${NS_TAG}h"
	ip netns add "$NS_HUB" 2>/dev/null ||
		{ NS_HUB=""; t_skip "cannot create network namespaces here (ip netns add failed)"; }
	ip -n "$NS_HUB" link add br0 type bridge &&
		ip -n "$NS_HUB" link set br0 up || t_fail "bridge in $NS_HUB"
	for ((i = 1; i <= n; i++)); do
		ns=$(ns_name "$i")
		ip netns add "$ns" || t_fail "ip netns add $ns"
		NS_MEMBERS[i]=$ns
		NS_N=$i
		ip -n "$NS_HUB" link add "p$i" type veth peer name eth0 netns "$ns" ||
			t_fail "veth for member $i"
		ip -n "$NS_HUB" link set "p$i" master br0 up &&
			ip -n "$ns" link set lo up &&
			ip -n "$ns" addr add "$(ns_ip "$i")/24" dev eth0 &&
			ip -n "$ns" link set eth0 up || t_fail "links of member $i"
		ip netns exec "$ns" nft -f - <<-EOF || t_fail "nftables table in $ns"
			table inet gfault {
				set cut { type ipv4_addr; flags timeout; }
				set lossy { type ipv4_addr; flags timeout; }
				counter seen { }
				counter lost { }
				chain loss { }
				chain in {
					type filter hook input priority 0; policy accept;
					ip saddr @cut drop
					ip saddr @lossy counter name seen
					ip saddr @lossy jump loss
				}
			}
		EOF
	done
	# The links come up asynchronously: wait until member 1 has a carrier.
	wait_for 10 sh -c "ip -n '$(ns_name 1)' link show eth0 | grep -q 'state UP'" ||
		t_fail "member links did not come up"
}

# ns_seeds: every member's HOST:PORT, comma-separated.
ns_seeds() {
	local i s=""
	for ((i = 1; i <= NS_N; i++)); do s="$s${s:+,}$(ns_ip "$i"):$NS_PORT"; done
	echo "$s"
}

# ns_pki: a throwaway CA in $T_DIR/pki/ca and, for each member, a node
# certificate whose only IP SAN is the member's address ($T_DIR/pki/nI).
ns_pki() {
	local i
	"$GOSSIPD_BIN" cert create-ca -out "$T_DIR/pki/ca" >/dev/null || t_fail "cert create-ca"
	for ((i = 1; i <= NS_N; i++)); do
		"$GOSSIPD_BIN" cert create-node -ca-certificate "$T_DIR/pki/ca/ca.crt" \
			-ca-key "$T_DIR/pki/ca/ca.key" -out "$T_DIR/pki/n$i" \
			-ip-addresses "$(ns_ip "$i")" >/dev/null || t_fail "cert create-node for member $i"
	done
}

# ns_start I ARGS...: starts member I (log $T_DIR/nI.log, admin socket
# $T_DIR/nI.sock, pid in PID_nI) on $NS_NET.I:2113 with its own
# certificate (ns_pki first), or insecure when NS_INSECURE is set.
ns_start() {
	local i=$1
	shift
	local tls=(--insecure)
	[ -n "${NS_INSECURE:-}" ] ||
		tls=(--certificate-file "$T_DIR/pki/n$i/node.crt"
			--certificate-private-key-file "$T_DIR/pki/n$i/node.key"
			--trusted-root-certificates-path "$T_DIR/pki/ca/ca.crt")
	T_NODE_WRAP=(ip netns exec "$(ns_name "$i")")
	start_node "n$i" --node-ip "$(ns_ip "$i")" --node-port "$NS_PORT" "${tls[@]}" "$@"
	T_NODE_WRAP=()
}

# ns_pid I: member I's gossipd pid.
ns_pid() {
	local v="PID_n$1"
	echo "${!v}"
}

# ns_wait_serving I [SECONDS]: waits until member I answers on its admin
# socket; fails the test if it exits first.
ns_wait_serving() {
	local i=$1 secs=${2:-20} pid
	pid=$(ns_pid "$i")
	local deadline=$((${EPOCHREALTIME/./} + secs * 1000000))
	until curl -sf -o /dev/null --max-time 2 --unix-socket "$T_DIR/n$i.sock" \
		http://localhost/health/live; do
		kill -0 "$pid" 2>/dev/null || t_fail "member $i exited before serving"
		[ "${EPOCHREALTIME/./}" -lt "$deadline" ] ||
			t_fail "member $i not serving within ${secs}s"
		sleep 0.05
	done
}

# ns_poll I...: every listed member's /gossip, fetched in parallel through
# the admin sockets, into $T_DIR/view.I (empty when it did not answer).
ns_poll() {
	local args=() i
	for i in "$@"; do
		: >"$T_DIR/view.$i"
		[ ${#args[@]} -gt 0 ] && args+=(--next)
		args+=(-s --max-time 5 --unix-socket "$T_DIR/n$i.sock" -o "$T_DIR/view.$i"
			http://localhost/gossip)
	done
	curl --parallel --parallel-max 64 "${args[@]}" 2>/dev/null
	return 0
}

# ns_dead_pairs I...: after ns_poll, one line "OBSERVER HOST:PORT" for
# each member that a listed member's view holds as not alive.
ns_dead_pairs() {
	local i files=()
	for i in "$@"; do
		[ -s "$T_DIR/view.$i" ] && files+=("$T_DIR/view.$i")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	jq -r 'input_filename as $f | .members[] | select(.isAlive | not) |
		"\($f | sub(".*/view[.]"; "")) \(.httpEndPointIp):\(.httpEndPointPort)"' \
		"${files[@]}" 2>/dev/null
	return 0
}

# ns_all_alive N I...: every listed member answers and lists N real
# members (placeholders, state Manager, aside), all alive.
ns_all_alive() {
	local n=$1 i c
	shift
	ns_poll "$@"
	for i in "$@"; do
		c=$(jq '[.members[] | select(.isAlive and .state != "Manager")] | length' \
			"$T_DIR/view.$i" 2>/dev/null) || return 1
		[ "$c" = "$n" ] || return 1
	done
}

# ns_all_see_dead J I...: every listed member answers and holds member J
# as not alive.
ns_all_see_dead() {
	local ep i
	ep="$(ns_ip "$1"):$NS_PORT"
	shift
	ns_poll "$@"
	for i in "$@"; do
		jq -e --arg ep "$ep" '[.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep
			and (.isAlive | not))] | length == 1' "$T_DIR/view.$i" >/dev/null 2>&1 || return 1
	done
}

# ns_dead_logged HOST:PORT: the log lines, in any member's log, that say
# HOST:PORT became dead (the engine logs each transition once).
ns_dead_logged() {
	local ep=${1//./\\.}
	cat "$T_DIR"/n*.log 2>/dev/null | grep -E -- "member $ep: .*→ dead" || true
}

# ns_loss P SECONDS: every link loses P% (0..100) of its packets, in each
# direction, for at most SECONDS (then the kernel ends it); P=0 ends it.
ns_loss() {
	local p=$1 secs=$2 i ips="" j
	for ((j = 1; j <= NS_N; j++)); do ips="$ips${ips:+, }$(ns_ip "$j") timeout ${secs}s"; done
	for ((i = 1; i <= NS_N; i++)); do
		if [ "$p" -gt 0 ]; then
			ns_exec "$i" nft -f - <<-EOF || t_fail "loss rule in member $i"
				flush chain inet gfault loss
				add rule inet gfault loss numgen random mod 100 < $p counter name lost drop
				flush set inet gfault lossy
				add element inet gfault lossy { $ips }
			EOF
		else
			ns_exec "$i" nft flush set inet gfault lossy || t_fail "loss off in member $i"
		fi
	done
}

# ns_loss_counts: "SEEN LOST", the packets from members that reached the
# loss rule and those it dropped, summed over all members.
ns_loss_counts() {
	local i s=0 l=0 a b
	for ((i = 1; i <= NS_N; i++)); do
		a=$(ns_exec "$i" nft list counter inet gfault seen | awk '/packets/ {print $2}')
		b=$(ns_exec "$i" nft list counter inet gfault lost | awk '/packets/ {print $2}')
		s=$((s + ${a:-0})) l=$((l + ${b:-0}))
	done
	echo "$s $l"
}

# ns_cut I J SECONDS: only the link between members I and J is cut, both
# ways, for at most SECONDS; every other member still reaches both.
ns_cut() {
	local i=$1 j=$2 secs=$3
	ns_exec "$i" nft add element inet gfault cut "{ $(ns_ip "$j") timeout ${secs}s }" &&
		ns_exec "$j" nft add element inet gfault cut "{ $(ns_ip "$i") timeout ${secs}s }" ||
		t_fail "cutting $i-$j"
}

# ns_heal I J: the link between I and J works again.
ns_heal() {
	local i=$1 j=$2
	ns_exec "$i" nft delete element inet gfault cut "{ $(ns_ip "$j") }" 2>/dev/null
	ns_exec "$j" nft delete element inet gfault cut "{ $(ns_ip "$i") }" 2>/dev/null
	return 0
}

# ns_reach I J: member I opens a TCP connection to member J's node port
# within 2 s.
ns_reach() {
	ns_exec "$1" timeout 2 bash -c "exec 3<>/dev/tcp/$(ns_ip "$2")/$NS_PORT" 2>/dev/null
}

# ns_delay MS: adds MS ms of delay to every member's link (both ways:
# each member delays what it sends), when the kernel has netem. Returns 1
# with the reason on stdout when it cannot.
ns_delay() {
	local ms=$1 i err
	command -v tc >/dev/null || { echo "no tc command"; return 1; }
	for ((i = 1; i <= NS_N; i++)); do
		if ! err=$(tc -n "$(ns_name "$i")" qdisc replace dev eth0 root netem delay "${ms}ms" 2>&1); then
			echo "tc netem: ${err:-failed} (this kernel has no netem qdisc)"
			return 1
		fi
	done
}

# gossip_suspicion_flag: the command-line flag that sets the suspicion
# timeout in milliseconds (GossipSuspicionMinMs), empty when this gossipd
# has no suspicion.
gossip_suspicion_flag() {
	"$GOSSIPD_BIN" start --help 2>&1 | grep -oiE -- '--[a-z-]*suspicion[a-z-]*-ms' | head -n 1
}

# ns_watch MS WHO I...: for MS milliseconds, polls the views of the
# listed members (about 5 times a second) for members of WHO held as not
# alive ("any": any member; else a space-separated list of member
# indices). Sets NS_WATCH_POLLS (polls made), NS_WATCH_BAD (polls that
# found one), NS_WATCH_FIRST (milliseconds into the watch of the first,
# empty if none) and NS_WATCH_WHAT (its "OBSERVER HOST:PORT" pairs). With
# NS_WATCH_STOP set, it returns at the first.
ns_watch() {
	local ms=$1 who=$2 j pairs bad t0=${EPOCHREALTIME/./}
	shift 2
	local deadline=$((t0 + ms * 1000))
	NS_WATCH_POLLS=0 NS_WATCH_BAD=0 NS_WATCH_FIRST="" NS_WATCH_WHAT=""
	while [ "${EPOCHREALTIME/./}" -lt "$deadline" ] && [ "$NS_WATCH_POLLS" -lt $((ms / 50 + 1)) ]; do
		ns_poll "$@"
		pairs=$(ns_dead_pairs "$@")
		bad=""
		if [ "$who" = any ]; then
			bad=$pairs
		else
			for j in $who; do
				bad="$bad$(grep -F " $(ns_ip "$j"):$NS_PORT" <<<"$pairs")"
			done
		fi
		NS_WATCH_POLLS=$((NS_WATCH_POLLS + 1))
		if [ -n "$bad" ]; then
			NS_WATCH_BAD=$((NS_WATCH_BAD + 1))
			if [ -z "$NS_WATCH_FIRST" ]; then
				NS_WATCH_FIRST=$(((${EPOCHREALTIME/./} - t0) / 1000))
				NS_WATCH_WHAT=$(echo $bad)
			fi
			[ -z "${NS_WATCH_STOP:-}" ] || return 0
		fi
		sleep 0.2
	done
}

# ns_watch_no_death MS WHO I...: ns_watch, failing the test at the first
# view that holds a member of WHO as not alive.
ns_watch_no_death() {
	NS_WATCH_STOP=1 ns_watch "$@"
	[ -z "$NS_WATCH_FIRST" ] ||
		t_fail "false death $NS_WATCH_FIRST ms into the watch (observer endpoint): $NS_WATCH_WHAT"
}

# ns_metric_sum NAME I...: the sum, over the listed members, of every
# sample of metric NAME (all its labels).
ns_metric_sum() {
	local name=$1 i
	shift
	for i in "$@"; do
		curl -s --max-time 2 --unix-socket "$T_DIR/n$i.sock" http://localhost/metrics
	done | awk -v m="$name" '$1 == m || index($1, m "{") == 1 {s += $2} END {printf "%d\n", s}'
}

# ns_suspicion_args MS: sets NS_SUSP to the option that makes the
# suspicion timeout MS milliseconds (empty when gossipd has no suspicion).
# The engine's timeout is max(GossipSuspicionMinMs, GossipSuspicionMult x
# max(1, log10(members)) x GossipIntervalMs): MS is the figure as long as
# the second term (800 ms for up to 10 members at the default multiplier 4
# and a 200 ms interval) is below it.
ns_suspicion_args() {
	local flag
	flag=$(gossip_suspicion_flag)
	NS_SUSP=()
	[ -z "$flag" ] || NS_SUSP=("$flag" "$1")
}
