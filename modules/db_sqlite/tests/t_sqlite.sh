#!/bin/bash
# t_sqlite.sh - the database layer with the SQLite driver, end to end:
# scripts/db-setup.sh creates the schema and demo subscribers, the sql
# module queries it from the routing script while the script is suspended.
#
# Proves (DESIGN.md "Data", "Suspension is in the design from day one";
# SDK junction/db.h, jn_db_query_suspend):
#  - a SELECT with $1/$2 parameters finds the demo subscriber and the
#    script replies with the stored HA1 (RFC 7616 3.4.2: MD5(user:realm:pw))
#    read by column name and by index; no row -> sql.query false -> 404;
#  - a bad statement -> false, sql.error set -> 503, daemon unharmed;
#  - writes: INSERT then SELECT in later requests see the row
#    (one worker per connection runs jobs in order);
#  - 300 requests at 300/s, each suspended on a query, all answered;
#  - a query taking ~1 s (recursive CTE) does not block the SIP thread:
#    OPTIONS sent meanwhile is answered in < 0.5 s and in less than half
#    the query's time.
. "$(dirname "$0")/../../../test/integration/lib.sh"

jn_ports
DB=$T/junction.db
"$JN_ROOT/scripts/db-setup.sh" sqlite "$DB" --demo 127.0.0.1 >/dev/null ||
	fail "db-setup.sh sqlite"
"$JN_ROOT/scripts/db-setup.sh" sqlite "$DB" --demo 127.0.0.1 >/dev/null ||
	fail "db-setup.sh sqlite run twice (must be idempotent)"
rows=$(sqlite3 "$DB" "SELECT count(*) FROM subscriber")
assert_eq "$rows" 20 "demo subscribers after two db-setup runs"

jn_script <<'EOF'
# t_sqlite
request {
    if (method == "OPTIONS") { reply(200, "OK"); exit; }
    if (ruri.user == "slow") {
        if (sql.query("main", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < CAST($1 AS INTEGER)) SELECT count(*) AS n FROM c", 3000000)) {
            reply(200, "slow " + sql.value("n"));
        } else {
            reply(503, "db error");
        }
        exit;
    }
    if (ruri.user == "bad") {
        if (sql.query("main", "SELEKT 1")) { reply(200, "impossible"); exit; }
        reply(503, "db error " + sql.error);
        exit;
    }
    if (ruri.user == "put") {
        if (sql.query("main", "INSERT INTO location (aor, contact, expires, q) VALUES ($1, $2, $3, $4) ON CONFLICT (aor, contact) DO UPDATE SET expires = excluded.expires", "sip:" + from.user + "@127.0.0.1", "sip:" + from.user + "@127.0.0.1:5999", 2000000000, 500)) {
            reply(200, "stored " + sql.affected);
        } else {
            reply(503, "db error");
        }
        exit;
    }
    if (ruri.user == "get") {
        if (sql.query("main", "SELECT contact, q FROM location WHERE aor = $1", "sip:" + from.user + "@127.0.0.1")) {
            reply(200, "contact " + sql.value("contact") + " q " + sql.value(1));
        } else {
            reply(404, "no binding");
        }
        exit;
    }
    if (sql.query("main", "SELECT ha1_md5 FROM subscriber WHERE username = $1 AND domain = $2", ruri.user, "127.0.0.1")) {
        reply(200, "ha1 " + sql.value("ha1_md5") + " " + sql.value(0) + " rows " + sql.rows);
    } else {
        reply(404, "unknown " + sql.rows);
    }
}
EOF
jn_config - <<EOF
modules:
  - name: db_sqlite
  - name: sql
    params:
      connections:
        main: "sqlite:$DB"
EOF
jn_start

