#!/bin/bash
# t_ivr.sh - the default configuration's test extensions, answered by
# Junction itself with the call module's suspending script functions
# (etc/routes/default.jn, modules of etc/junction.yaml), SIPp as an
# authenticated subscriber (RFC 3261 22.3) with RTP from Debian's
# sip-tester pcaps:
#  - *44 with RFC 4733 telephone-events (dtmf_2833_1/_2/_3/_pound.pcap,
#    RFC 4733 2.3, 2.5.2.1: three end packets give one digit each) sent
#    after the prompt: call.collect() returns "123", the digits are read
#    back and Junction sends BYE (RFC 3261 15.1.1); the caller answers 200;
#  - *44 with the digits in SIP INFO application/dtmf-relay (and one as
#    application/dtmf) sent during the prompt (typed ahead, kept); an INFO
#    of another type gets 415 with Accept (RFC 3261 21.4.13, RFC 6086 4.2.2);
#  - *44 from a caller without telephone-event (RFC 3264 6: our answer has
#    none either) with DTMF tones in its PCMA audio: detected in-band, one
#    event each, call.collect() returns "908";
#  - *43: the prompt, then the caller's g711a.pcap audio comes back (echo,
#    RFC 3264 6), and telephone-event '#' (dtmf_2833_pound.pcap) makes
#    Junction hang up with BYE;
#  - a caller hanging up during call.collect() resumes the script with
#    false (the call ends as "caller hung up", nothing is left).
. "$(dirname "$0")/call_lib.sh"
PCAP=/usr/share/sip-tester
jn_require_daemon

jn_ports
cp "$JN_ROOT/etc/routes/default.jn" "$T/test.jn"
sed -n '/^modules:/,/^[a-z_]*:/p' "$JN_ROOT/etc/junction.yaml" | sed '$d' | jn_config -
jn_start

sipp_auth=(-s 1000 -au 1000 -ap 1234 -i 127.0.0.1 -m 1)
jn_render "$CALL_SIPP/end_wait_bye.xml" "$T/end.xml" WAIT=20000

rest_calls() {
	jn_http GET /calls
	printf '%s' "$HTTP_BODY"
}

# pcap_step FILE PAUSE_MS: play one pcap, then pause.
pcap_step() {
	printf '  <nop><action><exec play_pcap_audio="%s"/></action></nop>\n' "$1"
	printf '  <pause milliseconds="%s"/>\n' "$2"
}

# info_step CSEQ CONTENT-TYPE BODY STATUS
info_step() {
	jn_render "$CALL_SIPP/info_step.xml" "$T/step.tmp" EXT='*44' "CSEQ=$1" "CTYPE=$2" \
		"BODY=$3" "STATUS=$4"
	cat "$T/step.tmp"
}

# Calls that do not disturb each other's assertions overlap (two SIPp
# callers on their own ports): the in-band call with the RFC 4733 one, the
# hang-up with the INFO one. *43 reads the REST list and runs alone.
note "*44, in-band (alongside the next call): a caller without telephone-event sends DTMF tones in its PCMA audio"
# The tones are synthesised by audio.py (Q.23 pairs at -10 dBm0, 100 ms on
# and off), not by the spandsp generator, and detected by spandsp's
# receiver on the media worker (inband_dtmf: auto, the default).
python3 "$JN_ROOT/test/integration/audio.py" dtmf "$T/dtmf.wav" '908#' 100 100 200
python3 "$JN_ROOT/test/integration/audio.py" rtp-pcap "$T/dtmf.pcap" "$T/dtmf.wav" pcma
steps="  <pause milliseconds=\"4500\"/>
$(pcap_step "$T/dtmf.pcap" 0)"
jn_render "$CALL_SIPP/pbx_ivr.xml" "$T/inband_src.xml" \
	"STEPS=$steps
