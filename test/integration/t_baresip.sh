#!/bin/bash
# t_baresip.sh - two real phones (baresip) register with digest auth and
# call each other through the default PBX script, with audio from a WAV.
#
# baresip 1.0.0 on Debian 12 uses libre 1.1.0, whose digest client only
# knows MD5: sip_auth_authenticate() walks EVERY WWW-Authenticate /
# Proxy-Authenticate header of the 401/407 and fails the whole challenge
# with ENOSYS as soon as one of them names another algorithm (the header
# order does not matter): a "MD5,SHA-256" challenge ends in "Register:
# Function not implemented" after the first REGISTER. The shipped demo
# configuration therefore offers MD5 only; this test runs it as shipped.
#
# Proves, with the shipped etc/routes/default.jn and the demo subscribers:
#  - RFC 3261 10.3 + 22.4 / RFC 7616: REGISTER challenged (401) and then
#    accepted for 1000 and 1001 (baresip reports "200 OK [1 binding]");
#  - RFC 3261 16 (stateful proxy, record-route): INVITE 1000 -> 1001 is
#    challenged (407), authenticated, looked up and relayed; bob answers;
#  - audio flows end to end: alice sends a 1000 Hz tone from a WAV file and
#    the audio bob decoded has its dominant frequency at 1000 Hz and tracks
#    the sent signal (normalised correlation of the spectra);
#  - BYE travels back through the proxy (Route from Record-Route) and both
#    phones end the call.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/baresip.sh"
jn_require_daemon
command -v baresip >/dev/null || fail "baresip is not installed"
command -v sox >/dev/null || fail "sox is not installed"

jn_ports
read -r ALICE_SIP BOB_SIP <<<"$(jn_free_port_pairs 2)"
read -r -a bp <<<"$(jn_free_ports 8)"
ALICE_CTRL=${bp[4]} BOB_CTRL=${bp[5]}

# The shipped default script, with the shipped module configuration.
cp "$JN_ROOT/etc/routes/default.jn" "$T/test.jn"
modules=$(sed -n '/^modules:/,/^[a-z_]*:/p' "$JN_ROOT/etc/junction.yaml" | sed '$d')
# JN_BARESIP_TLS=1 (t_baresip_tls.sh): the phones use a TLS listener
# (sips, RFC 3261 26.2) with a throwaway CA they trust (sip_cafile).
SIP_URI_SUFFIX= ACCOUNT_PORT=$JN_PORT EXTRA_CONF=
if [ "${JN_BARESIP_TLS:-0}" = 1 ]; then
	TLS_PORT=${bp[1]}
	pki=$T/pki
	mkdir -p "$pki"
	(
		cd "$pki"
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=Junction test CA" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
			-subj "/CN=127.0.0.1" 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out server.pem -days 2 -extfile server.ext 2>/dev/null
		# The proxy opens its own TLS connection to the callee's contact
		# (baresip's TLS port), so the phones serve a certificate too.
		cat server.key server.pem >phone.pem
	) || fail "openssl could not make the test certificates"
	modules+=$'\n'"tls: { certificate: $pki/server.pem, key: $pki/server.key }"
	SIP_URI_SUFFIX=";transport=tls" ACCOUNT_PORT=$TLS_PORT
	EXTRA_CONF="sip_cafile		$pki/ca.pem
sip_certificate		$pki/phone.pem"
fi
jn_config - <<<"$modules"
if [ -n "${TLS_PORT:-}" ]; then
	sed -i "s|^  tcp: .*|&\n  tls: \"127.0.0.1:$TLS_PORT\"|" "$T/junction.yaml"
fi
jn_start

sox -n -r 8000 -c 1 -b 16 "$T/alice-1000hz.wav" synth 20 sine 1000 vol 0.5

