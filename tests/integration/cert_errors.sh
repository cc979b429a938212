#!/usr/bin/env bash
# gossipd cert: every error is one clear line on stderr, exit 1 for
# failures and 2 for usage, and writes nothing.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

G=$GOSSIPD_BIN
P=$T_DIR
"$G" cert create-ca -out "$P/ca" >/dev/null || t_fail "create-ca"
"$G" cert create-ca -out "$P/ca2" >/dev/null || t_fail "create-ca 2"
CA=(-ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca/ca.key")

# expect CODE MESSAGE ARGS...: runs gossipd cert ARGS in an empty
# directory and checks the exit code, the one stderr line and no output.
n=0
expect() {
	local code=$1 msg=$2
	shift 2
	n=$((n + 1))
	local dir=$P/run$n
	mkdir -p "$dir"
	local err rc
	err=$(cd "$dir" && "$G" cert "$@" 2>&1 >/dev/null)
	rc=$?
	assert_eq "$code" "$rc" "exit code of: $*"
	assert_contains "$err" "$msg" "message of: $*"
	assert_eq 1 "$(printf '%s\n' "$err" | wc -l)" "stderr lines of: $* ($err)"
	assert_eq 0 "$(find "$dir" -mindepth 1 | wc -l)" "files written by: $*"
}

expect 1 "cannot read CA certificate $P/nope.crt: No such file or directory" \
	create-node -ca-certificate "$P/nope.crt" -ca-key "$P/ca/ca.key" -ip-addresses 127.0.0.1
expect 1 "cannot read CA certificate ./ca/ca.crt" create-node -ip-addresses 127.0.0.1
echo "not a certificate" >"$P/junk.crt"
expect 1 "CA certificate $P/junk.crt:" \
	create-node -ca-certificate "$P/junk.crt" -ca-key "$P/ca/ca.key" -ip-addresses 127.0.0.1
mkfifo "$P/fifo.crt"
expect 1 "CA certificate $P/fifo.crt is not a regular file" \
	create-node -ca-certificate "$P/fifo.crt" -ca-key "$P/ca/ca.key" -ip-addresses 127.0.0.1
expect 1 "CA key $P is not a regular file" \
	create-node -ca-certificate "$P/ca/ca.crt" -ca-key "$P" -ip-addresses 127.0.0.1
expect 1 "CA key $P/ca2/ca.key does not match the CA certificate $P/ca/ca.crt" \
	create-node -ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca2/ca.key" -ip-addresses 127.0.0.1
expect 1 "CA key $P/ca2/ca.key does not match" \
	create-client -ca-certificate "$P/ca/ca.crt" -ca-key "$P/ca2/ca.key" -common-name c
"$G" cert create-node "${CA[@]}" -out "$P/leaf" -ip-addresses 127.0.0.1 >/dev/null ||
	t_fail "create-node"
expect 1 "$P/leaf/node.crt is not a CA certificate" \
	create-node -ca-certificate "$P/leaf/node.crt" -ca-key "$P/leaf/node.key" -ip-addresses 127.0.0.1
chmod 000 "$P/ca2/ca.key"
if ! [ -r "$P/ca2/ca.key" ]; then # root reads anything
	expect 1 "cannot read CA key" create-node -ca-certificate "$P/ca2/ca.crt" \
		-ca-key "$P/ca2/ca.key" -ip-addresses 127.0.0.1
fi

expect 2 'bad IP address "1.2.3" in -ip-addresses' create-node "${CA[@]}" -ip-addresses 1.2.3
expect 2 'bad IP address "localhost" in -ip-addresses' create-node "${CA[@]}" -ip-addresses 127.0.0.1,localhost
expect 2 'bad -ip-addresses "1.1.1.1,,2.2.2.2"' create-node "${CA[@]}" -ip-addresses 1.1.1.1,,2.2.2.2
expect 2 'bad DNS name "bad_name" in -dns-names' create-node "${CA[@]}" -dns-names bad_name
expect 2 'bad -days "0"' create-node "${CA[@]}" -ip-addresses 127.0.0.1 -days 0
expect 2 'bad -days "-5"' create-ca -days -5
expect 2 'bad -days "ten"' create-ca -days ten
expect 2 'unknown flag "-bogus"' create-ca -bogus
expect 2 'unknown flag "--no-such-flag=1"' create-ca --no-such-flag=1
expect 2 'flag -ip-addresses does not apply to create-ca' create-ca --ip-addresses 1.1.1.1
expect 2 'flag -eku does not apply to create-client' create-client -common-name c -eku server
expect 2 'flag -out needs a value' create-ca -out
expect 2 'flag -force takes no value' create-ca -force=yes
expect 2 'unexpected argument "extra"' create-ca extra
expect 2 "a node certificate needs -ip-addresses and/or -dns-names: peers check the address they dial" \
	create-node "${CA[@]}"
expect 2 '-common-name is required' create-client "${CA[@]}"
expect 2 'bad -key-type "dsa": ec or rsa' create-ca -key-type dsa
expect 2 'bad -rsa-bits "1024"' create-ca -key-type rsa -rsa-bits 1024
expect 2 '-rsa-bits needs -key-type rsa' create-ca -rsa-bits 4096
expect 2 'bad -eku "web"' create-node "${CA[@]}" -ip-addresses 127.0.0.1 -eku web
expect 2 'bad -not-before "2026-01-01"' create-ca -not-before 2026-01-01
expect 2 'bad -not-after "20261301000000"' create-ca -not-after 20261301000000
expect 1 'not-after (20200101000000) is not after not-before (20210101000000)' \
	create-ca -not-before 20210101000000 -not-after 20200101000000
expect 2 'an intermediate CA needs both -ca-certificate and -ca-key' \
	create-ca -ca-certificate "$P/ca/ca.crt"
expect 2 'unknown command "create-user"' create-user
long=$(printf 'x%.0s' $(seq 1 65))
expect 2 '-common-name must be 1 to 64 bytes' create-ca -common-name "$long"

expect 2 "gossipd cert: which command? create-ca, create-node, create-client, inspect or list"
t_pass
