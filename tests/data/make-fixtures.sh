#!/usr/bin/env bash
# make-fixtures.sh OUTDIR: a throw-away PKI for the tls_creds, pkcs and
# node_auth unit tests, made fresh at test time with OpenSSL 3 so that no
# committed certificate can expire.
#
# OUTDIR/
#   ca.crt ca.key            root CA (EC P-256), self-signed
#   int.crt int.key          intermediate CA signed by the root
#   node1.*                  node: CN node1.cluster.test, by the intermediate,
#                            SAN DNS node1.cluster.test, DNS *.wild.cluster.test,
#                            IP 127.0.0.1, IP ::1; KU+EKU for server and client
#   node1-bundle.pem         node1.crt + int.crt
#   node2.*                  RSA node (PKCS#1 key), by the root, CN node2.cluster.test
#   nosan, serveronly, kusign, client, wildcn, soon, expired, revoked,
#   future, twocn (CN web-client and CN node12.cluster.test): certificates
#   (by the root) for the individual rules
#   crl.pem crl.der          the root's CRL, revoking revoked.crt
#   stalecrl.pem             the root's CRL revoking revoked.crt, past its
#                            nextUpdate
#   other.crt othercrl.pem   a root trusted nowhere, and its CRL
#   same.crt samecrl.pem     a root named like ours with another key, its
#   samenode.crt             CRL, a node it signed; trust-same.pem: both roots
#   keys: node1.key (SEC1), node1-p8.key (PKCS#8), node1-aes.key (PBES2
#   AES-256-CBC), node1-aes128.key, node1-des3v2.key (PBES2 3DES),
#   node1-3des.key (PBE-SHA1-3DES), node1-trad.key (PEM DEK-Info AES),
#   node2.key (RSA PKCS#1), node2-aes.key (PBES2 AES RSA PKCS#8)
#   p12: node1.p12 (OpenSSL 3 default), node1-legacy.p12 (-legacy: RC2 +
#   3DES + SHA-1 MAC), node1-3des.p12 (3DES for both), node1-nomac.p12,
#   node2.p12 (RSA, default)
#   password of every encrypted file: "test-pass"
set -euo pipefail

out=${1:?usage: make-fixtures.sh OUTDIR}
mkdir -p "$out"
cd "$out"
umask 077
pw=pass:test-pass

ossl() { openssl "$@" 2>/dev/null; }

eckey() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-pkeyopt ec_param_enc:named_curve | ossl ec -out "$1"; }

cat >ext.cnf <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[node1]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:node1.cluster.test, DNS:*.wild.cluster.test, IP:127.0.0.1, IP:::1
[node2]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:node2.cluster.test, IP:127.0.0.2
[nosan]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, clientAuth
[serveronly]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:node4.cluster.test
[kusign]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:node5.cluster.test
[client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:web-client
[iponly]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = clientAuth, serverAuth
subjectAltName = IP:127.0.0.3
[emailsan]
basicConstraints = CA:FALSE
subjectAltName = email:ops@cluster.test, URI:https://node11.cluster.test/
[twocn]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:node12.cluster.test
[plain]
basicConstraints = CA:FALSE
subjectAltName = DNS:node6.cluster.test, IP:127.0.0.1
EOF

# Root and intermediate.
eckey ca.key
ossl req -new -x509 -key ca.key -subj "/CN=gossipd test root" -days 3650 \
	-config ext.cnf -extensions ca -out ca.crt
eckey int.key
ossl req -new -config ext.cnf -key int.key \
	-subj "/CN=gossipd test intermediate" -out int.csr
ossl x509 -req -in int.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	-days 3000 -extfile ext.cnf -extensions ca -out int.crt

# sign NAME CN SECTION ISSUER DAYS
sign() {
	ossl req -new -config ext.cnf -key "$1.key" -subj "/CN=$2" -out "$1.csr"
	ossl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" \
		-CAcreateserial -days "$5" -extfile ext.cnf -extensions "$3" \
		-out "$1.crt"
}

eckey node1.key
sign node1 node1.cluster.test node1 int 825

# An intermediate that ends long before the node certificate it signed.
eckey shortint.key
ossl req -new -config ext.cnf -key shortint.key \
	-subj "/CN=gossipd short intermediate" -out shortint.csr
ossl x509 -req -in shortint.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	-days 20 -extfile ext.cnf -extensions ca -out shortint.crt
eckey shortleaf.key
sign shortleaf node1.cluster.test node1 shortint 100
cat shortleaf.crt shortint.crt >shortleaf-bundle.pem
cat node1.crt int.crt >node1-bundle.pem
cat node1.crt ca.crt >node1-rootinbundle.pem

ossl genrsa -traditional -out node2.key 2048
sign node2 node2.cluster.test node2 ca 825

for n in nosan:node3 serveronly:node4 kusign:node5 client:web-client \
	wildcn:'*.cluster.test' soon:node7.cluster.test iponly:node10 \
	emailsan:node11; do
	name=${n%%:*}
	cn=${n#*:}
	case $cn in node[0-9] | node[0-9][0-9]) cn=$cn.cluster.test ;; esac
	eckey "$name.key"
	case $name in
	wildcn | soon) sect=plain ;;
	*) sect=$name ;;
	esac
	days=825
	[ "$name" = soon ] && days=10
	sign "$name" "$cn" "$sect" ca "$days"
