#!/usr/bin/env bash
# A trusted root that expires while connections are open (independent
# openssl PKI: a self-signed root whose notAfter is a few seconds ahead ->
# an intermediate -> nodes a, b, c, all three running two days longer).
# A connection keeps the notAfter of its verified path, the root's
# included, not only of the certificates the peer presented (its leaf and
# the intermediate): b's connection (a full handshake) and c's (a resumed
# session, the leaf alone) both lose their node rights when the root
# expires and are closed ("closed: certificate has expired").
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P" # for its ca.cnf: the root is made again, to end soon
end=$(($(date +%s) + 9))
printf '%s\n' basicConstraints=critical,CA:TRUE \
	keyUsage=critical,keyCertSign,cRLSign subjectKeyIdentifier=hash >"$P/root.ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$P/ca.key" -out "$P/ca.csr" -subj "/CN=oca short root $$" \
	>>"$P/openssl.out" 2>&1 || t_fail "openssl: root request"
openssl ca -batch -notext -selfsign -config "$P/ca.cnf" -keyfile "$P/ca.key" \
	-in "$P/ca.csr" -out "$P/ca.crt" -extfile "$P/root.ext" \
	-enddate "$(date -u -d "@$end" +%y%m%d%H%M%SZ)" \
	>>"$P/openssl.out" 2>&1 || t_fail "openssl ca: root: $(tail -n 3 "$P/openssl.out")"
oca_int "$P" int
for n in a:1 b:2 c:3; do
	ossl_node "$P" int "${n%:*}" "${n%:*}.cluster.test" "127.0.0.${n#*:}"
	cat "$P/${n%:*}.crt" "$P/int.crt" >"$P/${n%:*}-chain.crt"
done
cp -p "$P/a.key" "$P/a-chain.key"
oca_serve a "$P" a-chain

client() { # NAME IP ARGS...: presents its certificate and the intermediate
	local n=$1 ip=$2
	shift 2
	python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" \
		--path /admin/member --ca "$P/ca.crt" --cert "$P/$n-chain.crt" \
		--key "$P/$n.key" --bind "$ip" --interval 0.2 --count 150 \
		--stop "$T_DIR/stop" "$@" >"$T_DIR/$n.out" 2>"$T_DIR/$n.err" &
	T_PIDS+=($!)
}
client b 127.0.0.2
client c 127.0.0.3 --resume
wait_for 10 grep -q ' 200 1$' "$T_DIR/b.out" || t_fail "b not served as a node: $(tail -n 2 "$T_DIR/b.err")"
wait_for 10 grep -q ' 200 1$' "$T_DIR/c.out" || t_fail "c not served as a node: $(tail -n 2 "$T_DIR/c.err")"
grep -q '^# resumed 1 True$' "$T_DIR/c.err" || t_fail "c's connection did not resume: $(cat "$T_DIR/c.err")"
[ "$(date +%s)" -lt "$end" ] || t_skip "the machine is too slow: the root expired before the test began"

lost() { awk '$2 != "200"' "$T_DIR/$1.out" | grep -q .; }
for n in b c; do
	wait_for $((end - $(date +%s) + 10)) lost $n || t_fail "$n's connection kept its rights after the root expired: $(tail -n 1 "$T_DIR/$n.out")"
done
touch "$T_DIR/stop"
for ip in 2 3; do
	wait_log a "connection from 127\.0\.0\.$ip:[0-9]+ closed: certificate has expired$" 5
done
for n in b c; do
	late=$(awk -v t="$end" '$2 == "200" && $1 >= t + 2' "$T_DIR/$n.out" | wc -l)
	assert_eq 0 "$late" "answers 200 to $n after the root's notAfter ($end)"
done
t_pass
