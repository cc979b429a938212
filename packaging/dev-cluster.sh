#!/usr/bin/env bash
# dev-cluster.sh: a secured three-node gossipd cluster on this machine, for
# development. On a fresh Debian 12 machine, as root:
#
#   bash packaging/dev-cluster.sh          # install deps, build, start
#   bash packaging/dev-cluster.sh status   # is it running?
#   bash packaging/dev-cluster.sh stop     # stop the three nodes
#
# It installs the build dependencies (packaging/install-deps.sh), builds a
# Release gossipd into build-dev/, makes a CA and one certificate per node
# with "gossipd cert", and starts three nodes on 127.0.0.1, 127.0.0.2 and
# 127.0.0.3, all on port 2113, each seeding from the other two. It waits
# until every node sees the three members alive, makes node 1 the Leader and
# nodes 2 and 3 Followers through their admin sockets, and prints how to look
# at the cluster. Everything it makes is under build-dev/cluster/: per node a
# directory with its certificate, configuration, log, pid file and admin
# socket. Running it
# again stops the previous cluster first and starts afresh.
#
# For tests (tests/integration/pkg_devcluster.sh): DEV_CLUSTER_BIN=PATH uses
# that binary and skips the dependencies and the build; DEV_CLUSTER_STATE
# and DEV_CLUSTER_PORT move the state directory and the port.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$src/build-dev
state=${DEV_CLUSTER_STATE:-$build/cluster}
bin=${DEV_CLUSTER_BIN:-$build/gossipd}
port=${DEV_CLUSTER_PORT:-2113}
nodes=(1 2 3)

say() { printf '== %s\n' "$*"; }
die() {
	printf 'dev-cluster: %s\n' "$*" >&2
	exit 1
}

node_ip() { echo "127.0.0.$1"; }

stop_cluster() {
	local n pid stopped=0
	for n in "${nodes[@]}"; do
		[ -f "$state/node$n/pid" ] || continue
		pid=$(cat "$state/node$n/pid")
		# Only a gossipd we started: the pid file may be stale.
		if [ -r "/proc/$pid/cmdline" ] &&
			tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "gossipd start"; then
			kill -TERM "$pid" 2>/dev/null || true
			for _ in $(seq 1 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "$pid" 2>/dev/null || true
			stopped=$((stopped + 1))
		fi
		rm -f "$state/node$n/pid"
	done
	say "stopped $stopped node(s)"
}

show_status() {
	local n pid
	for n in "${nodes[@]}"; do
		pid=$(cat "$state/node$n/pid" 2>/dev/null || true)
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			echo "node$n $(node_ip "$n"):$port running (pid $pid, log $state/node$n/gossipd.log)"
		else
			echo "node$n $(node_ip "$n"):$port not running"
		fi
	done
}

case "${1:-start}" in
stop)
	stop_cluster
	exit 0
	;;
status)
	show_status
	exit 0
	;;
start) ;;
*) die "usage: $0 [start|stop|status]" ;;
esac

# 1. Dependencies and the build.
if [ -n "${DEV_CLUSTER_BIN:-}" ]; then
	say "using $bin (no install, no build)"
else
	if [ "$(id -u)" -eq 0 ]; then
		say "installing dependencies (packaging/install-deps.sh)"
		bash "$src/packaging/install-deps.sh"
	else
		say "not root: skipping packaging/install-deps.sh (run it as root once)"
	fi
	say "building gossipd (Release) into $build"
	mkdir -p "$build"
	{ cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release &&
		cmake --build "$build" --target gossipd -j "$(nproc)"; } \
		>"$build/dev-build.log" 2>&1 ||
		die "build failed; the end of $build/dev-build.log:
$(tail -n 30 "$build/dev-build.log")"
fi

# 2. Stop a previous run, then a fresh PKI: one CA, one certificate per node
# with its own IP and localhost as subject alternative names.
stop_cluster
rm -rf "$state/ca" "$state/client" "$state/node1" "$state/node2" "$state/node3"
mkdir -p "$state"
say "making a CA and node certificates in $state"
"$bin" cert create-ca -out "$state/ca" >/dev/null
for n in "${nodes[@]}"; do
	"$bin" cert create-node -ca-certificate "$state/ca/ca.crt" \
		-ca-key "$state/ca/ca.key" -out "$state/node$n" \
		-ip-addresses "$(node_ip "$n")" -dns-names localhost >/dev/null
