#!/bin/bash
# t_bridge.sh - call.bridge(): Junction as a B2BUA between a SIPp caller
# and a SIPp callee with media anchored. 180 and 200 relayed, both legs
# ACKed (RFC 3261 13.2.2.4), RTP relayed both ways through Junction (the
# caller plays g711a.pcap, the callee echoes it with -rtp_echo), the
# caller's BYE reaches the callee; 486 relayed; the caller's CANCEL
# cancels the callee (RFC 3261 9.1, 9.2); DELETE /calls/{id} hangs up both.
. "$(dirname "$0")/call_lib.sh"

jn_ports
UAS_PORT=$PORT2
call_script <<EOF2
        call.bridge("sip:" + ruri.user + "@127.0.0.1:$UAS_PORT");
        exit;
EOF2
call_config "rtp_timeout: 10"
jn_start

uac=(-i 127.0.0.1 -p "$PORT1" -m 1 -mp "$PORT3" 127.0.0.1:"$JN_PORT")
uas=(-i 127.0.0.1 -p "$UAS_PORT" -m 1 -mp "$PORT4" -rtp_echo -timeout 25 -timeout_error)

rest_calls() {
	jn_http GET /calls
	assert_eq "$HTTP_CODE" 200 "GET /calls"
	printf '%s' "$HTTP_BODY"
}
# wait_sipp NAME PID: waits for a background sipp, asserts one good call.
wait_sipp() {
	SIPP_RC=0
	wait "$2" || SIPP_RC=$?
	assert_sipp_ok "$1" 1 "$1"
}

note "bridge: 180 and 200 relayed, RTP both ways through Junction, BYE reaches the callee"
jn_render "$CALL_SIPP/uas.xml" "$T/uas1.xml" RING=500 WAIT=15000 PT=8 CODEC=PCMA
jn_sipp_bg uas1 -sf "$T/uas1.xml" "${uas[@]}" -trace_stat -stf "$T/uas1.csv"
uas_pid=$SIPP_BG_PID
sleep 0.5
jn_render "$CALL_SIPP/uac.xml" "$T/uac1.xml" USER=bob HOLD=3000
jn_sipp_bg uac1 -sf "$T/uac1.xml" "${uac[@]}" -timeout 25 -timeout_error \
	-trace_stat -stf "$T/uac1.csv"
uac_pid=$SIPP_BG_PID
sleep 3
calls=$(rest_calls)
assert_eq "$(json_get "$calls" 'len(d)')" 1 "one call listed: $calls"
assert_eq "$(json_get "$calls" 'd[0]["bridged"]')" True "bridged"
assert_eq "$(json_get "$calls" '[l["state"] for l in d[0]["legs"]]')" '["confirmed", "confirmed"]' "both legs confirmed"
assert_eq "$(json_get "$calls" '[l["codec"] for l in d[0]["legs"]]')" '["PCMA", "PCMA"]' "codecs"
assert_eq "$(json_get "$calls" 'd[0]["legs"][1]["remote_uri"]')" "sip:bob@127.0.0.1:$UAS_PORT" "callee URI"
st() { json_get "$calls" "d[0][\"legs\"][$1][\"stats\"][\"$2\"]"; }
a_rx=$(st 0 rx_packets) b_tx=$(st 1 tx_packets) b_rx=$(st 1 rx_packets) a_tx=$(st 0 tx_packets)
note "caller->junction $a_rx, junction->callee $b_tx, callee->junction $b_rx, junction->caller $a_tx"
assert_ge "$a_rx" 40 "RTP from the caller reached Junction"
assert_ge "$b_tx" 40 "RTP relayed to the callee"
assert_ge "$b_rx" 40 "RTP from the callee (its echo) reached Junction"
assert_ge "$a_tx" 40 "RTP relayed to the caller"
wait_sipp uac1 "$uac_pid"
wait_sipp uas1 "$uas_pid"
assert_file_match "$T/uac1.msg" '^SIP/2.0 180 Ringing' "180 relayed to the caller"
assert_file_match "$T/uas1.msg" '^BYE sip:uas@127.0.0.1' "BYE sent to the callee's Contact"
sleep 0.3
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left"
assert_file_match "$JN_LOG" 'call [0-9]+ ended: caller hung up' "reason logged"

