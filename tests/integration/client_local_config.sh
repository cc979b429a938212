#!/usr/bin/env bash
# On a node, status and member find the local daemon from its own
# configuration file: its endpoint, TLS mode, trusted CA and AdminSocket;
# flags still win, and an explicit --config that cannot be read is a
# usage error.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
pki="$T_DIR/pki"
mkdir -p "$pki"
make_pki "$pki"
# The port is in the file; one another test takes first means a new file.
for try in 1 2 3; do
	port=$(free_port)
	cat >"$T_DIR/gossipd.conf" <<CONF
NodePort: $port
CertificateFile: $pki/node/node.crt
CertificatePrivateKeyFile: $pki/node/node.key
TrustedRootCertificatesPath: $pki/ca/ca.crt
AdminSocket: $T_DIR/n1.sock
CONF
	rm -f "$T_DIR/n1.log"
	start_node n1 --config "$T_DIR/gossipd.conf"
	bound n1 && break
	[ "$try" -lt 3 ] || t_fail "n1: no free port after 3 tries"
done
wait_serving n1 "https://127.0.0.1:$port" 20 --cacert "$pki/ca/ca.crt"
gd() { "$GOSSIPD_BIN" "$@"; }

# member set/show: the socket from the configuration
gd member set --state Leader --writer-checkpoint 77 --config "$T_DIR/gossipd.conf" >/dev/null ||
	t_fail "member set --config"
json=$(GOSSIPD_CONFIG="$T_DIR/gossipd.conf" gd member show --json) ||
	t_fail "member show with GOSSIPD_CONFIG"
assert_contains "$json" '"state":"Leader"' "member show via GOSSIPD_CONFIG"

# status with no seed: the local node, over TLS with the node's CA
table=$(GOSSIPD_CONFIG="$T_DIR/gossipd.conf" gd status) || t_fail "status from the configuration"
assert_contains "$table" "* 127.0.0.1:$port" "status: the local node"
assert_contains "$table" "77" "status: its writer checkpoint"
table=$(gd status --config "$T_DIR/gossipd.conf") || t_fail "status --config"
assert_contains "$table" "Leader" "status --config"

# flags win: a wrong CA on the command line is used, and fails
gd cert create-ca -out "$T_DIR/other" >/dev/null || t_fail "second CA"
out=$(gd status --config "$T_DIR/gossipd.conf" --cacert "$T_DIR/other/ca.crt" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "status with another CA: exit status"
assert_contains "$out" "not signed by a trusted CA (checked against $T_DIR/other/ca.crt)" "status with another CA"

# an explicit configuration that cannot be read: exit 2, named
out=$(gd status --config "$T_DIR/missing.conf" 2>&1) && rc=0 || rc=$?
assert_eq 2 "$rc" "missing --config: exit status"
assert_contains "$out" "missing.conf" "missing --config: named"
out=$(gd member show --config "$T_DIR/missing.conf" 2>&1) && rc=0 || rc=$?
assert_eq 2 "$rc" "member: missing --config: exit status"
# a configuration without an admin socket
printf 'AdminSocket: ""\n' >"$T_DIR/nosock.conf"
out=$(gd member show --config "$T_DIR/nosock.conf" 2>&1) && rc=0 || rc=$?
assert_eq 2 "$rc" "no AdminSocket: exit status"
assert_contains "$out" "sets no AdminSocket" "no AdminSocket: message"
t_pass
