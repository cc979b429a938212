#!/usr/bin/env bash
# Every failure path has a metric, and GET /metrics parses with the
# Prometheus project's own text parser (python3-prometheus-client) plus
# the format rules it lets pass (HELP/TYPE once per family and before its
# samples, no duplicate series): reloads by result and the time of the
# last success, DNS failures of a seed's name, refused gossip documents
# by reason, a full member table, the admin socket's availability, and
# the process_* metrics with sensible values.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

py=/usr/bin/python3
"$py" -c 'import prometheus_client.parser' 2>/dev/null ||
	t_skip "python3-prometheus-client is not installed"

# metric URL NAME{LABELS}: the value of one series ("" when absent).
metric() {
	curl -sf --max-time 5 "$1/metrics" | awk -v s="$2" '$1 == s { print $2 }'
}
# check_text URL: the whole text through the parser and the rules.
check_text() {
	curl -sf --max-time 5 "$1/metrics" >"$T_DIR/metrics.txt" || t_fail "GET $1/metrics"
	"$py" - "$T_DIR/metrics.txt" <<'PY' || t_fail "$1/metrics does not parse"
import math, re, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "no final newline"
fams = list(text_string_to_metric_families(text))
assert fams, "no family"
helped, typed, seen, series = set(), {}, set(), set()
for line in text.splitlines():
    if line.startswith("# HELP "):
        name = line.split()[2]
        assert name not in helped, "HELP twice: " + name
        helped.add(name)
    elif line.startswith("# TYPE "):
        _, _, name, kind = line.split()
        assert name not in typed, "TYPE twice: " + name
        assert name not in seen, "TYPE after samples: " + name
        typed[name] = kind
    else:
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$', line)
        assert m, "bad sample line: " + line
        base = re.sub(r'_(bucket|sum|count)$', '', m.group(1)) \
            if m.group(1) not in typed else m.group(1)
        assert base in typed, "sample without TYPE: " + line
        seen.add(base)
        key = (m.group(1), m.group(2))
        assert key not in series, "duplicate series: " + line
        series.add(key)
        assert not math.isnan(float(m.group(3))), line
assert set(typed) == helped, set(typed) ^ helped
for f in fams:
    for s in f.samples:
        assert s.value == s.value, s
print("%d families, %d series" % (len(fams), len(series)))
PY
}

p=("$(free_port)" "$(free_port)" "$(free_port)")
cat >"$T_DIR/n0.conf" <<CONF
Insecure: true
NodeIp: 127.0.0.1
NodePort: ${p[0]}
ClusterSize: 3
MaxMembers: 1
GossipSeed: 127.0.0.2:${p[1]},127.0.0.3:${p[2]},no-such-name.invalid:${p[0]}
GossipIntervalMs: 200
GossipTimeoutMs: 1000
CONF
start_node n0 --config "$T_DIR/n0.conf"
for i in 1 2; do
	start_node "n$i" --insecure --node-ip "127.0.0.$((i + 1))" --node-port "${p[i]}" \
		--cluster-size 3 --gossip-seed "127.0.0.1:${p[0]}" --gossip-interval-ms 200
done
u=http://127.0.0.1:${p[0]}
wait_serving n0 "$u"
check_text "$u"

# The admin socket listens.
assert_eq 1 "$(metric "$u" gossipd_admin_socket_available)" "admin socket available"

# Reloads: one good, one bad (the file no longer parses), the time kept.
assert_eq 0 "$(metric "$u" 'gossipd_reloads_total{result="success"}')" "no reload yet"
assert_eq 0 "$(metric "$u" gossipd_reload_last_success_timestamp_seconds)" "no reload time yet"
before=$(date +%s)
kill -HUP "$PID_n0"
is1() { [ "$(metric "$u" "$1")" = 1 ]; }
wait_for 10 is1 'gossipd_reloads_total{result="success"}' || t_fail "reload success not counted"
t=$(metric "$u" gossipd_reload_last_success_timestamp_seconds)
[ "$t" -ge "$before" ] && [ "$t" -le "$(date +%s)" ] || t_fail "last reload time $t, not since $before"
echo "GossipIntervalMs: [" >>"$T_DIR/n0.conf"
kill -HUP "$PID_n0"
wait_for 10 is1 'gossipd_reloads_total{result="failure"}' || t_fail "reload failure not counted"
assert_eq 1 "$(metric "$u" 'gossipd_reloads_total{result="success"}')" "one success"
assert_eq "$t" "$(metric "$u" gossipd_reload_last_success_timestamp_seconds)" "a failure keeps the time"

# A seed's host name that does not resolve.
dns() { [ "$(metric "$u" 'gossipd_dns_resolution_failures_total{source="seed"}')" -ge 1 ]; }
wait_for 20 dns || t_fail "seed resolution failures not counted: $(curl -s "$u/metrics" | grep dns)"

# MaxMembers 1: the third member does not fit.
full() { [ "$(metric "$u" gossipd_member_table_full_total)" -ge 1 ]; }
wait_for 20 full || t_fail "table full not counted"

# Refused documents, by reason.
post() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "$@" "$u/gossip"; }
assert_eq 400 "$(post -H 'Content-Type: application/json' -d '{"members":')" "invalid document"
assert_eq 415 "$(post -H 'Content-Type: text/plain' -d 'x')" "wrong type"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$T_DIR/big"
assert_eq 413 "$(post -H 'Content-Type: application/json' --data-binary "@$T_DIR/big")" "too large"
assert_eq 1 "$(metric "$u" 'gossipd_gossip_documents_refused_total{reason="invalid"}')" "refused: invalid"
assert_eq 1 "$(metric "$u" 'gossipd_gossip_documents_refused_total{reason="content_type"}')" "refused: content type"
assert_eq 1 "$(metric "$u" 'gossipd_gossip_documents_refused_total{reason="too_large"}')" "refused: too large"

# process_*: plausible values.
m=$(curl -sf --max-time 5 "$u/metrics")
val() { awk -v s="$1" '$1 == s { print $2 }' <<<"$m"; }
start=$(val process_start_time_seconds)
now=$(date +%s)
"$py" -c "import sys; s=float('$start'); sys.exit(0 if $now - 600 < s <= $now + 1 else 1)" ||
	t_fail "process_start_time_seconds $start, now $now"
fds=$(val process_open_fds) max=$(val process_max_fds)
real=$(ls /proc/"$PID_n0"/fd | wc -l)
[ "$fds" -ge 5 ] && [ "$fds" -le $((real + 20)) ] || t_fail "process_open_fds $fds (ls: $real)"
[ "$max" -gt "$fds" ] || t_fail "process_max_fds $max not above open $fds"
assert_eq "$(awk '/^Max open files/ { print $4 }' /proc/"$PID_n0"/limits)" "$max" "process_max_fds is the soft limit"
rss=$(val process_resident_memory_bytes)
[ "$rss" -gt 1000000 ] || t_fail "process_resident_memory_bytes $rss"
"$py" -c "import sys; sys.exit(0 if float('$(val process_cpu_seconds_total)') >= 0 else 1)" ||
	t_fail "process_cpu_seconds_total"
check_text "$u"

# An admin socket that cannot be made: the node serves, the gauge says 0.
: >"$T_DIR/not-a-dir"
pb=$(free_port)
start_node bad --insecure --node-port "$pb" --admin-socket "$T_DIR/not-a-dir/x.sock"
wait_serving bad "http://127.0.0.1:$pb"
assert_eq 0 "$(metric "http://127.0.0.1:$pb" gossipd_admin_socket_available)" "admin socket unavailable"
t_pass