note "callee busy: 486 relayed to the caller"
sipp_pair 2 "$CALL_SIPP/uas_busy.xml" "$CALL_SIPP/uac_fail.xml" "caller got 486" STATUS=486
assert_file_match "$JN_LOG" 'ended: callee refused \(486 Busy Here\)' "reason logged"

note "caller CANCEL: the callee is cancelled, the caller gets 487"
sipp_pair 3 "$CALL_SIPP/uas_cancel.xml" "$CALL_SIPP/uac_cancel.xml" "caller cancelled, got 487"
assert_file_match "$JN_LOG" 'ended: caller cancelled' "reason logged"

note "DELETE /calls/{id}: BYE to both legs"
jn_render "$CALL_SIPP/uas.xml" "$T/uas4.xml" RING=0 WAIT=15000 PT=8 CODEC=PCMA
jn_sipp_bg uas4 -sf "$T/uas4.xml" "${uas[@]}" -trace_stat -stf "$T/uas4.csv"
uas_pid=$SIPP_BG_PID
sleep 0.3
jn_render "$CALL_SIPP/uac_wait_bye.xml" "$T/uac4.xml" USER=bob WAIT=15000
jn_sipp_bg uac4 -sf "$T/uac4.xml" "${uac[@]}" -timeout 25 -timeout_error \
	-trace_stat -stf "$T/uac4.csv"
uac_pid=$SIPP_BG_PID
sleep 1.5
id=$(json_get "$(rest_calls)" 'd[0]["id"]')
jn_http DELETE "/calls/$id"
assert_eq "$HTTP_CODE" 200 "DELETE /calls/$id"
wait_sipp uac4 "$uac_pid"
wait_sipp uas4 "$uas_pid"
assert_file_match "$JN_LOG" "call $id ended: hung up over REST" "reason logged"
sleep 0.3
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left"

note "the callee hangs up: BYE to the caller (RFC 3261 15.1.1)"
jn_render "$CALL_SIPP/uas_bye.xml" "$T/uas5.xml" RING=0 HOLD=1000 PT=8 CODEC=PCMA
sipp_pair 5 "$T/uas5.xml" "$CALL_SIPP/uac_wait_bye.xml" "caller got BYE after the callee's" WAIT=15000
assert_file_match "$JN_LOG" 'ended: callee hung up' "reason logged"

note "the callee answers a codec we did not offer (RFC 3264 6.1): 488 with a Warning, BYE to the callee"
jn_render "$CALL_SIPP/uas.xml" "$T/uas6.xml" RING=0 WAIT=15000 PT=3 CODEC=GSM
sipp_pair 6 "$T/uas6.xml" "$CALL_SIPP/uac_fail.xml" "caller got 488" STATUS=488
assert_file_match "$T/uac6.msg" '^Warning: 3[0-9][0-9] junction ' "Warning in the 488"
assert_file_match "$JN_LOG" 'ended: 488 ' "reason logged"
sleep 0.3
assert_eq "$(json_get "$(rest_calls)" 'len(d)')" 0 "no call left"

note "the callee answers 422 with Min-SE 3600 (RFC 4028 6): INVITE again with that interval"
jn_render "$CALL_SIPP/uas_422.xml" "$T/uas7.xml" RING=0 WAIT=15000 PT=8 CODEC=PCMA MINSE=3600
sipp_pair 7 "$T/uas7.xml" "$CALL_SIPP/uac.xml" "caller: 200, the 422 never reached it" HOLD=500
assert_file_match "$JN_LOG" 'session interval of 3600 s at least \(422\): INVITE again' "retry logged"
assert_file_no_match "$T/uac7.msg" '^SIP/2.0 422' "no 422 to the caller"

jn_alive || fail "daemon died"
jn_stop
echo "PASS t_bridge"
