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
T_NODE_PIDS=() # started by start_node, with a watcher
# A command that start_node puts before gossipd, one that execs it (so
# that the pid is still gossipd's): tests/netns.sh sets it to
# "ip netns exec NS" to start a member inside a namespace.
T_NODE_WRAP=()
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

# t_sanitizer_check: stops the nodes still running (SIGTERM, so that a
# leak check at exit runs) and fails the test when any log in T_DIR
# holds an AddressSanitizer, LeakSanitizer or UBSan report.
t_sanitizer_check() {
	local pid f
	for pid in "${T_NODE_PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null # a test may have stopped it
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${T_NODE_PIDS[@]}"; do
		wait_exit "$pid" 10 >/dev/null
	done
	for f in "${T_DIR:-/nonexistent}"/*.log; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f"; then
			t_log "sanitizer report in $f:"
			grep -E -A 20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | head -n 60 >&2
			t_log "FAIL: sanitizer report"
			exit 1
		fi
	done
}

t_pass() {
	[ -n "${T_DIR:-}" ] && t_sanitizer_check
	t_log "PASS"
	exit 0
}

t_skip() {
	t_log "SKIP: $*"
	exit 77
}

# free_port: a TCP port nobody listens on, distinct within this test.
# Random below the kernel's ephemeral range (so that no client socket of a
# parallel test can be holding it) and at least 10000, so that parallel
# tests rarely meet; checked against the sockets of the machine.
free_port() {
	local p lo=10000 hi=32768 eph
	eph=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ -n "$eph" ] && [ "$eph" -gt $((lo + 1000)) ] && hi=$eph
	for _ in $(seq 1 200); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
		case "$T_PORTS" in *" $p "*) continue ;; esac
		if ! ss -Htan "sport = :$p" 2>/dev/null | grep -q .; then
			T_PORTS="$T_PORTS$p "
			echo "$p"
			return 0
		fi
	done
	t_fail "no free port found"
}

# start_node NAME ARGS...: starts "gossipd start ARGS..." in the
# background, output to $T_DIR/NAME.log; its pid is in PID_<NAME>.
# Unless ARGS say otherwise, the node gets its own admin socket
# $T_DIR/NAME.sock (the default path would collide between parallel
# tests) and, when the tests run as root, --allow-root (no privilege drop
# to a user the test machine may not have).
start_node() {
	local name=$1
	shift
	local extra=() a
	local has_sock="" has_root=""
	for a in "$@"; do
		case "$a" in
		--admin-socket | --admin-socket=*) has_sock=1 ;;
		--allow-root* | --run-as-user | --run-as-user=*) has_root=1 ;;
		esac
	done
	[ -n "$has_sock" ] || extra+=(--admin-socket "$T_DIR/$name.sock")
	[ -n "$has_root" ] || [ "$(id -u)" != 0 ] || extra+=(--allow-root)
	# A small watcher subshell records the exit status in
	# $T_DIR/.status.PID, so that wait_exit works from any subshell too.
	(
		"${T_NODE_WRAP[@]}" "$GOSSIPD_BIN" start "$@" "${extra[@]}" >"$T_DIR/$name.log" 2>&1 &
		local child=$!
		echo "$child" >"$T_DIR/.pid.$name"
		wait "$child" 2>/dev/null
		{ echo $? >"$T_DIR/.status.$child.tmp" &&
			mv "$T_DIR/.status.$child.tmp" "$T_DIR/.status.$child"; } 2>/dev/null
	) &
	local pid=""
	for _ in $(seq 1 200); do
		pid=$(cat "$T_DIR/.pid.$name" 2>/dev/null) && [ -n "$pid" ] && break
		sleep 0.01
	done
	[ -n "$pid" ] || t_fail "could not start $name"
	rm -f "$T_DIR/.pid.$name"
	T_PIDS+=("$pid")
	T_NODE_PIDS+=("$pid")
	printf -v "PID_$name" '%s' "$pid"
}

# wait_serving NAME URL [SECONDS]: waits until GET URL/health/live answers
# (any TLS options for curl may follow as further arguments after the
# seconds); fails the test if NAME exits first.
wait_serving() {
	local name=$1 url=$2 secs=${3:-10}
	shift 3 2>/dev/null || shift $#
	local pidvar="PID_$name"
	local deadline=$((${EPOCHREALTIME/./} + secs * 1000000))
	while :; do
		if curl -sf -o /dev/null --max-time 2 "$@" "$url/health/live"; then
			return 0
		fi
		kill -0 "${!pidvar}" 2>/dev/null ||
			t_fail "$name exited before serving"
		[ "${EPOCHREALTIME/./}" -ge "$deadline" ] &&
			t_fail "$name not serving at $url within ${secs}s"
		sleep 0.05
	done
}

# stop_node NAME [SECONDS]: SIGTERM, then waits up to SECONDS (default 2)
# for the exit; echoes the exit status, or "timeout".
stop_node() {
	local name=$1 secs=${2:-2}
	local pidvar="PID_$name"
	local pid=${!pidvar}
	kill -TERM "$pid" 2>/dev/null
	wait_exit "$pid" "$secs" || echo timeout
}

# bound NAME: 0 once NAME listens, 1 if its port was taken meanwhile.
bound() {
	wait_for 20 grep -qE "serving on|cannot start" "$T_DIR/$1.log" ||
		t_fail "$1 did not start"
	grep -q "serving on" "$T_DIR/$1.log" && return 0
	grep -q "Address already in use" "$T_DIR/$1.log" ||
		t_fail "$1 did not start: $(grep "cannot start" "$T_DIR/$1.log")"
	t_log "$1: its port was taken meanwhile; another try"
	return 1
}
# serve_on_free_port NAME SCHEME ARGS...: starts NAME with --node-port
# on a free port (in $port) and waits until it serves; a port that another
# test takes between free_port and the bind means another try.
serve_on_free_port() {
	local name=$1 scheme=$2 try
	shift 2
	for try in 1 2 3; do
		port=$(free_port)
		rm -f "$T_DIR/$name.log"
		start_node "$name" "$@" --node-port "$port"
		bound "$name" && break
		[ "$try" -lt 3 ] || t_fail "$name: no free port after 3 tries"
	done
	wait_serving "$name" "$scheme://127.0.0.1:$port" 20 -k
}

# log_count NAME PATTERN: how many lines of NAME.log match the regexp.
log_count() {
	grep -cE -- "$2" "$T_DIR/$1.log" 2>/dev/null || true
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	local secs=$1
	shift
	# Microseconds from $EPOCHREALTIME (bash 5): $SECONDS counts whole
	# seconds, which would give up after as little as SECONDS-1.
	local deadline=$((${EPOCHREALTIME/./} + secs * 1000000))
	while ! "$@" >/dev/null 2>&1; do
		[ "${EPOCHREALTIME/./}" -ge "$deadline" ] && return 1
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
# For a node started by start_node the status comes from its watcher (so
# this works inside $(...) too); for other children of this shell, wait.
wait_exit() {
	local pid=$1 secs=$2
	local deadline=$((${EPOCHREALTIME/./} + secs * 1000000))
	local sf="${T_DIR:-/nonexistent}/.status.$pid"
	while kill -0 "$pid" 2>/dev/null; do
		[ "${EPOCHREALTIME/./}" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	if [ -d "${T_DIR:-/nonexistent}" ] && grep -qx "$pid" <(printf '%s\n' "${T_NODE_PIDS[@]}"); then
		while [ ! -f "$sf" ]; do
			[ "${EPOCHREALTIME/./}" -ge "$deadline" ] && return 1
			sleep 0.02
		done
		cat "$sf"
		return 0
	fi
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

# tls_args DIR: the daemon options for the PKI that make_pki made in DIR.
tls_args() {
	echo --certificate-file "$1/node/node.crt" \
		--certificate-private-key-file "$1/node/node.key" \
		--trusted-root-certificates-path "$1/ca/ca.crt"
}

# https_code URL CERTNAME [curl args...]: the status code of a request
# made with DIR's CA and the client certificate CERTNAME ("node",
# "client", or "none"), where DIR is $PKI (default $T_DIR).
https_code() {
	local url=$1 who=$2 pki=${PKI:-$T_DIR}
	shift 2
	local id=()
	[ "$who" = none ] || id=(--cert "$pki/$who/$who.crt" --key "$pki/$who/$who.key")
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		--cacert "$pki/ca/ca.crt" "${id[@]}" "$@" "$url"
}

# ossl_ca DIR NAME: an EC root CA made with openssl alone (an independent
# PKI, not gossipd cert): DIR/NAME.crt and DIR/NAME.key, subject
# "CN=NAME <pid>".
ossl_ca() {
	local dir=$1 name=$2
	mkdir -p "$dir"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.crt" -days 3 \
		-subj "/CN=$name $$" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-addext subjectKeyIdentifier=hash 2>/dev/null ||
		t_fail "openssl: CA $name"
	chmod 600 "$dir/$name.key"
}

# ossl_leaf DIR CA NAME SUBJECT EXTENSIONS...: a leaf certificate signed
# by DIR/CA (from ossl_ca), DIR/NAME.crt and DIR/NAME.key (mode 0600);
# each further argument is one line of its extensions, e.g.
# "subjectAltName=IP:127.0.0.1" "extendedKeyUsage=serverAuth".
ossl_leaf() {
	local dir=$1 ca=$2 name=$3 subj=$4
	shift 4
	printf '%s\n' "$@" >"$dir/$name.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "$subj" \
		2>/dev/null || t_fail "openssl: request $name"
	openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" \
		-CAkey "$dir/$ca.key" -set_serial "0x$(openssl rand -hex 8)" \
		-days 2 -extfile "$dir/$name.ext" -out "$dir/$name.crt" \
		2>/dev/null || t_fail "openssl: certificate $name"
	chmod 600 "$dir/$name.key"
}

# ossl_node DIR CA NAME CN IP: a node certificate by SPEC section 4 (IP
# SAN, digitalSignature + keyAgreement, serverAuth + clientAuth).
ossl_node() {
	ossl_leaf "$1" "$2" "$3" "/CN=$4" "subjectAltName=IP:$5" \
		"keyUsage=critical,digitalSignature,keyAgreement" \
		"extendedKeyUsage=serverAuth,clientAuth" \
		"authorityKeyIdentifier=keyid"
}

# python_with MODULE...: a python3 that imports every MODULE (the Debian
# one when a version manager's python3 comes first in PATH), or skips the
# test (exit 77) naming the package to install.
python_with() {
	local py m ok
	for py in python3 /usr/bin/python3; do
		ok=1
		for m in "$@"; do
			"$py" -c "import $m" 2>/dev/null || ok=""
		done
		[ -n "$ok" ] && { echo "$py"; return 0; }
	done
	t_skip "python3 modules missing: $* (packaging/install-deps.sh installs them)"
}

# ossl_crl DIR CA OUT [ARGS...]: a CRL signed by DIR/CA (from ossl_ca)
# listing nothing, made by "openssl ca -gencrl ARGS" with a database of
# its own (default: due in 30 days).
ossl_crl() {
	local dir=$1 ca=$2 out=$3
	shift 3
	local db="$dir/$ca.crldb"
	mkdir -p "$db"
	[ -f "$db/index.txt" ] || : >"$db/index.txt"
	[ -f "$db/crlnumber" ] || echo 01 >"$db/crlnumber"
	cat >"$db/ca.cnf" <<CNF
[ca]
default_ca = x
[x]
database = $db/index.txt
crlnumber = $db/crlnumber
certificate = $dir/$ca.crt
private_key = $dir/$ca.key
default_md = sha256
default_crl_days = 30
CNF
	openssl ca -batch -config "$db/ca.cnf" -gencrl -out "$out.new" "$@" \
		2>/dev/null || t_fail "openssl ca: CRL of $ca"
	mv "$out.new" "$out"
}
