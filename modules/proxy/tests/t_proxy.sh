#!/bin/bash
# t_proxy.sh - the transaction-stateful proxy (RFC 3261 section 16) with
# SIPp UACs and UASes on loopback: record-routed call, CANCEL, 486, parallel
# and serial forking, failure-route failover, 6xx, redirect, loop, 483,
# MESSAGE. Each case names the RFC section it proves.
. "$(dirname "$0")/../../../test/integration/lib.sh"

SIPP=$(cd "$(dirname "$0")/sipp" && pwd)
jn_ports
UAC=$PORT1 UAS1=$PORT2 UAS2=$PORT3 UAS3=$PORT4
read -r -a more <<<"$(jn_free_ports 1)"
UAC2=${more[0]}

jn_script <<EOF2
# t_proxy
request {
    if (proxy.loose_route()) { proxy.relay(); exit; }
    if (method == "ACK") { proxy.relay(); exit; }
    proxy.record_route();
    if (ruri.user == "call" || ruri.user == "cancel" || ruri.user == "busy" || ruri.user == "msg") {
        ruri.port = $UAS1;
        proxy.relay();
        exit;
    }
    if (ruri.user == "fork" || ruri.user == "six") {
        ruri.port = $UAS1;
        proxy.add_branch("sip:" + ruri.user + "@127.0.0.1:$UAS2");
        proxy.relay(branch: "mark");
        exit;
    }
    if (ruri.user == "serial") {
        ruri.port = $UAS1;
        proxy.add_branch("sip:serial@127.0.0.1:$UAS3", q: "0.5");
        proxy.add_branch("sip:serial@127.0.0.1:$UAS2", q: "1");
        proxy.relay(serial: true, timeout: 2, branch_timeout: 2);
        exit;
    }
    if (ruri.user == "failover") {
        ruri.port = $UAS1;
        proxy.relay(failure: "next");
        exit;
    }
    if (ruri.user == "redirect") {
        ruri = "sip:first@127.0.0.1:$UAS1";
        proxy.add_branch("sip:second@127.0.0.1:$UAS2", q: "0.5");
        proxy.add_branch("sip:third@127.0.0.1:$UAS3", q: "1");
        proxy.redirect();
        exit;
    }
    if (ruri.user == "loop") {
        ruri = "sip:loop@127.0.0.1:$JN_PORT";
        proxy.relay();
        exit;
    }
    proxy.relay();
}

branch mark {
    header_add("X-Branch", "" + proxy.branch_index);
}

failure next {
    if (status == 503 || status == 486 || status == 408) {
        ruri = "sip:failover@127.0.0.1:$UAS2";
        proxy.relay();
    }
}
EOF2
jn_config - <<EOF2
modules:
  - name: proxy
EOF2
jn_start

. "$(dirname "$0")/peers.sh"

note "call with Record-Route: INVITE/180/200/ACK/BYE (RFC 3261 16.6 item 4, 16.4, 16.12)"
uas call-uas "$UAS1" uas_call "RR_RE=$RR_RE" "VIA_RE=$PVIA_RE"
sleep 0.3
uac call-uac uac_call "RURI=sip:call@127.0.0.1:$JN_PORT" "RR_RE=$RR_RE" HOLD=200
assert_sipp_ok call-uac 1 "call through the proxy"
uas_wait call-uas "call"

note "the same call from a TCP client: the Record-Route names our TCP listener, not the client's connection (16.6 item 4)"
RR_TCP_RE="&lt;sip:127\\.0\\.0\\.1:$JN_PORT;lr;transport=tcp&gt;"
uas tcp-uas "$UAS1" uas_call "RR_RE=$RR_TCP_RE" "VIA_RE=$PVIA_RE"
sleep 0.3
jn_render "$SIPP/uac_call.xml" "$T/tcp-uac.xml" "RURI=sip:call@127.0.0.1:$JN_PORT" "RR_RE=$RR_TCP_RE" HOLD=200
jn_sipp tcp-uac -sf "$T/tcp-uac.xml" -t t1 -i 127.0.0.1 -p "$UAC" -m 1 "127.0.0.1:$JN_PORT"
assert_sipp_ok tcp-uac 1 "call through the proxy from a TCP client"
uas_wait tcp-uas "call from a TCP client"

note "CANCEL -> 200, downstream CANCEL, 487 upstream (RFC 3261 16.10)"
uas cancel-uas "$UAS1" uas_ring_cancel "PROV=180 Ringing"
sleep 0.3
uac cancel-uac uac_cancel "RURI=sip:cancel@127.0.0.1:$JN_PORT"
assert_sipp_ok cancel-uac 1 "CANCEL relayed"
uas_wait cancel-uas "CANCEL"

note "busy: 486 forwarded (RFC 3261 16.7 item 6)"
uas busy-uas "$UAS1" uas_status STATUS=486 "REASON=Busy Here" DELAY=0 EXTRA=
sleep 0.3
uac busy-uac uac_status "RURI=sip:busy@127.0.0.1:$JN_PORT" STATUS=486 MAXFWD=70 "HDR_RE=Busy Here"
assert_sipp_ok busy-uac 1 "486 forwarded"
uas_wait busy-uas "busy"

