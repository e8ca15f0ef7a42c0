#!/bin/bash
# t_rest.sh - the REST admin API and junctionctl.
#
# Proves (DESIGN.md "REST admin", "Hot reload"):
#  - GET /api/v1/status with the bearer token: 200 and a JSON document with
#    version, uptime, listeners, modules [{name, version}], reloads, script;
#    without a token or with a wrong one: 401 (RFC 6750 section 3);
#  - GET /api/v1/modules, GET /api/v1/openapi.json (routes of the core and
#    of modules), 404 for an unknown route;
#  - POST /api/v1/reload: 200 {"status":"ok"} and the new script answers;
#    a broken script: 422 {"status":"error","errors":[{file,line,col,
#    message,text}]} pointing at the broken line, and the old script keeps
#    answering;
#  - junctionctl status|modules|reload: exit 0 on success, non-zero on a
#    refused reload (printing file:line:col) or a wrong token.
. "$(dirname "$0")/lib.sh"

jn_ports
script_v() { # VERSION -> a script answering OPTIONS with reason "vVERSION"
	jn_replace "$T/test.jn" <<EOF2
# t_rest script $1
request {
    reply(200, "v$1");
}
EOF2
}
script_broken() { # error on line 3
	jn_replace "$T/test.jn" <<'EOF2'
# t_rest broken script
request {
    reply(200, "broken";
}
EOF2
}
reason() { siptool send --port "$JN_PORT" --wait 3 --expect 1 | head -n 1 | cut -d' ' -f3-; }

script_v 1
jn_config - <<EOF2
modules:
  - name: testsuspend
    path: $JN_BUILD/test-modules/testsuspend.so
EOF2
jn_start
assert_eq "$(reason)" v1 "reason phrase from the first script"

note "GET /status with the token"
jn_http GET /status
assert_eq "$HTTP_CODE" 200 "GET /api/v1/status"
assert_eq "$(json_get "$HTTP_BODY" 'd["version"]')" 0.1.0 "status.version"
assert_eq "$(json_get "$HTTP_BODY" 'isinstance(d["uptime"], (int, float)) and d["uptime"] >= 0')" True "status.uptime is a number"
assert_match "$(json_get "$HTTP_BODY" 'd["listeners"]')" "udp.*127\\.0\\.0\\.1.*$JN_PORT" "status.listeners has the UDP listener"
assert_match "$(json_get "$HTTP_BODY" 'd["listeners"]')" "tcp.*127\\.0\\.0\\.1.*$JN_PORT" "status.listeners has the TCP listener"
assert_eq "$(json_get "$HTTP_BODY" '[m["version"] for m in d["modules"] if m["name"] == "testsuspend"]')" '["1.0"]' "status.modules lists testsuspend 1.0"
assert_eq "$(json_get "$HTTP_BODY" 'isinstance(d["reloads"], int)')" True "status.reloads is an integer"
reloads0=$(json_get "$HTTP_BODY" 'd["reloads"]')
assert_match "$(json_get "$HTTP_BODY" 'd["script"]')" 'test\.jn' "status.script names the script"

note "401 without a token, with a wrong token, with another scheme"
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$JN_HTTP_PORT/api/v1/status")
assert_eq "$code" 401 "GET /status without a token"
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer not-$JN_TOKEN" \
	"http://127.0.0.1:$JN_HTTP_PORT/api/v1/status")
assert_eq "$code" 401 "GET /status with a wrong token"
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Basic $JN_TOKEN" \
	"http://127.0.0.1:$JN_HTTP_PORT/api/v1/status")
assert_eq "$code" 401 "GET /status with 'Basic TOKEN'"
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$JN_HTTP_PORT/api/v1/reload")
assert_eq "$code" 401 "POST /reload without a token"

note "GET /modules, /openapi.json, an unknown route"
jn_http GET /modules
assert_eq "$HTTP_CODE" 200 "GET /api/v1/modules"
assert_match "$HTTP_BODY" '"testsuspend"' "GET /modules lists testsuspend"
jn_http GET /openapi.json
assert_eq "$HTTP_CODE" 200 "GET /api/v1/openapi.json"
assert_match "$(json_get "$HTTP_BODY" 'd.get("openapi", "")')" '^3\.' "openapi.json: openapi 3.x"
paths=$(json_get "$HTTP_BODY" 'sorted(d["paths"])')
assert_match "$paths" '/status"' "openapi paths has status"
assert_match "$paths" '/reload"' "openapi paths has reload"
assert_match "$paths" '/testsuspend"' "openapi paths has the module's route"
jn_http GET /no/such/route
assert_eq "$HTTP_CODE" 404 "GET an unknown route"

note "POST /reload with a good script -> 200, new script answers"
script_v 2
jn_http POST /reload
assert_eq "$HTTP_CODE" 200 "POST /reload (good script)"
assert_eq "$(json_get "$HTTP_BODY" 'd["status"]')" ok "reload status"
assert_eq "$(reason)" v2 "reason phrase after the reload"

note "POST /reload with a broken script -> 422 with the location, old script stays"
script_broken
jn_http POST /reload
assert_eq "$HTTP_CODE" 422 "POST /reload (broken script)"
assert_eq "$(json_get "$HTTP_BODY" 'd["status"]')" error "reload status (broken)"
assert_eq "$(json_get "$HTTP_BODY" 'len(d["errors"]) >= 1')" True "errors array is not empty"
assert_match "$(json_get "$HTTP_BODY" 'd["errors"][0]["file"]')" 'test\.jn$' "errors[0].file"
assert_eq "$(json_get "$HTTP_BODY" 'd["errors"][0]["line"]')" 3 "errors[0].line"
assert_eq "$(json_get "$HTTP_BODY" 'isinstance(d["errors"][0]["col"], int) and d["errors"][0]["col"] > 0')" True "errors[0].col"
assert_ne "$(json_get "$HTTP_BODY" 'd["errors"][0]["message"]')" "" "errors[0].message"
assert_match "$(json_get "$HTTP_BODY" 'd["errors"][0]["text"]')" 'test\.jn:3:[0-9]+: ' "errors[0].text is file:line:col: message"
assert_eq "$(reason)" v2 "reason phrase after a refused reload (old script keeps running)"

jn_http GET /status
reloads1=$(json_get "$HTTP_BODY" 'd["reloads"]')
assert_ge "$reloads1" "$((reloads0 + 1))" "status.reloads after one successful reload"

note "junctionctl"
[ -x "$JUNCTIONCTL" ] || fail "no junctionctl at $JUNCTIONCTL"
ctl() { timeout 15 "$JUNCTIONCTL" -s "127.0.0.1:$JN_HTTP_PORT" -t "$JN_TOKEN" "$@"; }
out=$(ctl status 2>&1) || fail "junctionctl status: exit status $? ($out)"
assert_match "$out" '0\.1\.0' "junctionctl status shows the version"
out=$(ctl modules 2>&1) || fail "junctionctl modules: exit status $? ($out)"
assert_match "$out" 'testsuspend' "junctionctl modules lists testsuspend"
rc=0
out=$(ctl reload 2>&1) || rc=$?
assert_ne "$rc" 0 "junctionctl reload exit status with a broken script"
assert_match "$out" 'test\.jn:3:[0-9]+: ' "junctionctl reload prints file:line:col"
script_v 3
out=$(ctl reload 2>&1) || fail "junctionctl reload (good script): exit status $? ($out)"
assert_eq "$(reason)" v3 "reason phrase after junctionctl reload"
rc=0
out=$(timeout 15 "$JUNCTIONCTL" -s "127.0.0.1:$JN_HTTP_PORT" -t "wrong-token" status 2>&1) || rc=$?
assert_ne "$rc" 0 "junctionctl status exit status with a wrong token"

jn_stop
echo "PASS: $TEST_NAME"
