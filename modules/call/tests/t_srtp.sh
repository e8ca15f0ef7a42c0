#!/bin/bash
# t_srtp.sh - SRTP keyed with SDES (RFC 4568) on a real phone: alice
# (baresip, srtp.so, mediaenc=srtp-mand: RTP/SAVP with a=crypto) calls
# through call.bridge() to bob, a plain RTP/AVP baresip. The call module
# runs with srtp: require for callers and bridge_srtp: off for callees, so
# Junction relays between an SRTP leg and a plain one, both ways.
#
#  1. RFC 4568 7.1.2 / 5.1: Junction's 200 OK to alice is RTP/SAVP with one
#     a=crypto line (alice's tag and suite, Junction's own inline key);
#     the REST call shows the suite on alice's leg and "" on bob's.
#  2. RFC 3711 3.1: captured on lo, every RTP packet Junction sends alice
#     is the plain length plus the suite's auth tag (10 bytes for _80, 4
#     for _32), and its payload read as PCMU does NOT follow bob's audio,
#     while the packets Junction sends bob (plain, same capture, same
#     analysis) DO follow alice's: the difference is the encryption.
#  3. Audio still arrives: what each phone decoded follows what the other
#     sent (alice's recording proves SRTP protect on our side, bob's proves
#     unprotect).
#  4. RFC 3264 6 / RFC 4568 7.5: a plain-only caller against srtp: require
#     gets 488 Not Acceptable Here.
#  5. As offerer (daemon restarted with srtp: off, bridge_srtp: offer):
#     the callee leg is offered RTP/AVP with our two a=crypto lines; bob
#     (baresip, mediaenc=srtp, best effort) answers one of them (RFC 4568
#     7.1.3), the REST call shows the suite on bob's leg only, Junction
#     authenticates bob's SRTP and bob's recording follows what the plain
#     caller sent.
. "$(dirname "$0")/call_lib.sh"
. "$JN_ROOT/test/integration/baresip.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
jn_require_daemon
command -v baresip >/dev/null || fail "baresip is not installed"
[ -f /usr/lib/baresip/modules/srtp.so ] || fail "baresip's srtp.so is not installed"
[ "$(id -u)" = 0 ] || fail "the loopback capture needs root (AF_PACKET)"

jn_ports
# Fresh ports for the phones and a script that bridges to bob's: each part
# starts new phones, and a port the last ones had may be taken meanwhile.
new_phones() {
	read -r ALICE_SIP BOB_SIP <<<"$(jn_free_port_pairs 2)"
	read -r ALICE_CTRL BOB_CTRL <<<"$(jn_free_ports 2)"
	call_script <<EOF2
        call.bridge("sip:bob@127.0.0.1:$BOB_SIP");
        exit;
EOF2
}
new_phones
call_config 'rtp_timeout: 10, srtp: require, bridge_srtp: "off"'
jn_start

python3 "$JN_ITEST/audio.py" gen "$T/alice.wav" 20
python3 "$JN_ITEST/audio.py" gen "$T/bob.wav" 20 8000 3264

# alice ACCOUNT_PARAMS [bob]: alice (SDES when asked for), and bob (plain,
# answers) when the second argument is given.
phones() {
	rm -rf "$T/alice" "$T/bob"
	[ -n "${2:-}" ] && bs_phone bob "$BOB_SIP" "$BOB_CTRL" "$T/bob.wav" \
		"<sip:bob@127.0.0.1:$BOB_SIP>;regint=0;answermode=auto;audio_codecs=PCMU/8000/1"
	local acc="<sip:alice@127.0.0.1:$ALICE_SIP>;regint=0;answermode=manual"
	bs_phone alice "$ALICE_SIP" "$ALICE_CTRL" "$T/alice.wav" \
		"$acc;audio_codecs=PCMU/8000/1$1" \
		"module			srtp.so"
	[ -n "${2:-}" ] &&
		bs_wait_log "$T/bob/log" 'ctrl_tcp|baresip is ready' $((10 * JN_SLOW)) "bob starts"
	bs_wait_log "$T/alice/log" 'ctrl_tcp|baresip is ready' $((10 * JN_SLOW)) "alice starts"
	sleep 0.3
}

note "alice (SDES, RTP/SAVP) -> Junction -> bob (plain RTP/AVP), captured on lo"
phones ";mediaenc=srtp-mand" bob
python3 "$HERE/srtp_wire.py" capture "$T/wire.jsonl" "$T/capture.stop" \
	"$RTP_MIN-$((RTP_MIN + 99))" "$JN_PORT" >"$T/capture.log" 2>&1 &
