#!/usr/bin/env bash
# A node certificate from an intermediate CA, on a resumed session (which
# keeps the leaf alone): a reload re-checks the open connection with the
# leaf and the intermediate the set knows, so the connection stays and
# keeps its node rights; no false "not signed by a trusted CA".
source "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/tls_resume.sh"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
g() { "$GOSSIPD_BIN" cert "$@" >/dev/null || t_fail "gossipd cert $*"; }
d=$T_DIR
g create-ca -out "$d/root"
g create-ca -ca-certificate "$d/root/ca.crt" -ca-key "$d/root/ca.key" -out "$d/inter" \
	-common-name "gossipd intermediate"
inter=(-ca-certificate "$d/inter/ca.crt" -ca-key "$d/inter/ca.key")
g create-node "${inter[@]}" -out "$d/n1" -ip-addresses 127.0.0.1 -common-name node1.cluster.test
g create-node "${inter[@]}" -out "$d/n2" -ip-addresses 127.0.0.2 -common-name node2.cluster.test
for n in n1 n2; do cat "$d/$n/node.crt" "$d/inter/ca.crt" >"$d/$n/bundle.crt"; done

port=$(free_port)
start_node n1 --node-port "$port" --certificate-file "$d/n1/bundle.crt" \
	--certificate-private-key-file "$d/n1/node.key" \
	--trusted-root-certificates-path "$d/root/ca.crt" \
	--certificate-reserved-node-common-name '*.cluster.test'
wait_serving n1 "https://127.0.0.1:$port" 10 --cacert "$d/root/ca.crt"

tr_survives_reload n1 "$port" "$d/root/ca.crt" "$d/n2/bundle.crt" "$d/n2/node.key"
assert_eq 0 "$(stop_node n1 5)" "exit status"
t_pass