done

# Two subject CNs, the node's last (where "the last CN wins" would
# have made it a node).
eckey twocn.key
ossl req -new -config ext.cnf -key twocn.key \
	-subj "/CN=web-client/CN=node12.cluster.test" -out twocn.csr
ossl x509 -req -in twocn.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	-days 825 -extfile ext.cnf -extensions twocn -out twocn.crt

# openssl ca for explicit dates and the CRL.
mkdir -p cadb
: >cadb/index.txt
echo 1000 >cadb/serial
echo 1000 >cadb/crlnumber
cat >ca.cnf <<EOF
[ca]
default_ca = root
[root]
dir = $PWD/cadb
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $PWD/ca.crt
private_key = $PWD/ca.key
default_md = sha256
default_crl_days = 3650
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:node9.cluster.test, IP:127.0.0.1
EOF
for n in expired revoked future; do
	[ -f "$n.key" ] || eckey "$n.key"
	ossl req -new -config ext.cnf -key "$n.key" -subj "/CN=$n.cluster.test" \
		-out "$n.csr"
done
ossl ca -batch -config ca.cnf -extensions leaf -in expired.csr \
	-startdate 20200101000000Z -enddate 20210101000000Z -out expired.crt
ossl ca -batch -config ca.cnf -extensions leaf -in future.csr \
	-startdate 20990101000000Z -enddate 20991231000000Z -out future.crt
ossl ca -batch -config ca.cnf -extensions leaf -in revoked.csr -days 825 \
	-out revoked.crt
ossl ca -batch -config ca.cnf -revoke revoked.crt
ossl ca -batch -config ca.cnf -gencrl -out crl.pem
ossl crl -in crl.pem -outform DER -out crl.der

# gencrl NAME CA OUT [EXTRA...]: a CRL (nothing revoked) signed by CA
# (CA.crt, CA.key), with its own little database.
gencrl() {
	local d=$PWD/crldb-$1 ca=$2 out=$3
	shift 3
	mkdir -p "$d"
	: >"$d/index.txt"
	echo 01 >"$d/crlnumber"
	cat >"$d/ca.cnf" <<CNF
[ca]
default_ca = x
[x]
database = $d/index.txt
crlnumber = $d/crlnumber
certificate = $PWD/$ca.crt
private_key = $PWD/$ca.key
default_md = sha256
default_crl_days = 30
CNF
	ossl ca -batch -config "$d/ca.cnf" -gencrl -out "$out" "$@"
}

# Another root, trusted nowhere, and its CRL; a root with the very name
# of ours but another key (a CA rotated without a new name), a node
# certificate it signed, and its CRL; a stale CRL of our root.
eckey other.key
ossl req -new -x509 -key other.key -subj "/CN=gossipd other root" \
	-days 3650 -config ext.cnf -extensions ca -out other.crt
gencrl other other othercrl.pem
eckey same.key
ossl req -new -x509 -key same.key -subj "/CN=gossipd test root" \
	-days 3650 -config ext.cnf -extensions ca -out same.crt
eckey samenode.key
sign samenode node13.cluster.test node1 same 825
gencrl same same samecrl.pem
cat ca.crt same.crt >trust-same.pem
ossl ca -batch -config ca.cnf -gencrl -out stalecrl.pem \
	-crl_lastupdate "$(date -u -d '-2 days' +%Y%m%d%H%M%SZ)" \
	-crl_nextupdate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"