done
"$bin" cert create-client -ca-certificate "$state/ca/ca.crt" \
	-ca-key "$state/ca/ca.key" -out "$state/client" \
	-common-name dev-client >/dev/null

# 3. Three nodes, each seeding from the other two. As root, they stay root
# (--allow-root): a development machine has no gossipd user to drop to.
root_flag=()
[ "$(id -u)" -ne 0 ] || root_flag=(--allow-root)
for n in "${nodes[@]}"; do
	seeds=""
	for m in "${nodes[@]}"; do
		[ "$m" = "$n" ] && continue
		seeds="$seeds${seeds:+,}$(node_ip "$m"):$port"
	done
	dir=$state/node$n
	# Each node's whole configuration is in its own file (and only there:
	# not in /etc/gossipd/gossipd.conf, which --config replaces).
	cat >"$dir/gossipd.conf" <<EOF
# node $n of the dev cluster (packaging/dev-cluster.sh)
NodeIp: $(node_ip "$n")
NodePort: $port
ReplicationIp: $(node_ip "$n")
ClusterSize: 3
GossipSeed: $seeds
GossipIntervalMs: 1000
CertificateFile: $dir/node.crt
CertificatePrivateKeyFile: $dir/node.key
TrustedRootCertificatesPath: $state/ca/ca.crt
AdminSocket: $dir/admin.sock
EOF
	# setsid: the node outlives this script and its terminal.
	setsid "$bin" start --config "$dir/gossipd.conf" "${root_flag[@]}" \
		</dev/null >"$dir/gossipd.log" 2>&1 &
	echo $! >"$dir/pid"
done

# 4. Wait until each node sees three live members and no seed placeholder.
converged() {
	local n doc
	for n in "${nodes[@]}"; do
		doc=$(curl -sf --max-time 2 --cacert "$state/ca/ca.crt" \
			"https://$(node_ip "$n"):$port/gossip") || return 1
		[ "$(grep -o '"isAlive": *true' <<<"$doc" | wc -l)" -eq 3 ] || return 1
		! grep -q '"state": *"Manager"' <<<"$doc" || return 1
	done
}
say "waiting for the three nodes to converge"
deadline=$((SECONDS + 60))
until converged; do
	for n in "${nodes[@]}"; do
		kill -0 "$(cat "$state/node$n/pid")" 2>/dev/null || {
			tail -n 20 "$state/node$n/gossipd.log" >&2
			die "node$n exited; its log is $state/node$n/gossipd.log"
		}
	done
	[ "$SECONDS" -lt "$deadline" ] ||
		die "no convergence within 60 s; logs are in $state/node*/gossipd.log"
	sleep 0.2
done

# 5. Roles, as the co-located database process would report them.
"$bin" member set --state Leader --admin-socket "$state/node1/admin.sock" >/dev/null
"$bin" member set --state Follower --admin-socket "$state/node2/admin.sock" >/dev/null
"$bin" member set --state Follower --admin-socket "$state/node3/admin.sock" >/dev/null

show_status
cat <<EOF

The cluster is up. Look at it:

  curl --cacert $state/ca/ca.crt https://127.0.0.1:$port/gossip
  curl --cacert $state/ca/ca.crt https://127.0.0.2:$port/health/live -i
  curl --cacert $state/ca/ca.crt https://127.0.0.3:$port/metrics
  $bin status --seed 127.0.0.1:$port --cacert $state/ca/ca.crt
  $bin discover --seed 127.0.0.1:$port,127.0.0.2:$port --cacert $state/ca/ca.crt --prefer follower

Change a role (as the database process would):

  $bin member set --state Follower --admin-socket $state/node1/admin.sock
  $bin member set --state Leader --admin-socket $state/node2/admin.sock

A client certificate that is trusted but not a node (POST /gossip gets 403):

  curl --cacert $state/ca/ca.crt --cert $state/client/client.crt --key $state/client/client.key \\
       -X POST -H 'Content-Type: application/json' -d '{}' https://127.0.0.1:$port/gossip

Configuration: $state/node{1,2,3}/gossipd.conf
Logs: $state/node{1,2,3}/gossipd.log
Stop: bash packaging/dev-cluster.sh stop
EOF
