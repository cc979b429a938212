#!/usr/bin/env bash
# SIGTERM is a planned leave: the stopping member gossips ShuttingDown,
# then its final Shutdown entry (not alive) to its peers before it exits
# (bounded: about a second), so the peers show it Shutdown at once and
# `gossipd discover` never picks it, even when it was the leader.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

field_of() { # URL ENDPOINT FIELD
	curl -sf --max-time 1 "$1/gossip" |
		jq -r --arg ep "$2" --arg f "$3" '.members[] | select("\(.httpEndPointIp):\(.httpEndPointPort)" == $ep) | .[$f]'
}
has() { [ "$(field_of "$1" "$2" "$3")" = "$4" ]; }
gone() { has "$1" "$2" state Shutdown && has "$1" "$2" isAlive false; }

p1=$(free_port) p2=$(free_port) p3=$(free_port)
seeds="127.0.0.1:$p1,127.0.0.2:$p2,127.0.0.3:$p3"
# A long interval: without the leave, peers would learn of it only by a
# failed exchange and the suspicion timeout (seconds).
common=(--insecure --cluster-size 3 --gossip-seed "$seeds"
	--gossip-interval-ms 1000 --gossip-timeout-ms 1000)
start_node n1 "${common[@]}" --node-ip 127.0.0.1 --node-port "$p1"
start_node n2 "${common[@]}" --node-ip 127.0.0.2 --node-port "$p2"
start_node n3 "${common[@]}" --node-ip 127.0.0.3 --node-port "$p3"
u1="http://127.0.0.1:$p1" u2="http://127.0.0.2:$p2" u3="http://127.0.0.3:$p3"
wait_serving n1 "$u1"
wait_serving n2 "$u2"
wait_serving n3 "$u3"
ep3="127.0.0.3:$p3"
"$GOSSIPD_BIN" member set --state Leader --admin-socket "$T_DIR/n3.sock" >/dev/null ||
	t_fail "member set --state Leader on n3"
for n in n1 n2; do
	"$GOSSIPD_BIN" member set --state Follower --admin-socket "$T_DIR/$n.sock" >/dev/null ||
		t_fail "member set --state Follower on $n"
done
for u in "$u1" "$u2"; do
	wait_for 20 has "$u" "$ep3" state Leader || t_fail "n3 not Leader at $u"
done
assert_eq "$ep3" "$("$GOSSIPD_BIN" discover --insecure --seed "127.0.0.1:$p1" --prefer leader)" \
	"discover picks the leader n3 before it stops"

t0=${EPOCHREALTIME/./}
kill -TERM "$PID_n3"
for u in "$u1" "$u2"; do
	wait_for 5 gone "$u" "$ep3" ||
		t_fail "n3 not Shutdown/dead at $u: $(field_of "$u" "$ep3" state) $(field_of "$u" "$ep3" isAlive)"
done
took_ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
t_log "peers show n3 Shutdown, not alive, $took_ms ms after SIGTERM"
# Generous against a loaded machine; the figure above is the measure.
[ "$took_ms" -le 3000 ] || t_fail "took $took_ms ms"
st=$(wait_exit "$PID_n3" 5) || t_fail "n3 did not exit"
assert_eq 0 "$st" "n3 exit status"
grep -qE "member $ep3 leaving: telling the cluster" "$T_DIR/n3.log" || t_fail "no leave line"
grep -qE "member $ep3: Leader → ShuttingDown" "$T_DIR/n1.log" "$T_DIR/n2.log" ||
	t_fail "no peer saw ShuttingDown first"
# Never picked: discover gives no endpoint of n3, whatever the preference.
# (With no leader left, --prefer leader may find nothing: a non-zero exit
# is fine, n3 is not.)
for pref in leader follower random; do
	out=$("$GOSSIPD_BIN" discover --insecure --seed "127.0.0.1:$p1,127.0.0.2:$p2" \
		--prefer "$pref" --attempts 1 2>"$T_DIR/discover.err") || true
	[ "$out" != "$ep3" ] || t_fail "discover --prefer $pref picked the stopped n3"
	[ -n "$out" ] || [ "$pref" = leader ] ||
		t_fail "discover --prefer $pref found nothing: $(cat "$T_DIR/discover.err")"
done
t_pass
