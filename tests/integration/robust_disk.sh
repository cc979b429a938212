#!/usr/bin/env bash
# The daemon's own disk becoming unwritable does not matter: with its log
# going to a full device and an admin socket directory that cannot be
# made, it still starts, serves, reloads on SIGHUP and exits 0 on SIGTERM.
. "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
port=$(free_port)
"$GOSSIPD_BIN" start --node-ip 127.0.0.1 --node-port "$port" \
	--certificate-file "$T_DIR/node/node.crt" \
	--certificate-private-key-file "$T_DIR/node/node.key" \
	--trusted-root-certificates-path "$T_DIR/ca/ca.crt" \
	--admin-socket /proc/gossipd-cannot-exist/admin.sock --allow-root \
	>/dev/full 2>&1 &
pid=$!
T_PIDS+=("$pid")
ca=(--cacert "$T_DIR/ca/ca.crt")
wait_for 15 curl -sf "${ca[@]}" "https://127.0.0.1:$port/health/live" ||
	t_fail "daemon with an unwritable log did not serve"
for i in $(seq 1 50); do
	curl -sf "${ca[@]}" "https://127.0.0.1:$port/gossip" >/dev/null || t_fail "GET /gossip $i failed"
done
kill -HUP "$pid"
curl -sf "${ca[@]}" "https://127.0.0.1:$port/gossip" >/dev/null || t_fail "GET /gossip after SIGHUP failed"
kill -0 "$pid" || t_fail "daemon died"
kill -TERM "$pid"
# A direct child of this shell (not start_node's: its log must be
# /dev/full), so its status comes from wait once it has gone.
wait_for 5 bash -c "! kill -0 $pid" || t_fail "daemon did not stop within 5 s of SIGTERM"
wait "$pid"
assert_eq 0 "$?" "exit status after SIGTERM"
t_pass
