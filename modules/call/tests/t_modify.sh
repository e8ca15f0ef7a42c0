#!/bin/bash
# t_modify.sh - changing established calls (SIPp on both sides):
#  - hold and resume carried across a bridge: the caller's re-INVITE with
#    a=sendonly is answered a=recvonly and Junction re-INVITEs the callee
#    with a=sendonly; a=sendrecv resumes both (RFC 3264 8.4, RFC 3261 14);
#  - RFC 4028 session timers on a call Junction answers: refresher=uas is
#    confirmed and Junction refreshes with a re-INVITE at half the
#    interval (9, 10); refresher=uac without a refresh ends the call with
#    BYE before the interval runs out (10); a Session-Expires below Min-SE
#    gets 422 with Min-SE (6, 8.1);
#  - call.hold()/call.resume() re-INVITE the caller (sendonly, sendrecv)
#    and call.record() writes what the caller says to a WAV file;
#  - a caller that sends no offers (RFC 3261 13.2.1, 14.2): its INVITE
#    without SDP is bridged, Junction's offer goes in the 200 and the
#    answer in the ACK sets the caller's codec; its re-INVITEs without SDP
#    get offers in their 200s, and answers a=sendonly / a=sendrecv in the
#    ACKs hold and resume the callee (RFC 3264 8.4); an ACK without the
#    answer ends the call with BYE.
. "$(dirname "$0")/call_lib.sh"

jn_ports
UAS_PORT=$PORT2
call_script <<EOF2
        if (ruri.user == "st") { call.answer(); exit; }
        if (ruri.user == "rec") {
            call.answer();
            if (!call.hold()) { log("hold refused"); }
            if (!call.resume()) { log("resume refused"); }
            if (call.record("$T/rec.wav", max: 3)) { log("recorded"); }
            call.hangup();
            exit;
        }
        call.bridge("sip:" + ruri.user + "@127.0.0.1:$UAS_PORT");
        exit;
EOF2
# Intervals of a few seconds keep the test short; RFC 4028 4 puts the
# floor at 90 s for real deployments.
call_config "rtp_timeout: 0, min_se: 2, session_expires: 600" 'codecs: "PCMA,PCMU"'
jn_start

uac=(-i 127.0.0.1 -p "$PORT1" -m 1 -mp "$PORT3" 127.0.0.1:"$JN_PORT" -timeout 20 -timeout_error)
uas=(-i 127.0.0.1 -p "$UAS_PORT" -m 1 -mp "$PORT4" -timeout 20 -timeout_error)

note "hold and resume by the caller reach the callee (RFC 3264 8.4)"
sipp_pair 1 "$CALL_SIPP/uas_hold.xml" "$CALL_SIPP/uac_hold.xml" "caller: hold answered recvonly, resume answered sendrecv" HOLD=1000
assert_file_match "$JN_LOG" 'the caller is sendonly: telling the callee' "hold passed on"
assert_file_match "$JN_LOG" 'the caller is sendrecv: telling the callee' "resume passed on"
assert_file_match "$T/uac1.msg" '^Session-Expires: 600;refresher=uas' "RFC 4028 9: a timer granted to a caller without timer support, we refresh"

note "RFC 4028 10: refresher=uas - Junction refreshes at half the interval"
jn_render "$CALL_SIPP/uac_st_refresh.xml" "$T/uac2.xml" USER=st SE=4 REF=uas WAIT=3500
start=$(date +%s%N)
jn_sipp uac2 -sf "$T/uac2.xml" "${uac[@]}"
assert_sipp_ok uac2 1 "200 with Session-Expires: 4;refresher=uas, then a refresh re-INVITE"
ms=$((($(date +%s%N) - start) / 1000000))
note "call with one refresh took $ms ms"
assert_ge "$ms" 2000 "the refresh came after about half the interval, not at once"

