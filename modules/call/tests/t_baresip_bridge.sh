#!/bin/bash
# t_baresip_bridge.sh - two real phones (baresip) bridged by call.bridge()
# with the media anchored in Junction; what one phone sends from a WAV
# file is what the other one decodes.
#
#  1. relay: both phones speak PCMU only. Junction offers the callee the
#     caller's codec first (RFC 3264 5.1), both legs agree on PCMU and the
#     packets are relayed; bob's decoded audio correlates with alice's WAV
#     (aligned envelope and waveform), and the REST call shows both legs'
#     RTP going through Junction's ports.
#  2. transcoding: alice PCMU only, bob Opus only (RFC 7587). The offer to
#     bob lists PCMU first and Opus after it, bob answers Opus, the legs
#     share no codec and the engine decodes and re-encodes both ways;
#     bob's audio still correlates with what alice sent, and alice hears
#     bob's source too.
#  3. codecs: forced to a codec the callee lacks: the callee rejects the
#     offer (488), which is relayed to the caller (RFC 3261 16.7-like).
. "$(dirname "$0")/call_lib.sh"
. "$JN_ROOT/test/integration/baresip.sh"
jn_require_daemon
command -v baresip >/dev/null || fail "baresip is not installed"

jn_ports
read -r ALICE_SIP BOB_SIP <<<"$(jn_free_port_pairs 2)"
read -r ALICE_CTRL BOB_CTRL <<<"$(jn_free_ports 2)"
call_script <<EOF2
        if (ruri.user == "bob-g722") {
            call.bridge("sip:bob@127.0.0.1:$BOB_SIP", codecs: "G722");
            exit;
        }
        call.bridge("sip:bob@127.0.0.1:$BOB_SIP");
        exit;
EOF2
call_config "rtp_timeout: 10"
jn_start

python3 "$JN_ITEST/audio.py" gen "$T/alice.wav" 20
python3 "$JN_ITEST/audio.py" gen "$T/bob.wav" 20 8000 3264

# run CASE BOB_CODECS: alice calls through Junction, talks 4 s, hangs up.
run() {
	local case=$1 bob_codecs=$2 user=${3:-bob}
	rm -rf "$T/alice" "$T/bob"
	bs_phone bob "$BOB_SIP" "$BOB_CTRL" "$T/bob.wav" \
		"<sip:bob@127.0.0.1:$BOB_SIP>;regint=0;answermode=auto;audio_codecs=$bob_codecs"
	bs_phone alice "$ALICE_SIP" "$ALICE_CTRL" "$T/alice.wav" \
		"<sip:alice@127.0.0.1:$ALICE_SIP>;regint=0;answermode=manual;audio_codecs=PCMU/8000/1"
	bs_wait_log "$T/bob/log" 'ctrl_tcp|baresip is ready' $((10 * JN_SLOW)) "bob starts"
	bs_wait_log "$T/alice/log" 'ctrl_tcp|baresip is ready' $((10 * JN_SLOW)) "alice starts"
	sleep 0.5
	bs_ctrl "$ALICE_CTRL" dial "sip:$user@127.0.0.1:$JN_PORT"
}

# talking: both phones in the call, 4 s of audio, then GET /calls.
talking() {
	bs_wait_log "$T/alice/log" '[Cc]all established' $((10 * JN_SLOW)) "alice's call"
	bs_wait_log "$T/bob/log" '[Cc]all established' $((10 * JN_SLOW)) "bob's call"
	sleep 4
	jn_http GET /calls
}
# hang_up: alice hangs up, bob sees it, both phones quit (dumps written).
hang_up() {
	bs_ctrl "$ALICE_CTRL" hangup ""
	bs_wait_log "$T/bob/log" '[Cc]losed|terminated|BYE' $((10 * JN_SLOW)) "bob sees the hang-up"
	bs_quit alice "$ALICE_CTRL"
	bs_quit bob "$BOB_CTRL"
}

note "relay: PCMU on both legs, packets relayed through Junction"
run relay PCMU/8000/1
talking
assert_eq "$(json_get "$HTTP_BODY" '[l["codec"] for l in d[0]["legs"]]')" '["PCMU", "PCMU"]' "both legs PCMU"
assert_ge "$(json_get "$HTTP_BODY" 'd[0]["legs"][0]["stats"]["rx_packets"]')" 100 "RTP from alice reached Junction"
assert_ge "$(json_get "$HTTP_BODY" 'd[0]["legs"][1]["stats"]["tx_packets"]')" 100 "RTP sent on to bob by Junction"
hang_up
bs_heard bob "$T/alice.wav" 0.9 "relay, alice -> bob"

note "transcoding: alice PCMU only, bob Opus only"
run transcode opus/48000/2
talking
assert_eq "$(json_get "$HTTP_BODY" '[l["codec"] for l in d[0]["legs"]]')" '["PCMU", "opus"]' "caller PCMU, callee Opus"
assert_ge "$(json_get "$HTTP_BODY" 'd[0]["legs"][1]["stats"]["tx_packets"]')" 100 "Opus sent to bob"
assert_ge "$(json_get "$HTTP_BODY" 'd[0]["legs"][0]["stats"]["tx_packets"]')" 100 "PCMU sent to alice"
hang_up
grep -Eq 'opus' "$T/bob/log" || fail "bob's log does not show the Opus codec"
bs_heard bob "$T/alice.wav" 0.8 "PCMU -> Opus, alice -> bob"
bs_heard alice "$T/bob.wav" 0.8 "Opus -> PCMU, bob -> alice"

note "codecs: \"G722\" to a callee without G.722: its 488 reaches the caller"
run nocodec PCMU/8000/1 bob-g722
bs_wait_log "$T/alice/log" '488|Not Acceptable' $((10 * JN_SLOW)) "alice gets 488"
bs_quit alice "$ALICE_CTRL"
bs_quit bob "$BOB_CTRL"
sleep 0.3
jn_http GET /calls
assert_eq "$(json_get "$HTTP_BODY" 'len(d)')" 0 "no call left"
jn_stop