cap_pid=$!
jn_track "$cap_pid"
sleep 0.3
bs_ctrl "$ALICE_CTRL" dial "sip:bob@127.0.0.1:$JN_PORT"
bs_wait_log "$T/alice/log" '[Cc]all established' $((10 * JN_SLOW)) "alice's call"
bs_wait_log "$T/bob/log" '[Cc]all established' $((10 * JN_SLOW)) "bob's call"
sleep 2.5
# One look at the REST call: "legs" fields and stats, "-" for "".
legs() {
	jn_http GET /calls
	json_get "$HTTP_BODY" '" ".join(str(x) or "-" for l in d[0]["legs"] for x in
		[l["srtp"], l["local_rtp"].split(":")[1], l["stats"]["rx_packets"],
		 l["stats"]["tx_packets"], l["stats"]["rx_dropped"], l["stats"]["rtcp_rx"]])'
}
read -r suite a_port a_rx a_tx a_drop a_rtcp bsuite b_port b_rx b_tx b_drop b_rtcp <<<"$(legs)"
# baresip sends one plain RTCP APP "PINGPONG" probe before its SRTCP: not
# SRTCP (RFC 3711 3.4), so dropped and counted. Wait for its first report.
for ((i = 0; i < 40 * JN_SLOW && a_rtcp < 1; i++)); do
	sleep 0.1
	read -r suite a_port a_rx a_tx a_drop a_rtcp bsuite b_port b_rx b_tx b_drop b_rtcp <<<"$(legs)"
done
note "alice's leg: $suite rx $a_rx tx $a_tx dropped $a_drop rtcp_rx $a_rtcp;" \
	"bob's leg: $bsuite rx $b_rx tx $b_tx"
case "$suite" in
AES_CM_128_HMAC_SHA1_80) tag=10 ;;
AES_CM_128_HMAC_SHA1_32) tag=4 ;;
*) fail "alice's leg is not SRTP: srtp=\"$suite\"" ;;
esac
assert_eq "$bsuite" "-" "bob's leg is plain RTP"
assert_ge "$a_rx" 100 "SRTP from alice authenticated and decrypted by Junction"
assert_ge "$b_tx" 100 "relayed to bob"
assert_ge "$a_tx" 100 "bob's RTP protected towards alice"
[ "$a_drop" -le 2 ] || fail "alice's packets dropped: $a_drop"
assert_ge "$a_rtcp" 1 "alice's SRTCP report unprotected (RFC 3711 3.4)"
bs_ctrl "$ALICE_CTRL" hangup ""
bs_wait_log "$T/bob/log" '[Cc]losed|terminated|BYE' $((10 * JN_SLOW)) "bob sees the hang-up"
touch "$T/capture.stop"
bs_quit alice "$ALICE_CTRL"
bs_quit bob "$BOB_CTRL"
wait "$cap_pid" || fail "capture failed: $(cat "$T/capture.log")"

# 1. The answer Junction sent alice (RFC 4568 7.1.2): RTP/SAVP, one crypto
# line, alice's tag, a 30-byte key (40 base64 characters).
python3 "$HERE/srtp_wire.py" sip "$T/wire.jsonl" "$JN_PORT" >"$T/sip.txt"
ok200=$(tr -d '\r' <"$T/sip.txt")
grep -q "^m=audio [0-9]* RTP/SAVP 0" <<<"$ok200" || fail "no RTP/SAVP in our 200 OK: $ok200"
assert_eq "$(grep -c '^a=crypto:' <<<"$ok200")" 1 "one a=crypto line in the answer"
grep -Eq "^a=crypto:[0-9]+ $suite inline:[A-Za-z0-9+/]{40}$" <<<"$ok200" ||
	fail "a=crypto line: $(grep '^a=crypto' <<<"$ok200")"

# 2. On the wire: SRTP towards alice, plain towards bob.
to_alice=$(python3 "$HERE/srtp_wire.py" rtp "$T/wire.jsonl" "$a_port" "$T/wire_alice.wav")
to_bob=$(python3 "$HERE/srtp_wire.py" rtp "$T/wire.jsonl" "$b_port" "$T/wire_bob.wav")
note "Junction -> alice: $to_alice; Junction -> bob: $to_bob"
assert_ge "$(json_get "$to_alice" 'd["packets"]')" 100 "packets to alice captured"
assert_eq "$(json_get "$to_alice" '",".join(d["lengths"])')" "$((172 + tag))" \
	"every packet to alice is 172 + $tag bytes (RFC 3711 3.1: auth tag)"
