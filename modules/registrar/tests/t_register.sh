#!/bin/bash
# t_register.sh - registrar.save(), RFC 3261 10.3 step by step, RFC 3327
# Path and RFC 5626 instance/reg-id, the expiry event and the REST routes.
. "$(dirname "$0")/../../../test/integration/lib.sh"
. "$(dirname "$0")/reglib.sh"

jn_ports
jn_script <<'EOF'
request {
    if (method == "OPTIONS") { reply(200); exit; }
    if (method == "REGISTER") {
        if (to.user == "quiet") {
            if (registrar.save(reply: false)) { reply(299, "saved quietly"); }
            exit;
        }
        registrar.save();
        exit;
    }
    reply(405);
}
event registrar:expired {
    log("expired aor=" + registrar.expired_aor + " contact=" + registrar.expired_contact);
}
EOF
jn_config - <<EOF
modules:
  - name: registrar
    params: { min_expires: 2, max_expires: 3000, default_expires: 600, max_contacts: 5 }
EOF
jn_start

status_of() { first_status "$1" | awk '{print $2}'; }

note "RFC 3261 10.3 item 8: one contact -> 200 listing it with its expires, and a Date"
r=$(register c1 1 'Contact: <sip:alice@127.0.0.1:5071>' 'Expires: 300')
assert_eq "$(status_of "$r")" 200 "REGISTER one contact"
assert_match "$(contacts_of "$r")" '^<sip:alice@127\.0\.0\.1:5071>;expires=(300|299)$' "200 Contact"
assert_match "$r" '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} ' "200 has a Date"

note "10.3 item 7: a refresh with a higher CSeq updates the expiry"
r=$(register c1 2 'Contact: <sip:alice@127.0.0.1:5071>;expires=1000')
assert_eq "$(status_of "$r")" 200 "refresh"
assert_match "$(contacts_of "$r")" '^<sip:alice@127\.0\.0\.1:5071>;expires=(1000|999)$' "refreshed expiry"

note "10.3 item 7: same Call-ID with a lower CSeq -> 500, nothing changes"
r=$(register c1 1 'Contact: <sip:alice@127.0.0.1:5071>;expires=50')
assert_eq "$(status_of "$r")" 500 "CSeq out of order"

note "the same Call-ID and CSeq again is a retransmission: answered again, unchanged"
r=$(register c1 2 'Contact: <sip:alice@127.0.0.1:5071>;expires=50')
assert_eq "$(status_of "$r")" 200 "retransmission answered"
assert_match "$(contacts_of "$r")" '^<sip:alice@127\.0\.0\.1:5071>;expires=(1000|999|998)$' "binding unchanged"

note "several contacts, q-values; 200 lists all bindings (two REGISTERs)"
r=$(register c2 1 'Contact: <sip:alice@127.0.0.1:5072>;q=0.5, <sip:alice@127.0.0.1:5073>;q=1.0')
assert_eq "$(status_of "$r")" 200 "REGISTER two contacts"
got=$(contacts_of "$r")
assert_eq "$(printf '%s\n' "$got" | wc -l)" 3 "bindings listed: $got"
assert_match "$got" '<sip:alice@127\.0\.0\.1:5072>;expires=[0-9]+;q=0\.500' "q=0.5 contact"
assert_match "$got" '<sip:alice@127\.0\.0\.1:5073>;expires=(600|599)$' "q=1 contact, default expiry"

note "max_expires: a longer expiry is cut down"
r=$(register c3 1 'Contact: <sip:alice@127.0.0.1:5074>;expires=99999')
assert_match "$(contacts_of "$r")" '<sip:alice@127\.0\.0\.1:5074>;expires=(3000|2999)' "clamped to 3000"

note "10.3 item 7: expires=0 removes one binding"
r=$(register c3 2 'Contact: <sip:alice@127.0.0.1:5074>;expires=0')
assert_eq "$(status_of "$r")" 200 "unregister"
assert_no_match "$(contacts_of "$r")" '5074' "removed binding still listed"

note "423 Interval Too Brief with Min-Expires (10.3 item 7 / 10.2.8)"
r=$(register c4 1 'Contact: <sip:alice@127.0.0.1:5075>' 'Expires: 1')
assert_eq "$(status_of "$r")" 423 "expiry below min_expires"
assert_match "$r" '^Min-Expires: 2' "Min-Expires header"

note "max_contacts: a sixth binding -> 403"
r=$(register c5 1 'Contact: <sip:alice@127.0.0.1:5076>, <sip:alice@127.0.0.1:5077>, <sip:alice@127.0.0.1:5078>')
assert_eq "$(status_of "$r")" 403 "more than max_contacts"

note "10.3 item 2: an unknown Require option -> 420 with Unsupported"
r=$(register c6 1 'Require: foo' 'Contact: <sip:alice@127.0.0.1:5079>')
assert_eq "$(status_of "$r")" 420 "Require: foo"
assert_match "$r" '^Unsupported: foo' "Unsupported header"

note "10.3 item 3: a To without a user part -> 404"
printf 'REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}\nMax-Forwards: 70\nFrom: <sip:example.com>;tag={tag}\nTo: <sip:example.com>\nCall-ID: {callid}\nCSeq: 1 REGISTER\nContact: <sip:x@127.0.0.1:5080>\nContent-Length: 0\n\n' >"$T/nouser.sip"
r=$(siptool send --port "$JN_PORT" --file "$T/nouser.sip" --wait 3 --expect 1)
assert_eq "$(status_of "$r")" 404 "To without user"

