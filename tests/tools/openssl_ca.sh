# tests/tools/openssl_ca.sh: a small CA made with openssl alone (an
# independent PKI, not "gossipd cert"), with revocation and CRLs through
# "openssl ca". Sourced by the tests after tests/lib.sh.
#
#   oca_init DIR [TAG]              EC root CA in DIR (ca.crt, ca.key); TAG
#                                   in its name tells two roots apart
#   oca_node DIR NAME CN IP [END]   node certificate DIR/NAME.crt/.key
#                                   (IP SAN, digitalSignature +
#                                   keyAgreement, serverAuth + clientAuth);
#                                   END: notAfter as YYYYMMDDHHMMSSZ
#   oca_int DIR NAME [END]          intermediate CA DIR/NAME.crt/.key signed
#                                   by the root (END: notAfter as
#                                   YYYYMMDDHHMMSSZ); ossl_node (tests/lib.sh)
#                                   with CA NAME makes certificates it signs
#   oca_serve NODE DIR NAME ARGS... starts node NODE on 127.0.0.1 and a free
#                                   port ($port) with DIR/NAME's certificate,
#                                   DIR's root and reserved CN *.cluster.test
#   oca_revoke DIR NAME             puts NAME's certificate on the list
#   oca_crl DIR OUT [SECONDS]       writes a CRL of what is revoked, atomically
#                                   (nextUpdate SECONDS from now; default a day)

oca_init() {
	local dir=$1
	mkdir -p "$dir/new"
	: >"$dir/index.txt"
	echo 1000 >"$dir/serial"
	echo 01 >"$dir/crlnumber"
	cat >"$dir/ca.cnf" <<CNF
[ ca ]
default_ca = oca
[ oca ]
dir = $dir
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/new
certificate = $dir/ca.crt
private_key = $dir/ca.key
default_md = sha256
default_days = 2
default_crl_days = 1
unique_subject = no
policy = oca_policy
copy_extensions = none
[ oca_policy ]
commonName = supplied
CNF
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" -days 3 \
		-subj "/CN=oca test root $$${2:+ $2}" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-addext subjectKeyIdentifier=hash >>"$dir/openssl.out" 2>&1 ||
		t_fail "openssl: CA in $dir"
	chmod 600 "$dir/ca.key"
}

oca_node() {
	local dir=$1 name=$2 cn=$3 ip=$4 end=${5:-}
	local when=()
	[ -n "$end" ] && when=(-enddate "$end")
	printf '%s\n' "subjectAltName=IP:$ip" \
		"keyUsage=critical,digitalSignature,keyAgreement" \
		"extendedKeyUsage=serverAuth,clientAuth" \
		"authorityKeyIdentifier=keyid" >"$dir/$name.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$cn" \
		>>"$dir/openssl.out" 2>&1 || t_fail "openssl: request $name"
	openssl ca -batch -notext -config "$dir/ca.cnf" -in "$dir/$name.csr" \
		-out "$dir/$name.crt" -extfile "$dir/$name.ext" "${when[@]}" \
		>>"$dir/openssl.out" 2>&1 ||
		t_fail "openssl ca: $name: $(tail -n 3 "$dir/openssl.out")"
	chmod 600 "$dir/$name.key"
}

oca_int() {
	local dir=$1 name=$2 end=${3:-}
	local when=()
	[ -n "$end" ] && when=(-enddate "$end")
	printf '%s\n' basicConstraints=critical,CA:TRUE \
		keyUsage=critical,keyCertSign,cRLSign subjectKeyIdentifier=hash \
		authorityKeyIdentifier=keyid >"$dir/$name.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" \
		-subj "/CN=oca test intermediate $name $$" \
		>>"$dir/openssl.out" 2>&1 || t_fail "openssl: request $name"
	openssl ca -batch -notext -config "$dir/ca.cnf" -in "$dir/$name.csr" \
		-out "$dir/$name.crt" -extfile "$dir/$name.ext" "${when[@]}" \
		>>"$dir/openssl.out" 2>&1 ||
		t_fail "openssl ca: $name: $(tail -n 3 "$dir/openssl.out")"
	chmod 600 "$dir/$name.key"
}

oca_revoke() {
	openssl ca -batch -config "$1/ca.cnf" -revoke "$1/$2.crt" \
		>>"$1/openssl.out" 2>&1 || t_fail "openssl ca: revoke $2"
}

oca_crl() {
	local due=()
	[ -n "${3:-}" ] && due=(-crlsec "$3")
	openssl ca -batch -config "$1/ca.cnf" -gencrl "${due[@]}" -out "$2.new" \
		>>"$1/openssl.out" 2>&1 || t_fail "openssl ca: CRL"
	mv "$2.new" "$2"
}

oca_serve() {
	local node=$1 dir=$2 name=$3
	shift 3
	serve_on_free_port "$node" https --node-ip 127.0.0.1 \
		--certificate-file "$dir/$name.crt" \
		--certificate-private-key-file "$dir/$name.key" \
		--trusted-root-certificates-path "$dir/ca.crt" \
		--certificate-reserved-node-common-name '*.cluster.test' "$@"
}
