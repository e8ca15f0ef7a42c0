#!/bin/bash
# t_pbx.sh - the shipped default configuration is a small PBX.
#
# Runs etc/routes/default.jn with the module section of etc/junction.yaml
# and proves, with SIPp as the phones:
#  - RFC 3261 10.2/10.3 + 22.4: 1001 registers (401, credentials, 200 that
#    lists its binding);
#  - RFC 3261 22.3, 16: 1000 calls 1001: 407, authenticated INVITE, relayed
#    to 1001's registered contact with Record-Route (16.6 item 4); ACK and
#    BYE follow the recorded route (12.2.1.1, 16.12) and the call ends;
#  - a known but unregistered subscriber (1005) -> 480, an unknown number
#    (2000) -> 404 (RFC 3261 21.4.18, 21.4.4);
#  - the demo credentials are refused with a wrong password.
. "$(dirname "$0")/lib.sh"
jn_require_daemon

jn_ports
cp "$JN_ROOT/etc/routes/default.jn" "$T/test.jn"
sed -n '/^modules:/,/^[a-z_]*:/p' "$JN_ROOT/etc/junction.yaml" | sed '$d' | jn_config -
jn_start

note "the callee (1001) is a SIPp UAS that registered its contact"
# (SIPp's built-in UAS does not echo Record-Route; this one does, 12.1.1.)
jn_render "$JN_ROOT/modules/proxy/tests/sipp/uas_call.xml" "$T/uas.xml" \
	"RR_RE=127\\.0\\.0\\.1:$JN_PORT;lr" "VIA_RE=127\\.0\\.0\\.1:$JN_PORT"
jn_sipp_bg uas -sf "$T/uas.xml" -i 127.0.0.1 -p "$PORT2" -t u1
jn_render "$JN_SIPP_DIR/pbx_register.xml" "$T/reg.xml" "CONTACT_PORT=$PORT2"
jn_sipp reg -sf "$T/reg.xml" -s 1001 -au 1001 -ap 1234 -i 127.0.0.1 -p "$PORT1" -m 1 "127.0.0.1:$JN_PORT"
assert_sipp_ok reg 1 "1001 registers with digest auth"
jn_http GET "/registrations?aor=1001@127.0.0.1"
assert_match "$HTTP_BODY" "sip:1001@127.0.0.1:$PORT2" "REST shows 1001's contact"

note "1000 calls 1001 through the proxy"
jn_render "$JN_SIPP_DIR/pbx_call.xml" "$T/call.xml" CALLEE=1001
jn_sipp call -sf "$T/call.xml" -s 1000 -au 1000 -ap 1234 -i 127.0.0.1 -p "$PORT3" -m 3 -r 5 "127.0.0.1:$JN_PORT"
assert_sipp_ok call 3 "three authenticated calls 1000 -> 1001 complete with ACK and BYE"

note "a known subscriber that is not registered -> 480, an unknown number -> 404"
for case in "1005 480" "2000 404"; do
	set -- $case
	jn_render "$JN_ROOT/modules/auth/tests/sipp/auth_uac.xml" "$T/m$1.xml" METHOD=MESSAGE \
		"RURI=sip:$1@[remote_ip]:[remote_port]" "TO=[remote_ip]" CHALLENGE=407 "FINAL=$2"
	jn_sipp "m$1" -sf "$T/m$1.xml" -s 1000 -au 1000 -ap 1234 -i 127.0.0.1 -p "$PORT3" -m 1 "127.0.0.1:$JN_PORT"
	assert_sipp_ok "m$1" 1 "MESSAGE to $1 -> $2"
done

note "a wrong password is refused"
jn_render "$JN_ROOT/modules/auth/tests/sipp/auth_uac.xml" "$T/bad.xml" METHOD=REGISTER \
	"RURI=sip:[remote_ip]:[remote_port]" "TO=[remote_ip]" CHALLENGE=401 FINAL=401
jn_sipp bad -sf "$T/bad.xml" -s 1002 -au 1002 -ap 4321 -i 127.0.0.1 -p "$PORT3" -m 1 "127.0.0.1:$JN_PORT"
assert_sipp_ok bad 1 "REGISTER with a wrong password gets 401 again"
jn_stop
