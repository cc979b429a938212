#!/usr/bin/env bash
# Reload more than certificates (#16): seeds, gossip timers, limits and
# the log format change by SIGHUP and by POST /admin/reloadconfig on the
# admin socket, with a kept-alive connection open all along (it is never
# dropped); the success line is visible at LogLevel warn; an option that
# needs a restart is named; the HTTP reload runs on the main thread.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
conf="$T_DIR/n1.conf"
dead=$(free_port) # nobody listens there

# n2: a lone node; n1 learns of it only from a reloaded GossipSeed.
serve_on_free_port n2 http --insecure --cluster-size 1
p2=$port
printf 'ClusterSize: 2\nGossipSeed: 127.0.0.1:%s\nGossipIntervalMs: 60000\nLogLevel: info\nLogFormat: text\n' \
	"$dead" >"$conf"
serve_on_free_port n1 http --insecure --config "$conf"
p1=$port
url="http://127.0.0.1:$p1"

# ka_get: one GET /ping on the kept-alive connection (fd 3); echoes the
# status line.
ka_get() {
	local status line len=0
	printf 'GET /ping HTTP/1.1\r\nHost: x\r\n\r\n' >&3 || return 1
	IFS= read -r -t 5 status <&3 || return 1
	while IFS= read -r -t 5 line <&3; do
		line=${line%$'\r'}
		[ -z "$line" ] && break
		case "${line,,}" in content-length:*) len=${line#*:} && len=${len// /} ;; esac
	done
	if [ "$len" -gt 0 ]; then IFS= read -r -t 5 -N "$len" line <&3 || return 1; fi
	echo "${status%$'\r'}"
}
rounds() {
	curl -s --max-time 5 "$url/metrics" | awk '$1 == "gossipd_gossip_rounds_total" {print $2}'
}
knows_n2() {
	curl -s --max-time 5 "$url/gossip" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
sys.exit(0 if any(m.get("httpEndPointPort") == int(sys.argv[1]) and m.get("isAlive")
                  and m.get("instanceId") != "00000000-0000-0000-0000-000000000000"
                  for m in doc["members"]) else 1)' "$p2"
}

exec 3<>"/dev/tcp/127.0.0.1/$p1"
assert_eq "HTTP/1.1 200 OK" "$(ka_get)" "kept-alive connection, before"
knows_n2 && t_fail "n1 knows n2 before its seed was reloaded"

# 1. SIGHUP: seeds, interval and log format.
r0=$(rounds)
printf 'ClusterSize: 2\nGossipSeed: 127.0.0.1:%s\nGossipIntervalMs: 100\nLogLevel: info\nLogFormat: json\n' \
	"$p2" >"$conf"
kill -HUP "$PID_n1"
wait_log n1 '^\{"time":"[^"]+","level":"info","msg":"configuration reloaded: applied GossipSeed, GossipIntervalMs, LogFormat'
wait_log n1 '"msg":"gossip settings reloaded: 1 seed\(s\), every 100 ms'
wait_for 20 knows_n2 || t_fail "n1 did not gossip with its reloaded seed n2"
# 40 rounds: more than the fast start (2 s at 100 ms) could give, and
# none in a minute at the old GossipIntervalMs.
wait_for 20 bash -c "[ \$(curl -s --max-time 5 '$url/metrics' | awk '\$1 == \"gossipd_gossip_rounds_total\" {print \$2}') -ge $((r0 + 40)) ]" ||
	t_fail "the reloaded GossipIntervalMs did not take effect (rounds $r0 -> $(rounds))"
assert_eq "HTTP/1.1 200 OK" "$(ka_get)" "kept-alive connection, after SIGHUP"

# 2. The admin socket: LogLevel warn, text again, a limit, and an option
# that needs a restart. The HTTP reload runs on the main thread.
printf 'ClusterSize: 2\nGossipSeed: 127.0.0.1:%s\nGossipIntervalMs: 100\nLogLevel: warn\nLogFormat: text\nMaxConnectionsPerIp: 1\nWorkers: 3\n' \
	"$p2" >"$conf"
out=$(curl -s --max-time 10 --unix-socket "$T_DIR/n1.sock" -X POST http://localhost/admin/reloadconfig)
assert_eq '{"result":"reloaded"}' "$out" "reload over the admin socket"
wait_log n1 '"msg":"POST /admin/reloadconfig: reloading"'
wait_log n1 'warn +configuration reloaded: applied MaxConnectionsPerIp, LogLevel, LogFormat; some changes need a restart \(log level warn\)'
wait_log n1 'warn +changed options that take effect only after a restart: Workers'
# The kept connection stays, though it is now at the per-IP limit ...
assert_eq "HTTP/1.1 200 OK" "$(ka_get)" "kept-alive connection, after the admin reload"
# ... and a new one from the same address is refused by the new limit.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/ping") || true
[ "$code" = 200 ] && t_fail "a second connection was served past MaxConnectionsPerIp 1"
wait_log n1 'refused: per-IP connection limit reached \(MaxConnectionsPerIp 1\)'
assert_eq "HTTP/1.1 200 OK" "$(ka_get)" "kept-alive connection, at the end"
exec 3>&-
kill -0 "$PID_n1" || t_fail "n1 died"
t_pass