note "RFC 4028 10: refresher=uac that never refreshes - BYE before expiry"
jn_render "$CALL_SIPP/uac_st_expire.xml" "$T/uac3.xml" USER=st SE=3 REF=uac WAIT=5000
start=$(date +%s%N)
jn_sipp uac3 -sf "$T/uac3.xml" "${uac[@]}"
assert_sipp_ok uac3 1 "Require: timer in the 200, then BYE from Junction"
ms=$((($(date +%s%N) - start) / 1000000))
note "BYE after $ms ms (interval 3 s, margin min(32, 3/3) = 1 s)"
assert_ge "$ms" 1800 "not before interval - margin"
assert_file_match "$JN_LOG" 'ended: session timer expired \(caller\)' "reason logged"

note "RFC 4028 6: Session-Expires below Min-SE gets 422 with Min-SE"
jn_render "$CALL_SIPP/uac_st_small.xml" "$T/uac4.xml" USER=st SE=1 REF=uac MINSE=2
jn_sipp uac4 -sf "$T/uac4.xml" "${uac[@]}"
assert_sipp_ok uac4 1 "422 Session Interval Too Small, Min-SE: 2"

note "no offers from the caller: INVITE and re-INVITEs without SDP, answers in the ACKs"
sipp_pair 6 "$CALL_SIPP/uas_hold.xml" "$CALL_SIPP/uac_offerless.xml" "caller: three offers from Junction in 200s, answered in the ACKs"
assert_file_match "$JN_LOG" 'the caller answered our offer in its ACK \(PCMA/8000, sendrecv\)' \
	"the initial answer from the ACK"
assert_file_match "$JN_LOG" 'the caller answered our offer in its ACK \(PCMA/8000, sendonly\)' \
	"the hold from an ACK"
assert_eq "$(count_lines "$JN_LOG" 'the caller is sendonly: telling the callee')" 2 \
	"hold passed on (the first test and this one)"
assert_eq "$(count_lines "$JN_LOG" 'the caller is sendrecv: telling the callee')" 2 \
	"resume passed on (the first test and this one)"

note "an INVITE without SDP whose ACK has no answer: BYE"
jn_render "$CALL_SIPP/uac_offerless_noanswer.xml" "$T/uac7.xml" USER=st
jn_sipp uac7 -sf "$T/uac7.xml" "${uac[@]}"
assert_sipp_ok uac7 1 "offer in the 200, ACK without answer, BYE from Junction"
assert_file_match "$JN_LOG" 'ended: no usable answer in the ACK' "reason logged"

note "call.hold(), call.resume(), call.record(max: 3)"
jn_render "$CALL_SIPP/uac_held.xml" "$T/uac5.xml" USER=rec WAIT=10000
jn_sipp uac5 -sf "$T/uac5.xml" "${uac[@]}"
assert_sipp_ok uac5 1 "held (sendonly), resumed (sendrecv), recorded, hung up"
assert_file_match "$JN_LOG" 'recorded' "call.record() returned true"
[ -s "$T/rec.wav" ] || fail "no recording"
python3 - "$T/rec.wav" <<'PY' || fail "the recording is not the caller's audio"
import math, struct, sys, wave
w = wave.open(sys.argv[1])
n, rate = w.getnframes(), w.getframerate()
x = struct.unpack("<%dh" % n, w.readframes(n))
secs = n / rate
rms = math.sqrt(sum(v * v for v in x) / max(1, n))
print("recording: %.2f s at %d Hz, rms %.0f" % (secs, rate, rms))
if not 2.5 <= secs <= 3.5:
    sys.exit("length %.2f s, expected about 3 (max: 3)" % secs)
if rms < 200:
    sys.exit("silent recording (rms %.0f)" % rms)
PY

sleep 0.3
jn_http GET /calls
assert_eq "$(json_get "$HTTP_BODY" 'len(d)')" 0 "no call left"
jn_alive || fail "daemon died"
jn_stop
echo "PASS t_modify"
