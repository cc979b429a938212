#!/usr/bin/env bash
# pkg_unit: the systemd unit passes "systemd-analyze verify" (with the built
# binary and the built man pages), keeps the hardening the security model
# relies on, and the tmpfiles.d entry makes its directories with the right
# owner and mode.
. "$(dirname "$0")/../lib.sh"
t_init

command -v systemd-analyze >/dev/null ||
	t_skip "systemd-analyze is not installed (Debian package systemd)"
unit_src=$GOSSIPD_SRC/packaging/gossipd.service
build=$(dirname "$GOSSIPD_BIN")
mandir=$build/packaging/man
[ -f "$mandir/man8/gossipd.8" ] || t_fail "no built man page in $mandir"

# 1. verify: the unit as installed, but with the binary of this build. Its
# Documentation= lines are checked with man against the built pages.
sed "s#/usr/sbin/gossipd#$GOSSIPD_BIN#g" "$unit_src" >"$T_DIR/gossipd.service"
out=$(MANPATH=$mandir systemd-analyze verify "$T_DIR/gossipd.service" 2>&1) ||
	t_fail "systemd-analyze verify: $out"
[ -z "$out" ] || t_fail "systemd-analyze verify warns: $out"

# 2. The directives the daemon and the documents rely on.
for want in 'Type=notify' 'ExecReload=/bin/kill -HUP $MAINPID' 'User=gossipd' \
	'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
	'PrivateTmp=yes' 'PrivateDevices=yes' \
	'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
	'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' \
	'AmbientCapabilities=CAP_NET_BIND_SERVICE' 'UMask=0077' \
	'LimitNOFILE=65536' 'Restart=on-failure' 'RuntimeDirectory=gossipd' \
	'StateDirectory=gossipd' \
	'ExecStart=/usr/sbin/gossipd start --config /etc/gossipd/gossipd.conf'; do
	grep -qxF -- "$want" "$unit_src" || t_fail "gossipd.service lacks: $want"
done
# The default admin socket lives in the unit's RuntimeDirectory.
: >"$T_DIR/empty.conf"
admin=$("$GOSSIPD_BIN" start --what-if --config "$T_DIR/empty.conf" | sed -n 's/^AdminSocket: \([^ ]*\) .*/\1/p')
assert_eq /run/gossipd/admin.sock "$admin" "default AdminSocket in RuntimeDirectory"

# 3. The hardening score systemd computes, for the record (lower is safer).
if score=$(systemd-analyze security --offline=true "$T_DIR/gossipd.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p'); then
	[ -n "$score" ] && t_log "systemd-analyze security: exposure $score"
fi

# 4. tmpfiles.d: run it against a scratch root that has a gossipd user.
root=$T_DIR/root
mkdir -p "$root/etc"
echo 'gossipd:x:64990:64990::/var/lib/gossipd:/usr/sbin/nologin' >"$root/etc/passwd"
echo 'gossipd:x:64990:' >"$root/etc/group"
systemd-tmpfiles --create --root="$root" "$GOSSIPD_SRC/packaging/gossipd.tmpfiles" ||
	t_fail "systemd-tmpfiles refused packaging/gossipd.tmpfiles"
for d in run/gossipd var/lib/gossipd; do
	assert_eq "750 64990 64990" "$(stat -c '%a %u %g' "$root/$d")" "/$d"
done

t_pass
