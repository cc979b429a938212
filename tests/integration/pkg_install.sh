#!/usr/bin/env bash
# pkg_install: a real "dpkg -i" of the package, its maintainer scripts
# included, into a throw-away copy of this machine (an overlay over / in a
# private mount namespace, so the machine itself is not touched). Checks
# the gossipd user, owners and modes, that the installed daemon started as
# root with the installed configuration drops to that user, that a
# reinstall keeps an edited conffile, and that purge removes what it should.
. "$(dirname "$0")/../lib.sh"
t_init

[ "$(id -u)" = 0 ] || t_skip "needs root (mount namespace, chroot)"
for tool in cpack unshare chroot dpkg; do
	command -v "$tool" >/dev/null || t_skip "$tool is not installed"
done
build=$(cd "$(dirname "$GOSSIPD_BIN")" && pwd)
port=$(free_port)

# One cpack at a time in a build directory (its preinstall step runs make).
flock "$build/.pkg-cpack.lock" cpack -G DEB --config "$build/CPackConfig.cmake" -B "$T_DIR/out" \
	>"$T_DIR/cpack.log" 2>&1 || t_fail "cpack: $(tail -n 20 "$T_DIR/cpack.log")"
deb=$(ls "$T_DIR"/out/gossipd_*_amd64.deb) || t_fail "no package made"

# Everything below runs inside the namespace; it prints "ok: ..." lines
# and exits non-zero at the first failure.
cat >"$T_DIR/inside.sh" <<'EOF'
set -eu
T=$1 DEB=$2 PORT=$3
root=$T/root
fail() { echo "FAIL: $*"; exit 1; }
mount -t tmpfs tmpfs "$T/layer"
mkdir "$T/layer/upper" "$T/layer/work"
mount -t overlay overlay \
	-o "lowerdir=/,upperdir=$T/layer/upper,workdir=$T/layer/work" "$root"
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
inroot() { chroot "$root" "$@"; }
cp "$DEB" "$root/tmp/gossipd.deb"

had_user=""
inroot getent passwd gossipd >/dev/null && had_user=1
inroot env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/gossipd.deb >"$T/dpkg-i.log" 2>&1 ||
	fail "dpkg -i: $(tail -n 20 "$T/dpkg-i.log")"
echo "ok: dpkg -i"
uid=$(inroot getent passwd gossipd | cut -d: -f3)
[ -n "$uid" ] || fail "no gossipd user after install"
gid=$(inroot getent group gossipd | cut -d: -f3)
[ -n "$gid" ] || fail "no gossipd group"
shell=$(inroot getent passwd gossipd | cut -d: -f7)
[ "$uid" -lt 1000 ] || fail "gossipd is not a system user (uid $uid)"
if [ -n "$had_user" ]; then
	echo "ok: gossipd user existed before the install (its creation is not checked here)"
else
	echo "ok: postinst made the system user gossipd, uid $uid, shell $shell"
fi
mode() { stat -c '%u:%g %a' "$root/$1"; }
[ "$(mode etc/gossipd)" = "0:$gid 750" ] || fail "/etc/gossipd is $(mode etc/gossipd)"
[ "$(mode etc/gossipd/gossipd.conf)" = "0:$gid 640" ] ||
	fail "gossipd.conf is $(mode etc/gossipd/gossipd.conf)"
[ "$(mode var/lib/gossipd)" = "$uid:$gid 750" ] || fail "/var/lib/gossipd is $(mode var/lib/gossipd)"
echo "ok: owners and modes"
inroot dpkg-query -W -f='${Conffiles}\n' gossipd | grep -q '/etc/gossipd/gossipd.conf' ||
	fail "gossipd.conf is not a conffile"
inroot man -w gossipd >/dev/null 2>&1 || [ -f "$root/usr/share/man/man8/gossipd.8.gz" ] ||
	fail "no gossipd(8)"

# The documented first start, outside systemd: certificates under
# /etc/gossipd/certs, the key owned by gossipd, the installed configuration.
inroot sh -c 'cd /etc/gossipd && mkdir -p certs && cd certs &&
	gossipd cert create-ca -out ca >/dev/null &&
	gossipd cert create-node -ca-certificate ca/ca.crt -ca-key ca/ca.key \
		-out . -ip-addresses 127.0.0.1 -dns-names localhost >/dev/null &&
	rm ca/ca.key && chown gossipd: node.key && chmod 600 node.key' ||
	fail "making the certificates as documented"