# phone NAME USER SIPPORT CTRLPORT ANSWERMODE
phone() {
	bs_phone "$1" "$3" "$4" "$T/alice-1000hz.wav" \
		"<sip:$2@127.0.0.1:$ACCOUNT_PORT$SIP_URI_SUFFIX>;auth_user=$2;auth_pass=1234;answermode=$5;audio_codecs=PCMU/8000/1;regint=600" \
		"$EXTRA_CONF"
}
ctrl() { bs_ctrl "$@"; }
wait_log() { bs_wait_log "$@"; }

note "bob (1001) and alice (1000) register with digest auth"
phone bob 1001 "$BOB_SIP" "$BOB_CTRL" auto
phone alice 1000 "$ALICE_SIP" "$ALICE_CTRL" manual
wait_log "$T/bob/log" '200 OK .*\[1 binding\]' $((10 * JN_SLOW)) "bob registration"
wait_log "$T/alice/log" '200 OK .*\[1 binding\]' $((10 * JN_SLOW)) "alice registration"
jn_http GET "/registrations"
assert_match "$HTTP_BODY" '1000@' "REST lists alice's binding"
assert_match "$HTTP_BODY" '1001@' "REST lists bob's binding"

note "alice calls bob; bob answers; audio flows for a few seconds"
# (baresip adds the account's ;transport=tls itself)
ctrl "$ALICE_CTRL" dial "sip:1001@127.0.0.1:$ACCOUNT_PORT"
wait_log "$T/alice/log" 'Call established|call established' $((10 * JN_SLOW)) "alice's call"
wait_log "$T/bob/log" 'Call established|call established' $((10 * JN_SLOW)) "bob's call"
sleep 4
ctrl "$ALICE_CTRL" hangup ""
wait_log "$T/bob/log" '[Cc]losed|terminated|BYE' $((10 * JN_SLOW)) "bob sees the hang-up"
sleep 1

dec=$(find "$T/bob/dump" -name '*-dec.wav' | head -n 1)
[ -n "$dec" ] || fail "bob wrote no received-audio dump"
note "received audio: $(soxi -D "$dec") s"
python3 - "$dec" "$T/alice-1000hz.wav" <<'PY' || fail "received audio does not match the sent tone"
import struct, sys, wave, cmath, math
def samples(path):
    w = wave.open(path)
    n = w.getnframes()
    data = w.readframes(n)
    return list(struct.unpack("<%dh" % (len(data) // 2), data)), w.getframerate()
rx, rate = samples(sys.argv[1])
tx, _ = samples(sys.argv[2])
# skip the start (ringing, jitter buffer fill), look at 1 s of steady audio
seg = rx[rate // 2: rate // 2 + rate]
if len(seg) < rate // 2:
    sys.exit("received only %d samples" % len(rx))
rms = math.sqrt(sum(x * x for x in seg) / len(seg))
def spectrum(x):
    n = 256
    out = []
    for k in range(1, n // 2):
        acc = 0
        for blk in range(0, len(x) - n, n):
            s = sum(x[blk + i] * cmath.exp(-2j * math.pi * k * i / n) for i in range(0, n, 2))
            acc += abs(s)
        out.append(acc)
    return out
srx, stx = spectrum(seg), spectrum(tx[:len(seg)])
peak = (srx.index(max(srx)) + 1) * rate / 256
dot = sum(a * b for a, b in zip(srx, stx))
corr = dot / math.sqrt(sum(a * a for a in srx) * sum(b * b for b in stx))
print("rms %.0f, dominant %.0f Hz, spectral correlation %.3f" % (rms, peak, corr))
if rms < 500:
    sys.exit("received audio is silent (rms %.0f)" % rms)
if abs(peak - 1000) > 40:
    sys.exit("dominant frequency %.0f Hz, expected 1000 Hz" % peak)
if corr < 0.9:
    sys.exit("spectral correlation %.3f below 0.9" % corr)
PY

note "both phones quit and unregister (RFC 3261 10.2.2: Expires 0)"
bs_quit alice "$ALICE_CTRL"
bs_quit bob "$BOB_CTRL"
jn_http GET "/registrations"
assert_no_match "$HTTP_BODY" '100[01]@' "no binding left after the phones unregistered"
jn_stop
