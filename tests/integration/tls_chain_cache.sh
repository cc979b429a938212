#!/usr/bin/env bash
# The cache of verified client chains (daemon/tls_chain_cache.c): a
# returning client's chain is taken from the cache (debug line), yet
# - a certificate revoked by a reload (new CRL, SIGHUP) is refused on its
#   next full handshake, and
# - a certificate that expires after it was cached is refused once expired,
# each with its refusal line; a client whose chain does not verify never
# reaches the cache.
. "$GOSSIPD_SRC/tests/lib.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
t_init
make_pki "$T_DIR"
ca=(-ca-certificate "$T_DIR/ca/ca.crt" -ca-key "$T_DIR/ca/ca.key")
# A client certificate that expires 8 s from now (UTC), for part 2.
"$GOSSIPD_BIN" cert create-client "${ca[@]}" -out "$T_DIR/short" -common-name short-client \
	-not-after "$(date -u -d '+8 seconds' +%Y%m%d%H%M%S)" >/dev/null ||
	t_fail "cert create-client (short)"
mv "$T_DIR/short/client.crt" "$T_DIR/short/short.crt"
mv "$T_DIR/short/client.key" "$T_DIR/short/short.key"
end=$(($(date +%s) + 8))

# CRLs signed by the test CA (tests/lib.sh ossl_crl, its own database).
ossl_crl "$T_DIR/ca" ca "$T_DIR/crl.pem" # nothing revoked yet

serve_on_free_port a https $(tls_args "$T_DIR") --node-ip 127.0.0.1 --log-level debug \
	--certificate-revocation-list-file "$T_DIR/crl.pem"
url="https://127.0.0.1:$port/gossip"
hits() { log_count a 'client certificate chain verified before under these credentials \(cache\)'; }

# 1. The same certificate twice (two processes: two full handshakes), the
# second from the cache; then revoked by a reload and refused.
assert_eq 200 "$(https_code "$url" client)" "first request"
h0=$(hits)
assert_eq 200 "$(https_code "$url" client)" "second request"
[ "$(hits)" -gt "$h0" ] || t_fail "the second full handshake did not find the chain in the cache"

openssl ca -batch -config "$T_DIR/ca/ca.crldb/ca.cnf" -revoke "$T_DIR/client/client.crt" \
	>"$T_DIR/openssl.out" 2>&1 || t_fail "openssl ca -revoke: $(tail -n 3 "$T_DIR/openssl.out")"
ossl_crl "$T_DIR/ca" ca "$T_DIR/crl.pem"
reloads=$(log_count a 'configuration reloaded')
kill -HUP "$PID_a"
reloaded() { [ "$(log_count a 'configuration reloaded')" -gt "$reloads" ]; }
wait_for 10 reloaded || t_fail "no reload after SIGHUP"
assert_eq 000 "$(https_code "$url" client)" "the revoked certificate after the reload"
wait_log a 'connection from 127\.0\.0\.1:[0-9]+ denied: .*revoked' 5

# 2. Cached while valid, refused once expired (no reload in between).
assert_eq 200 "$(https_code "$url" short)" "the short-lived certificate while valid"
h1=$(hits)
assert_eq 200 "$(https_code "$url" short)" "the short-lived certificate again"
[ "$(date +%s)" -lt "$end" ] || t_skip "the machine is too slow: the certificate expired before the second request"
[ "$(hits)" -gt "$h1" ] || t_fail "the short-lived certificate's chain was not taken from the cache"
wait_for 20 bash -c "[ \$(date +%s) -gt $((end + 1)) ]" || t_fail "clock"
assert_eq 000 "$(https_code "$url" short)" "the short-lived certificate once expired"
wait_log a 'connection from 127\.0\.0\.1:[0-9]+ denied: .*expired' 5

# 3. A certificate of another CA is refused, twice: never cached.
mkdir -p "$T_DIR/other"
make_pki "$T_DIR/other"
mkdir -p "$T_DIR/foreign"
cp "$T_DIR/other/client/client.crt" "$T_DIR/foreign/foreign.crt"
cp "$T_DIR/other/client/client.key" "$T_DIR/foreign/foreign.key"
h2=$(hits)
assert_eq 000 "$(https_code "$url" foreign)" "a foreign client certificate"
assert_eq 000 "$(https_code "$url" foreign)" "a foreign client certificate again"
assert_eq "$h2" "$(hits)" "cache hits for a chain that does not verify"
t_pass
