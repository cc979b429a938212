# tests/tools/httpc_testlib.sh: helpers for tests/integration/httpc_*.sh,
# sourced after tests/lib.sh and t_init. Servers are nginx (nginx-light)
# and openssl s_server, started in the foreground under the test's cleanup;
# certificates come from tests/data/make-fixtures.sh (made at test time).

HTTPC_GET="${GOSSIPD_TOOLS:-$(dirname "$GOSSIPD_BIN")/tests/tools}/httpc_get"
FAKEPEER="${GOSSIPD_TOOLS:-$(dirname "$GOSSIPD_BIN")/tests/tools}/fakepeer"

# httpc_prepare: checks the tools and makes the fixture PKI in $T_DIR/pki.
httpc_prepare() {
	[ -x "$HTTPC_GET" ] || t_fail "no httpc_get at $HTTPC_GET"
	command -v nginx >/dev/null || t_skip "nginx is not installed"
	command -v openssl >/dev/null || t_skip "openssl is not installed"
	PKI=$T_DIR/pki
	bash "$GOSSIPD_SRC/tests/data/make-fixtures.sh" "$PKI" >/dev/null 2>&1 ||
		t_fail "make-fixtures.sh failed"
}

# port_listening PORT [PID]: something (process PID) listens on PORT.
port_listening() {
	if [ -n "${2:-}" ]; then
		ss -Htlnp "sport = :$1" 2>/dev/null | grep -q "pid=$2,"
	else
		ss -Htln "sport = :$1" 2>/dev/null | grep -q .
	fi
}

# start_nginx NAME ADDR:PORT CERT KEY [MORE_LISTEN...]: a one-process
# nginx over TLS answering 200 {"ok":true} on every path, asking for an
# optional client certificate from the fixture CA, with keep-alive and a
# session cache. Its access log ($T_DIR/NAME/access.log) has one line per
# request: connection serial, session reused ("r" or "."), client
# verification, method, URI, status.
start_nginx() {
	local name=$1 listen=$2 cert=$3 key=$4
	shift 4
	local dir=$T_DIR/$name extra="" l
	for l in "$@"; do
		extra="$extra    listen $l ssl;
"
	done
	mkdir -p "$dir/tmp"
	cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
error_log $dir/error.log info;
pid $dir/nginx.pid;
events { worker_connections 128; }
http {
  log_format t '\$connection \$ssl_session_reused \$ssl_client_verify '
               '\$request_method \$uri \$status';
  access_log $dir/access.log t;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  server {
    listen $listen ssl;
$extra    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:httpc:1m;
    ssl_session_tickets on;
    ssl_verify_client optional;
    ssl_client_certificate $PKI/ca.crt;
    ssl_verify_depth 3;
    keepalive_timeout 30s;
    keepalive_requests 1000;
    location / {
      default_type application/json;
      return 200 '{"ok":true}';
    }
  }
}
EOF
	nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" \
		>"$T_DIR/$name.log" 2>&1 &
	local pid=$!
	T_PIDS+=("$pid")
	# Generous: CI machines run many suites at once.
	local deadline=$((SECONDS + 30))
	until port_listening "${listen##*:}" "$pid"; do
		kill -0 "$pid" 2>/dev/null ||
			t_fail "nginx $name exited: $(tail -n 5 "$dir/error.log")"
		[ "$SECONDS" -ge "$deadline" ] &&
			t_fail "nginx $name did not listen on $listen: $(tail -n 5 "$dir/error.log")"
		sleep 0.05
	done
}

# access_lines NAME: the access log of an nginx started by start_nginx.
access_lines() {
	cat "$T_DIR/$1/access.log" 2>/dev/null
}
