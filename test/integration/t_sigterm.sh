#!/bin/bash
# t_sigterm.sh - graceful stop on SIGTERM with a suspended request in flight.
#
# Proves (DESIGN.md "Hot reload ... No call is dropped", the sip:
# shutdown_timeout setting):
#  1. SIGTERM while a request is suspended for 1.5 s (shutdown_timeout 4):
#     the request still gets its final answer "200 late" and the daemon
#     then exits with status 0 well within the timeout;
#  2. SIGTERM while a request is suspended for 60 s (shutdown_timeout 2):
#     the daemon does not hang - it exits with status 0 within the
#     shutdown timeout (+ margin).
. "$(dirname "$0")/lib.sh"

jn_ports
jn_script <<'EOF2'
# t_sigterm
request {
    if (method == "OPTIONS") { reply(200, "OK"); exit; }
    if (ruri.user == "long") {
        testsuspend.wait(60000);
        reply(200, "very late");
        exit;
    }
    testsuspend.wait(1500);
    reply(200, "late");
}
EOF2
config() {
	jn_config - <<EOF2
modules:
  - name: testsuspend
    path: $JN_BUILD/test-modules/testsuspend.so
EOF2
}

msg() { # USER -> $T/USER.sip
	cat >"$T/$1.sip" <<EOF2
MESSAGE sip:$1@{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:a@example.com>;tag={tag}
To: <sip:$1@example.com>
Call-ID: {callid}
CSeq: 1 MESSAGE
Content-Length: 0

EOF2
}

# stop_timed LIMIT: SIGTERM, wait up to LIMIT s; sets RC and TOOK.
stop_timed() {
	local limit=$1 i t0
	t0=$(now)
	kill -TERM "$JN_PID"
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$JN_PID" 2>/dev/null || break
		sleep 0.1
	done
	TOOK=$(elapsed "$t0" "$(now)")
	if kill -0 "$JN_PID" 2>/dev/null; then
		kill -KILL "$JN_PID" 2>/dev/null || true
		wait "$JN_PID" 2>/dev/null || true
		JN_PID=
		fail "junctiond still running $limit s after SIGTERM"
	fi
	RC=0
	wait "$JN_PID" || RC=$?
	JN_PID=
	jn_check_log_clean
}

note "1. SIGTERM during a 1.5 s suspension (shutdown_timeout 4)"
JN_SHUTDOWN_TIMEOUT=4
config
jn_start
msg short
siptool send --port "$JN_PORT" --file "$T/short.sip" --wait 6 --expect 1 >"$T/short.out" 2>&1 &
CLIENT=$!
jn_track "$CLIENT"
sleep 0.4
stop_timed "$((4 + 4 * JN_SLOW))"
note "daemon exited with status $RC after $TOOK s"
wait "$CLIENT" || fail "siptool failed: $(cat "$T/short.out")"
assert_eq "$RC" 0 "exit status after SIGTERM with a request in flight"
assert_match "$(head -n 1 "$T/short.out")" '^SIP/2\.0 200 late' "answer to the request suspended at SIGTERM"

note "2. SIGTERM during a 60 s suspension (shutdown_timeout 2)"
JN_SHUTDOWN_TIMEOUT=2
config
jn_start
msg long
siptool send --port "$JN_PORT" --file "$T/long.sip" --wait 8 --expect 1 >"$T/long.out" 2>&1 &
CLIENT=$!
jn_track "$CLIENT"
sleep 0.4
stop_timed "$((2 + 3 * JN_SLOW))"
note "daemon exited with status $RC after $TOOK s; the client got: $(head -n 1 "$T/long.out")"
assert_eq "$RC" 0 "exit status after SIGTERM with a request suspended past the timeout"
assert_lt "$TOOK" "$((2 + 2 * JN_SLOW))" "seconds from SIGTERM to exit (shutdown_timeout 2)"
kill "$CLIENT" 2>/dev/null || true

echo "PASS: $TEST_NAME"
