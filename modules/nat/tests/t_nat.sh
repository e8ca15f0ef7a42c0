#!/bin/bash
# t_nat.sh - the nat module with the registrar:
#  - nat.detected() tests (RFC 3581: top Via vs source; Contact vs source;
#    private Contact address), each alone and all together;
#  - a client whose Contact (10.1.2.3, never contacted) differs from its
#    source registers; the binding stores the source as received and a
#    MESSAGE routed by registrar.lookup() reaches the client at its source
#    address (a SIPp UAS on the port the REGISTER came from);
#  - nat.fix_contact() rewrites the Contact to the source address;
#  - keepalives (RFC 5626 4.4): the client receives OPTIONS at its source.
# No packet goes to 10.1.2.3: Vias carry rport, routing uses received.
. "$(dirname "$0")/../../../test/integration/lib.sh"

jn_ports
CLIENT_PORT=$PORT1 UAC_PORT=$PORT2
jn_script <<'EOF'
request {
    if (method == "OPTIONS") { reply(200); exit; }
    if (method == "INFO") {
        $r = "n";
        if (nat.detected(via: true)) { $r = $r + "v"; }
        if (nat.detected(contact: true)) { $r = $r + "c"; }
        if (nat.detected(private: true)) { $r = $r + "p"; }
        if (nat.detected()) { $r = $r + "a"; }
        reply(200, $r);
        exit;
    }
    if (method == "REGISTER") {
        if (nat.detected()) {
            log("nat detected for " + to.user);
            if (to.user == "fixme") { nat.fix_contact(); }
        }
        registrar.save();
        exit;
    }
    if (!registrar.lookup()) { reply(404, "Not Found"); exit; }
    forward();
}
EOF

# send_tmpl NAME VIA CONTACT METHOD USER: a request from CLIENT_PORT.
send_req() {
	local method=$1 user=$2 via=$3 contact=$4
	cat >"$T/req.sip" <<EOF2
$method sip:$user@example.com SIP/2.0
Via: SIP/2.0/UDP $via;rport;branch={branch}
Max-Forwards: 70
From: <sip:$user@example.com>;tag={tag}
To: <sip:$user@example.com>
Call-ID: {callid}
CSeq: 1 $method
Contact: <$contact>
Content-Length: 0

EOF2
	siptool send --port "$JN_PORT" --local-port "$CLIENT_PORT" --file "$T/req.sip" --wait 3 --expect 1
}

reason_of() { first_status "$1" | cut -d' ' -f3-; }

# ---- phase 1: detection and routing, keepalives off ------------------------
jn_config - <<EOF
modules:
  - name: registrar
  - name: nat
    params: { keepalive_interval: 0 }
EOF
jn_start

note "nat.detected(): no test fires when Via and Contact are the source"
r=$(send_req INFO u1 "127.0.0.1:$CLIENT_PORT" "sip:u1@127.0.0.1:$CLIENT_PORT")
assert_eq "$(reason_of "$r")" n "Via and Contact = source"

note "RFC 3581: a top Via that is not the source fires the via test"
r=$(send_req INFO u1 "192.0.2.7:5060" "sip:u1@127.0.0.1:$CLIENT_PORT")
assert_eq "$(reason_of "$r")" nva "Via differs"

note "a private Contact address fires the contact and private tests"
r=$(send_req INFO u1 "127.0.0.1:$CLIENT_PORT" "sip:u1@10.1.2.3:5060")
assert_eq "$(reason_of "$r")" ncpa "Contact 10.1.2.3"
r=$(send_req INFO u1 "127.0.0.1:$CLIENT_PORT" "sip:u1@100.64.1.2:5060")
assert_eq "$(reason_of "$r")" ncpa "Contact 100.64.1.2 (RFC 6598)"

note "a loopback Contact on another port: contact test only (loopback source)"
r=$(send_req INFO u1 "127.0.0.1:$CLIENT_PORT" "sip:u1@127.0.0.1:5999")
assert_eq "$(reason_of "$r")" nca "Contact on another loopback port"

