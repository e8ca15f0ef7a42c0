#!/bin/bash
# t_dtmf_relay.sh - DTMF between the legs of a bridge when they speak
# different DTMF methods: the caller sends RFC 4733 telephone-events
# (sip-tester's dtmf_2833_1.pcap, RFC 4733 2.3) and the callee answered
# without telephone-event, so Junction sends the digit on as SIP INFO with
# application/dtmf-relay (Signal=1); the digit is also reported once to
# the log with its source.
# Then a caller without telephone-event sends DTMF tones in its PCMA audio
# to a callee without it either: the relayed leg is decoded beside the
# relay, spandsp's detector reports each tone once as in-band, every
# packet still reaches the callee, and no INFO goes out (the tone travels
# in the audio).
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

note "in-band tones from a caller without telephone-event, relayed to a PCMA callee"
python3 "$JN_ROOT/test/integration/audio.py" dtmf "$T/dtmf.wav" '5*7' 120 120 200
python3 "$JN_ROOT/test/integration/audio.py" rtp-pcap "$T/dtmf.pcap" "$T/dtmf.wav" pcma
npk=$(python3 -c "import os; print((os.path.getsize('$T/dtmf.pcap') - 24) // (16 + 14 + 20 + 8 + 12 + 160))")
jn_render "$CALL_SIPP/uas.xml" "$T/uas2.xml" CODEC=PCMA PT=8 RING=100 WAIT=10000
jn_sipp_bg uas2 -sf "$T/uas2.xml" -i 127.0.0.1 -p "$UAS_PORT" -m 1 -mp "$PORT4" -timeout 20 \
	-timeout_error -trace_stat -stf "$T/uas2.csv"
uas_pid=$SIPP_BG_PID
sleep 0.3
sed -e "s|/usr/share/sip-tester/g711a.pcap|$T/dtmf.pcap|" -e 's|RTP/AVP 8 101|RTP/AVP 8|' \
	-e '/telephone-event\|fmtp:101/d' "$CALL_SIPP/uac.xml" >"$T/uac2_src.xml"
jn_render "$T/uac2_src.xml" "$T/uac2.xml" USER=bob HOLD=3000
jn_sipp_bg uac2 -sf "$T/uac2.xml" -i 127.0.0.1 -p "$PORT1" -m 1 -mp "$PORT3" \
	-timeout 20 -timeout_error -trace_stat -stf "$T/uac2.csv" "127.0.0.1:$JN_PORT"
uac_pid=$SIPP_BG_PID
sleep 2.5 # the tones last 0.92 s from the ACK
jn_http GET /calls
a_rx=$(json_get "$HTTP_BODY" 'd[0]["legs"][0]["stats"]["rx_packets"]')
b_tx=$(json_get "$HTTP_BODY" 'd[0]["legs"][1]["stats"]["tx_packets"]')
note "$npk packets sent; caller leg received $a_rx, callee leg sent $b_tx"
assert_eq "$a_rx" "$npk" "every packet of the tones arrived"
assert_eq "$b_tx" "$a_rx" "and every one was relayed to the callee (decoded beside the relay)"
SIPP_RC=0
wait "$uac_pid" || SIPP_RC=$?
assert_sipp_ok uac2 1 "caller: call without telephone-event"
SIPP_RC=0
wait "$uas_pid" || SIPP_RC=$?
assert_sipp_ok uas2 1 "callee: no INFO, only the BYE"
assert_eq "$(count_lines "$JN_LOG" "DTMF '[5*7]' from the caller \\(inband")" 3 "one in-band event per tone"
assert_file_match "$JN_LOG" "DTMF '\\*' from the caller \\(inband, 1[0-3][0-9] ms\\)" \
	"'*' detected with its duration (120 ms sent)"
assert_file_no_match "$JN_LOG" "DTMF '[5*7]' to the callee as INFO" "in-band digits are not sent again"
jn_alive || fail "daemon died"
jn_stop
echo "PASS t_dtmf_relay"
