#!/bin/bash
# t_forward.sh - stateless forwarding with forward() (RFC 3261 16.11).
#
# A SIPp UAC sends MESSAGE through junctiond to a SIPp UAS. Proves:
#  - forward("sip:127.0.0.1:PORT") relays to the given destination and
#    forward() with no argument relays to the Request-URI;
#  - the proxy adds its own Via on top, with a branch starting with the
#    RFC 3261 magic cookie z9hG4bK, and keeps the UAC's Via below it
#    (16.6 step 8, 16.11);
#  - Max-Forwards is decremented (16.6 step 3);
#  - the body is relayed unchanged;
#  - the response is relayed back to the UAC with the proxy's Via removed
#    (16.7 step 3, 16.11), so the UAC sees its 200 with its own Via only;
#  - a retransmission is forwarded with the same branch (16.11: the branch
#    must be computed so that retransmissions get the same value).
. "$(dirname "$0")/lib.sh"

jn_ports
UAC_PORT=$PORT1 UAS_PORT=$PORT2
jn_script <<EOF2
# t_forward
request {
    if (ruri.user == "fixed") {
        forward("sip:127.0.0.1:$UAS_PORT");
        exit;
    }
    forward();
}
EOF2
jn_config
jn_start

via_re="[^ -~](Via|v): *SIP/2\\.0/UDP 127\\.0\\.0\\.1:$JN_PORT;([ -~]*;)?branch=z9hG4bK[ -~]*(,[ ]*|[^ -~]+(Via|v): *)SIP/2\\.0/UDP 127\\.0\\.0\\.1:$UAC_PORT;branch=z9hG4bKjnuac-"

