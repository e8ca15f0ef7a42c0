#!/bin/bash
# t_persist.sh - registrar persistence through the database layer (SQLite):
# bindings are written through and reloaded at start, so a restart keeps
# registrations (with their remaining expiry); an unregistration is written
# through too, so it survives the next restart.
. "$(dirname "$0")/../../../test/integration/lib.sh"
. "$(dirname "$0")/reglib.sh"

[ -f "$JN_BUILD/modules/db_sqlite.so" ] || fail "db_sqlite.so is not built in $JN_BUILD/modules"
jn_ports
jn_script <<'EOF'
request {
    if (method == "OPTIONS") { reply(200); exit; }
    if (method == "REGISTER") { registrar.save(); exit; }
    reply(405);
}
EOF
jn_config - <<EOF
modules:
  - name: db_sqlite
  - name: registrar
    params: { persist: "sqlite:$T/location.db" }
EOF

# wait_rest_aor AOR: the REST list of AOR (after a restart).
list_aor() { jn_http GET "/registrations?aor=$1"; }

jn_start
note "two bindings and a Path are written through"
r=$(register k1 1 'Path: <sip:edge.example.net;lr>' 'Contact: <sip:alice@127.0.0.1:5071>;expires=600, <sip:alice@127.0.0.1:5072>;q=0.5')
assert_match "$(first_status "$r")" '^SIP/2\.0 200 ' "REGISTER"
r=$(REG_USER=bob register k2 1 'Contact: <sip:bob@127.0.0.1:5073>')
assert_match "$(first_status "$r")" '^SIP/2\.0 200 ' "REGISTER bob"
sleep 0.5
jn_stop

note "after a restart the bindings are back, with their remaining expiry"
jn_start
assert_file_match "$JN_LOG" 'reloaded 3 bindings' "reload count"
list_aor alice@example.com
assert_eq "$(json_get "$HTTP_BODY" 'sorted(b["contact"] for b in d[0]["bindings"])')" \
	'["sip:alice@127.0.0.1:5071", "sip:alice@127.0.0.1:5072"]' "alice's contacts"
assert_match "$(json_get "$HTTP_BODY" '[b["expires"] for b in d[0]["bindings"] if b["contact"].endswith("5071")][0]')" \
	'^(59[0-9]|600)$' "remaining expiry"
assert_eq "$(json_get "$HTTP_BODY" '[b["q"] for b in d[0]["bindings"] if b["contact"].endswith("5072")][0]')" 0.5 "q kept"
assert_eq "$(json_get "$HTTP_BODY" 'd[0]["bindings"][0]["path"]')" "<sip:edge.example.net;lr>" "Path kept"
note "RFC 3261 10.3 item 7 still holds after the reload: same Call-ID, lower CSeq -> 500"
r=$(register k1 0 'Contact: <sip:alice@127.0.0.1:5071>')
assert_match "$(first_status "$r")" '^SIP/2\.0 500 ' "CSeq ordering across a restart"

note "an unregistration and a REST delete are written through"
r=$(register k1 2 'Contact: <sip:alice@127.0.0.1:5072>;expires=0')
assert_match "$(first_status "$r")" '^SIP/2\.0 200 ' "unregister one"
jn_http DELETE /registrations/bob@example.com
assert_eq "$HTTP_CODE" 200 "REST delete bob"
sleep 0.5
jn_stop
jn_start
assert_file_match "$JN_LOG" 'reloaded 1 bindings' "reload count after removals"
list_aor bob@example.com
assert_eq "$HTTP_BODY" "[]" "bob stays deleted"
jn_stop
echo "PASS: $TEST_NAME"
