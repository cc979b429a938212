#!/usr/bin/env bash
# At LogLevel warn the audit line of a member state change is kept (it is
# logged at warn, like the reload audit); a report that only moves the
# checkpoints stays at info and is not logged.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
port=$(free_port)
start_node n1 --insecure --node-port "$port" --log-level warn
wait_serving n1 "http://127.0.0.1:$port"
put=(-X PUT -H 'Content-Type: application/json')
uid=$(id -u)

out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" "${put[@]}" \
	-d '{"writerCheckpoint":42}' http://localhost/admin/member)
assert_eq 42 "$(jq -r .writerCheckpoint <<<"$out")" "a checkpoint-only report"
out=$(curl -s --max-time 5 --unix-socket "$T_DIR/n1.sock" "${put[@]}" \
	-d '{"state":"Leader","epochNumber":3}' http://localhost/admin/member)
assert_eq Leader "$(jq -r .state <<<"$out")" "a state change"
wait_log n1 "warn +audit: admin socket \(uid $uid, pid [0-9]+\): PUT /admin/member: state [A-Za-z]+ -> Leader, epochNumber [-0-9]+ -> 3$"
# the two requests were served in order, so the first one's line (if it
# were logged) is already in the log
assert_eq 0 "$(log_count n1 'writerCheckpoint')" "audit lines for a checkpoint-only report at LogLevel warn"
assert_eq 0 "$(stop_node n1 5)" "exit status"
t_pass
