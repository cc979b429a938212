#!/usr/bin/env bash
# Certificates gossipd makes are unambiguous and conformant:
# - two "gossipd cert create-ca" runs give different subjects;
# - every certificate made (root, intermediate, node, client) carries
#   subject and authority key identifiers (the AKI is its issuer's SKI);
# - ECDSA signature algorithm identifiers carry no parameters (RFC 5758
#   section 3.2): openssl asn1parse shows no NULL after ecdsa-with-SHA256,
#   and python3-cryptography loads each with warnings as errors;
# - CA rotation with a CRL works: old and new CA trusted, a CRL of the old
#   CA revoking one old-CA node: new-CA nodes and the other old-CA node
#   are served, the revoked one refused. The same with two CAs that share
#   their name (-common-name): each CRL is bound to its signer's key.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init
G=$GOSSIPD_BIN
P="$T_DIR/pki"

"$G" cert create-ca -out "$P/old" >/dev/null || t_fail "create-ca old"
"$G" cert create-ca -out "$P/new" >/dev/null || t_fail "create-ca new"
s_old=$(openssl x509 -in "$P/old/ca.crt" -noout -subject)
s_new=$(openssl x509 -in "$P/new/ca.crt" -noout -subject)
[ "$s_old" != "$s_new" ] || t_fail "two create-ca runs gave the same subject: $s_old"
assert_contains "$s_old" "subject=CN = gossipd CA $(date -u +%Y-)" "default CA subject"
t_log "CA subjects: $s_old / $s_new"

node() { # CA NAME IP
	"$G" cert create-node -ca-certificate "$P/$1/ca.crt" -ca-key "$P/$1/ca.key" \
		-out "$P/$2" -ip-addresses "$3" -dns-names localhost >/dev/null ||
		t_fail "create-node $2"
}
node old a 127.0.0.1
node new b 127.0.0.1
node old c 127.0.0.1
node old r 127.0.0.1
"$G" cert create-client -ca-certificate "$P/new/ca.crt" -ca-key "$P/new/ca.key" \
	-out "$P/cl" -common-name web-client >/dev/null || t_fail "create-client"
"$G" cert create-ca -out "$P/int" -ca-certificate "$P/new/ca.crt" \
	-ca-key "$P/new/ca.key" >/dev/null || t_fail "create-ca intermediate"
"$G" cert create-ca -out "$P/rsa" -key-type rsa >/dev/null || t_fail "create-ca rsa"

made=("$P/old/ca.crt" "$P/new/ca.crt" "$P/a/node.crt" "$P/b/node.crt"
	"$P/cl/client.crt" "$P/int/ca.crt")
for f in "${made[@]}"; do
	openssl asn1parse -in "$f" >"$T_DIR/asn1" || t_fail "asn1parse $f"
	[ "$(grep -c ':ecdsa-with-SHA256' "$T_DIR/asn1")" = 2 ] ||
		t_fail "$f: two ecdsa-with-SHA256 identifiers expected"
	if grep -A1 ':ecdsa-with-SHA256' "$T_DIR/asn1" | grep -q 'prim: NULL'; then
		t_fail "$f: NULL parameters after ecdsa-with-SHA256"
	fi
	openssl x509 -in "$f" -noout -ext subjectKeyIdentifier,authorityKeyIdentifier \
		>"$T_DIR/ext" 2>&1 || t_fail "$f: extensions"
	grep -q "Subject Key Identifier" "$T_DIR/ext" || t_fail "$f: no subject key identifier"
	grep -q "Authority Key Identifier" "$T_DIR/ext" || t_fail "$f: no authority key identifier"
done
# RSA keeps its NULL (RFC 4055)
openssl asn1parse -in "$P/rsa/ca.crt" | grep -A1 ':sha256WithRSAEncryption' | grep -q 'prim: NULL' ||
	t_fail "RSA signature identifier without its NULL"
openssl verify -CAfile "$P/new/ca.crt" -untrusted "$P/int/ca.crt" "$P/b/node.crt" >/dev/null ||
	t_fail "openssl does not verify the rewritten signatures"

