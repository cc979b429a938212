#!/usr/bin/env bash
# options_what_if: "gossipd --what-if" prints every option with its value
# and its source, through the real binary: defaults < YAML file <
# environment (GOSSIPD_* over KURRENTDB_*) < command line, secrets as ****,
# and exit 0 without starting anything.
. "$(dirname "$0")/../lib.sh"
t_init

# What the checker runs, with and without the "start" subcommand.
out=$("$GOSSIPD_BIN" --what-if --node-port 2999 2>&1) ||
	t_fail "--what-if failed: $out"
assert_contains "$out" "NodePort: 2999 (Command Line)" "plain --what-if"
out=$("$GOSSIPD_BIN" start --what-if --node-port=2999 2>&1) ||
	t_fail "start --what-if failed: $out"
assert_contains "$out" "NodePort: 2999 (Command Line)" "start --what-if"

# One option from each source, and one overridden at each step.
cat >"$T_DIR/gossipd.conf" <<'YAML'
# test configuration
NodePort: 3000
ClusterSize: 3
GossipIntervalMs: 1500
GossipSeed:
  - node1.example.org:2113
  - "[::1]:2114"
CertificatePassword: hunter2
YAML
out=$(GOSSIPD_CLUSTER_SIZE=5 KURRENTDB_GOSSIP_TIMEOUT_MS=3000 \
	KURRENTDB_GOSSIP_INTERVAL_MS=1600 GOSSIPD_GOSSIP_INTERVAL_MS=1700 \
	KURRENTDB_RUN_PROJECTIONS=All \
	"$GOSSIPD_BIN" start --what-if --config "$T_DIR/gossipd.conf" \
	--node-port 2999 --insecure --read-only-replica- 2>&1) ||
	t_fail "--what-if with every source failed: $out"
assert_contains "$out" "NodePort: 2999 (Command Line)" "flag over file"
assert_contains "$out" "ClusterSize: 5 (Environment Variable)" "env over file"
assert_contains "$out" "GossipIntervalMs: 1700 (Environment Variable)" \
	"GOSSIPD_ over KURRENTDB_ over file"
assert_contains "$out" "GossipTimeoutMs: 3000 (Environment Variable)" \
	"KURRENTDB_ over default"
assert_contains "$out" "GossipSeed: node1.example.org:2113,[::1]:2114 (Config File)" \
	"seed list from a YAML list"
assert_contains "$out" "Insecure: true (Command Line)" "--insecure"
assert_contains "$out" "ReadOnlyReplica: false (Command Line)" "--name-"
assert_contains "$out" "NodeIp: 127.0.0.1 (<DEFAULT>)" "default"
assert_contains "$out" "CertificatePassword: **** (Config File)" "secret masked"
assert_not_contains "$out" "hunter2" "secret masked"

# Exactly one line per option, each "Name: value (Source)".
n=$(grep -cE '^[A-Z][A-Za-z0-9]+: .* \((<DEFAULT>|Config File|Environment Variable|Command Line)\)$' <<<"$out")
assert_eq "$(wc -l <<<"$out")" "$n" "every line is Name: value (Source)"
[ "$n" -ge 40 ] || t_fail "only $n options listed"

# GOSSIPD_CONFIG names the file when --config does not.
out=$(GOSSIPD_CONFIG="$T_DIR/gossipd.conf" "$GOSSIPD_BIN" --what-if 2>&1) ||
	t_fail "GOSSIPD_CONFIG: $out"
assert_contains "$out" "NodePort: 3000 (Config File)" "GOSSIPD_CONFIG"

# The option table as documentation.
out=$("$GOSSIPD_BIN" start --help-format markdown) || t_fail "--help-format markdown"
assert_contains "$out" '| `NodePort` | `--node-port` | `GOSSIPD_NODE_PORT` |' "markdown table"
out=$("$GOSSIPD_BIN" start --help) || t_fail "--help"
assert_contains "$out" "--gossip-seed HOST:PORT,..." "--help"
t_pass