assert_eq "$(json_get "$to_bob" '",".join(d["lengths"])')" 172 "packets to bob are plain"
out=$(python3 "$JN_ITEST/audio.py" corr "$T/wire_bob.wav" "$T/alice.wav" \
	--min-env 0.9 --min-wave 0.9) ||
	fail "control: the plain packets to bob do not follow alice's audio: $out"
note "wire to bob (plain) vs alice's audio: $out"
out=$(python3 "$JN_ITEST/audio.py" corr "$T/wire_alice.wav" "$T/bob.wav" --min-rms 0 2>&1) || true
note "wire to alice (SRTP) vs bob's audio: $out"
wave=$(sed -n 's/.*wave \(-\{0,1\}[0-9.]*\).*/\1/p' <<<"$out" | head -n 1)
env=$(sed -n 's/.*env \(-\{0,1\}[0-9.]*\).*/\1/p' <<<"$out" | head -n 1)
[ -n "$wave" ] && [ -n "$env" ] || fail "no correlation figures: $out"
python3 -c "import sys; sys.exit(not (abs($wave) < 0.3 and $env < 0.6))" ||
	fail "the payload to alice resembles bob's audio (env $env, wave $wave): not encrypted"

# 3. Audio arrives both ways.
bs_heard bob "$T/alice.wav" 0.9 "alice -> bob (SRTP unprotected by Junction)"
bs_heard alice "$T/bob.wav" 0.9 "bob -> alice (protected by Junction)"

note "RFC 4568 7.5 / RFC 3264 6: a plain RTP/AVP caller against srtp: require gets 488"
phones ""
bs_ctrl "$ALICE_CTRL" dial "sip:bob@127.0.0.1:$JN_PORT"
bs_wait_log "$T/alice/log" '488|Not Acceptable' $((10 * JN_SLOW)) "alice gets 488"
bs_quit alice "$ALICE_CTRL"
# Refused before any callee leg (bob is not even running this time).
assert_eq "$(grep -c 'bridging sip:alice' "$JN_LOG")" 1 "no second bridge attempt"
sleep 0.3
jn_http GET /calls
assert_eq "$(json_get "$HTTP_BODY" 'len(d)')" 0 "no call left"
jn_alive || fail "daemon died"
jn_stop

note "bridge_srtp: offer: we offer RTP/AVP + a=crypto to bob (best effort, mediaenc=srtp)"
# RFC 4568 7.1.3: bob picks one of our lines; alice stays plain (srtp: off).
call_config 'rtp_timeout: 10, srtp: "off", bridge_srtp: offer'
new_phones
jn_start
phones ""
bs_phone bob "$BOB_SIP" "$BOB_CTRL" "$T/bob.wav" \
	"<sip:bob@127.0.0.1:$BOB_SIP>;regint=0;answermode=auto;audio_codecs=PCMU/8000/1;mediaenc=srtp" \
	"module			srtp.so"
bs_wait_log "$T/bob/log" 'ctrl_tcp|baresip is ready' $((10 * JN_SLOW)) "bob starts"
bs_ctrl "$ALICE_CTRL" dial "sip:bob@127.0.0.1:$JN_PORT"
bs_wait_log "$T/alice/log" '[Cc]all established' $((10 * JN_SLOW)) "alice's call"
sleep 2
read -r suite a_port a_rx a_tx a_drop a_rtcp bsuite b_port b_rx b_tx b_drop b_rtcp <<<"$(legs)"
note "alice's leg: $suite rx $a_rx; bob's leg: $bsuite rx $b_rx tx $b_tx dropped $b_drop"
assert_eq "$suite" "-" "alice's leg is plain"
case "$bsuite" in
AES_CM_128_HMAC_SHA1_80 | AES_CM_128_HMAC_SHA1_32) ;;
*) fail "bob's leg is not SRTP: srtp=\"$bsuite\"" ;;
esac
assert_ge "$b_rx" 60 "bob's SRTP authenticated and decrypted by Junction"
bs_ctrl "$ALICE_CTRL" hangup ""
bs_wait_log "$T/bob/log" '[Cc]losed|terminated|BYE' $((10 * JN_SLOW)) "bob sees the hang-up"
bs_quit alice "$ALICE_CTRL"
bs_quit bob "$BOB_CTRL"
bs_heard bob "$T/alice.wav" 0.9 "alice -> bob (protected by Junction with the key we offered)"
jn_alive || fail "daemon died"
jn_stop
echo "PASS t_srtp"
