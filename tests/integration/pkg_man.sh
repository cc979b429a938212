#!/usr/bin/env bash
# pkg_man: gossipd(8) and gossipd.conf(5) are built from the option table,
# are current (the OPTIONS section is exactly what the binary prints now),
# name every option, and render with man without a warning.
. "$(dirname "$0")/../lib.sh"
t_init

command -v man >/dev/null || t_skip "man is not installed (Debian package man-db)"
mandir=$(dirname "$GOSSIPD_BIN")/packaging/man
page8=$mandir/man8/gossipd.8
page5=$mandir/man5/gossipd.conf.5

"$GOSSIPD_BIN" start --help-format man >"$T_DIR/options.roff" ||
	t_fail "gossipd start --help-format man failed"
sed '1{/^\.SH OPTIONS$/d}' "$T_DIR/options.roff" >"$T_DIR/options.body"
for page in "$page8" "$page5"; do
	[ -f "$page" ] && [ -f "$page.gz" ] || t_fail "$page(.gz) was not built"
	cmp -s "$page" <(gzip -dc "$page.gz") || t_fail "$page.gz is not $page"
	# The generated section appears whole, in place of @OPTIONS@.
	grep -qF '@OPTIONS@' "$page" && t_fail "$page still has @OPTIONS@"
	grep -qF '@VERSION@' "$page" && t_fail "$page still has @VERSION@"
	awk -v body="$T_DIR/options.body" '
		BEGIN { while ((getline l < body) > 0) want = want l "\n" }
		{ have = have $0 "\n" }
		END { exit index(have, want) ? 0 : 1 }' "$page" ||
		t_fail "$page does not hold the current --help-format man output (stale build?)"

	# man renders it, without a single warning.
	warn=$(MANWIDTH=80 man --warnings -l "$page.gz" 2>&1 >/dev/null)
	[ -z "$warn" ] || t_fail "man warns about $(basename "$page"): $warn"
	MANWIDTH=200 man --nh --nj -l "$page.gz" >"$T_DIR/$(basename "$page").txt" 2>/dev/null ||
		t_fail "man -l $page.gz failed"
done

# Every YAML key, flag and environment variable is in the rendered pages.
keys=$(sed -n 's/^YAML key \\fB\([A-Za-z]*\)\\fR.*/\1/p' "$T_DIR/options.roff")
[ "$(wc -w <<<"$keys")" -gt 30 ] || t_fail "too few YAML keys found in --help-format man"
text8=$(tr -s ' \n' '  ' <"$T_DIR/gossipd.8.txt")
text5=$(tr -s ' \n' '  ' <"$T_DIR/gossipd.conf.5.txt")
for key in $keys; do
	assert_contains "$text5" "YAML key $key" "gossipd.conf(5)"
	assert_contains "$text8" "YAML key $key" "gossipd(8)"
done
for want in "SYNOPSIS" "gossipd cert" "SIGHUP" "/etc/gossipd/gossipd.conf"; do
	assert_contains "$text8" "$want" "gossipd(8)"
done
assert_contains "$text8" "gossipd $("$GOSSIPD_BIN" start --version | sed -n '1s/^gossipd //p')" \
	"version in the page footer"

# And man finds them by name where they were built.
[ "$(MANPATH=$mandir man -w gossipd)" = "$page8.gz" ] ||
	[ "$(MANPATH=$mandir man -w gossipd)" = "$page8" ] ||
	t_fail "man -w gossipd does not find the built page"
[ -n "$(MANPATH=$mandir man -w gossipd.conf)" ] || t_fail "man -w gossipd.conf"

t_pass
