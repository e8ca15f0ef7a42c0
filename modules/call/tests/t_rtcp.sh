#!/bin/bash
# t_rtcp.sh - RTCP and per-leg statistics with real peers.
#
#  1. two baresip phones bridged through Junction (relay, PCMU): Junction
#     terminates RTCP per leg, sends its own SR/RR (RFC 3550 6.4) to each
#     phone and takes theirs; GET /api/v1/calls shows rtcp_tx > 0 and
#     rtcp_rx > 0 on both legs, RTP counted, RFC 3550 A.3 loss 0 and an
#     E-model MOS of 4.0 .. 4.5 (G.107: R 93.2 on a clean loopback).
#  2. a measured impairment. tc netem is not available on this kernel, so
#     a scripted peer (rtcp_peer.py, signalling by SIPp) calls an echo
#     line and leaves out every 20th RTP packet (5 % loss), and answers our
#     SRs as a phone behind a 50 ms link each way would (LSR/DLSR, RFC 3550
#     6.4.1). Junction must measure loss 5 % (A.3: 20 of ~400 packets, so
#     4.5 .. 5.5 % cannot come from a clean stream nor from another
#     pattern), RTT 100 ms +- 30 and a lower MOS than in 1; call.stats()
#     gives the same numbers to the script (logged when '#' ends the echo).
. "$(dirname "$0")/call_lib.sh"
. "$JN_ROOT/test/integration/baresip.sh"
jn_require_daemon
command -v baresip >/dev/null || fail "baresip is not installed"

jn_ports
read -r ALICE_SIP BOB_SIP PEER <<<"$(jn_free_port_pairs 3)" # PEER + 1: its RTCP
read -r ALICE_CTRL BOB_CTRL <<<"$(jn_free_ports 2)"
call_script <<EOF2
        if (ruri.user == "echo") {
            if (call.answer() && call.echo(until: "#")) {
                log("rtcp-stats " + call.stats() + " mos_x100=" + call.stat("mos", leg: "a"));
                call.hangup();
            }
            exit;
        }
        call.bridge("sip:bob@127.0.0.1:$BOB_SIP");
        exit;
EOF2
call_config "rtp_timeout: 10"
jn_start

# leg CALLS I FIELD: a stats field of leg I of the first call.
leg() { json_get "$1" "d[0][\"legs\"][$2][\"stats\"][\"$3\"]"; }

note "1. two phones bridged: our reports go out, theirs come in, no loss, MOS 4.0 .. 4.5"
python3 "$JN_ITEST/audio.py" gen "$T/alice.wav" 20
bs_phone bob "$BOB_SIP" "$BOB_CTRL" "$T/alice.wav" \
	"<sip:bob@127.0.0.1:$BOB_SIP>;regint=0;answermode=auto;audio_codecs=PCMU/8000/1"
bs_phone alice "$ALICE_SIP" "$ALICE_CTRL" "$T/alice.wav" \
	"<sip:alice@127.0.0.1:$ALICE_SIP>;regint=0;answermode=manual;audio_codecs=PCMU/8000/1"
bs_wait_log "$T/bob/log" 'ctrl_tcp|baresip is ready' $((10 * JN_SLOW)) "bob starts"
bs_wait_log "$T/alice/log" 'ctrl_tcp|baresip is ready' $((10 * JN_SLOW)) "alice starts"
sleep 0.3
bs_ctrl "$ALICE_CTRL" dial "sip:bob@127.0.0.1:$JN_PORT"
bs_wait_log "$T/bob/log" '[Cc]all established' $((10 * JN_SLOW)) "bob's call"
# Until both legs have sent and received RTCP (our first report within
# 3.75 s, the phones' every ~5 s) and 2 s of RTP, at most 9 s.
calls=
for ((i = 0; i < 45 * JN_SLOW; i++)); do
	sleep 0.2
	jn_http GET /calls
	calls=$HTTP_BODY
	[ "$(json_get "$calls" 'len(d)')" = 1 ] || continue
	ok=$(json_get "$calls" 'all(l["stats"]["rtcp_rx"] > 0 and l["stats"]["rtcp_tx"] > 0 and
		l["stats"]["mos"] and l["stats"]["rx_packets"] >= 100 for l in d[0]["legs"])')
	[ "$ok" = True ] && break
