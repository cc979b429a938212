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
