#!/bin/bash
# t_suspend.sh - script suspension does not block the SIP thread.
#
# Proves (DESIGN.md "Suspension is in the design from day one"; SDK
# jn_call_suspend / jn_suspend_resume, jn_timer_start): the test module
# testsuspend.wait(300) suspends each request for 300 ms and resumes it
# from a loop timer, where it evaluates to true and the script replies.
#  - 200 requests at 200/s (-l 200) all get "200 waited": resumption
#    continues the script right after the call, with the call's result;
#  - the run takes far less than 200 x 0.3 s = 60 s (many executions are
#    suspended at once: the module's counters show > 20 pending together);
#  - REST stays responsive while requests are suspended;
#  - every suspension is resumed exactly once (started == resumed, 0 pending).
. "$(dirname "$0")/lib.sh"

N=200
jn_ports
jn_script <<'EOF2'
# t_suspend
request {
    if (method == "OPTIONS") { reply(200, "OK"); exit; }
    if (testsuspend.pending > 1000) { reply(503, "too many waiting"); exit; }
    if (testsuspend.wait(300)) {
        reply(200, "waited");
    } else {
        reply(500, "wait returned false");
    }
}
EOF2
jn_config - <<EOF2
modules:
  - name: testsuspend
    path: $JN_BUILD/test-modules/testsuspend.so
    params: { delay: 50 }
EOF2
jn_start

jn_http GET /testsuspend
assert_eq "$HTTP_CODE" 200 "GET /api/v1/testsuspend (module admin route)"
assert_eq "$(json_get "$HTTP_BODY" 'd["started"]')" 0 "suspensions before the run"

# Poll REST during the run (bounded: 60 polls); record the time each took
# and the pending count.
poller() {
	local i t0 t1 code body
	for ((i = 0; i < 60; i++)); do
		[ -e "$T/stop-poller" ] && break
		t0=$(now)
		body=$(curl -sS -m 5 -H "Authorization: Bearer $JN_TOKEN" -w ' %{http_code}' \
			"http://127.0.0.1:$JN_HTTP_PORT/api/v1/testsuspend" 2>&1) || body="curl-failed 000"
		t1=$(now)
		code=${body##* }
		echo "$code $(elapsed "$t0" "$t1") ${body% *}"
		sleep 0.1
	done
}

jn_render "$JN_SIPP_DIR/uac.xml" "$T/wait.xml" METHOD=MESSAGE \
	"RURI=sip:svc@[remote_ip]:[remote_port]" STATUS=200 REASON_RE=waited
poller >"$T/poll.log" 2>&1 &
POLLER=$!
jn_track "$POLLER"
start=$(now)
jn_sipp wait -sf "$T/wait.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -r 200 -l 200 -m "$N" \
	"127.0.0.1:$JN_PORT"
took=$(elapsed "$start" "$(now)")
touch "$T/stop-poller"
wait "$POLLER" || true
note "SIPp: $N requests in $took s"

assert_sipp_ok wait "$N" "$N suspended requests answered '200 waited'"
assert_lt "$took" "$((5 * JN_SLOW))" "wall time for $N requests of 300 ms each (sequential would be 60 s)"

polls=$(wc -l <"$T/poll.log")
assert_ge "$polls" 3 "REST polls during the run"
bad=$(awk '$1 != 200' "$T/poll.log" | head -n 3)
[ -z "$bad" ] || fail "REST failed while requests were suspended: $bad"
slowest=$(awk '{print $2}' "$T/poll.log" | sort -n | tail -n 1)
assert_lt "$slowest" "$((1 * JN_SLOW))" "slowest REST answer (s) while requests were suspended"
maxpending=$(sed -n 's/.*"pending": *\([0-9]*\).*/\1/p' "$T/poll.log" | sort -n | tail -n 1)
note "at most ${maxpending:-?} requests seen suspended at once"
assert_ge "${maxpending:-0}" 20 "requests suspended at the same time"

sleep 0.5
jn_http GET /testsuspend
assert_eq "$(json_get "$HTTP_BODY" 'd["pending"]')" 0 "suspensions still pending after the run"
assert_eq "$(json_get "$HTTP_BODY" 'd["started"]')" "$N" "suspensions started"
assert_eq "$(json_get "$HTTP_BODY" 'd["resumed"]')" "$N" "suspensions resumed"

note "a single suspended request sent raw"
cat >"$T/def.sip" <<'EOF2'
MESSAGE sip:svc@{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:a@example.com>;tag={tag}
To: <sip:svc@example.com>
Call-ID: {callid}
CSeq: 1 MESSAGE
Content-Length: 0

EOF2
line=$(siptool send --port "$JN_PORT" --file "$T/def.sip" --wait 3 --expect 1 | head -n 1)
assert_match "$line" '^SIP/2\.0 200 waited' "a single suspended request"

jn_stop
echo "PASS: $TEST_NAME"
