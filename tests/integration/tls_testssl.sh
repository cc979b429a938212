#!/usr/bin/env bash
# testssl.sh against the TLS endpoint: nothing below TLS 1.2, no NULL,
# anonymous, export, low, 3DES or CBC ("AVERAGE") suites, only strong
# AEAD suites, all with forward secrecy. Skipped when testssl.sh is not
# installed or does not finish in time.
source "$GOSSIPD_SRC/tests/lib.sh"
ts=$(command -v testssl.sh || command -v testssl) || t_skip "testssl.sh is not installed"
command -v jq >/dev/null || t_skip "jq is not installed"
t_init
make_pki "$T_DIR"
port=$(free_port)
# shellcheck disable=SC2046
start_node n1 --node-port "$port" $(tls_args "$T_DIR") --handshake-timeout-ms 1000
wait_serving n1 "https://127.0.0.1:$port" 10 --cacert "$T_DIR/ca/ca.crt"
timeout 100 "$ts" --quiet --color 0 --warnings off -p -s -f \
	--jsonfile "$T_DIR/ts.json" "127.0.0.1:$port" >"$T_DIR/testssl.log" 2>&1
rc=$?
[ "$rc" -ne 124 ] || t_skip "testssl.sh did not finish within 100 s"
[ -s "$T_DIR/ts.json" ] || t_fail "testssl.sh wrote no result (exit $rc)"
finding() { jq -r --arg id "$1" '.[] | select(.id == $id) | .finding' "$T_DIR/ts.json"; }
for p in SSLv2 SSLv3 TLS1 TLS1_1; do
	assert_contains "$(finding "$p")" "not offered" "protocol $p"
done
assert_eq offered "$(finding TLS1_2)" "TLS 1.2"
for c in NULL aNULL EXPORT LOW 3DES_IDEA AVERAGE; do
	assert_eq "not offered" "$(finding "cipherlist_$c")" "cipher category $c"
done
assert_eq offered "$(finding cipherlist_STRONG)" "strong AEAD suites"
assert_eq offered "$(finding PFS)" "forward secrecy"
for s in $(finding PFS_ciphers); do
	case "$s" in ECDHE-*-GCM-* | ECDHE-*-CHACHA20-POLY1305) ;;
	*) t_fail "suite $s is not ECDHE with AEAD" ;; esac
done
t_pass