note "a NATed client registers Contact 10.1.2.3: received = its source"
r=$(send_req REGISTER natty "127.0.0.1:$CLIENT_PORT" "sip:natty@10.1.2.3:5060")
assert_match "$(first_status "$r")" '^SIP/2\.0 200 ' "REGISTER from behind a NAT"
assert_file_match "$JN_LOG" 'nat detected for natty' "nat.detected() on the REGISTER"
jn_http GET "/registrations?aor=natty@example.com"
assert_eq "$(json_get "$HTTP_BODY" 'd[0]["bindings"][0]["contact"]')" "sip:natty@10.1.2.3:5060" "stored contact"
assert_eq "$(json_get "$HTTP_BODY" 'd[0]["bindings"][0]["received"]')" "sip:127.0.0.1:$CLIENT_PORT" "stored received"
assert_eq "$(json_get "$HTTP_BODY" 'd[0]["bindings"][0]["nated"]')" True "binding marked NATed"

note "a MESSAGE to natty reaches the client at its source port (R-URI keeps 10.1.2.3)"
jn_render "$JN_SIPP_DIR/uas.xml" "$T/uas.xml" METHOD=MESSAGE MAXFWD=69 \
	"VIA_RE=MESSAGE sip:natty@10\\.1\\.2\\.3:5060 SIP/2\\.0"
jn_render "$JN_SIPP_DIR/uac.xml" "$T/uac.xml" METHOD=MESSAGE "RURI=sip:natty@example.com" \
	STATUS=200 "REASON_RE=uas ok"
jn_sipp_bg uas -sf "$T/uas.xml" -i 127.0.0.1 -p "$CLIENT_PORT" -m 1 -timeout "$((20 * JN_SLOW))" -timeout_error
uas=$SIPP_BG_PID
sleep 0.3
jn_sipp uac -sf "$T/uac.xml" -i 127.0.0.1 -p "$UAC_PORT" -t u1 -m 1 "127.0.0.1:$JN_PORT"
uas_rc=0
wait "$uas" || uas_rc=$?
[ "$uas_rc" = 0 ] || { sipp_dump uas; fail "the NATed client did not get the MESSAGE (status $uas_rc)"; }
assert_sipp_ok uac 1 "MESSAGE to a NATed user"

note "nat.fix_contact() rewrites the Contact to the source address"
r=$(send_req REGISTER fixme "127.0.0.1:$CLIENT_PORT" "sip:fixme@10.1.2.3:5060")
assert_match "$r" "Contact: <sip:fixme@127\\.0\\.0\\.1:$CLIENT_PORT>;expires=" "200 lists the fixed contact"
jn_http GET "/registrations?aor=fixme@example.com"
assert_eq "$(json_get "$HTTP_BODY" 'd[0]["bindings"][0]["contact"]')" "sip:fixme@127.0.0.1:$CLIENT_PORT" "stored fixed contact"
assert_eq "$(json_get "$HTTP_BODY" 'd[0]["bindings"][0]["nated"]')" True "fixed binding marked NATed"
jn_stop

# ---- phase 2: keepalives every 300 ms ---------------------------------------
note "RFC 5626 4.4: keepalive OPTIONS reach the NATed client at its source"
jn_config - <<EOF
modules:
  - name: registrar
  - name: nat
    params: { keepalive_interval_ms: 300 }
EOF
jn_start
r=$(send_req REGISTER ka "127.0.0.1:$CLIENT_PORT" "sip:ka@10.1.2.3:5060")
assert_match "$(first_status "$r")" '^SIP/2\.0 200 ' "REGISTER for keepalives"
jn_render "$JN_SIPP_DIR/uas.xml" "$T/ka.xml" METHOD=OPTIONS MAXFWD=70 \
	"VIA_RE=OPTIONS sip:ka@10\\.1\\.2\\.3:5060 SIP/2\\.0"
jn_sipp ka -sf "$T/ka.xml" -i 127.0.0.1 -p "$CLIENT_PORT" -m 1 -timeout "$((10 * JN_SLOW))" -timeout_error
if [ "$SIPP_RC" != 0 ]; then
	sipp_dump ka
	fail "no keepalive OPTIONS reached the client (sipp status $SIPP_RC)"
fi
jn_stop
echo "PASS: $TEST_NAME"
