# tests/tools/tls_resume.sh: a client's saved TLS sessions towards a node,
# through openssl s_client over TLS 1.2 (a ticket, and a session ID from
# the server's cache with -no_ticket), each carrying one GET
# /admin/member. Sourced after tests/lib.sh.
#
#   tr_save PORT ARGS...   saves both sessions ($T_DIR/sess.ticket,
#                          sess.cache); ARGS: s_client's -CAfile, -cert,
#                          -key (and -cert_chain) options, kept for the
#                          calls below
#   tr_resumes WHAT        both resume and are answered 200 (a node)
#   tr_refused WHAT        neither resumes, nor is any request answered
#                          (WHAT: when, for the messages)
#   tr_survives_reload NAME PORT CA CERT KEY
#                          a node client (CERT, KEY; from 127.0.0.2) on a
#                          resumed keep-alive connection to NAME stays
#                          served as a node, on that connection, across a
#                          SIGHUP reload without changes, and NAME closes
#                          no connection

tr_sc() { # OUT ARGS...: one GET /admin/member, s_client's report in OUT
	local out=$1
	shift
	printf 'GET /admin/member HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
		timeout 10 openssl s_client -connect "127.0.0.1:$TR_PORT" -tls1_2 \
			"${TR_ARGS[@]}" -ign_eof "$@" >"$out" 2>&1
}

tr_save() {
	TR_PORT=$1
	shift
	TR_ARGS=("$@")
	tr_sc "$T_DIR/t0" -sess_out "$T_DIR/sess.ticket"
	tr_sc "$T_DIR/c0" -no_ticket -sess_out "$T_DIR/sess.cache"
}

tr_use() { # KIND OUT: the KIND session again
	local flag=()
	[ "$1" = cache ] && flag=(-no_ticket)
	tr_sc "$2" "${flag[@]}" -sess_in "$T_DIR/sess.$1"
}

tr_resumes() {
	local k
	for k in ticket cache; do
		tr_use $k "$T_DIR/$k.1"
		grep -q '^Reused, TLSv1.2' "$T_DIR/$k.1" || t_fail "the $k session did not resume $1: $(head -n 5 "$T_DIR/$k.1")"
		grep -q '^HTTP/1.1 200' "$T_DIR/$k.1" || t_fail "not a node on the resumed $k session $1: $(grep HTTP/ "$T_DIR/$k.1")"
	done
}

tr_refused() {
	local k
	for k in ticket cache; do
		tr_use $k "$T_DIR/$k.2"
		if grep -q '^Reused' "$T_DIR/$k.2"; then
			t_fail "the $k session resumed $1"
		fi
		if grep -q '^HTTP/1.1' "$T_DIR/$k.2"; then
			t_fail "a request on the $k session was answered $1: $(grep HTTP/ "$T_DIR/$k.2")"
		fi
	done
}

tr_survives_reload() {
	local name=$1 port=$2 ca=$3 cert=$4 key=$5 pidvar n
	pidvar="PID_$name"
	python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" \
		--path /admin/member --ca "$ca" --cert "$cert" --key "$key" \
		--bind 127.0.0.2 --interval 0.2 --count 100 --resume \
		--stop "$T_DIR/stop" >"$T_DIR/c.out" 2>"$T_DIR/c.err" &
	T_PIDS+=($!)
	wait_for 10 grep -q ' 200 1$' "$T_DIR/c.out" ||
		t_fail "the client not served as a node: $(tail -n 2 "$T_DIR/c.err")"
	grep -q '^# resumed 1 True$' "$T_DIR/c.err" ||
		t_fail "the connection did not resume: $(cat "$T_DIR/c.err")"
	kill -HUP "${!pidvar}"
	wait_log "$name" "audit: SIGHUP .*: reload: options changed: none"
	n=$(wc -l <"$T_DIR/c.out")
	wait_for 10 bash -c "[ \$(wc -l <'$T_DIR/c.out') -ge $((n + 5)) ]" ||
		t_fail "the client stopped"
	touch "$T_DIR/stop"
	assert_eq 0 "$(awk '$2 != "200" || $3 != 1' "$T_DIR/c.out" | wc -l)" \
		"answers not 200 or on another connection across the reload"
	assert_eq 0 "$(log_count "$name" 'closed: ')" "connections closed by the reload"
}
