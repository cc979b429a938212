#!/usr/bin/env bash
# pkg_troubleshoot: the start-up and option errors that docs/operations.md
# explains are the ones the daemon prints. Each case provokes one error and
# checks that a distinctive part of its message is both in the output and
# in the troubleshooting section, so neither can drift from the other.
. "$(dirname "$0")/../lib.sh"
t_init

doc=$GOSSIPD_SRC/docs/operations.md
d=$T_DIR
B=$GOSSIPD_BIN
port=$(free_port)

# A small PKI with the faulty pieces the cases need.
"$B" cert create-ca -out "$d/ca" >/dev/null || t_fail "create-ca"
"$B" cert create-ca -out "$d/ca2" >/dev/null || t_fail "create-ca 2"
node() { # name ca extra-args...
	local name=$1 ca=$2
	shift 2
	"$B" cert create-node -ca-certificate "$d/$ca/ca.crt" -ca-key "$d/$ca/ca.key" \
		-out "$d/$name" "$@" >/dev/null 2>&1 || t_fail "create-node $name"
}
node node ca -ip-addresses 127.0.0.1
node node2 ca2 -ip-addresses 127.0.0.1
node expired ca -ip-addresses 127.0.0.1 -not-before 20200101000000 -not-after 20210101000000
node future ca -ip-addresses 127.0.0.1 -not-before 20400101000000 -not-after 20410101000000
node other ca -ip-addresses 10.9.9.9
"$B" cert create-client -ca-certificate "$d/ca/ca.crt" -ca-key "$d/ca/ca.key" \
	-out "$d/client" -common-name gossipd-node -ip-addresses 127.0.0.1 >/dev/null ||
	t_fail "create-client"
cp "$d/node2/node.key" "$d/open.key" && chmod 644 "$d/open.key"
cat "$d/node/node.crt" "$d/ca/ca.crt" >"$d/bundle.crt" && chmod 600 "$d/bundle.crt"
cp "$d/node/node.crt" "$d/pem-only.crt" && chmod 600 "$d/pem-only.crt"
openssl pkey -in "$d/node/node.key" -aes256 -passout pass:pw -out "$d/enc.key" 2>/dev/null &&
	chmod 600 "$d/enc.key" || t_fail "openssl pkey"
openssl pkcs12 -export -in "$d/node/node.crt" -inkey "$d/node/node.key" \
	-out "$d/node.p12" -passout pass:right 2>/dev/null && chmod 600 "$d/node.p12" ||
	t_fail "openssl pkcs12"
mkdir -p "$d/emptydir"
printf 'NodeIp: 127.0.0.1\nNodePort: x\n' >"$d/badvalue.conf"
printf 'GossipSeed: a:1;b:2\n' >"$d/semicolon.conf"
printf 'CertificateThumbprint: ab\n' >"$d/windows.conf"
: >"$d/empty.conf"

n=0
# expect CODE FRAGMENT ARGS...: "gossipd start ARGS" exits CODE and prints
# FRAGMENT, which docs/operations.md contains too.
expect() {
	local code=$1 fragment=$2 out rc
	shift 2
	out=$(cd "$d" && "$B" start --config "$d/empty.conf" --node-port "$port" \
		--admin-socket "" "$@" 2>&1)
	rc=$?
	[ "$rc" = "$code" ] || t_fail "exit $rc, not $code, for: $* ($out)"
	assert_contains "$out" "$fragment" "message for: $*"
	grep -qF -- "$fragment" "$doc" ||
		t_fail "docs/operations.md does not explain: $fragment (printed: $(tail -n 1 <<<"$out"))"
	n=$((n + 1))
}
ok=(--certificate-file node/node.crt --certificate-private-key-file node/node.key)
trust=(--trusted-root-certificates-path ca/ca.crt)
root=()
[ "$(id -u)" = 0 ] && root=(--allow-root)

# Option errors: exit 2.
expect 2 "unknown option --bogus" --bogus
out=$(GOSSIPD_NODE_PROT=1 "$B" start --config "$d/empty.conf" --what-if 2>&1)
assert_contains "$out" "environment: unknown variable GOSSIPD_NODE_PROT" "unknown variable"
grep -qF "environment: unknown variable GOSSIPD_NODE_PROT" "$doc" || t_fail "doc: unknown variable"
n=$((n + 1))
expect 2 'NodePort: "x" is not an integer' --config "$d/badvalue.conf"
expect 2 "GossipSeed: ';' is not a separator, use ','" --config "$d/semicolon.conf"
expect 2 "CertificateThumbprint is not available on Linux: use CertificateFile/TrustedRootCertificatesPath" \
	--config "$d/windows.conf"
expect 2 "DiscoverViaDns is true but ClusterDns is not set" --cluster-size 3 --discover-via-dns

# Start-up errors: exit 1.
expect 1 "CertificateFile is not set" "${root[@]}" "${trust[@]}"
expect 1 "cannot open: No such file or directory" "${root[@]}" "${trust[@]}" \
	--certificate-file nope.crt --certificate-private-key-file node/node.key
expect 1 "are too open; run chmod 600" "${root[@]}" --trusted-root-certificates-path ca2/ca.crt \
	--certificate-file node2/node.crt --certificate-private-key-file open.key
expect 1 "the key does not belong to the node certificate (the first one in CertificateFile" \
	"${root[@]}" "${trust[@]}" --certificate-file node/node.crt --certificate-private-key-file node2/node.key
expect 1 "the key is encrypted and no password is set (CertificatePrivateKeyPassword)" \
	"${root[@]}" "${trust[@]}" --certificate-file node/node.crt --certificate-private-key-file enc.key