# check_trace NAME: the UAS's received MESSAGE and the UAC's received 200,
# from the SIPp message traces.
check_trace() {
	python3 - "$T/$1-uas.msg" "$T/$1-uac.msg" "$JN_PORT" "$UAC_PORT" <<'PY' || fail "$1: message trace check (see above)"
import re, sys
uas_trace, uac_trace, jn_port, uac_port = sys.argv[1:5]

def messages(path, direction):
    text = open(path, encoding="latin-1").read()
    out = []
    for block in re.split(r"\n-{20,} [^\n]*\n", "\n" + text):
        lines = block.split("\n")
        if len(lines) < 3 or direction not in lines[0]:
            continue
        out.append("\n".join(lines[2:]))
    return out

def headers(msg, names):
    head = msg.split("\n\n", 1)[0].split("\n")[1:]
    vals = []
    for line in head:
        n, _, v = line.partition(":")
        if n.strip().lower() in names:
            vals += [x.strip() for x in v.split(",")]
    return vals

bad = []
reqs = messages(uas_trace, "received")
if not reqs:
    sys.exit("no request in the UAS trace " + uas_trace)
req = reqs[0]
vias = headers(req, ("via", "v"))
if len(vias) != 2:
    bad.append("UAS got %d Via values, expected 2: %r" % (len(vias), vias))
else:
    if not re.match(r"SIP/2\.0/UDP 127\.0\.0\.1:%s;(.*;)?branch=z9hG4bK" % jn_port, vias[0]):
        bad.append("top Via is not the proxy's with a z9hG4bK branch: %r" % vias[0])
    if not vias[1].startswith("SIP/2.0/UDP 127.0.0.1:%s;branch=z9hG4bKjnuac-" % uac_port):
        bad.append("second Via is not the UAC's: %r" % vias[1])
mf = headers(req, ("max-forwards",))
if mf != ["69"]:
    bad.append("Max-Forwards at the UAS: %r, expected ['69']" % mf)
if "\n\nhello " not in req:
    bad.append("body not relayed: %r" % req[-60:])
branches = set()
for r in reqs:
    v = headers(r, ("via", "v"))
    m = re.search(r"branch=([^;,\s]+)", v[0]) if v else None
    branches.add(m.group(1) if m else None)
if len(branches) != 1:
    bad.append("retransmissions forwarded with different branches: %r" % branches)
resps = [m for m in messages(uac_trace, "received") if m.startswith("SIP/2.0 200")]
if not resps:
    bad.append("the UAC trace holds no 200")
else:
    v = headers(resps[0], ("via", "v"))
    if len(v) != 1 or ":%s;" % uac_port not in v[0]:
        bad.append("the UAC's 200 should carry only the UAC's Via, has %r" % v)
for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# run_case NAME RURI: UAS in the background, then one MESSAGE from the UAC.
run_case() {
	local name=$1 ruri=$2
	jn_render "$JN_SIPP_DIR/uas.xml" "$T/$name-uas.xml" METHOD=MESSAGE MAXFWD=69 "VIA_RE=$via_re"
	jn_render "$JN_SIPP_DIR/uac.xml" "$T/$name-uac.xml" METHOD=MESSAGE "RURI=$ruri" \
		STATUS=200 "REASON_RE=uas ok"
	jn_sipp_bg "$name-uas" -sf "$T/$name-uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -m 1 \
		-timeout "$((20 * JN_SLOW))" -timeout_error
	local uas=$SIPP_BG_PID
	sleep 0.3
	jn_sipp "$name-uac" -sf "$T/$name-uac.xml" -i 127.0.0.1 -p "$UAC_PORT" -t u1 -m 1 \
		"127.0.0.1:$JN_PORT"
	local uas_rc=0
	wait "$uas" || uas_rc=$?
	if [ "$uas_rc" != 0 ]; then
		sipp_dump "$name-uas"
		fail "$name: the SIPp UAS failed (status $uas_rc): it did not get a correct MESSAGE"
	fi
	assert_sipp_ok "$name-uac" 1 "$name: MESSAGE through forward()"
	check_trace "$name"
}

note "forward(\"sip:127.0.0.1:UAS\") relays MESSAGE to the UAS and the 200 back"
run_case fixed "sip:fixed@127.0.0.1:$JN_PORT"

note "forward() relays to the Request-URI"
run_case ruri "sip:svc@127.0.0.1:$UAS_PORT"

note "a retransmitted MESSAGE is forwarded with the same branch"
jn_render "$JN_SIPP_DIR/uas.xml" "$T/rtx-uas.xml" METHOD=MESSAGE MAXFWD=69 "VIA_RE=$via_re"
jn_sipp_bg rtx-uas -sf "$T/rtx-uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -m 1 \
	-timeout "$((20 * JN_SLOW))" -timeout_error
uas=$SIPP_BG_PID
sleep 0.3
cat >"$T/rtx.sip" <<EOF2
MESSAGE sip:fixed@127.0.0.1:$JN_PORT SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch=z9hG4bKjnuac-7-rtx
Max-Forwards: 70
From: <sip:uac@127.0.0.1>;tag={tag}
To: <sip:fixed@127.0.0.1>
Call-ID: {callid}
CSeq: 1 MESSAGE
Content-Type: text/plain
Content-Length: 7

hello 7
EOF2
# Use the UAC port so the Via check in uas.xml holds for this request too.
out=$(siptool send --port "$JN_PORT" --local-port "$UAC_PORT" --file "$T/rtx.sip" \
	--count 2 --interval 0.3 --wait 2 --expect 2)
uas_rc=0
wait "$uas" || uas_rc=$?
[ "$uas_rc" = 0 ] || { sipp_dump rtx-uas; fail "retransmission: SIPp UAS failed (status $uas_rc)"; }
n=$(printf '%s\n' "$out" | grep -c '^SIP/2\.0 200 uas ok' || true)
assert_ge "$n" 1 "200 responses relayed back for the retransmitted MESSAGE"
got=$(python3 "$JN_ITEST/siptool.py" parse "$T/rtx-uas.msg" | grep -c '"direction": "received"' || true)
assert_eq "$got" 2 "copies of the retransmitted MESSAGE that reached the UAS"
: >"$T/rtx-uac.msg"
printf -- '----------------------------------------------- x\nUDP message received [0] bytes :\n\n%s\n' \
	"$(printf '%s\n' "$out" | sed -n '1,/^=====/p' | sed '$d')" >"$T/rtx-uac.msg"
check_trace rtx

jn_stop
echo "PASS: $TEST_NAME"