py=$(python_with cryptography)
"$py" -W error - "${made[@]}" <<'PY' || t_fail "python3-cryptography: see above"
import sys
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

certs = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        c = x509.load_pem_x509_certificate(f.read())
    der = c.public_bytes(Encoding.DER)
    assert bytes.fromhex("06082a8648ce3d040302" "0500") not in der, path
    assert c.signature_algorithm_oid.dotted_string == "1.2.840.10045.4.3.2", path
    ski = c.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = c.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    certs[path] = (c, ski.digest, aki.key_identifier)
by_subject = {c.subject: ski for c, ski, _ in certs.values()}
for path, (c, ski, aki) in certs.items():
    assert aki == by_subject[c.issuer], path + ": AKI is not the issuer's SKI"
PY

# CA rotation with a CRL of the old CA (openssl ca over its key).
revoke_crl() { # CADIR CERT OUT
	local d=$1/db
	mkdir -p "$d"
	[ -f "$d/index.txt" ] || { : >"$d/index.txt"; echo 01 >"$d/crlnumber"; }
	printf '%s\n' "[ca]" "default_ca = x" "[x]" "database = $d/index.txt" \
		"crlnumber = $d/crlnumber" "default_md = sha256" "default_crl_days = 30" >"$d/ca.cnf"
	openssl ca -config "$d/ca.cnf" -cert "$1/ca.crt" -keyfile "$1/ca.key" -revoke "$2" \
		>/dev/null 2>&1 || t_fail "openssl ca -revoke"
	openssl ca -config "$d/ca.cnf" -cert "$1/ca.crt" -keyfile "$1/ca.key" -gencrl \
		-out "$3" >/dev/null 2>&1 || t_fail "openssl ca -gencrl"
}
rotation() { # OLD NEW (CA directories): old-CA a,c,r; new-CA b
	local tag=$1_$2
	mkdir -p "$T_DIR/trust-$tag"
	cp "$P/$1/ca.crt" "$T_DIR/trust-$tag/old.crt"
	cp "$P/$2/ca.crt" "$T_DIR/trust-$tag/new.crt"
	serve_on_free_port "n_$tag" https --certificate-file "$P/$2b/node.crt" \
		--certificate-private-key-file "$P/$2b/node.key" \
		--trusted-root-certificates-path "$T_DIR/trust-$tag" \
		--certificate-revocation-list-file "$P/$1/crl.pem"
	local who code
	for who in "$2b:200" "$1a:200" "$1c:200" "$1r:000"; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
			--cacert "$P/$2/ca.crt" --cert "$P/${who%%:*}/node.crt" \
			--key "$P/${who%%:*}/node.key" "https://127.0.0.1:$port/admin/member")
		assert_eq "${who#*:}" "$code" "rotation $tag: GET /admin/member as ${who%%:*}"
	done
	wait_log "n_$tag" "denied: certificate has been revoked"
}
# distinct names (the default): the node directories are old+a etc.
for n in a c r; do mv "$P/$n" "$P/old$n"; done
mv "$P/b" "$P/newb"
revoke_crl "$P/old" "$P/oldr/node.crt" "$P/old/crl.pem"
rotation old new

# the same name for both CAs
"$G" cert create-ca -out "$P/same1" -common-name "gossipd CA" >/dev/null || t_fail "create-ca same1"
"$G" cert create-ca -out "$P/same2" -common-name "gossipd CA" >/dev/null || t_fail "create-ca same2"
for n in a c r; do
	"$G" cert create-node -ca-certificate "$P/same1/ca.crt" -ca-key "$P/same1/ca.key" \
		-out "$P/same1$n" -ip-addresses 127.0.0.1 >/dev/null || t_fail "create-node same1$n"
done
"$G" cert create-node -ca-certificate "$P/same2/ca.crt" -ca-key "$P/same2/ca.key" \
	-out "$P/same2b" -ip-addresses 127.0.0.1 >/dev/null || t_fail "create-node same2b"
revoke_crl "$P/same1" "$P/same1r/node.crt" "$P/same1/crl.pem"
rotation same1 same2
t_pass
