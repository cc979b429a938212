#!/usr/bin/env bash
# options_errors: a bad option in any source stops the start with exit 2
# and one "source: message" line (file:line for YAML), before anything
# listens.
. "$(dirname "$0")/../lib.sh"
t_init

# expect_refusal MESSAGE CMD...: CMD fails with exit 2 and MESSAGE (a
# regression that lets it start is ended by timeout, and fails).
expect_refusal() {
	local want=$1 out rc
	shift
	out=$(timeout 10 "$@" 2>&1)
	rc=$?
	assert_eq 2 "$rc" "exit status of: $*"
	assert_contains "$out" "$want" "message of: $*"
}

expect_refusal "command line: --node-port: 70000 is out of range (1..65535)" \
	"$GOSSIPD_BIN" start --node-port 70000
expect_refusal "command line: unknown option --foo" \
	"$GOSSIPD_BIN" start --foo
expect_refusal 'environment: GOSSIPD_GOSSIP_INTERVAL_MS: "abc" is not an integer' \
	env GOSSIPD_GOSSIP_INTERVAL_MS=abc "$GOSSIPD_BIN" start --insecure
expect_refusal "environment: unknown variable GOSSIPD_NODE_PROT" \
	env GOSSIPD_NODE_PROT=1 "$GOSSIPD_BIN" start --insecure
expect_refusal "command line: --gossip-seed: ';' is not a separator, use ','" \
	"$GOSSIPD_BIN" start --gossip-seed 'a:1;b:2'
expect_refusal "is not available on Linux: use CertificateFile/TrustedRootCertificatesPath" \
	env KURRENTDB_CERTIFICATE_THUMBPRINT=ab12 "$GOSSIPD_BIN" start --insecure

printf 'NodePort: 2113\nGossipSeed: a\n' >"$T_DIR/seed.conf"
expect_refusal "$T_DIR/seed.conf:2: GossipSeed: seed \"a\" has no port" \
	"$GOSSIPD_BIN" start --config "$T_DIR/seed.conf"
printf 'NodePort: 2113\n# comment\nFoo: 1\n' >"$T_DIR/unknown.conf"
expect_refusal "$T_DIR/unknown.conf:3: unknown option \"Foo\"" \
	"$GOSSIPD_BIN" start --config "$T_DIR/unknown.conf"
printf 'NodePort: 2113\nClusterSize: 3\nNodeIp: "10.0.0.1" b\n' >"$T_DIR/syntax.conf"
expect_refusal "$T_DIR/syntax.conf:3: did not find expected key" \
	"$GOSSIPD_BIN" start --config "$T_DIR/syntax.conf"
printf 'CertificateStoreName: My\n' >"$T_DIR/win.conf"
expect_refusal "$T_DIR/win.conf:1: CertificateStoreName is not available on Linux" \
	"$GOSSIPD_BIN" start --config "$T_DIR/win.conf"
expect_refusal "$T_DIR/missing.conf: cannot open" \
	"$GOSSIPD_BIN" start --config "$T_DIR/missing.conf"
t_pass
