#!/bin/bash
# t_answer.sh - Junction as a user agent server (RFC 3261 13.3, RFC 3264):
# call.echo() answers an INVITE with an SDP answer and our Contact and
# loops the caller's RTP (SIPp play_pcap_audio, g711a.pcap) back to it;
# the caller's BYE ends the call and frees it; the 200 is retransmitted
# until the ACK; a malformed or unacceptable
# offer gets 488 with a Warning; Require with extensions we lack gets 420
# with Unsupported (RFC 3261 8.2.2.3); REST lists and hangs up calls; a call
# without RTP is hung up after rtp_timeout.
. "$(dirname "$0")/call_lib.sh"

jn_ports
call_script <<'EOF2'
        if (ruri.user == "echo") { call.echo(); exit; }
        if (ruri.user == "answer") { call.answer(); exit; }
EOF2
call_config "rtp_timeout: 3"
jn_start

sipp_common=(-i 127.0.0.1 -p "$PORT1" -m 1 127.0.0.1:"$JN_PORT")

# rest_calls: the JSON list of calls.
rest_calls() {
	jn_http GET /calls
	assert_eq "$HTTP_CODE" 200 "GET /calls"
	printf '%s' "$HTTP_BODY"
}

note "echo: 200 with SDP answer and Contact, RTP from g711a.pcap comes back (RFC 3264 6)"
jn_render "$CALL_SIPP/uac.xml" "$T/echo.xml" USER=echo HOLD=3000
jn_sipp_bg echo -sf "$T/echo.xml" "${sipp_common[@]}" -mp "$PORT3" \
	-timeout 20 -timeout_error -trace_stat -stf "$T/echo.csv"
pid=$SIPP_BG_PID
sleep 2
calls=$(rest_calls)
assert_eq "$(json_get "$calls" 'len(d)')" 1 "one call listed: $calls"
assert_eq "$(json_get "$calls" 'd[0]["state"]')" confirmed "call state"
assert_eq "$(json_get "$calls" 'd[0]["legs"][0]["codec"]')" PCMA "codec of the caller leg"
assert_match "$(json_get "$calls" 'd[0]["legs"][0]["remote_uri"]')" '^sip:alice@127\.0\.0\.1' "remote URI"
rx=$(json_get "$calls" 'd[0]["legs"][0]["stats"]["rx_packets"]')
tx=$(json_get "$calls" 'd[0]["legs"][0]["stats"]["tx_packets"]')
note "after 2 s: rx $rx, tx $tx packets on the caller leg"
assert_ge "$rx" 40 "RTP received from the caller"
assert_ge "$tx" 40 "RTP echoed back to the caller"
assert_eq "$(json_get "$calls" 'd[0]["legs"][0]["latched"]')" True "symmetric RTP latched to SIPp's port"
SIPP_RC=0
wait "$pid" || SIPP_RC=$?
assert_sipp_ok echo 1 "echo call"
sleep 0.3
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left after the caller's BYE"
assert_file_match "$JN_LOG" 'call [0-9]+ ended: caller hung up' "reason logged"

note "our 200 is retransmitted until the ACK (RFC 3261 13.3.1.4)"
jn_render "$CALL_SIPP/uac_rexmit.xml" "$T/rexmit.xml" USER=answer HOLD=500
jn_sipp rexmit -sf "$T/rexmit.xml" "${sipp_common[@]}" -mp "$PORT3"
assert_sipp_ok rexmit 1 "call with a late ACK"
n200=$(python3 - "$T/rexmit.msg" <<'EOF2'
import re, sys
blocks = re.split(r"\n-{20,}", open(sys.argv[1]).read())
print(sum(1 for b in blocks if "received" in b and "SIP/2.0 200 OK" in b and "CSeq: 1 INVITE" in b))
EOF2
)
note "200 for the INVITE received $n200 times before the ACK"
assert_ge "$n200" 3 "200 retransmitted at T1 and 2*T1"
sleep 0.3
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left"

note "bad SDP -> 488 with a Warning (RFC 3261 21.4.26, 20.43)"
garbage=$'this is not\nan SDP body'
jn_render "$CALL_SIPP/uac_badsdp.xml" "$T/bad1.xml" WHAT=malformed BODY="$garbage"
jn_sipp bad1 -sf "$T/bad1.xml" "${sipp_common[@]}"
assert_sipp_ok bad1 1 "malformed SDP"
nocodec=$'v=0\no=a 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 98\na=rtpmap:98 FOO/8000'
jn_render "$CALL_SIPP/uac_badsdp.xml" "$T/bad2.xml" WHAT=unacceptable BODY="$nocodec"
jn_sipp bad2 -sf "$T/bad2.xml" "${sipp_common[@]}"
assert_sipp_ok bad2 1 "no common codec"
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left after 488"

note "Require: 100rel and precondition -> 420 with Unsupported (RFC 3261 8.2.2.3)"
jn_sipp req -sf "$CALL_SIPP/uac_require.xml" "${sipp_common[@]}"
assert_sipp_ok req 1 "420 Bad Extension, Unsupported: 100rel, precondition"
assert_file_match "$JN_LOG" 'ended: 420 unsupported: 100rel, precondition' "reason logged"

note "DELETE /calls/{id} hangs up with BYE (RFC 3261 15.1.1)"
jn_render "$CALL_SIPP/uac_wait_bye.xml" "$T/del.xml" USER=answer WAIT=10000
jn_sipp_bg del -sf "$T/del.xml" "${sipp_common[@]}" -mp "$PORT3" \
	-timeout 20 -timeout_error -trace_stat -stf "$T/del.csv"
pid=$SIPP_BG_PID
sleep 1
id=$(json_get "$(rest_calls)" 'd[0]["id"]')
jn_http DELETE "/calls/$id"
assert_eq "$HTTP_CODE" 200 "DELETE /calls/$id"
jn_http DELETE "/calls/$id"
assert_eq "$HTTP_CODE" 404 "DELETE of a call that ended"
jn_http DELETE "/calls/abc"
assert_eq "$HTTP_CODE" 400 "DELETE with a bad id"
SIPP_RC=0
wait "$pid" || SIPP_RC=$?
assert_sipp_ok del 1 "caller got BYE after DELETE"
assert_file_match "$JN_LOG" "call $id ended: hung up over REST" "reason logged"

note "no RTP for rtp_timeout (3 s): Junction hangs up"
jn_render "$CALL_SIPP/uac_wait_bye.xml" "$T/rtpto.xml" USER=answer WAIT=10000
t0=$(now)
jn_sipp rtpto -sf "$T/rtpto.xml" "${sipp_common[@]}" -mp "$PORT3"
t1=$(now)
assert_sipp_ok rtpto 1 "caller got BYE after the RTP timeout"
assert_file_match "$JN_LOG" 'ended: rtp timeout \(caller\)' "reason logged"
el=$(elapsed "$t0" "$t1")
note "BYE after $el s"
assert_ge "$el" 2.5 "not before rtp_timeout"
assert_lt "$el" 8 "soon after rtp_timeout"
sleep 0.3
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left"

jn_alive || fail "daemon died"
jn_stop
echo "PASS t_answer"
