#!/usr/bin/env bash
# The start command's own flags: --version, --help, --help-format,
# --what-if (exit 0, nothing served), a bad option (exit 2 with the
# reason), a startup error (exit 1), and "gossipd --insecure" without
# the word "start".
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
assert_eq "gossipd 0.1.0" "$("$GOSSIPD_BIN" --version | head -n 1)" "--version"
assert_eq "gossipd 0.1.0" "$("$GOSSIPD_BIN" start --version | head -n 1)" "start --version"
# version: build options and the library versions, from the libraries.
v=$("$GOSSIPD_BIN" version)
assert_eq "$v" "$("$GOSSIPD_BIN" --version)" "version and --version agree"
assert_contains "$v" "build: " "build options"
for lib in "mbed TLS 2." "libmicrohttpd $(pkg-config --modversion libmicrohttpd)" \
	"cJSON $(pkg-config --modversion libcjson)" "libyaml $(pkg-config --modversion yaml-0.1)" \
	"llhttp " "nghttp2 $(pkg-config --modversion libnghttp2)" "protobuf-c $(pkg-config --modversion libprotobuf-c)"; do
	assert_contains "$v" "  $lib" "library version $lib"
done
# --help: the subcommands (and where the options are).
h=$("$GOSSIPD_BIN" --help)
for sub in start status discover "member set|show|remove" "cert create-ca|create-node|create-client|inspect|list" version; do
	assert_contains "$h" "  $sub" "--help lists $sub"
done
assert_eq "$h" "$("$GOSSIPD_BIN" help)" "help and --help agree"
assert_contains "$("$GOSSIPD_BIN" start --help)" "--node-port" "--help lists the options"
assert_contains "$("$GOSSIPD_BIN" start --help-format markdown)" '| `NodePort` |' "markdown option table"
out=$("$GOSSIPD_BIN" start --what-if --insecure --node-port 2999)
assert_contains "$out" "NodePort: 2999 (Command Line)" "--what-if"
err=$("$GOSSIPD_BIN" start --no-such-option 2>&1)
assert_eq 2 "$?" "exit status for an unknown option"
assert_contains "$err" "gossipd: command line: unknown option --no-such-option" "unknown option message"

# A port already taken: exit 1 and the reason in the log.
port=$(free_port)
start_node n1 --insecure --node-port "$port"
wait_serving n1 "http://127.0.0.1:$port"
start_node n2 --insecure --node-port "$port"
st=$(wait_exit "$PID_n2" 10) || t_fail "n2 did not exit"
assert_eq 1 "$st" "exit status when the port is taken"
wait_log n2 "cannot start: cannot listen on 127\\.0\\.0\\.1:$port \\(NodeIp, NodePort\\): Address already in use"

# Without the word "start".
port3=$(free_port)
"$GOSSIPD_BIN" --insecure --node-port "$port3" --allow-root \
	--admin-socket "$T_DIR/n3.sock" >"$T_DIR/n3.log" 2>&1 &
T_PIDS+=($!)
pid3=$!
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$port3/ping" || t_fail "gossipd --insecure does not serve"
kill -TERM "$pid3"
wait "$pid3"
assert_eq 0 "$?" "exit status of gossipd --insecure after SIGTERM"
t_pass