note "a REGISTER without Contact queries: 200 with the current bindings"
r=$(register c7 1)
assert_eq "$(printf '%s\n' "$(contacts_of "$r")" | wc -l)" 3 "bindings listed for a query"

note "RFC 3327 5.3: Path stored and echoed when the UA supports path"
r=$(REG_USER=bob register p1 1 'Supported: path' 'Path: <sip:edge.example.net;lr>' 'Contact: <sip:bob@127.0.0.1:5081>')
assert_match "$r" '^Path: <sip:edge\.example\.net;lr>' "Path echoed in the 200"
jn_http GET "/registrations?aor=bob@example.com"
assert_eq "$HTTP_CODE" 200 "REST list bob"
assert_eq "$(json_get "$HTTP_BODY" 'd[0]["bindings"][0]["path"]')" "<sip:edge.example.net;lr>" "stored Path"
r=$(REG_USER=carol register p2 1 'Path: <sip:edge.example.net;lr>' 'Contact: <sip:carol@127.0.0.1:5082>')
assert_no_match "$r" '^Path:' "Path not echoed without Supported: path"

note "RFC 5626 6: same +sip.instance and reg-id replaces the binding, even with a new Call-ID"
inst='+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"'
r=$(REG_USER=dave register i1 1 "Contact: <sip:dave@127.0.0.1:5083>;$inst;reg-id=1")
assert_eq "$(status_of "$r")" 200 "instance register"
r=$(REG_USER=dave register i2 1 "Contact: <sip:dave@127.0.0.1:6083>;$inst;reg-id=1")
got=$(contacts_of "$r")
assert_eq "$(printf '%s\n' "$got" | wc -l)" 1 "one binding per instance+reg-id: $got"
assert_match "$got" '^<sip:dave@127\.0\.0\.1:6083>;expires=[0-9]+;\+sip\.instance=.*;reg-id=1$' "new contact kept"
r=$(REG_USER=dave register i3 1 "Contact: <sip:dave@127.0.0.1:7083>;$inst;reg-id=2")
assert_eq "$(printf '%s\n' "$(contacts_of "$r")" | wc -l)" 2 "another reg-id is another flow"

note "10.3 item 6: Contact: * with Expires other than 0 -> 400"
r=$(register c8 1 'Contact: *' 'Expires: 10')
assert_eq "$(status_of "$r")" 400 "wildcard with Expires: 10"
r=$(register c8 2 'Contact: *')
assert_eq "$(status_of "$r")" 400 "wildcard without Expires"

note "10.3 item 6: Contact: * with Expires: 0 removes every binding"
r=$(register c9 1 'Contact: *' 'Expires: 0')
assert_eq "$(status_of "$r")" 200 "wildcard unregister"
assert_eq "$(contacts_of "$r")" "" "no binding left"
jn_http GET "/registrations?aor=alice@example.com"
assert_eq "$HTTP_BODY" "[]" "REST: alice has no binding"

note "save(reply: false) saves without answering"
r=$(REG_USER=quiet register q1 1 'Contact: <sip:quiet@127.0.0.1:5084>')
assert_match "$(first_status "$r")" '^SIP/2\.0 299 saved quietly' "the script answered"

note "REST: list, filter, bad filter, delete one, delete all, 404"
jn_http GET /registrations
assert_eq "$HTTP_CODE" 200 "REST list"
assert_match "$(json_get "$HTTP_BODY" 'sorted(a["aor"] for a in d)')" 'bob@example.com.*dave@example.com' "AORs listed"
jn_http GET "/registrations?aor=nonsense"
assert_eq "$HTTP_CODE" 400 "bad aor filter"
jn_http DELETE "/registrations/dave@example.com/sip%3Adave%40127.0.0.1%3A6083"
assert_eq "$HTTP_CODE" 200 "delete one binding"
jn_http GET "/registrations?aor=dave@example.com"
assert_eq "$(json_get "$HTTP_BODY" 'len(d[0]["bindings"])')" 1 "one binding left"
jn_http DELETE "/registrations/dave@example.com/sip%3Adave%40127.0.0.1%3A6083"
assert_eq "$HTTP_CODE" 404 "delete a binding that is gone"
jn_http DELETE "/registrations/dave@example.com"
assert_eq "$HTTP_CODE" 200 "delete an AOR"
assert_eq "$(json_get "$HTTP_BODY" 'd["removed"]')" 1 "removed count"
jn_http DELETE "/registrations/dave@example.com"
assert_eq "$HTTP_CODE" 404 "delete an AOR that is gone"

note "expiry: a binding of 2 s disappears and event registrar:expired runs"
r=$(REG_USER=erin register e1 1 'Contact: <sip:erin@127.0.0.1:5085>;expires=2')
assert_eq "$(status_of "$r")" 200 "short registration"
for _ in $(seq 1 $((50 * JN_SLOW))); do
	grep -q 'expired aor=erin@example.com contact=sip:erin@127.0.0.1:5085' "$JN_LOG" && break
	sleep 0.1
done
assert_file_match "$JN_LOG" 'expired aor=erin@example\.com contact=sip:erin@127\.0\.0\.1:5085' "event route log line"
jn_http GET "/registrations?aor=erin@example.com"
assert_eq "$HTTP_BODY" "[]" "expired binding gone"

jn_stop
echo "PASS: $TEST_NAME"
