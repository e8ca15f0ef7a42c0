#!/bin/bash
# t_unanswered.sh - what happens to a request the script does not answer.
#
# Proves (Junction's script contract, DESIGN.md "Life of a request"):
#  - a request route that ends without replying or forwarding -> the core
#    answers 500 and logs it (RFC 3261 8.2: a UAS must answer every
#    non-ACK request; 21.5.1 500 Server Internal Error);
#  - `exit` without a reply -> 500 likewise;
#  - `drop` -> no response at all (the request is silently discarded,
#    even when retransmitted);
#  - the daemon keeps serving afterwards.
. "$(dirname "$0")/lib.sh"

jn_ports
jn_script <<'EOF2'
# t_unanswered
request {
    log("t_unanswered: " + method + " " + call_id);
    if (method == "MESSAGE") {
        $x = 1;            # does nothing with the request
    } else if (method == "NOTIFY") {
        exit;
    } else if (method == "INFO") {
        drop;
    } else {
        reply(200, "OK");
    }
}
EOF2
jn_config
jn_start

note "MESSAGE left unanswered by the script -> 500 (SIPp)"
jn_render "$JN_SIPP_DIR/uac.xml" "$T/msg.xml" METHOD=MESSAGE \
	"RURI=sip:svc@[remote_ip]:[remote_port]" STATUS=500 "REASON_RE=[ -~]*"
jn_sipp msg -sf "$T/msg.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -m 3 -r 20 "127.0.0.1:$JN_PORT"
assert_sipp_ok msg 3 "MESSAGE without reply gets 500"
n=$(grep -v 't_unanswered:' "$JN_LOG" |
	grep -Eci '\b500\b|unanswered|no (reply|response)|not answered|without (a )?(reply|response)' || true)
assert_ge "$n" 1 "log lines about the request left unanswered"

note "exit without a reply -> 500"
jn_render "$JN_SIPP_DIR/uac.xml" "$T/notify.xml" METHOD=NOTIFY \
	"RURI=sip:svc@[remote_ip]:[remote_port]" STATUS=500 "REASON_RE=[ -~]*"
jn_sipp notify -sf "$T/notify.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -m 1 "127.0.0.1:$JN_PORT"
assert_sipp_ok notify 1 "NOTIFY with exit and no reply gets 500"

note "drop -> no response, even to a retransmission"
cat >"$T/info.sip" <<'EOF2'
INFO sip:svc@{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:a@example.com>;tag={tag}
To: <sip:svc@example.com>
Call-ID: dropped-{callid}
CSeq: 1 INFO
Content-Length: 0

EOF2
out=$(siptool send --port "$JN_PORT" --file "$T/info.sip" --count 2 --interval 0.5 --wait 2)
assert_eq "$out" "" "responses to a dropped INFO"
assert_file_match "$JN_LOG" 't_unanswered: INFO dropped-' "the INFO reached the script"

note "still serving"
line=$(siptool send --port "$JN_PORT" --wait 3 --expect 1 | head -n 1)
assert_match "$line" '^SIP/2\.0 200 OK' "OPTIONS after drop/exit"

jn_stop
echo "PASS: $TEST_NAME"
