#!/usr/bin/env bash
# pkg_deb: the Debian package. cpack builds it from this build directory;
# its name, contents, control files and maintainer scripts are checked;
# lintian finds no error; and what it ships works when unpacked: the unit
# verifies, the man pages render, the default configuration loads, and the
# shipped binary serves with generated certificates (started as root, it
# drops to an unprivileged user and can still reload its certificates).
. "$(dirname "$0")/../lib.sh"
t_init

for tool in cpack dpkg-deb lintian; do
	command -v "$tool" >/dev/null || t_skip "$tool is not installed (packaging/install-deps.sh)"
done
build=$(cd "$(dirname "$GOSSIPD_BIN")" && pwd)
[ -f "$build/CPackConfig.cmake" ] || t_fail "no CPackConfig.cmake in $build"

# 1. Build the package, into this test's directory.
# One cpack at a time in a build directory (its preinstall step runs make).
flock "$build/.pkg-cpack.lock" cpack -G DEB --config "$build/CPackConfig.cmake" -B "$T_DIR/out" \
	>"$T_DIR/cpack.log" 2>&1 || t_fail "cpack: $(tail -n 20 "$T_DIR/cpack.log")"
top=$(head -n 1 "$GOSSIPD_SRC/packaging/changelog")
version=$(sed -n '1s/^gossipd (\([^)]*\)).*/\1/p' "$GOSSIPD_SRC/packaging/changelog")
[ -n "$version" ] || t_fail "cannot read the version from: $top"
deb=$T_DIR/out/gossipd_${version}_amd64.deb
[ -f "$deb" ] || t_fail "no $(basename "$deb"); cpack made: $(ls "$T_DIR/out")"
assert_eq "$version" "$(dpkg-deb -f "$deb" Version)" "package version"
assert_eq "gossipd" "$(dpkg-deb -f "$deb" Package)" "package name"
assert_eq "amd64" "$(dpkg-deb -f "$deb" Architecture)" "architecture"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in adduser libc6 libmicrohttpd12 libmbedtls14 libcjson1 libyaml-0-2; do
	assert_contains "$depends" "$dep" "Depends"
done
# systemd's notification protocol is built in (common/sdnotify.c).
assert_not_contains "$depends" "libsystemd" "Depends"

# 2. Contents: owner root, and the paths and modes that matter.
dpkg-deb -c "$deb" >"$T_DIR/contents"
contents=$(awk '{print $1, $2, $6}' "$T_DIR/contents")
for want in \
	"-rwxr-xr-x root/root ./usr/sbin/gossipd" \
	"-rw-r--r-- root/root ./etc/gossipd/gossipd.conf" \
	"-rw-r--r-- root/root ./lib/systemd/system/gossipd.service" \
	"-rw-r--r-- root/root ./usr/lib/tmpfiles.d/gossipd.conf" \
	"-rw-r--r-- root/root ./usr/share/man/man8/gossipd.8.gz" \
	"-rw-r--r-- root/root ./usr/share/man/man5/gossipd.conf.5.gz" \
	"-rw-r--r-- root/root ./usr/share/doc/gossipd/copyright" \
	"-rw-r--r-- root/root ./usr/share/doc/gossipd/changelog.Debian.gz" \
	"-rw-r--r-- root/root ./usr/share/doc/gossipd/examples/three-node-dns.conf"; do
	grep -qxF -- "$want" <<<"$contents" || t_fail "package lacks: $want"
done
assert_not_contains "$contents" "./run/" "runtime directory shipped (tmpfiles makes it)"
assert_not_contains "$contents" "./var/run/" "runtime directory shipped"
grep -v '^d' "$T_DIR/contents" | awk '{print $2}' | grep -qv '^root/root$' &&
	t_fail "a file not owned by root/root"

# Every relative link of a shipped document resolves inside the package
# (a document its docs point to is shipped too).
mkdir -p "$T_DIR/docs"
dpkg-deb -x "$deb" "$T_DIR/docs"
shipped=$T_DIR/docs/usr/share/doc/gossipd
[ -f "$shipped/operations.md" ] || t_fail "operations.md not shipped"
n=0
while IFS= read -r md; do
	dir=$(dirname "$md")
	for target in $(grep -oE '\]\([^)#: ]+' "$md" | sed 's/^](//' | sort -u); do
		[ -e "$dir/$target" ] ||
			t_fail "${md#"$shipped"/} links to $target, which the package does not ship"
		n=$((n + 1))
	done
done < <(find "$shipped" -name '*.md')
[ "$n" -gt 5 ] || t_fail "only $n links checked in the shipped documents"
t_log "$n links in the shipped documents resolve"