msg() { # user [from] -> first status line
	cat >"$T/m.sip" <<EOF
MESSAGE sip:$1@127.0.0.1:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:${2:-alice}@127.0.0.1>;tag={tag}
To: <sip:$1@127.0.0.1>
Call-ID: {callid}
CSeq: 1 MESSAGE
Content-Length: 0

EOF
	siptool send --port "$JN_PORT" --file "$T/m.sip" --wait "$((5 * JN_SLOW))" --expect 1 | head -n 1
}

note "lookup with parameters"
md5=$(printf '1005:127.0.0.1:1234' | md5sum | cut -d' ' -f1)
line=$(msg 1005)
assert_match "$line" "^SIP/2\.0 200 ha1 $md5 $md5 rows 1" "SELECT by \$1/\$2: value by name and by index"
line=$(msg 9999)
assert_match "$line" '^SIP/2\.0 404 unknown 0' "no row -> sql.query false"

note "bad SQL fails cleanly"
line=$(msg bad)
assert_match "$line" '^SIP/2\.0 503 db error .*syntax error' "bad statement -> false with sql.error"
assert_file_match "$JN_LOG" 'syntax error' "the failed query is logged"

note "writes are applied in order"
line=$(msg put bob)
assert_match "$line" '^SIP/2\.0 200 stored 1' "INSERT affected 1 row"
line=$(msg get bob)
assert_match "$line" '^SIP/2\.0 200 contact sip:bob@127\.0\.0\.1:5999 q 500' "the row written is read back"
assert_eq "$(sqlite3 "$DB" "SELECT expires FROM location WHERE aor='sip:bob@127.0.0.1'")" 2000000000 \
	"row visible to another process (WAL)"
assert_eq "$(sqlite3 "$DB" "PRAGMA journal_mode")" wal "journal mode"

note "300 suspended queries at 300/s"
jn_render "$JN_SIPP_DIR/uac.xml" "$T/q.xml" METHOD=MESSAGE \
	"RURI=sip:1010@[remote_ip]:[remote_port]" STATUS=200 REASON_RE="ha1 [0-9a-f]{32} [0-9a-f]{32} rows 1"
start=$(now)
jn_sipp q -sf "$T/q.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -r 300 -l 300 -m 300 "127.0.0.1:$JN_PORT"
took=$(elapsed "$start" "$(now)")
note "300 queries in $took s"
assert_sipp_ok q 300 "300 requests each suspended on a query"

note "a long query does not block the SIP thread"
cat >"$T/slow.sip" <<'EOF'
MESSAGE sip:slow@127.0.0.1:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:a@127.0.0.1>;tag={tag}
To: <sip:slow@127.0.0.1>
Call-ID: {callid}
CSeq: 1 MESSAGE
Content-Length: 0

EOF
t0=$(now)
siptool send --port "$JN_PORT" --file "$T/slow.sip" --wait "$((20 * JN_SLOW))" --expect 1 >"$T/slow.out" &
SLOWPID=$!
jn_track "$SLOWPID"
sleep 0.2
t1=$(now)
opt=$(siptool send --port "$JN_PORT" --wait 3 --expect 1 | head -n 1)
t2=$(now)
wait "$SLOWPID" || true
t3=$(now)
slow=$(head -n 1 "$T/slow.out")
assert_match "$slow" '^SIP/2\.0 200 slow 3000000' "the long query's answer"
assert_match "$opt" '^SIP/2\.0 200' "OPTIONS during the long query"
optt=$(elapsed "$t1" "$t2")
slowt=$(elapsed "$t0" "$t3")
note "long query took $slowt s; OPTIONS meanwhile answered in $optt s"
assert_lt 0.4 "$slowt" "the long query really takes a while"
# A blocked SIP thread would answer only after the query (optt >= slowt - 0.2);
# the bound leaves room for a loaded machine (the query's thread competes
# for the CPU) while staying far below that.
assert_lt "$optt" "$(python3 -c "print(min(0.5 * $JN_SLOW, $slowt / 2))")" "OPTIONS answer time while the query runs"

jn_stop
echo "PASS: $TEST_NAME"
