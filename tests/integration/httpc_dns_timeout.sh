#!/usr/bin/env bash
# httpc: name resolution is part of the request's deadline. In a private
# network and mount namespace, /etc/resolv.conf points at a name server
# that takes queries and never answers; the resolver alone would wait
# 2 x 5 s, the request gives up at its deadline.
source "$GOSSIPD_SRC/tests/lib.sh"
source "$GOSSIPD_SRC/tests/tools/httpc_testlib.sh"
t_init
[ -x "$HTTPC_GET" ] || t_fail "no httpc_get at $HTTPC_GET"
SINK="$(dirname "$HTTPC_GET")/udp_sink"
[ -x "$SINK" ] || t_fail "no udp_sink at $SINK"
unshare -n -m true 2>/dev/null || t_skip "no network and mount namespaces"

printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:2\n' \
	>"$T_DIR/resolv.conf"
cat >"$T_DIR/inner.sh" <<INNER
set -u
ip link set lo up || exit 3
mount --bind "$T_DIR/resolv.conf" /etc/resolv.conf || exit 3
"$SINK" 127.0.0.1 53 30 >"$T_DIR/sink.log" 2>&1 &
sink=\$!
for _ in \$(seq 1 100); do
	grep -q listening "$T_DIR/sink.log" 2>/dev/null && break
	sleep 0.05
done
t0=\$(date +%s%N)
"$HTTPC_GET" --plain --timeout 700 peer.gossipd-test.example 2113 /gossip \
	>"$T_DIR/out" 2>&1
echo "rc=\$? ms=\$(((\$(date +%s%N) - t0) / 1000000))" >>"$T_DIR/out"
# A name from /etc/hosts still resolves at once.
"$HTTPC_GET" --plain --timeout 700 localhost 9 /gossip >>"$T_DIR/out" 2>&1
kill "\$sink"
wait "\$sink"
INNER
unshare -n -m bash "$T_DIR/inner.sh"
rc=$?
[ "$rc" = 3 ] && t_skip "cannot set up the namespace (ip/mount refused)"
out=$(cat "$T_DIR/out")
assert_contains "$out" \
	"#1 error: resolve peer.gossipd-test.example: timed out after 700 ms" \
	"silent name server"
ms=$(sed -n 's/^rc=1 ms=\([0-9]*\)$/\1/p' <<<"$out")
[ -n "$ms" ] || t_fail "no timing in: $out"
[ "$ms" -lt 5000 ] || t_fail "resolution took $ms ms with a 700 ms deadline"
assert_contains "$out" "#1 error: connect localhost:9: Connection refused" \
	"localhost from /etc/hosts"
t_pass