note "parallel fork: one branch answers, the other is cancelled (RFC 3261 16.7 item 10)"
uas fork-a "$UAS1" uas_call "RR_RE=$RR_RE" "VIA_RE=$PVIA_RE"
uas fork-b "$UAS2" uas_ring_cancel "PROV=180 Ringing"
sleep 0.3
# the answering UAS waits a little so that the other one rings first
sed -i 's|<send retrans="500">|<pause milliseconds="500"/><send retrans="500">|' "$T/fork-a.xml"
uac fork-uac uac_call "RURI=sip:fork@127.0.0.1:$JN_PORT" "RR_RE=$RR_RE" HOLD=200
assert_sipp_ok fork-uac 1 "forked call"
uas_wait fork-a "fork (answering branch)"
uas_wait fork-b "fork (cancelled branch)"
# one answer only: every 200 the UAC got carries the same To tag
n=$(grep -A6 '^SIP/2.0 200 OK' "$T/fork-uac.msg" | grep -E '^To:' | grep -o 'tag=[^;]*' | sort -u | wc -l)
assert_eq "$n" 1 "distinct 200 answers (To tags) at the UAC"
grep -q 'X-Branch: 0' "$T/fork-a.msg" || fail "branch route: X-Branch: 0 missing at the first branch"
grep -q 'X-Branch: 1' "$T/fork-b.msg" || fail "branch route: X-Branch: 1 missing at the second branch"

note "6xx cancels the other branches and wins (RFC 3261 16.7 items 5, 6)"
uas six-a "$UAS1" uas_status STATUS=603 REASON=Decline DELAY=600 EXTRA=
uas six-b "$UAS2" uas_ring_cancel "PROV=180 Ringing"
sleep 0.3
uac six-uac uac_status "RURI=sip:six@127.0.0.1:$JN_PORT" STATUS=603 MAXFWD=70 "HDR_RE=Decline"
assert_sipp_ok six-uac 1 "603 forwarded"
uas_wait six-a "6xx (declining branch)"
uas_wait six-b "6xx (cancelled branch)"

note "serial fork by q: group 1.0 (486 + timeout) first, then 0.5 answers (RFC 3261 16.6)"
uas ser-a "$UAS1" uas_status STATUS=486 "REASON=Busy Here" DELAY=0 EXTRA=
uas ser-b "$UAS2" uas_ring_cancel "PROV=100 Trying"
uas ser-c "$UAS3" uas_call "RR_RE=$RR_RE" "VIA_RE=$PVIA_RE"
sleep 0.3
t0=$(now)
uac ser-uac uac_call "RURI=sip:serial@127.0.0.1:$JN_PORT" "RR_RE=$RR_RE" HOLD=200
t1=$(now)
assert_sipp_ok ser-uac 1 "serial fork"
# the q=0.5 group starts only when the q=1 group ended: after the 2 s timer
assert_ge "$(elapsed "$t0" "$t1")" 2.0 "serial: seconds until the second group answered"
uas_wait ser-a "serial (486)"
uas_wait ser-b "serial (timeout)"
uas_wait ser-c "serial (second group)"

note "failure route re-relays after 503 (serial failover)"
uas fo-a "$UAS1" uas_status STATUS=503 "REASON=Service Unavailable" DELAY=0 EXTRA=
uas fo-b "$UAS2" uas_call "RR_RE=$RR_RE" "VIA_RE=$PVIA_RE"
sleep 0.3
uac fo-uac uac_call "RURI=sip:failover@127.0.0.1:$JN_PORT" "RR_RE=$RR_RE" HOLD=200
assert_sipp_ok fo-uac 1 "failover call"
uas_wait fo-a "failover (503)"
uas_wait fo-b "failover (backup)"

note "redirect: 302 lists the contacts with q (RFC 3261 8.3, 21.3.3)"
uac red-uac uac_status "RURI=sip:redirect@127.0.0.1:$JN_PORT" STATUS=302 MAXFWD=70 \
	"HDR_RE=Contact: &lt;sip:first@127\\.0\\.0\\.1:$UAS1&gt;;q=1[^ -~]+Contact: &lt;sip:second@127\\.0\\.0\\.1:$UAS2&gt;;q=0\\.5[^ -~]+Contact: &lt;sip:third@127\\.0\\.0\\.1:$UAS3&gt;;q=1[^ -~]"
assert_sipp_ok red-uac 1 "302 with contacts"

note "loop: the request comes back with our Via and branch -> 482 (RFC 3261 16.3 item 4)"
uac loop-uac uac_status "RURI=sip:loop@127.0.0.1:$JN_PORT" STATUS=482 MAXFWD=70 "HDR_RE=.*"
assert_sipp_ok loop-uac 1 "482 for a loop"

note "Max-Forwards 0 -> 483 (RFC 3261 16.3 item 3)"
uac mf-uac uac_status "RURI=sip:call@127.0.0.1:$JN_PORT" STATUS=483 MAXFWD=0 "HDR_RE=.*"
assert_sipp_ok mf-uac 1 "483 for Max-Forwards 0"

note "MESSAGE relayed statefully, 200 back"
uas msg-uas "$UAS1" uas_message
sleep 0.3
uac msg-uac uac_message "RURI=sip:msg@127.0.0.1:$JN_PORT"
assert_sipp_ok msg-uac 1 "MESSAGE relay"
uas_wait msg-uas "MESSAGE"

jn_stop
echo "PASS: $TEST_NAME"
