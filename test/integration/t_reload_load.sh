#!/bin/bash
# t_reload_load.sh - hot reload under load drops nothing.
#
# Proves (DESIGN.md "Hot reload"): while a SIPp UAC sends OPTIONS at
# 250/s for 12 s, the test reloads every 0.5 s, alternating SIGHUP and
# POST /api/v1/reload and alternating good scripts (reason "v1" / "v2")
# with a broken one:
#  - no request fails or goes unanswered (SIPp: 0 failed calls, every
#    response 200 with reason v1 or v2);
#  - a good script takes effect (both v1 and v2 are observed);
#  - a broken script is refused (422 over REST) and never runs.
. "$(dirname "$0")/lib.sh"

RATE=250
CALLS=3000
jn_ports

good() { # VERSION
	jn_replace "$T/test.jn" <<EOF2
# t_reload_load good script $1
request {
    if (method == "OPTIONS") {
        reply(200, "v$1");
        exit;
    }
    reply(405, "Method Not Allowed");
}
EOF2
}
broken() {
	jn_replace "$T/test.jn" <<'EOF2'
# t_reload_load broken script
request {
    reply(200, "broken")
    nosuch.function();
}
EOF2
}

good 1
jn_config
jn_start

# The reload loop: bounded in count (40 steps) and stopped by a flag file.
reloader() {
	local i code
	for ((i = 0; i < 40; i++)); do
		[ -e "$T/stop-reloader" ] && break
		case $((i % 4)) in
		0)
			good 2
			kill -HUP "$JN_PID" && echo "hup-good ok" || echo "hup-good FAILED"
			;;
		1)
			broken
			code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -X POST \
				-H "Authorization: Bearer $JN_TOKEN" "http://127.0.0.1:$JN_HTTP_PORT/api/v1/reload" || echo 000)
			[ "$code" = 422 ] && echo "rest-broken ok" || echo "rest-broken FAILED http $code"
			;;
		2)
			good 1
			code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -X POST \
				-H "Authorization: Bearer $JN_TOKEN" "http://127.0.0.1:$JN_HTTP_PORT/api/v1/reload" || echo 000)
			[ "$code" = 200 ] && echo "rest-good ok" || echo "rest-good FAILED http $code"
			;;
		3)
			broken
			kill -HUP "$JN_PID" && echo "hup-broken ok" || echo "hup-broken FAILED"
			;;
		esac
		sleep 0.5
	done
}

jn_render "$JN_SIPP_DIR/uac.xml" "$T/load.xml" METHOD=OPTIONS \
	"RURI=sip:[remote_ip]:[remote_port]" STATUS=200 "REASON_RE=v[12]"
reloader >"$T/reloads.log" 2>&1 &
RELOADER=$!
jn_track "$RELOADER"
start=$(now)
jn_sipp load -sf "$T/load.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -r "$RATE" -m "$CALLS" \
	-trace_logs -log_file "$T/load.log" "127.0.0.1:$JN_PORT"
note "SIPp took $(elapsed "$start" "$(now)") s for $CALLS requests"
touch "$T/stop-reloader"
wait "$RELOADER" || true

cat "$T/reloads.log"
assert_sipp_ok load "$CALLS" "OPTIONS at $RATE/s during reloads"
assert_file_no_match "$T/reloads.log" 'FAILED' "reload results"
assert_ge "$(count_lines "$T/reloads.log" 'rest-broken ok')" 3 "refused REST reloads of the broken script"
assert_ge "$(count_lines "$T/reloads.log" 'rest-good ok')" 3 "accepted REST reloads"
v1=$(count_lines "$T/load.log" '^reason=v1$')
v2=$(count_lines "$T/load.log" '^reason=v2$')
note "responses: v1=$v1 v2=$v2"
assert_ge "$v1" 1 "responses from script v1"
assert_ge "$v2" 1 "responses from script v2 (SIGHUP reload took effect)"
assert_eq "$((v1 + v2))" "$CALLS" "responses from v1 or v2 (none from the broken script)"
jn_alive || fail "junctiond died during the reload test"

jn_stop
echo "PASS: $TEST_NAME"
