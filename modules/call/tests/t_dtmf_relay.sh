#!/bin/bash
# t_dtmf_relay.sh - DTMF between the legs of a bridge when they speak
# different DTMF methods: the caller sends RFC 4733 telephone-events
# (sip-tester's dtmf_2833_1.pcap, RFC 4733 2.3) and the callee answered
# without telephone-event, so Junction sends the digit on as SIP INFO with
# application/dtmf-relay (Signal=1); the digit is also reported once to
# the log with its source.
. "$(dirname "$0")/../../../test/integration/lib.sh"
CALL_SIPP=$(cd "$(dirname "$0")" && pwd)/sipp

jn_ports
RTP_MIN=$((20000 + ($$ % 200) * 100))
UAS_PORT=$PORT2
jn_script <<EOF2
request {
    if (method == "INVITE") {
        call.bridge("sip:" + ruri.user + "@127.0.0.1:$UAS_PORT");
        exit;
    }
    if (method == "ACK") { drop; }
    reply(404, "Not Found");
}
EOF2
jn_config - <<EOF2
modules:
  - name: media
    params: { workers: 1, rtp_min: $RTP_MIN, rtp_max: $((RTP_MIN + 99)) }
  - name: dtmf
  - name: call
    params: { rtp_timeout: 10 }
EOF2
jn_start

note "RFC 4733 in from the caller, INFO out to the callee"
jn_render "$CALL_SIPP/uas_info.xml" "$T/uas.xml" DIGIT=1
jn_sipp_bg uas -sf "$T/uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -m 1 -mp "$PORT4" -timeout 20 \
	-timeout_error -trace_stat -stf "$T/uas.csv"
uas_pid=$SIPP_BG_PID
sleep 0.3
sed 's|/usr/share/sip-tester/g711a.pcap|/usr/share/sip-tester/dtmf_2833_1.pcap|' \
	"$CALL_SIPP/uac.xml" >"$T/uac_src.xml"
jn_render "$T/uac_src.xml" "$T/uac.xml" USER=bob HOLD=2500
jn_sipp uac -sf "$T/uac.xml" -i 127.0.0.1 -p "$PORT1" -m 1 -mp "$PORT3" 127.0.0.1:"$JN_PORT" \
	-timeout 20 -timeout_error
assert_sipp_ok uac 1 "caller: call with a telephone-event"
SIPP_RC=0
wait "$uas_pid" || SIPP_RC=$?
assert_sipp_ok uas 1 "callee: got INFO Signal=1 with a Duration"
assert_file_match "$JN_LOG" "DTMF '1' from the caller \(rfc4733" "digit reported with its source"
assert_file_match "$JN_LOG" "DTMF '1' to the callee as INFO" "sent on as INFO"
assert_eq "$(grep -c "DTMF '1' from the caller" "$JN_LOG")" 1 "one event for the digit (RFC 4733 2.5.1.4: retransmitted end packets)"
jn_alive || fail "daemon died"
jn_stop
echo "PASS t_dtmf_relay"
