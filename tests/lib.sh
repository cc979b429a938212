# tests/lib.sh: shared helpers for the integration tests.
#
# Every test sources this file, calls t_init, starts what it needs with
# start_node, and ends with t_pass. Whatever a test started is killed on
# exit, however the test ends. Waits are polls with deadlines, never fixed
# sleeps. Only loopback addresses are used.

set -u
GOSSIPD_BIN=${GOSSIPD_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/gossipd}
GOSSIPD_SRC=${GOSSIPD_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
T_NAME=$(basename "$0" .sh)
T_PIDS=()
T_PORTS=" "

t_log() { printf '[%s] %s\n' "$T_NAME" "$*" >&2; }

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${T_PIDS[@]}"; do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "${T_DIR:-}" ] && [ -z "${T_KEEP:-}" ]; then
		rm -rf "$T_DIR"
	fi
}

# t_init: a private temporary directory and the exit trap.
t_init() {
	T_DIR=$(mktemp -d "/tmp/gossipd-${T_NAME}.XXXXXX")
	trap t_cleanup EXIT
	trap 'exit 130' INT TERM
}

t_fail() {
	t_log "FAIL: $*"
	local f
	for f in "${T_DIR:-/nonexistent}"/*.log; do
		[ -f "$f" ] || continue
		echo "----- $f (last 40 lines)" >&2
		tail -n 40 "$f" >&2
	done
	exit 1
}

t_pass() {
	t_log "PASS"
	exit 0
}

t_skip() {
	t_log "SKIP: $*"
	exit 77
}

# free_port: a TCP port nobody listens on, distinct within this test.
# Random within 20000-59999 so that parallel tests rarely meet; checked
# against the listening sockets of the machine.
free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case "$T_PORTS" in *" $p "*) continue ;; esac
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			T_PORTS="$T_PORTS$p "
			echo "$p"
			return 0
		fi
	done
	t_fail "no free port found"
}

# start_node NAME ARGS...: starts "gossipd start ARGS..." in the
# background, output to $T_DIR/NAME.log; its pid is in PID_<NAME>.
start_node() {
	local name=$1
	shift
	"$GOSSIPD_BIN" start "$@" >"$T_DIR/$name.log" 2>&1 &
	local pid=$!
	T_PIDS+=("$pid")
	printf -v "PID_$name" '%s' "$pid"
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	local secs=$1
	shift
	local deadline=$((SECONDS + secs))
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

# wait_log NAME PATTERN [SECONDS]: waits for an extended regexp in NAME.log.
wait_log() {
	wait_for "${3:-10}" grep -qE -- "$2" "$T_DIR/$1.log" ||
		t_fail "no log line matching /$2/ in $1.log within ${3:-10}s"
}

# wait_exit PID SECONDS: waits for a process to end; echoes its status.
wait_exit() {
	local pid=$1 secs=$2
	local deadline=$((SECONDS + secs))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	wait "$pid"
	echo $?
}

assert_eq() { # expected actual what
	[ "$1" = "$2" ] || t_fail "$3: expected '$1', got '$2'"
}

assert_contains() { # haystack needle what
	case "$1" in *"$2"*) ;; *) t_fail "$3: '$2' not found in: $1" ;; esac
}

assert_not_contains() { # haystack needle what
	case "$1" in *"$2"*) t_fail "$3: unexpected '$2' in: $1" ;; esac
}

# http_code URL [curl args...]: the status code only.
http_code() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url"
}

# make_pki DIR [IP]: a CA, a node certificate for 127.0.0.1 (or IP) and
# localhost, and a client certificate with another CN.
make_pki() {
	local dir=$1 ip=${2:-127.0.0.1}
	"$GOSSIPD_BIN" cert create-ca -out "$dir/ca" >/dev/null ||
		t_fail "cert create-ca"
	"$GOSSIPD_BIN" cert create-node -ca-certificate "$dir/ca/ca.crt" \
		-ca-key "$dir/ca/ca.key" -out "$dir/node" \
		-ip-addresses "$ip" -dns-names localhost >/dev/null ||
		t_fail "cert create-node"
	"$GOSSIPD_BIN" cert create-client -ca-certificate "$dir/ca/ca.crt" \
		-ca-key "$dir/ca/ca.key" -out "$dir/client" \
		-common-name web-client >/dev/null ||
		t_fail "cert create-client"
}
