#!/usr/bin/env bash
# Start-up sanity warnings, and messages that name what the user gave:
# ClusterSize > 1 with nobody to ask; Insecure with certificate options;
# a wildcard advertised; NodeHostAdvertiseAs not an address of this
# machine; credential files unreadable after the privilege drop. The
# EVENTSTORE_ spelling; KURRENTDB_CONFIG/EVENTSTORE_CONFIG naming the file;
# "did you mean" for a misspelt variable, flag or key; client errors that
# name the flag as typed; status that cannot read the node's file says so;
# IPv6 endpoints in brackets.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
G=$GOSSIPD_BIN

# 1. Warnings at start (each node is stopped once it serves).
p=$(free_port)
start_node w --insecure --node-ip 0.0.0.0 --node-port "$p" --cluster-size 3 \
	--certificate-file /nonexistent.crt --trusted-root-certificates-path /nonexistent
wait_serving w "http://127.0.0.1:$p"
wait_log w "warn +ClusterSize is 3 but there is no GossipSeed and no DiscoverViaDns/ClusterDns"
wait_log w "warn +Insecure is true, so these certificate options are ignored: CertificateFile, TrustedRootCertificatesPath"
wait_log w "warn +this node advertises 0\.0\.0\.0, which no other member or client can connect to"
stop_node w >/dev/null
p2=$(free_port)
start_node a --insecure --node-port "$p2" --node-host-advertise-as 10.255.255.1
wait_serving a "http://127.0.0.1:$p2"
wait_log a "warn +NodeHostAdvertiseAs 10\.255\.255\.1 resolves to no address of this machine"
# a advertises an address off this machine: it is stopped before b starts,
# so that b never learns (and never dials) a member at that address; b's
# seed is only a loopback placeholder.
stop_node a >/dev/null
p3=$(free_port)
start_node b --insecure --node-port "$p3" --node-host-advertise-as 127.0.0.1 --cluster-size 2 \
	--gossip-seed "127.0.0.1:$p2"
wait_serving b "http://127.0.0.1:$p3"
for pat in "NodeHostAdvertiseAs" "ClusterSize is" "Insecure is true" "advertises"; do
	assert_eq 0 "$(log_count b "warn +.*$pat")" "no warning about $pat for a sound configuration"
done

# Credentials unreadable after the drop to RunAsUser (root only).
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	make_pki "$T_DIR/pki"
	chmod 755 "$T_DIR" "$T_DIR/pki" "$T_DIR/pki/node" "$T_DIR/pki/ca"
	p4=$(free_port)
	start_node r $(tls_args "$T_DIR/pki") --node-port "$p4" --run-as-user nobody \
		--run-as-group nogroup --admin-socket ""
	wait_log r "running as user nobody"
	wait_log r "warn +CertificatePrivateKeyFile $T_DIR/pki/node/node.key is not readable by this process \(uid [0-9]+\) after the privilege drop: a reload \(SIGHUP\) will fail"
	assert_eq 0 "$(log_count r "CertificateFile $T_DIR/pki/node/node.crt is not readable")" "the certificate stays readable"
	stop_node r >/dev/null
else
	t_log "not root: the privilege-drop check is not exercised"
fi

# 2. The environment and the configuration file.
printf 'Insecure: true\nNodePort: 3111\n' >"$T_DIR/k.conf"
out=$(EVENTSTORE_NODE_PORT=2999 "$G" start --what-if --insecure --config "$T_DIR/k.conf")
assert_contains "$out" "NodePort: 2999 (Environment Variable)" "EVENTSTORE_ spelling"
out=$(EVENTSTORE_NODE_PORT=2999 KURRENTDB_NODE_PORT=2998 "$G" start --what-if --insecure --config "$T_DIR/k.conf")
assert_contains "$out" "NodePort: 2998 (Environment Variable)" "KURRENTDB_ wins over EVENTSTORE_"
for var in KURRENTDB_CONFIG EVENTSTORE_CONFIG GOSSIPD_CONFIG; do
	out=$(env "$var=$T_DIR/k.conf" "$G" start --what-if)
	assert_contains "$out" "NodePort: 3111 (Config File)" "$var names the file"
done
out=$(GOSSIPD_NODE_PROT=1 "$G" start --what-if --insecure 2>&1) && rc=0 || rc=$?
assert_eq 2 "$rc" "misspelt GOSSIPD_ variable"
assert_contains "$out" "unknown variable GOSSIPD_NODE_PROT; did you mean GOSSIPD_NODE_PORT?" "did you mean (environment)"
out=$("$G" start --what-if --insecure --gossip-interval 5 2>&1) && rc=0 || rc=$?
assert_contains "$out" "unknown option --gossip-interval; did you mean --gossip-interval-ms?" "did you mean (flag)"
printf 'Insecure: true\nGossipSeeds: 127.0.0.1:1\n' >"$T_DIR/typo.conf"
out=$("$G" start --what-if --config "$T_DIR/typo.conf" 2>&1) && rc=0 || rc=$?
assert_contains "$out" "typo.conf:2: unknown option \"GossipSeeds\"; did you mean GossipSeed?" "did you mean (key)"
out=$(KURRENTDB_GOSIP_SEED=127.0.0.1:1 "$G" start --what-if --insecure 2>&1) || t_fail "a KURRENTDB_ variable that is no option is not an error"
assert_contains "$out" "KURRENTDB_GOSIP_SEED is not an option; did you mean KURRENTDB_GOSSIP_SEED?" "did you mean (KURRENTDB_)"
out=$(KURRENTDB_DB=/var/lib/kurrentdb "$G" start --what-if --insecure 2>&1)
assert_not_contains "$out" "did you mean" "KurrentDB's own variables are left alone"

# 3. Client messages name the flag typed.
for flag in --cacert --ca-file --tls-ca-file; do
	out=$("$G" status --seed 127.0.0.1:1 "$flag" "$T_DIR/none.crt" 2>&1) && rc=0 || rc=$?
	assert_contains "$out" "gossipd status: $flag $T_DIR/none.crt: No such file or directory" "$flag named"
	assert_not_contains "$out" "ca_file" "no internal name for $flag"
done
out=$("$G" discover "esdb://127.0.0.1:1?tlsCAFile=$T_DIR/none.crt" 2>&1) && rc=0 || rc=$?
assert_contains "$out" "tlsCAFile (connection string) $T_DIR/none.crt" "connection-string setting named"

# 4. status, by a user who may not read the node's configuration.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	cp "$T_DIR/k.conf" "$T_DIR/secret.conf"
	chmod 600 "$T_DIR/secret.conf"
	chmod 755 "$T_DIR"
	out=$(GOSSIPD_CONFIG="$T_DIR/secret.conf" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$G" status 2>&1) && rc=0 || rc=$?
	assert_eq 2 "$rc" "status without read access: exit status"
	assert_contains "$out" "cannot read the node configuration: $T_DIR/secret.conf: cannot open: Permission denied" "says so"
	assert_not_contains "$out" "Connection refused" "no misleading connection refused"
fi

# 5. IPv6 in brackets.
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	p6=$(free_port)
	start_node v6 --insecure --node-ip ::1 --node-port "$p6" --cluster-size 2 \
		--gossip-seed "[::1]:$(free_port)" --gossip-interval-ms 100
	wait_log v6 "serving on \[::1\]:$p6 "
	wait_log v6 "member \[::1\]:$p6 \("
else
	t_log "no ::1: IPv6 brackets not exercised"
fi
t_pass
