#!/bin/bash
# t_lookup.sh - registrar.lookup() with real SIPp peers: a SIPp UA registers
# (RFC 3261 10.3, 200 lists the contact with its expires), a MESSAGE to the
# user is relayed by forward() to the best contact (highest q, RFC 3261
# 16.6 / 10.2.1.2), an unknown user gets 404; registrar.count and
# registrar.registered().
. "$(dirname "$0")/../../../test/integration/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
jn_ports
UAC_PORT=$PORT1 UAS_PORT=$PORT2 REG_PORT=$PORT3 DEAD_PORT=$PORT4
jn_script <<'EOF'
request {
    if (method == "OPTIONS") { reply(200); exit; }
    if (method == "REGISTER") { registrar.save(); exit; }
    if (!registrar.lookup()) {
        log("lookup miss for " + ruri + " registered=" + registrar.registered("sip:bob1@example.com"));
        reply(404, "Not Found");
        exit;
    }
    log("lookup hit ruri=" + ruri + " count=" + registrar.count);
    forward();
}
EOF
jn_config - <<EOF
modules:
  - name: registrar
    params: { domain: example.com }
EOF
jn_start

note "a SIPp UA registers two contacts for bob1 (q 0.1 on a dead port, q 0.9 on the UAS)"
jn_render "$HERE/sipp/register.xml" "$T/reg-low.xml" USER=bob DOMAIN=example.com \
	"CONTACT=127.0.0.1:$DEAD_PORT" "CONTACT_RE=127\\.0\\.0\\.1:$DEAD_PORT" Q=0.1 EXPIRES=120
jn_sipp reg-low -sf "$T/reg-low.xml" -i 127.0.0.1 -p "$REG_PORT" -t u1 -m 1 "127.0.0.1:$JN_PORT"
assert_sipp_ok reg-low 1 "REGISTER with q=0.1"
jn_render "$HERE/sipp/register.xml" "$T/reg-high.xml" USER=bob DOMAIN=example.com \
	"CONTACT=127.0.0.1:$UAS_PORT" "CONTACT_RE=127\\.0\\.0\\.1:$UAS_PORT" Q=0.9 EXPIRES=120
jn_sipp reg-high -sf "$T/reg-high.xml" -i 127.0.0.1 -p "$REG_PORT" -t u1 -m 1 "127.0.0.1:$JN_PORT"
assert_sipp_ok reg-high 1 "REGISTER with q=0.9"

note "MESSAGE to bob1 reaches the q=0.9 contact through forward()"
jn_render "$JN_SIPP_DIR/uas.xml" "$T/uas.xml" METHOD=MESSAGE MAXFWD=69 \
	"VIA_RE=MESSAGE sip:bob1@127\\.0\\.0\\.1:$UAS_PORT SIP/2\\.0"
jn_render "$JN_SIPP_DIR/uac.xml" "$T/uac.xml" METHOD=MESSAGE "RURI=sip:bob1@example.com" \
	STATUS=200 "REASON_RE=uas ok"
jn_sipp_bg uas -sf "$T/uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -m 1 -timeout "$((20 * JN_SLOW))" -timeout_error
uas=$SIPP_BG_PID
sleep 0.3
jn_sipp uac -sf "$T/uac.xml" -i 127.0.0.1 -p "$UAC_PORT" -t u1 -m 1 "127.0.0.1:$JN_PORT"
uas_rc=0
wait "$uas" || uas_rc=$?
[ "$uas_rc" = 0 ] || { sipp_dump uas; fail "the UAS did not get the MESSAGE (status $uas_rc)"; }
assert_sipp_ok uac 1 "MESSAGE to a registered user"
assert_file_match "$JN_LOG" "lookup hit ruri=sip:bob1@127\\.0\\.0\\.1:$UAS_PORT count=2" "R-URI rewritten, registrar.count"

note "MESSAGE to an unknown user -> 404"
jn_render "$JN_SIPP_DIR/uac.xml" "$T/uac404.xml" METHOD=MESSAGE "RURI=sip:nobody@example.com" \
	STATUS=404 "REASON_RE=Not Found"
jn_sipp uac404 -sf "$T/uac404.xml" -i 127.0.0.1 -p "$UAC_PORT" -t u1 -m 1 "127.0.0.1:$JN_PORT"
assert_sipp_ok uac404 1 "MESSAGE to an unknown user"
assert_file_match "$JN_LOG" "lookup miss for sip:nobody@example\\.com registered=true" "registrar.registered()"

jn_stop
echo "PASS: $TEST_NAME"
