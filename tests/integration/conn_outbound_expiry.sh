#!/usr/bin/env bash
# A peer's server certificate that expires while a's kept-alive
# connection to it is pooled: a reuses neither that connection nor the
# saved session past the notAfter, so its next exchange is a full
# handshake that refuses the expired certificate; no exchange with b
# succeeds after it (independent openssl PKI; b's certificate expires
# 8 s after it is made).
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
. "$GOSSIPD_SRC/tests/tools/gossip_pair.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
end=$(($(date +%s) + 8))
oca_node "$P" b b.cluster.test 127.0.0.2 "$(date -u -d "@$end" +%y%m%d%H%M%SZ)"
gp_start "$P" a b
wait_for 20 gp_more 0 5 || t_fail "a does not gossip with b: $(tail -n 2 "$T_DIR/a.log")"
[ "$(date +%s)" -lt "$end" ] || t_skip "the machine is too slow: b's certificate expired before the test began"
# notAfter is the last valid second: wait until it has passed, and for
# the first failed exchanges after it.
wait_for 20 bash -c "[ \$(date +%s) -gt $((end + 1)) ]" || t_fail "clock"
gp_none_succeeds "its certificate expired"
grep -qE 'expired' "$T_DIR/a.log" || t_fail "no line says the peer's certificate expired"
t_pass
