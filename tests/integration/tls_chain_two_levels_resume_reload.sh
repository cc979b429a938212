#!/usr/bin/env bash
# Node certificates two intermediate CAs below the root (independent
# openssl PKI: root -> int1 -> int2 -> nodes), on a resumed session (which
# keeps the leaf alone): the session resumes (its path is followed through
# both intermediates of the node's own chain), and a reload re-checks the
# open connection with the leaf and the CAs the set holds above it, so the
# connection stays and keeps its node rights; no false "not signed by a
# trusted CA".
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
. "$GOSSIPD_SRC/tests/tools/tls_resume.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_int "$P" int1
ossl_leaf "$P" int1 int2 "/CN=oca test intermediate int2 $$" \
	basicConstraints=critical,CA:TRUE keyUsage=critical,keyCertSign,cRLSign \
	subjectKeyIdentifier=hash authorityKeyIdentifier=keyid
for n in n1:1 n2:2; do
	ossl_node "$P" int2 "${n%:*}" "${n%:*}.cluster.test" "127.0.0.${n#*:}"
	cat "$P/${n%:*}.crt" "$P/int2.crt" "$P/int1.crt" >"$P/${n%:*}-chain.crt"
done
serve_on_free_port n1 https --node-ip 127.0.0.1 \
	--certificate-file "$P/n1-chain.crt" --certificate-private-key-file "$P/n1.key" \
	--trusted-root-certificates-path "$P/ca.crt" \
	--certificate-reserved-node-common-name '*.cluster.test'

tr_survives_reload n1 "$port" "$P/ca.crt" "$P/n2-chain.crt" "$P/n2.key"
t_pass