done
note "clean: $(json_get "$calls" '[l["stats"] for l in d[0]["legs"]]')"
for i in 0 1; do
	assert_ge "$(leg "$calls" $i rtcp_tx)" 1 "leg $i: Junction sent RTCP reports"
	assert_ge "$(leg "$calls" $i rtcp_rx)" 1 "leg $i: the phone's RTCP reached Junction"
	assert_ge "$(leg "$calls" $i rx_packets)" 100 "leg $i: RTP received"
	assert_eq "$(leg "$calls" $i lost)" 0 "leg $i: nothing lost on loopback"
	assert_eq "$(leg "$calls" $i loss_pct)" 0.0 "leg $i: loss 0 %"
	mos=$(leg "$calls" $i mos)
	assert_ge "$mos" 4.0 "leg $i: MOS $mos >= 4.0"
	assert_ge 4.5 "$mos" "leg $i: MOS $mos <= 4.5"
	assert_lt "$(leg "$calls" $i rtt_ms)" 30 "leg $i: loopback RTT"
done
clean_mos=$(leg "$calls" 0 mos)
id=$(json_get "$calls" 'd[0]["id"]')
jn_http GET "/calls/$id"
assert_eq "$HTTP_CODE" 200 "GET /calls/$id: $HTTP_BODY"
assert_eq "$(json_get "$HTTP_BODY" 'd["legs"][1]["codec"]')" PCMU "one call by id, with its legs"
jn_http GET /calls/999999
assert_eq "$HTTP_CODE" 404 "GET of an unknown call"
bs_ctrl "$ALICE_CTRL" hangup ""
bs_wait_log "$T/bob/log" '[Cc]losed|terminated|BYE' $((10 * JN_SLOW)) "bob sees the hang-up"
bs_quit alice "$ALICE_CTRL"
bs_quit bob "$BOB_CTRL"

note "2. 5 % loss and a 50 ms link each way: measured as such"
jn_render "$CALL_TESTS/sipp/uac_media_at.xml" "$T/uac.xml" USER=echo MPORT="$PEER" WAIT=20000
jn_sipp_bg uac -sf "$T/uac.xml" -i 127.0.0.1 -p "$PORT1" -m 1 127.0.0.1:"$JN_PORT" \
	-timeout 25 -timeout_error -trace_stat -stf "$T/uac.csv"
uac_pid=$SIPP_BG_PID
port=
for ((i = 0; i < 25 * JN_SLOW; i++)); do
	sleep 0.2
	jn_http GET /calls
	port=$(json_get "$HTTP_BODY" 'd[0]["legs"][0].get("local_rtp", "").split(":")[-1] if d else ""')
	[ -n "$port" ] && break
done
[ -n "$port" ] || fail "the echo call did not come up"
python3 "$CALL_TESTS/rtcp_peer.py" "$PEER" "$port" 9 50 >"$T/peer.log" 2>&1 &
peer_pid=$!
jn_track "$peer_pid"
# RTT comes with the peer's answer to our first SR (<= 3.75 s + 0.3 s).
for ((i = 0; i < 40; i++)); do
	sleep 0.2
	jn_http GET /calls
	calls=$HTTP_BODY
	echo "$HTTP_CODE $calls" >>"$T/rest.log"
	[ "$(json_get "$calls" 'd[0]["legs"][0]["stats"]["rtt_ms"] if d else 0')" -gt 0 ] && break
done
sleep 3 # more packets for the loss figure
jn_http GET /calls
calls=$HTTP_BODY
note "impaired: $(json_get "$calls" 'd[0]["legs"][0]["stats"]')"
rtt=$(leg "$calls" 0 rtt_ms) loss=$(leg "$calls" 0 loss_pct) mos=$(leg "$calls" 0 mos)
assert_ge "$(leg "$calls" 0 expected)" 200 "enough packets for the loss figure (the peer drops exactly every 20th)"
assert_ge "$rtt" 70 "RTT $rtt ms >= 70 (RFC 3550 6.4.1)"
assert_lt "$rtt" 130 "RTT $rtt ms < 130"
assert_ge "$loss" 4.5 "loss $loss % >= 4.5 (RFC 3550 A.3)"
assert_lt "$loss" 5.5 "loss $loss % < 5.5"
assert_lt "$mos" "$clean_mos" "MOS $mos below the clean call's $clean_mos"
assert_ge "$mos" 3.5 "MOS $mos: G.711 with PLC at 5 % loss (G.107: 3.92)"
wait "$peer_pid" || fail "the RTP peer failed: $(cat "$T/peer.log")"
SIPP_RC=0
wait "$uac_pid" || SIPP_RC=$?
assert_sipp_ok uac 1 "the echo call ended with our BYE after '#'"
line=$(grep -E 'rtcp-stats ' "$JN_LOG" | tail -n 1)
note "script: $line"
assert_match "$line" 'codec=PCMA .*loss=(4\.[5-9]|5\.[0-4])[0-9]*% .*rtt_ms=([7-9][0-9]|1[0-2][0-9]) ' \
	"call.stats() gives the script the same numbers"
assert_match "$line" 'mos_x100=3[5-9][0-9]' "call.stat(\"mos\")"
jn_alive || fail "daemon died"
jn_stop
echo "PASS t_rtcp"
