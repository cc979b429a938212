#!/usr/bin/env bash
# The request header bound (libmicrohttpd's per-connection pool, 8 KiB):
# real request headers (a few kB) are served; a header block that does
# not fit is answered 431, on the same keep-alive connection as requests
# before it, and the daemon goes on serving.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
make_pki "$T_DIR"
serve_on_free_port n1 https $(tls_args "$T_DIR") --node-ip 127.0.0.1
url="https://127.0.0.1:$port/gossip"
big() { # BYTES: a header line file of that many bytes of value
	{ printf 'X-Big: '; head -c "$1" /dev/zero | tr '\0' 'a'; echo; } >"$T_DIR/h$1.txt"
	echo "$T_DIR/h$1.txt"
}

assert_eq 200 "$(https_code "$url" client -H @"$(big 4000)")" "a 4 kB header"
assert_eq 200 "$(https_code "$url" client -H @"$(big 6000)")" "a 6 kB header"
assert_eq 431 "$(https_code "$url" client -H @"$(big 9000)")" "a 9 kB header"
assert_eq 431 "$(https_code "$url" client -H @"$(big 60000)")" "a 60 kB header"

# One keep-alive connection: a normal request, then one too large.
id=(--cacert "$T_DIR/ca/ca.crt" --cert "$T_DIR/client/client.crt" --key "$T_DIR/client/client.key")
codes=$(curl -s --max-time 10 "${id[@]}" -o /dev/null -w '%{http_code} %{num_connects}\n' "$url" \
	--next -s --max-time 10 "${id[@]}" -o /dev/null -w '%{http_code} %{num_connects}\n' \
	-H @"$T_DIR/h9000.txt" "$url")
assert_eq "200 1
431 0" "$codes" "keep-alive: 200, then 431 on the same connection"

assert_eq 200 "$(https_code "$url" client)" "served after the 431s"
t_pass