# Trust stores.
mkdir -p trust-dir trust-int
cp ca.crt trust-dir/root.pem
ossl x509 -in ca.crt -outform DER -out trust-dir/root-copy.der
echo "not a certificate" >trust-dir/README
cp int.crt trust-int/int.pem
mkdir -p trust-empty trust-bad
cp ca.crt trust-bad/root.crt
echo "-----BEGIN CERTIFICATE-----" >trust-bad/junk.pem
mkdir -p trust-many-bad
cp ca.crt trust-many-bad/root.crt
for i in 1 2 3 4 5 6 7 8; do echo junk >"trust-many-bad/junk$i.pem"; done
cat ca.crt int.crt >trust-both.pem

# Keys in every form.
ossl pkcs8 -topk8 -nocrypt -in node1.key -out node1-p8.key
ossl pkcs8 -topk8 -v2 aes-256-cbc -in node1.key -passout $pw -out node1-aes.key
ossl pkcs8 -topk8 -v2 aes-128-cbc -in node1.key -passout $pw \
	-out node1-aes128.key
ossl pkcs8 -topk8 -v2 des3 -in node1.key -passout $pw -out node1-des3v2.key
ossl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in node1.key -passout $pw \
	-out node1-3des.key
ossl ec -in node1.key -aes256 -passout $pw -out node1-trad.key
ossl pkcs8 -topk8 -v2 aes-256-cbc -in node2.key -passout $pw -out node2-aes.key
ossl pkcs8 -topk8 -nocrypt -in node1.key -outform DER -out node1-p8.der
ossl ec -in node1.key -outform DER -out node1-sec1.der

# PKCS#12.
ossl pkcs12 -export -in node1.crt -inkey node1.key -certfile int.crt \
	-passout $pw -out node1.p12
ossl pkcs12 -export -legacy -in node1.crt -inkey node1.key -certfile int.crt \
	-passout $pw -out node1-legacy.p12
ossl pkcs12 -export -in node1.crt -inkey node1.key -certfile int.crt \
	-certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 \
	-passout $pw -out node1-3des.p12
ossl pkcs12 -export -in node1.crt -inkey node1.key -certfile int.crt \
	-nomac -passout $pw -out node1-nomac.p12
# The intermediate first: load must still put the key's certificate first.
cat int.crt node1.crt >int-first.pem
ossl pkcs12 -export -in int-first.pem -inkey node1.key -passout $pw \
	-out node1-intfirst.p12
ossl pkcs12 -export -in node2.crt -inkey node2.key -passout $pw -out node2.p12
# For the pkcs unit test: a root inside, SHA-512 MAC, long, UTF-8 and
# empty passwords, no key at all.
ossl pkcs12 -export -in node1.crt -inkey node1.key -certfile trust-both.pem \
	-passout $pw -out node1-withroot.p12
cat node2.crt int.crt >node2-int.pem
ossl pkcs12 -export -in node1.crt -inkey node1.key -certfile node2-int.pem \
	-passout $pw -out node1-extra.p12
ossl pkcs12 -export -in node1.crt -inkey node1.key -macalg sha512 \
	-passout $pw -out node1-sha512.p12
ossl pkcs12 -export -in node1.crt -inkey node1.key \
	-passout pass:0123456789-0123456789-0123456789-0123456789 \
	-out node1-longpw.p12
ossl pkcs12 -export -legacy -in node1.crt -inkey node1.key \
	-passout pass:0123456789-0123456789-0123456789-0123456789 \
	-out node1-longpw-legacy.p12
ossl pkcs12 -export -in node1.crt -inkey node1.key -passout 'pass:pässwörd' \
	-out node1-utf8.p12
ossl pkcs12 -export -in node1.crt -inkey node1.key -passout pass: \
	-out node1-emptypw.p12
ossl pkcs12 -export -nokeys -in node1.crt -passout $pw -out nokey.p12
ossl pkcs8 -topk8 -v2 aes-192-cbc -v2prf hmacWithSHA512 -in node1.key \
	-passout $pw -out node1-aes192-sha512.key
ossl pkcs8 -topk8 -v2 camellia-256-cbc -in node1.key -passout $pw \
	-out node1-camellia.key
ossl pkcs8 -topk8 -scrypt -in node1.key -passout $pw -out node1-scrypt.key

rm -f ./*.csr ./*.srl
chmod 600 ./*.key ./*.p12
