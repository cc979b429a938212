#!/usr/bin/env bash
# The admin socket belongs to the daemon's own user after the privilege
# drop: started as root with RunAsUser nobody, the socket (and the
# directory made for it) is nobody's, mode 0600; nobody can use it (the
# audit line names uid 65534), and it is removed at stop. With
# AdminSocketGroup daemon it is nobody:daemon 0660 and a process of user
# daemon reports state through it; another user cannot. An unknown group
# stops the start with the option named.
. "$GOSSIPD_SRC/tests/lib.sh"
[ "$(id -u)" = 0 ] || t_skip "needs root"
command -v setpriv >/dev/null 2>&1 || t_skip "no setpriv"
id nobody >/dev/null 2>&1 && id daemon >/dev/null 2>&1 || t_skip "no users nobody and daemon"
getent group daemon >/dev/null || t_skip "no group daemon"
t_init
chmod 755 "$T_DIR" # the unprivileged daemon reaches its socket's directory
ngroup=$(id -gn nobody)
nuid=$(id -u nobody)
as() { # USER CMD...: CMD as USER (its own group, no others)
	local u=$1
	shift
	setpriv --reuid "$u" --regid "$(id -g "$u")" --clear-groups "$@"
}
put() { # USER SOCKET: PUT /admin/member as USER; the status code
	as "$1" curl -s -o /dev/null -w '%{http_code}' --max-time 5 --unix-socket "$2" \
		-X PUT -H 'Content-Type: application/json' -d '{"state":"Follower"}' \
		http://localhost/admin/member
}

sock="$T_DIR/run1/admin.sock"
# shellcheck disable=SC2086
serve_on_free_port n1 http --insecure --node-ip 127.0.0.1 \
	--run-as-user nobody --run-as-group "$ngroup" --admin-socket "$sock"
wait_log n1 "running as user nobody"
assert_eq "nobody:$ngroup 600" "$(stat -c '%U:%G %a' "$sock")" "the admin socket's owner and mode"
assert_eq "nobody" "$(stat -c '%U' "$T_DIR/run1")" "the directory made for it"
assert_eq 200 "$(put nobody "$sock")" "PUT /admin/member by the daemon's user"
wait_log n1 "audit: admin socket \(uid $nuid, pid [0-9]+\): PUT /admin/member"
assert_eq 000 "$(put daemon "$sock")" "PUT /admin/member by another user"
assert_eq 0 "$(stop_node n1 5)" "exit status"
[ ! -e "$sock" ] || t_fail "the admin socket is still there after the stop"

sock="$T_DIR/run2/admin.sock"
serve_on_free_port n2 http --insecure --node-ip 127.0.0.1 \
	--run-as-user nobody --run-as-group "$ngroup" --admin-socket "$sock" \
	--admin-socket-group daemon
assert_eq "nobody:daemon 660" "$(stat -c '%U:%G %a' "$sock")" "the socket with AdminSocketGroup"
assert_eq 200 "$(put daemon "$sock")" "PUT /admin/member by a user of AdminSocketGroup"
wait_log n2 "audit: admin socket \(uid $(id -u daemon), pid [0-9]+\): PUT /admin/member"
assert_eq 0 "$(stop_node n2 5)" "exit status"
[ ! -e "$sock" ] || t_fail "the admin socket is still there after the stop"

start_node n3 --insecure --node-port "$(free_port)" --admin-socket-group no-such-group-xyz
st=$(wait_exit "$PID_n3" 10) || t_fail "n3 did not exit"
assert_eq 1 "$st" "exit status with an unknown AdminSocketGroup"
wait_log n3 'AdminSocketGroup: no such group "no-such-group-xyz"'
t_pass