$(cat "$T/end.xml")" EXT='*44' WHAT="in-band digits"
sed -e 's|RTP/AVP 8 101|RTP/AVP 8|' -e '/telephone-event\|fmtp:101\|variables="te"/d' "$T/inband_src.xml" >"$T/inband44.xml"
jn_sipp_bg inband44 -sf "$T/inband44.xml" "${sipp_auth[@]}" -p "$PORT2" -mp "$PORT4" \
	-timeout 40 -timeout_error -trace_stat -stf "$T/inband44.csv" "127.0.0.1:$JN_PORT"
inband_pid=$SIPP_BG_PID

note "*44, RFC 4733: digits 1 2 3 # after the prompt are collected and read back"
steps="  <pause milliseconds=\"4500\"/>
$(pcap_step "$PCAP/dtmf_2833_1.pcap" 500)
$(pcap_step "$PCAP/dtmf_2833_2.pcap" 500)
$(pcap_step "$PCAP/dtmf_2833_3.pcap" 500)
$(pcap_step "$PCAP/dtmf_2833_pound.pcap" 0)"
jn_render "$CALL_SIPP/pbx_ivr.xml" "$T/ivr44.xml" \
	"STEPS=$steps
$(cat "$T/end.xml")" EXT='*44' WHAT="RFC 4733 digits"
t0=$(now)
jn_sipp ivr44 -sf "$T/ivr44.xml" "${sipp_auth[@]}" -p "$PORT1" -mp "$PORT3" "127.0.0.1:$JN_PORT"
t1=$(now)
assert_sipp_ok ivr44 1 "*44 answered, digits sent, our BYE answered"
assert_eq "$(count_lines "$JN_LOG" "DTMF '[0-9#]' from the caller \\(rfc4733")" 4 \
	"one digit event per telephone-event (RFC 4733 2.5.2.1)"
assert_file_match "$JN_LOG" 'call [0-9]+: collected "123"$' "call.collect() returned the digits sent"
assert_file_match "$JN_LOG" 'script: call [0-9]+: collected 123' "the script logged them"
assert_file_match "$JN_LOG" 'call [0-9]+ ended: hung up by the script' "Junction hung up"
el=$(elapsed "$t0" "$t1")
note "call took $el s (prompt 3.2 s, digits, read-back, goodbye)"
assert_ge "$el" 8 "the read-back was played before the BYE"

SIPP_RC=0
wait "$inband_pid" || SIPP_RC=$?
assert_sipp_ok inband44 1 "*44 with tones: answered, digits read back, our BYE"
assert_file_no_match "$T/inband44.msg" 'a=rtpmap:[0-9]+ telephone-event' \
	"no telephone-event in our answer to an offer without it (RFC 3264 6)"
assert_eq "$(count_lines "$JN_LOG" "DTMF '[0-9#]' from the caller \\(inband")" 4 \
	"one event per tone, reported as in-band"
assert_file_match "$JN_LOG" "DTMF '9' from the caller \\(inband, ([7-9][0-9]|1[0-2][0-9]) ms\\)" \
	"its duration measured from the audio (100 ms sent; spandsp needs a few 10 ms blocks)"
assert_file_match "$JN_LOG" 'call [0-9]+: collected "908"$' "call.collect() returned the tones sent"
sleep 0.3
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left"

note "the caller hangs up while call.collect() waits (alongside the next call): the script resumes with false"
steps="  <pause milliseconds=\"5000\"/>
$(cat "$CALL_SIPP/end_send_bye.xml")"
jn_render "$CALL_SIPP/pbx_ivr.xml" "$T/hup.xml" "STEPS=$steps" EXT='*44' WHAT="the caller's BYE"
jn_sipp_bg hup -sf "$T/hup.xml" "${sipp_auth[@]}" -p "$PORT2" -mp "$PORT4" \
	-timeout 40 -timeout_error -trace_stat -stf "$T/hup.csv" "127.0.0.1:$JN_PORT"
hup_pid=$SIPP_BG_PID

note "*44, SIP INFO: digits typed ahead during the prompt are kept"
steps="$(info_step 3 application/dtmf-relay $'Signal=4\nDuration=160' 200)
$(info_step 4 text/plain 'hello' 415)
$(info_step 5 application/dtmf-relay $'Signal=2\nDuration=160' 200)
$(info_step 6 application/dtmf '7' 200)
$(info_step 7 application/dtmf-relay $'Signal=#\nDuration=160' 200)"
jn_render "$CALL_SIPP/pbx_ivr.xml" "$T/info44.xml" \
	"STEPS=$steps
$(cat "$T/end.xml")" EXT='*44' WHAT="INFO digits"
jn_sipp info44 -sf "$T/info44.xml" "${sipp_auth[@]}" -p "$PORT1" -mp "$PORT3" "127.0.0.1:$JN_PORT"
assert_sipp_ok info44 1 "*44 with INFO: 200s, 415 for text/plain, our BYE"
assert_file_match "$JN_LOG" 'call [0-9]+: collected "427"$' "digits from INFO collected"
assert_eq "$(count_lines "$JN_LOG" "DTMF '[0-9#]' from the caller \\(info")" 4 "one event per INFO"
assert_file_match "$T/info44.msg" 'Accept: application/dtmf-relay, application/dtmf' "415 lists Accept"
SIPP_RC=0
wait "$hup_pid" || SIPP_RC=$?
assert_sipp_ok hup 1 "the caller's BYE during collect gets 200"
sleep 0.3
assert_file_match "$JN_LOG" 'call [0-9]+ ended: caller hung up' "the call ended with the caller"
assert_file_no_match "$JN_LOG" 'collected ""' "collect did not return digits"
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left"

note "*43: prompt, echo of g711a.pcap, '#' as telephone-event ends the call"
steps="$(pcap_step "$PCAP/g711a.pcap" 7100)
$(pcap_step "$PCAP/g711a.pcap" 7100)
  <pause milliseconds=\"3000\"/>
$(pcap_step "$PCAP/dtmf_2833_pound.pcap" 0)"
jn_render "$CALL_SIPP/pbx_ivr.xml" "$T/ivr43.xml" \
	"STEPS=$steps
$(cat "$T/end.xml")" EXT='*43' WHAT="echo until #"
jn_sipp_bg ivr43 -sf "$T/ivr43.xml" "${sipp_auth[@]}" -p "$PORT1" -mp "$PORT3" \
	-timeout 40 -timeout_error -trace_stat -stf "$T/ivr43.csv" "127.0.0.1:$JN_PORT"
pid=$SIPP_BG_PID
# g711a.pcap is 33 packets/s. The prompt (5.9 s) is over at ~6.5 s; g711a plays until ~14.2 s, then
# 3 s of silence before the '#'.
leg_stat() { json_get "$(rest_calls)" "d[0][\"legs\"][0][\"stats\"][\"$1\"]"; }
sleep 8.5
rx1=$(leg_stat rx_packets) tx1=$(leg_stat tx_packets)
sleep 2
rx2=$(leg_stat rx_packets) tx2=$(leg_stat tx_packets)
sleep 3.3
tx3=$(leg_stat tx_packets)
sleep 0.8
tx4=$(leg_stat tx_packets)
note "echo window: rx +$((rx2 - rx1)), tx +$((tx2 - tx1)); silence: tx +$((tx4 - tx3))"
assert_ge "$((rx2 - rx1))" 50 "the caller's audio arrives"
assert_ge "$((tx2 - tx1))" 50 "and comes back"
assert_lt "$((tx2 - tx1 - (rx2 - rx1)))" 5 "no more than it (echo, not a prompt)"
assert_lt "$((tx4 - tx3))" 5 "nothing sent while the caller is silent (echo)"
SIPP_RC=0
wait "$pid" || SIPP_RC=$?
assert_sipp_ok ivr43 1 "*43: our BYE after '#'"
assert_file_match "$JN_LOG" "DTMF '#' from the caller \\(rfc4733" "'#' received"

jn_stop
