#!/usr/bin/env bash
# Revocation reaches what is already open. With an independent openssl
# PKI, node b holds one keep-alive connection to a and asks a node-only
# endpoint (GET /admin/member) every 200 ms; node c does the same. b's
# certificate goes on a's CRL and a reloads (SIGHUP). Then:
# - b loses its node rights within a second of the reload: no answer 200
#   to b after that, its connection is closed, with one log line
#   "connection from 127.0.0.2:P closed: certificate has been revoked
#   (reload)", and a new handshake with b's certificate is refused;
# - c, still trusted, keeps its one connection and every answer is 200.
. "$GOSSIPD_SRC/tests/lib.sh"
. "$GOSSIPD_SRC/tests/tools/openssl_ca.sh"
command -v openssl >/dev/null 2>&1 || t_skip "openssl is not installed"
command -v python3 >/dev/null 2>&1 || t_skip "python3 is not installed"
t_init
P="$T_DIR/pki"
oca_init "$P"
oca_node "$P" a a.cluster.test 127.0.0.1
oca_node "$P" b b.cluster.test 127.0.0.2
oca_node "$P" c c.cluster.test 127.0.0.3
oca_crl "$P" "$T_DIR/crl.pem"

oca_serve a "$P" a --certificate-revocation-list-file "$T_DIR/crl.pem"

client() { # NAME: keeps a connection with NAME's certificate from 127.0.0.x
	local ip
	ip=$(openssl x509 -in "$P/$1.crt" -noout -ext subjectAltName | grep -oE '127\.[0-9.]+')
	python3 "$GOSSIPD_SRC/tests/tools/keepalive.py" --port "$port" \
		--path /admin/member --ca "$P/ca.crt" --cert "$P/$1.crt" \
		--key "$P/$1.key" --bind "$ip" --interval 0.2 --count 150 \
		--stop "$T_DIR/stop" >"$T_DIR/$1.out" 2>"$T_DIR/$1.err" &
	T_PIDS+=($!)
}
client b
client c
ok_count() { grep -c " 200 1$" "$T_DIR/$1.out" 2>/dev/null; }
wait_for 15 bash -c "[ \$(grep -c ' 200 1\$' '$T_DIR/b.out') -ge 5 ] && [ \$(grep -c ' 200 1\$' '$T_DIR/c.out') -ge 5 ]" ||
	t_fail "the clients were not served as nodes: b: $(tail -n 2 "$T_DIR/b.out" "$T_DIR/b.err"); c: $(tail -n 2 "$T_DIR/c.out")"

oca_revoke "$P" b
oca_crl "$P" "$T_DIR/crl.pem"
reloads=$(log_count a 'configuration reloaded')
kill -HUP "$PID_a"
reloaded() { [ "$(log_count a 'configuration reloaded')" -gt "$reloads" ]; }
wait_for 10 reloaded || t_fail "no reload after SIGHUP"
t_reload=$EPOCHREALTIME # the reload is done by now
[ "$(log_count a 'reload failed')" = 0 ] || t_fail "the reload failed"

# b's next answers are refusals or errors; wait for the first.
lost() { awk '$2 != "200"' "$T_DIR/b.out" | grep -q .; }
wait_for 5 lost || t_fail "b kept its node rights after the reload: $(tail -n 3 "$T_DIR/b.out")"
wait_log a 'connection from 127\.0\.0\.2:[0-9]+ closed: certificate has been revoked \(reload\)' 5
# A few more rounds of both clients, then stop them.
n_c=$(wc -l <"$T_DIR/c.out")
wait_for 10 bash -c "[ \$(wc -l <'$T_DIR/c.out') -ge $((n_c + 5)) ]" || t_fail "c stopped"
touch "$T_DIR/stop"

last_ok=$(awk '$2 == "200" {t = $1} END {print t}' "$T_DIR/b.out")
first_lost=$(awk '$2 != "200" {print $1; exit}' "$T_DIR/b.out")
late=$(awk -v t="$t_reload" '$2 == "200" && $1 > t + 1.0' "$T_DIR/b.out" | wc -l)
assert_eq 0 "$late" "answers 200 to the revoked node b more than 1 s after the reload"
assert_eq 1 "$(log_count a 'closed: certificate has been revoked \(reload\)')" \
	"log lines for closed connections (only b's)"
# A new handshake with b's certificate is refused.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$P/ca.crt" \
	--cert "$P/b.crt" --key "$P/b.key" --interface 127.0.0.2 \
	"https://127.0.0.1:$port/admin/member")
assert_eq 000 "$code" "a new connection with b's revoked certificate"
# c: one connection all along, every answer 200.
bad_c=$(awk '$2 != "200" || $3 != 1' "$T_DIR/c.out" | wc -l)
assert_eq 0 "$bad_c" "answers to c not 200, or on another connection"
t_log "b: last 200 at $last_ok, first refusal at $first_lost, reload seen at $t_reload; c: $(wc -l <"$T_DIR/c.out") answers on one connection"
t_pass