expect 1 "wrong password (CertificatePrivateKeyPassword)" "${root[@]}" "${trust[@]}" \
	--certificate-file node/node.crt --certificate-private-key-file enc.key \
	--certificate-private-key-password nope
expect 1 "PKCS#12: wrong password (the MAC does not verify) (CertificatePassword)" \
	"${root[@]}" "${trust[@]}" --certificate-file node.p12 --certificate-password nope
expect 1 "is a PEM certificate, and CertificatePrivateKeyFile is not set: give the key file" \
	"${root[@]}" "${trust[@]}" --certificate-file pem-only.crt
# readable by all, as certificates are: the missing key is still what is said
chmod 644 "$d/pem-only.crt"
expect 1 "is a PEM certificate, and CertificatePrivateKeyFile is not set: give the key file" \
	"${root[@]}" "${trust[@]}" --certificate-file pem-only.crt
expect 1 "the PKCS#12 file is protected by a password and CertificatePassword is not set" \
	"${root[@]}" "${trust[@]}" --certificate-file node.p12
expect 1 ": No such file or directory" "${root[@]}" "${ok[@]}" \
	--trusted-root-certificates-path nodir
expect 1 "no trusted certificate could be loaded from it" "${root[@]}" "${ok[@]}" \
	--trusted-root-certificates-path emptydir
expect 1 "the node certificate chain does not lead to a root in TrustedRootCertificatesPath" \
	"${root[@]}" "${ok[@]}" --trusted-root-certificates-path ca2/ca.crt
expect 1 "is self-signed: it is a root, move it to TrustedRootCertificatesPath" \
	"${root[@]}" "${trust[@]}" --certificate-file bundle.crt --certificate-private-key-file node/node.key
expect 1 "the node certificate expired on" "${root[@]}" "${trust[@]}" \
	--certificate-file expired/node.crt --certificate-private-key-file expired/node.key
expect 1 "the node certificate is not valid before" "${root[@]}" "${trust[@]}" \
	--certificate-file future/node.crt --certificate-private-key-file future/node.key
expect 1 "does not match the CN" "${root[@]}" "${ok[@]}" "${trust[@]}" \
	--certificate-reserved-node-common-name '*.cluster.example.org'
expect 1 "other nodes would not accept this node certificate: " "${root[@]}" "${trust[@]}" \
	--certificate-file client/client.crt --certificate-private-key-file client/client.key
expect 1 "the node certificate has no subject alternative name for the advertised host" \
	"${root[@]}" "${trust[@]}" --certificate-file other/node.crt --certificate-private-key-file other/node.key
expect 1 "(NodeIp, NodePort): Cannot assign requested address" "${root[@]}" --insecure \
	--node-ip 192.0.2.1
if [ "$(id -u)" = 0 ]; then
	expect 1 "refusing to run as root: set RunAsUser, or AllowRoot: true" --insecure --run-as-user ""
	expect 1 'RunAsUser/RunAsGroup: no such user "' --insecure \
		--run-as-user gossipd-no-such-user
fi

# A port in use: a first node holds it.
start_node holder --config "$d/empty.conf" --insecure --node-port "$port"
wait_serving holder "http://127.0.0.1:$port" 20
expect 1 "(NodeIp, NodePort): Address already in use" "${root[@]}" --insecure

# Refusals of a running TLS node, as logged.
tport=$(free_port)
"$B" cert create-client -ca-certificate "$d/ca2/ca.crt" -ca-key "$d/ca2/ca.key" \
	-out "$d/stranger" -common-name stranger >/dev/null || t_fail "create-client stranger"
"$B" cert create-client -ca-certificate "$d/ca/ca.crt" -ca-key "$d/ca/ca.key" \
	-out "$d/web" -common-name web-client >/dev/null || t_fail "create-client web"
"$B" cert create-client -ca-certificate "$d/ca/ca.crt" -ca-key "$d/ca/ca.key" \
	-out "$d/old" -common-name old-client -not-before 20200101000000 \
	-not-after 20210101000000 >/dev/null 2>&1 || t_fail "create-client old"
start_node tls --config "$d/empty.conf" --node-port "$tport" --certificate-file "$d/node/node.crt" \
	--certificate-private-key-file "$d/node/node.key" \
	--trusted-root-certificates-path "$d/ca/ca.crt"
url=https://127.0.0.1:$tport
wait_serving tls "$url" 20 --cacert "$d/ca/ca.crt"
refused() { # fragment curl-args...: the request is refused and logged so
	local fragment=$1
	shift
	curl -s -o /dev/null --max-time 5 "$@" >/dev/null 2>&1
	wait_log tls "connection from 127\.0\.0\.1:[0-9]+ (denied|closed): .*$(sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$fragment")"
	grep -qF -- "$fragment" "$doc" || t_fail "docs/operations.md does not explain: $fragment"
	n=$((n + 1))
}
refused "certificate is not signed by a trusted CA" --cacert "$d/ca/ca.crt" \
	--cert "$d/stranger/client.crt" --key "$d/stranger/client.key" "$url/gossip"
refused "certificate has expired" --cacert "$d/ca/ca.crt" \
	--cert "$d/old/client.crt" --key "$d/old/client.key" "$url/gossip"
refused "not a TLS ClientHello (plain HTTP on the TLS port?)" "http://127.0.0.1:$tport/gossip"
refused 'does not match the reserved node CN' --cacert "$d/ca/ca.crt" \
	--cert "$d/web/client.crt" --key "$d/web/client.key" \
	-X POST -H 'Content-Type: application/json' -d '{}' "$url/gossip"
refused "no client certificate was presented" --cacert "$d/ca/ca.crt" \
	-X POST -H 'Content-Type: application/json' -d '{}' "$url/gossip"

t_log "$n documented errors checked"
t_pass