inroot gossipd start --config /etc/gossipd/gossipd.conf --node-port "$PORT" \
	>"$T/daemon.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 1 200); do
	curl -sf -o /dev/null --cacert "$root/etc/gossipd/certs/ca/ca.crt" \
		"https://127.0.0.1:$PORT/health/live" && break
	kill -0 "$pid" 2>/dev/null || fail "the daemon exited: $(tail -n 5 "$T/daemon.log")"
	sleep 0.1
done
curl -sf -o /dev/null --cacert "$root/etc/gossipd/certs/ca/ca.crt" \
	"https://127.0.0.1:$PORT/gossip" || fail "the installed daemon does not serve"
dpid=$(pgrep -f -n "gossipd start --config /etc/gossipd/gossipd.conf --node-port $PORT") ||
	fail "no daemon process"
duid=$(awk '/^Uid:/ {print $3}' "/proc/$dpid/status")
[ "$duid" = "$uid" ] || fail "the daemon runs as uid $duid, not gossipd ($uid)"
grep -q 'running as user gossipd' "$T/daemon.log" || fail "no privilege-drop log line"
[ -S "$root/run/gossipd/admin.sock" ] || fail "no admin socket at /run/gossipd/admin.sock"
inroot gossipd member set --state Leader >/dev/null || fail "gossipd member set through the default admin socket"
echo "ok: installed daemon serves as user gossipd; admin socket at the default path"
kill -HUP "$dpid"
for _ in $(seq 1 100); do
	grep -q 'configuration reloaded' "$T/daemon.log" && break
	sleep 0.1
done
grep -q 'configuration reloaded' "$T/daemon.log" || fail "reload as user gossipd failed: $(tail -n 3 "$T/daemon.log")"
echo "ok: reload after the privilege drop"
kill "$dpid"
wait "$pid" 2>/dev/null || true
trap - EXIT

# A reinstall (an upgrade to the same version) keeps an edited conffile.
echo "# edited by the administrator" >>"$root/etc/gossipd/gossipd.conf"
inroot env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/gossipd.deb >"$T/dpkg-i2.log" 2>&1 ||
	fail "second dpkg -i: $(tail -n 20 "$T/dpkg-i2.log")"
grep -q 'edited by the administrator' "$root/etc/gossipd/gossipd.conf" ||
	fail "the edited conffile was replaced"
echo "ok: reinstall keeps the edited configuration"

inroot dpkg --purge gossipd >"$T/dpkg-purge.log" 2>&1 || fail "dpkg --purge: $(cat "$T/dpkg-purge.log")"
[ ! -e "$root/usr/sbin/gossipd" ] || fail "binary left after purge"
[ ! -e "$root/etc/gossipd/gossipd.conf" ] || fail "conffile left after purge"
[ ! -e "$root/var/lib/gossipd" ] || fail "/var/lib/gossipd left after purge"
[ -e "$root/etc/gossipd/certs/node.crt" ] || fail "purge removed the administrator's certificates"
inroot getent passwd gossipd >/dev/null || fail "purge removed the gossipd user"
echo "ok: purge"
EOF

mkdir -p "$T_DIR/layer" "$T_DIR/root"
if ! unshare -m --propagation private true 2>/dev/null; then
	t_skip "cannot make a mount namespace here"
fi
# Probe the overlay first, so that a machine without it skips, not fails.
if ! unshare -m --propagation private sh -c \
	"mount -t tmpfs tmpfs '$T_DIR/layer' && mkdir '$T_DIR/layer/u' '$T_DIR/layer/w' &&
	 mount -t overlay overlay -o 'lowerdir=/,upperdir=$T_DIR/layer/u,workdir=$T_DIR/layer/w' '$T_DIR/root'" \
	2>"$T_DIR/probe.log"; then
	t_skip "no overlay mount over /: $(cat "$T_DIR/probe.log")"
fi
out=$(timeout 120 unshare -m --propagation private bash "$T_DIR/inside.sh" "$T_DIR" "$deb" "$port" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/  /' >&2
[ "$rc" = 0 ] || t_fail "install test failed (exit $rc)"
assert_contains "$out" "ok: purge" "the install test ran to the end"
t_pass