# 3. Control files: the conffile and the maintainer scripts.
mkdir -p "$T_DIR/control"
dpkg-deb -e "$deb" "$T_DIR/control"
assert_eq "/etc/gossipd/gossipd.conf" "$(cat "$T_DIR/control/conffiles")" "conffiles"
for s in postinst prerm postrm; do
	[ -x "$T_DIR/control/$s" ] || t_fail "$s missing or not executable"
	sh -n "$T_DIR/control/$s" || t_fail "$s: shell syntax error"
done
grep -q 'adduser --system --group' "$T_DIR/control/postinst" ||
	t_fail "postinst does not create the gossipd system user"
grep -q 'chmod 0640 /etc/gossipd/gossipd.conf' "$T_DIR/control/postinst" ||
	t_fail "postinst does not protect gossipd.conf"

# 4. lintian: no error (warnings are printed for the record).
lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs \
	"$deb" >"$T_DIR/lintian.log" 2>&1 ||
	t_fail "lintian: $(cat "$T_DIR/lintian.log")"
lint=$(grep -v '^running with root' "$T_DIR/lintian.log" | tr '\n' ' ')
t_log "lintian: ${lint:-no tag}"

# 5. Unpacked: what it ships works.
root=$T_DIR/root
dpkg-deb -x "$deb" "$root"
bin=$root/usr/sbin/gossipd
"$bin" start --version | grep -qF "gossipd ${version%-*}" ||
	t_fail "the shipped binary does not report version ${version%-*}"
out=$("$bin" start --what-if --config "$root/etc/gossipd/gossipd.conf" 2>&1) ||
	t_fail "the shipped gossipd.conf does not load: $out"
assert_contains "$out" "CertificateFile: /etc/gossipd/certs/node.crt (Config File)" "default config"
for page in man8/gossipd.8.gz man5/gossipd.conf.5.gz; do
	warn=$(MANWIDTH=80 man --warnings -l "$root/usr/share/man/$page" 2>&1 >/dev/null)
	[ -z "$warn" ] || t_fail "man -l $page warns: $warn"
done
if command -v systemd-analyze >/dev/null; then
	sed "s#/usr/sbin/gossipd#$bin#g" "$root/lib/systemd/system/gossipd.service" \
		>"$T_DIR/gossipd.service"
	out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$T_DIR/gossipd.service" 2>&1) ||
		t_fail "systemd-analyze verify of the shipped unit: $out"
fi

# The shipped binary with the shipped configuration and a generated PKI.
# Run as root (as CI does), it must drop to RunAsUser: nobody here, as the
# gossipd user does not exist on a build machine. Files the dropped process
# re-reads on reload must be readable by it, as docs/operations.md says.
pki=$T_DIR/pki
make_pki "$pki"
port=$(free_port)
args=(--config "$root/etc/gossipd/gossipd.conf" --node-port "$port"
	--certificate-file "$pki/node/node.crt"
	--certificate-private-key-file "$pki/node/node.key"
	--trusted-root-certificates-path "$pki/ca/ca.crt")
if [ "$(id -u)" -eq 0 ]; then
	getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
		t_fail "no nobody/nogroup on this machine"
	chmod 711 "$T_DIR"
	chown -R nobody:nogroup "$pki"
	args+=(--run-as-user nobody --run-as-group nogroup)
fi
GOSSIPD_BIN=$bin start_node node "${args[@]}"
wait_serving node "https://127.0.0.1:$port" 20 --cacert "$pki/ca/ca.crt"
doc=$(curl -sf --cacert "$pki/ca/ca.crt" "https://127.0.0.1:$port/gossip")
assert_contains "$doc" "\"httpEndPointPort\":$port" "GET /gossip from the shipped binary"
if [ "$(id -u)" -eq 0 ]; then
	for f in 2 3 4 5; do # real, effective, saved, file-system uid
		assert_eq 65534 "$(awk '/^Uid:/ {print $'$f'}' "/proc/$PID_node/status")" "uid after the drop"
	done
	assert_eq 65534 "$(awk '/^Gid:/ {print $3}' "/proc/$PID_node/status")" "gid after the drop"
	assert_eq "" "$(awk '/^Groups:/ {print $2}' "/proc/$PID_node/status")" "supplementary groups"
	wait_log node "running as user nobody"
	kill -HUP "$PID_node"
	wait_log node "configuration reloaded"
fi
assert_eq 0 "$(stop_node node 10)" "exit status after SIGTERM"

t_pass
