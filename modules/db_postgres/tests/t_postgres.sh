#!/bin/bash
# t_postgres.sh - the database layer with the PostgreSQL driver against a
# real PostgreSQL 15 server the test starts in a temp dir.
#
# Proves (DESIGN.md "Data"; issue 3 "a lost PostgreSQL connection is
# reconnected; queries during the outage fail cleanly to the script";
# SDK junction/db.h):
#  - scripts/db-setup.sh applies the schema twice (idempotent) with the
#    demo subscribers; a SELECT with $1/$2 finds HA1 = MD5(user:realm:pw)
#    (RFC 7616 3.4.2); no row -> false -> 404;
#  - 40 requests suspended on pg_sleep queries are all answered while
#    OPTIONS is answered at once (libpq non-blocking on the SIP loop);
#  - sql.tx with a failing statement rolls back the statements before it;
#    a good one commits;
#  - server stopped: queries fail at once (503, "connection lost"), no
#    hang, no crash, OPTIONS still answered; server started again: queries
#    succeed again after the reconnect (back-off <= 5 s).
. "$(dirname "$0")/../../../test/integration/lib.sh"
. "$(dirname "$0")/pg.sh"

jn_ports
pg_init "$PORT4"
"$JN_ROOT/scripts/db-setup.sh" postgres "$PG_URL" --demo 127.0.0.1 >/dev/null || fail "db-setup.sh postgres"
"$JN_ROOT/scripts/db-setup.sh" postgres "$PG_URL" --demo 127.0.0.1 >/dev/null ||
	fail "db-setup.sh postgres run twice (must be idempotent)"
psqlq() { psql -X -q -t -A "$PG_URL" -c "$1"; }
assert_eq "$(psqlq "SELECT count(*) FROM subscriber")" 20 "demo subscribers after two db-setup runs"
psqlq "CREATE TABLE t (k TEXT PRIMARY KEY)"

jn_script <<'EOF'
# t_postgres
request {
    if (method == "OPTIONS") { reply(200, "OK"); exit; }
    if (ruri.user == "sleep") {
        if (sql.query("main", "SELECT pg_sleep(0.05), $1::text AS v", call_id)) {
            reply(200, "slept " + sql.value("v"));
        } else {
            reply(503, "db error");
        }
        exit;
    }
    if (ruri.user == "txbad") {
        if (sql.tx("main", "INSERT INTO t VALUES ('a')", "INSERT INTO t VALUES ('b')", "INSERT INTO t VALUES ('a')")) {
            reply(200, "committed");
        } else {
            reply(503, "rolled back: " + sql.error);
        }
        exit;
    }
    if (ruri.user == "txgood") {
        if (sql.tx("main", "INSERT INTO t VALUES ('c')", "INSERT INTO t VALUES ('d')", "SELECT count(*) AS n FROM t")) {
            reply(200, "committed " + sql.value("n") + " affected " + sql.affected);
        } else {
            reply(503, "rolled back: " + sql.error);
        }
        exit;
    }
    if (sql.query("main", "SELECT ha1_md5 FROM subscriber WHERE username = $1 AND domain = $2", ruri.user, "127.0.0.1")) {
        reply(200, "ha1 " + sql.value("ha1_md5"));
        exit;
    }
    if (sql.rows == 0 && sql.error == "") { reply(404, "unknown"); exit; }
    reply(503, "db error " + sql.error);
}
EOF
jn_config - <<EOF
modules:
  - name: db_postgres
  - name: sql
    params:
      connections:
        main: "$PG_URL"
EOF
jn_start

msg() { # user -> first status line
	cat >"$T/m.sip" <<EOF
MESSAGE sip:$1@127.0.0.1:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag={tag}
To: <sip:$1@127.0.0.1>
Call-ID: {callid}
CSeq: 1 MESSAGE
Content-Length: 0

EOF
	siptool send --port "$JN_PORT" --file "$T/m.sip" --wait "$((5 * JN_SLOW))" --expect 1 | head -n 1
}

note "lookup with parameters"
md5=$(printf '1007:127.0.0.1:1234' | md5sum | cut -d' ' -f1)
line=$(msg 1007)
assert_match "$line" "^SIP/2\.0 200 ha1 $md5" "SELECT by \$1/\$2"
line=$(msg 9999)
assert_match "$line" '^SIP/2\.0 404 unknown' "no row -> false"

note "40 suspended queries; OPTIONS answered meanwhile"
jn_render "$JN_SIPP_DIR/uac.xml" "$T/q.xml" METHOD=MESSAGE \
	"RURI=sip:sleep@[remote_ip]:[remote_port]" STATUS=200 REASON_RE="slept [-0-9a-zA-Z@.]+"
jn_sipp q -sf "$T/q.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -r 100 -l 100 -m 40 "127.0.0.1:$JN_PORT" &
QPID=$!
sleep 0.5
t1=$(now)
opt=$(siptool send --port "$JN_PORT" --wait 3 --expect 1 | head -n 1)
optt=$(elapsed "$t1" "$(now)")
wait "$QPID" || true
assert_match "$opt" '^SIP/2\.0 200' "OPTIONS while 40 queries are queued"
note "OPTIONS answered in $optt s while the queries ran"
assert_lt "$optt" "$(python3 -c "print(0.35 * $JN_SLOW)")" "OPTIONS answer time during the queries"
assert_eq "$(sipp_stat q SuccessfulCall)" 40 "requests answered after their query"
assert_eq "$(sipp_stat q FailedCall)" 0 "failed requests"

note "transactions"
line=$(msg txbad)
assert_match "$line" '^SIP/2\.0 503 rolled back: statement 3: .*duplicate key' "failing statement 3 -> rollback"
assert_eq "$(psqlq "SELECT count(*) FROM t")" 0 "rows of statements 1-2 rolled back"
line=$(msg txgood)
assert_match "$line" '^SIP/2\.0 200 committed 2 affected 2' "good transaction commits"
assert_eq "$(psqlq "SELECT string_agg(k, ',' ORDER BY k) FROM t")" "c,d" "committed rows"

note "outage: server stopped"
pg_stop
sleep 0.3
t1=$(now)
line=$(msg 1007)
took=$(elapsed "$t1" "$(now)")
assert_match "$line" '^SIP/2\.0 503 db error database connection lost, reconnecting' "query during the outage"
assert_lt "$took" "$(python3 -c "print(1.0 * $JN_SLOW)")" "time to fail a query during the outage (s)"
line=$(msg 1008)
assert_match "$line" '^SIP/2\.0 503 db error database connection lost' "second query during the outage"
opt=$(siptool send --port "$JN_PORT" --wait 3 --expect 1 | head -n 1)
assert_match "$opt" '^SIP/2\.0 200' "OPTIONS during the outage"
jn_alive || fail "junctiond died during the outage"
assert_file_match "$JN_LOG" 'connection lost' "the loss is logged"

note "server back: reconnect"
pg_start
t1=$(now)
ok=
for ((i = 0; i < 40; i++)); do
	line=$(msg 1007)
	if printf '%s' "$line" | grep -q "^SIP/2\.0 200 ha1 $md5"; then ok=1; break; fi
	sleep 0.25
done
took=$(elapsed "$t1" "$(now)")
[ -n "$ok" ] || fail "queries still failing 10 s after the server came back: $line"
note "queries work again $took s after the server restarted"
assert_lt "$took" "$((7 * JN_SLOW))" "reconnect delay (s)"
assert_file_match "$JN_LOG" 'connected' "the reconnect is logged"

jn_stop
pg_stop
echo "PASS: $TEST_NAME"
