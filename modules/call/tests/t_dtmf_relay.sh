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
# Last, digits that arrive as SIP INFO from the caller go to a callee that
# negotiated telephone-event as RFC 4733 events generated in the relayed
# stream (rtp_events.py receives it): same SSRC as the relayed audio,
# sequence numbers gapless (the relayed packets after an event are
# shifted), marker on the first packet, three end packets with the INFO's
# Duration in timestamp units (RFC 4733 2.3, 2.5.1).
. "$(dirname "$0")/call_lib.sh"

jn_ports
UAS_PORT=$PORT2
call_script <<EOF2
        call.bridge("sip:" + ruri.user + "@127.0.0.1:$UAS_PORT");
        exit;
EOF2
call_config "rtp_timeout: 10"
jn_start

# call_and_wait CALLER WHAT CALLEE WHAT: runs the caller's scenario
# $T/CALLER.xml, then waits for the callee SIPp started before (uas_pid).
call_and_wait() {
	jn_sipp "$1" -sf "$T/$1.xml" -i 127.0.0.1 -p "$PORT1" -m 1 -mp "$PORT3" \
		127.0.0.1:"$JN_PORT" -timeout 20 -timeout_error
	assert_sipp_ok "$1" 1 "$2"
	SIPP_RC=0
	wait "$uas_pid" || SIPP_RC=$?
	assert_sipp_ok "$3" 1 "$4"
}

note "RFC 4733 in from the caller, INFO out to the callee"
jn_render "$CALL_SIPP/uas_info.xml" "$T/uas.xml" DIGIT=1
jn_sipp_bg uas -sf "$T/uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -m 1 -mp "$PORT4" -timeout 20 \
	-timeout_error -trace_stat -stf "$T/uas.csv"
uas_pid=$SIPP_BG_PID
sleep 0.3
sed 's|/usr/share/sip-tester/g711a.pcap|/usr/share/sip-tester/dtmf_2833_1.pcap|' \
	"$CALL_SIPP/uac.xml" >"$T/uac_src.xml"
jn_render "$T/uac_src.xml" "$T/uac.xml" USER=bob HOLD=2500
call_and_wait uac "caller: call with a telephone-event" uas "callee: got INFO Signal=1 with a Duration"
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
assert_file_match "$JN_LOG" "DTMF '\\*' from the caller \\(inband, (8[0-9]|9[0-9]|1[0-4][0-9]) ms\\)" \
	"'*' detected with its duration (120 ms sent; spandsp needs a few 10 ms blocks)"
assert_file_no_match "$JN_LOG" "DTMF '[5*7]' to the callee as INFO" "in-band digits are not sent again"

note "INFO from the caller, RFC 4733 generated towards a callee with telephone-event"
read -r RTPPORT <<<"$(jn_free_ports 1)"
sed -e "s|m=audio \[media_port\] RTP/AVP @PT@|m=audio $RTPPORT RTP/AVP 8 101|" \
	-e 's|a=rtpmap:@PT@ @CODEC@/8000|a=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000|' \
	"$CALL_SIPP/uas.xml" >"$T/uas3_src.xml"
jn_render "$T/uas3_src.xml" "$T/uas3.xml" CODEC=PCMA PT=8 RING=100 WAIT=10000
jn_sipp_bg uas3 -sf "$T/uas3.xml" -i 127.0.0.1 -p "$UAS_PORT" -m 1 -mp "$PORT4" -timeout 20 \
	-timeout_error -trace_stat -stf "$T/uas3.csv"
uas_pid=$SIPP_BG_PID
python3 "$CALL_TESTS/rtp_events.py" "$RTPPORT" 6 101 >"$T/events.json" &
rx_pid=$!
sleep 0.3
jn_render "$CALL_SIPP/info_step.xml" "$T/info4.xml" EXT=bob CSEQ=10 CTYPE=application/dtmf-relay \
	BODY=$'Signal=4\nDuration=160' STATUS=200
jn_render "$CALL_SIPP/info_step.xml" "$T/infop.xml" EXT=bob CSEQ=11 CTYPE=application/dtmf-relay \
	BODY=$'Signal=#\nDuration=200' STATUS=200
info_steps="  <pause milliseconds=\"1000\"/>
$(cat "$T/info4.xml")
  <pause milliseconds=\"600\"/>
$(cat "$T/infop.xml")
  <pause milliseconds=\"1500\"/>"
python3 - "$CALL_SIPP/uac.xml" "$T/uac3_src.xml" "$info_steps" <<'PY'
import sys
src, dst, steps = sys.argv[1:4]
x = open(src).read()
old = '<pause milliseconds="@HOLD@"/>'
assert old in x
open(dst, "w").write(x.replace(old, steps).replace("CSeq: 2 BYE", "CSeq: 12 BYE"))
PY
jn_render "$T/uac3_src.xml" "$T/uac3.xml" USER=bob HOLD="1000 ms, two INFOs,"
call_and_wait uac3 "caller: two INFOs answered 200 in the call" \
	uas3 "callee: no INFO (it has telephone-event), the BYE"
wait "$rx_pid"
ev=$(cat "$T/events.json")
note "callee's stream: $ev"
assert_eq "$(json_get "$ev" '",".join(e["digit"] for e in d["events"])')" "4,#" "the two digits, as events"
assert_eq "$(json_get "$ev" 'len(d["ssrcs"])')" 1 "one SSRC: the events are in the relayed stream (RFC 4733 2.1)"
assert_eq "$(json_get "$ev" 'd["seq_breaks"]')" 0 "sequence numbers gapless around the events (RFC 3550 A.1)"
assert_ge "$(json_get "$ev" 'd["audio"]')" 50 "the caller's audio is relayed around them"
assert_eq "$(json_get "$ev" '[e["marker"] for e in d["events"]]')" "[true, true]" \
	"marker bit on each event's first packet (RFC 4733 2.5.1.1)"
assert_eq "$(json_get "$ev" '[e["ends"] for e in d["events"]]')" "[3, 3]" \
	"three end packets each (RFC 4733 2.5.1.4)"
assert_eq "$(json_get "$ev" '[e["duration"] for e in d["events"]]')" "[1280, 1600]" \
	"durations from the INFOs, in 8 kHz units (RFC 4733 2.5.1.3)"
assert_eq "$(json_get "$ev" '[e["ts_ok"] for e in d["events"]]')" "[true, true]" \
	"each event's timestamp on the audio's clock"
assert_eq "$(count_lines "$JN_LOG" "DTMF '[4#]' to the callee as RFC 4733")" 2 "logged as RFC 4733"
jn_alive || fail "daemon died"
jn_stop
echo "PASS t_dtmf_relay"
