#!/usr/bin/env bash
# Logs for systemd and a log pipeline. With JOURNAL_STREAM naming the
# stream standard error is (as systemd sets it), every line starts with
# its syslog priority (<6> info, <4> warn, <3> error); with another
# stream named, none does. With LogFormat json every line, libmicrohttpd's
# included, is one JSON object, and refusals and member events carry
# peer/reason/member fields beside msg. Refusals are limited per peer
# address and reason: 30 plain-HTTP connections to the TLS port give one
# line, and when the window ends, without any further refusal, one summary
# with the count and the window's true length; another peer and another
# reason each get their own first line.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

# 1. Priorities, text format; a stream that is not ours gets none.
: >"$T_DIR/j.log"
p=$(free_port)
JOURNAL_STREAM=$(stat -c '%d:%i' "$T_DIR/j.log") \
	start_node j --insecure --node-port "$p" --cluster-size 2 --gossip-seed "127.0.0.1:$(free_port)" \
	--no-such-option
# (an option error is logged before anything: exit 2, one <3> line)
assert_eq 2 "$(wait_exit "$PID_j" 10)" "an option error exits 2"
grep -qE '^<3>gossipd: ' "$T_DIR/j.log" ||
	t_fail "the option error: $(cat "$T_DIR/j.log")"
: >"$T_DIR/j.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T_DIR/j.log") \
	start_node j --insecure --node-port "$p" --cluster-size 2 \
	--gossip-seed "127.0.0.1:$(free_port)" --gossip-interval-ms 100
wait_serving j "http://127.0.0.1:$p"
wait_log j "serving on"
bad=$(grep -cvE '^<[3-7]>[0-9]{4}-' "$T_DIR/j.log")
assert_eq 0 "$bad" "lines without a priority: $(grep -vE '^<[3-7]>' "$T_DIR/j.log" | head -3)"
grep -qE '^<6>.* info  serving on ' "$T_DIR/j.log" || t_fail "info is <6>"
grep -qE '^<4>.* warn  INSECURE MODE' "$T_DIR/j.log" || t_fail "warn is <4>"
p2=$(free_port)
JOURNAL_STREAM=$(stat -c '%d:%i' "$T_DIR/j.log") \
	start_node other --insecure --node-port "$p2"
wait_serving other "http://127.0.0.1:$p2"
assert_eq 0 "$(grep -c '^<' "$T_DIR/other.log")" "no priority on a stream that is not the journal's"

# 2. JSON lines with fields, and the refusal limiter, on a TLS node.
make_pki "$T_DIR/pki" "127.0.0.1,127.0.0.2"
pt=$(free_port) pb=$(free_port)
: >"$T_DIR/t.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T_DIR/t.log") \
	start_node t $(tls_args "$T_DIR/pki") --node-ip 127.0.0.1 --node-port "$pt" \
	--log-format json --workers 1 --cluster-size 2 --gossip-seed "127.0.0.2:$pb" \
	--gossip-interval-ms 200 --gossip-timeout-ms 1000
wait_serving t "https://127.0.0.1:$pt" 10 --cacert "$T_DIR/pki/ca/ca.crt"
for _ in $(seq 1 30); do
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$pt/gossip"
done
wait_log t '"msg":"connection from 127.0.0.1:[0-9]+ denied: not a TLS ClientHello'
assert_eq 1 "$(log_count t 'denied: not a TLS ClientHello')" "one line for 30 refusals"
line=$(grep -m1 'denied: not a TLS ClientHello' "$T_DIR/t.log")
assert_eq '127.0.0.1 not a TLS ClientHello' "$(sed 's/^<[0-9]>//' <<<"$line" | jq -r '"\(.peer) \(.reason)"')" \
	"peer and reason fields"
assert_contains "$line" '<4>{' "JSON lines carry the priority too"
# Another peer address, same reason: its own line.
curl -s -o /dev/null --max-time 2 --interface 127.0.0.2 "http://127.0.0.1:$pt/gossip"
wait_log t '"msg":"connection from 127.0.0.2:[0-9]+ denied: not a TLS ClientHello'
# Same peer, another reason (TLS 1.1): its own line.
openssl s_client -connect "127.0.0.1:$pt" -tls1_1 </dev/null >/dev/null 2>&1
wait_log t '"msg":"connection from 127.0.0.1:[0-9]+ denied: TLS versions below 1.2'
# HTTP-level denials go through the same limiter, with the CN: a client
# certificate that is not a node POSTs gossip five times, one line.
client=(--cacert "$T_DIR/pki/ca/ca.crt" --cert "$T_DIR/pki/client/client.crt" --key "$T_DIR/pki/client/client.key")
for _ in 1 2 3 4 5; do
	curl -s -o /dev/null --max-time 2 "${client[@]}" -X POST -H 'Content-Type: application/json' \
		-d '{}' "https://127.0.0.1:$pt/gossip"
done
wait_log t '"msg":"connection from 127\.0\.0\.1:[0-9]+ denied: .*POST /gossip is for cluster nodes'
assert_eq 1 "$(log_count t 'denied: .*POST /gossip is for cluster nodes')" "one line for five denials"
d=$(grep -m1 'POST /gossip is for cluster nodes' "$T_DIR/t.log" | sed 's/^<[0-9]>//')
assert_eq "127.0.0.1 web-client" "$(jq -r '"\(.peer) \(.cn)"' <<<"$d")" "peer and cn fields of a denial"
reason=$(jq -r .reason <<<"$d")
# The window ends with no further refusal: the summary comes by itself.
wait_log t '"msg":"29 refusals from 127.0.0.1 not logged in the last 1[0-9] s: not a TLS ClientHello"' 20
s=$(grep -m1 '29 refusals from' "$T_DIR/t.log" | sed 's/^<[0-9]>//')
assert_eq '127.0.0.1 not a TLS ClientHello' "$(jq -r '"\(.peer) \(.reason)"' <<<"$s")" "summary fields"
assert_eq 0 "$(log_count t 'refusals? from 127.0.0.2 not logged')" "nothing held for 127.0.0.2, no summary"
wait_log t "\"msg\":\"4 refusals from 127\\.0\\.0\\.1 not logged in the last 1[0-9] s: " 20
sum=$(grep -m1 -F "4 refusals from 127.0.0.1 not logged" "$T_DIR/t.log" | sed 's/^<[0-9]>//')
assert_eq "$reason" "$(jq -r .reason <<<"$sum")" "the denial summary's reason"
assert_contains "$(jq -r .msg <<<"$sum")" ": $reason" "the summary names the reason"

# The member events carry the member; b comes and goes.
start_node b $(tls_args "$T_DIR/pki") --node-ip 127.0.0.2 --node-port "$pb" --cluster-size 2 \
	--gossip-seed "127.0.0.1:$pt" --gossip-interval-ms 200
wait_log t "\"member\":\"127.0.0.2:$pb\""
# Every line of the JSON node is one JSON object (libmicrohttpd's too).
sed 's/^<[0-9]>//' "$T_DIR/t.log" | jq -c . >/dev/null 2>"$T_DIR/jq.err" ||
	t_fail "a line that is not JSON: $(head -3 "$T_DIR/jq.err")"
grep -q 'EXTERNAL_LOGGER' "$T_DIR/t.log" && t_fail "libmicrohttpd bypassed our logger"
t_pass
