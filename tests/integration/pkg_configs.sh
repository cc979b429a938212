#!/usr/bin/env bash
# pkg_configs: every example configuration (configs/*.conf) and the
# package's default /etc/gossipd/gossipd.conf load with --what-if, and every
# key they set is a real option that --what-if reports as coming from the
# file (so a misspelt or renamed key cannot hide in an example).
. "$(dirname "$0")/../lib.sh"
t_init

expected="insecure-dev pkcs12 single-node three-node-dns three-node-static wildcard-cn"
found=$(cd "$GOSSIPD_SRC/configs" && ls ./*.conf | sed 's#^\./##; s#\.conf$##' | sort | tr '\n' ' ')
assert_eq "$expected " "$found" "the example configurations"

check_file() {
	local f=$1 out key n=0
	out=$("$GOSSIPD_BIN" start --what-if --config "$f" 2>&1) ||
		t_fail "$f does not load: $out"
	# Top-level keys set in the file (not comments, not list items).
	for key in $(sed -n 's/^\([A-Za-z][A-Za-z0-9]*\):.*/\1/p' "$f"); do
		grep -qE "^$key: .*\(Config File\)\$" <<<"$out" ||
			t_fail "$f: $key is not reported as set by the file: $(grep -i "^$key:" <<<"$out")"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || t_fail "$f sets no option"
	t_log "$(basename "$f"): $n options from the file"
}

for f in "$GOSSIPD_SRC"/configs/*.conf "$GOSSIPD_SRC/packaging/gossipd.conf"; do
	check_file "$f"
done

# What some files promise in their comments.
out=$("$GOSSIPD_BIN" start --what-if --config "$GOSSIPD_SRC/configs/pkcs12.conf")
assert_contains "$out" "CertificatePassword: **** (Config File)" "pkcs12.conf password hidden"
assert_not_contains "$out" "changeit" "pkcs12.conf password hidden"
out=$("$GOSSIPD_BIN" start --what-if --config "$GOSSIPD_SRC/configs/wildcard-cn.conf")
assert_contains "$out" "GossipSeed: node2.cluster.example.org:2113,node3.cluster.example.org:2113 (Config File)" \
	"wildcard-cn.conf seed list"
assert_contains "$out" 'CertificateReservedNodeCommonName: *.cluster.example.org (Config File)' \
	"wildcard-cn.conf reserved CN"

# One certificate layout across the examples, the default configuration,
# the man pages and the first-start instructions: node.crt and node.key in
# /etc/gossipd/certs, the trusted CA certificates in /etc/gossipd/certs/ca.
for f in "$GOSSIPD_SRC"/configs/*.conf "$GOSSIPD_SRC/packaging/gossipd.conf"; do
	while read -r key value; do
		case "$key" in
		CertificateFile) want="/etc/gossipd/certs/node.crt /etc/gossipd/certs/node.p12" ;;
		CertificatePrivateKeyFile) want="/etc/gossipd/certs/node.key" ;;
		TrustedRootCertificatesPath) want="/etc/gossipd/certs/ca" ;;
		*) continue ;;
		esac
		assert_contains " $want " " $value " "$(basename "$f"): $key"
	done < <(sed -n 's/^#* *\(CertificateFile\|CertificatePrivateKeyFile\|TrustedRootCertificatesPath\): *\([^ #,]*\).*/\1 \2/p' "$f")
done
for f in "$GOSSIPD_SRC"/packaging/man/*.in "$GOSSIPD_SRC/docs/operations.md" "$GOSSIPD_SRC"/configs/*.conf; do
	bad=$(grep -nE '/etc/gossipd/certs/(node/|ca\.crt)' "$f") &&
		t_fail "$(basename "$f") uses another certificate layout: $bad"
done

# insecure-dev.conf's three nodes, run as its comment says (ports and
# socket paths moved to free ones): each has its own admin socket, and
# they find each other.
dev=$GOSSIPD_SRC/configs/insecure-dev.conf
q=("$(free_port)" "$(free_port)" "$(free_port)")
sed -e "s/2113/${q[0]}/g; s/2114/${q[1]}/g; s/2115/${q[2]}/g" \
	-e "s#/tmp/gossipd-dev-#$T_DIR/dev-#g" -e 's/^LogLevel: debug/LogLevel: info/' \
	"$dev" >"$T_DIR/dev.conf"
i=0
while read -r cmd; do
	read -r -a args <<<"$cmd"
	[ "${#args[@]}" -ge 2 ] && [ "${args[0]} ${args[1]}" = "gossipd start" ] || continue
	args=("${args[@]:2}")
	for j in "${!args[@]}"; do
		[ "${args[j]}" = insecure-dev.conf ] && args[j]=$T_DIR/dev.conf
	done
	# start_node would give a node without --admin-socket a socket of
	# its own; this one uses the file's, as it says
	case " ${args[*]} " in
	*" --admin-socket "*) ;;
	*) args+=(--admin-socket "$(sed -n 's/^AdminSocket: //p' "$T_DIR/dev.conf")") ;;
	esac
	start_node "dev$i" "${args[@]}"
	i=$((i + 1))
done < <(sed -n '/^#   gossipd start/,/^#$/p' "$T_DIR/dev.conf" | sed 's/^#   *//' |
	sed -e ':a' -e '/\\$/N; s/\\\n *//; ta')
assert_eq 3 "$i" "insecure-dev.conf shows three start commands"
for i in 0 1 2; do
	wait_serving "dev$i" "http://127.0.0.1:${q[i]}"
	[ -S "$T_DIR/dev-${q[i]}.sock" ] || t_fail "dev$i has no admin socket of its own"
	assert_eq 0 "$(log_count "dev$i" 'AdminSocket: .*no admin socket')" "dev$i admin socket"
done
alive3() { [ "$(curl -sf --max-time 2 "http://127.0.0.1:${q[0]}/gossip" | jq '[.members[] | select(.isAlive and .state != "Manager")] | length')" = 3 ]; }
wait_for 20 alive3 || t_fail "insecure-dev.conf's three nodes did not find each other"

# The default configuration names every option, and each commented-out
# "# Key: value" line is at the option's default unless marked "e.g.", so
# that uncommenting one changes nothing until its value is edited.
: >"$T_DIR/empty.conf"
defaults=$("$GOSSIPD_BIN" start --what-if --config "$T_DIR/empty.conf" 2>&1) ||
	t_fail "--what-if with an empty file: $defaults"
conf=$GOSSIPD_SRC/packaging/gossipd.conf
for key in $(sed -n 's/^\([A-Z][A-Za-z]*\): .*/\1/p' <<<"$defaults"); do
	grep -qE "^(# )?$key:" "$conf" ||
		t_fail "packaging/gossipd.conf does not mention the option $key"
done
n=0
while read -r key value rest; do
	line=$(grep -E "^$key: " <<<"$defaults") ||
		t_fail "gossipd.conf mentions $key, which is not an option"
	case "$rest" in *e.g.*) continue ;; esac
	assert_eq "$key: $value (<DEFAULT>)" "$line" "default of $key in gossipd.conf"
	n=$((n + 1))
done < <(sed -n 's/^# \([A-Z][A-Za-z]*\): \([^ #]*\)\(.*\)/\1 \2 \3/p' "$conf")
[ "$n" -gt 30 ] || t_fail "only $n defaults checked in gossipd.conf"
t_log "gossipd.conf: $n commented defaults match"

t_pass
