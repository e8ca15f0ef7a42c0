#!/bin/bash
# t_dns.sh - relaying to a domain name (RFC 3263): a small authoritative DNS
# server on loopback (dnsd.py) serves NAPTR/SRV/A for example.test; the
# daemon reads it through `sip: resolv_conf:`. SIPp UASes stand behind the
# SRV targets. Each case names the RFC section it proves.
. "$(dirname "$0")/../../../test/integration/lib.sh"

TESTS=$(cd "$(dirname "$0")" && pwd)
SIPP=$TESTS/sipp
jn_ports
UAC=$PORT1 UAS1=$PORT2 UAS2=$PORT3 DNS=$PORT4
read -r -a more <<<"$(jn_free_ports 1)"
SILENT=${more[0]}

cat >"$T/zone" <<EOF
example.test            NAPTR 10 10 s SIP+D2U _sip._udp.example.test
_sip._udp.example.test  SRV   10 0 $UAS1 uas1.example.test
_sip._udp.example.test  SRV   20 0 $UAS2 uas2.example.test
uas1.example.test       A     127.0.0.1
uas2.example.test       A     127.0.0.1
_sip._udp.silent.test   SRV   10 0 $SILENT uas1.example.test
_sip._udp.silent.test   SRV   20 0 $UAS2 uas2.example.test
EOF
printf 'nameserver 127.0.0.1\nport %s\n' "$DNS" >"$T/resolv.conf"
python3 "$TESTS/dnsd.py" "$DNS" "$T/zone" "$T/dns.log" "$((120 * JN_SLOW))" &
jn_track $!

jn_script <<EOF2
# t_dns
request {
    if (proxy.loose_route()) { proxy.relay(); exit; }
    if (method == "ACK") { proxy.relay(); exit; }
    proxy.record_route();
    if (ruri.host == "silent.test") { proxy.relay(branch_timeout: 1); exit; }
    proxy.relay();
}
EOF2
jn_config - <<EOF2
modules:
  - name: proxy
EOF2
sed -i "s|^sip: { |sip: { resolv_conf: $T/resolv.conf, |" "$T/junction.yaml"
jn_start

. "$(dirname "$0")/peers.sh"

note "both targets alive: NAPTR -> SRV -> A, the priority-10 target gets it (RFC 3263 4.1, 4.2, 4.4)"
uas pri-1 "$UAS1" uas_message
uas pri-2 "$UAS2" uas_message
sleep 0.3
uac pri-uac uac_message "RURI=sip:svc@example.test"
assert_sipp_ok pri-uac 1 "MESSAGE to sip:svc@example.test"
uas_wait pri-1 "priority 10 target"
[ -s "$T/pri-2.msg" ] && grep -q '^MESSAGE ' "$T/pri-2.msg" &&
	fail "the priority-20 target got the MESSAGE although priority 10 answered"
uas_stop pri-2
assert_file_match "$T/dns.log" '^NAPTR example\.test$' "NAPTR query for the domain (RFC 3263 4.1)"
assert_file_match "$T/dns.log" '^SRV _sip\._udp\.example\.test$' "SRV query from the NAPTR replacement (RFC 3263 4.2)"
assert_file_match "$T/dns.log" '^A uas1\.example\.test$' "A query for the SRV target (RFC 3263 4.2)"

note "503 from the first SRV target: the call goes to the next (RFC 3263 4.3)"
uas u503-1 "$UAS1" uas_status STATUS=503 "REASON=Service Unavailable" DELAY=0 EXTRA=
uas u503-2 "$UAS2" uas_call "RR_RE=$RR_RE" "VIA_RE=$PVIA_RE"
sleep 0.3
uac u503-uac uac_call "RURI=sip:svc@example.test" "RR_RE=$RR_RE" HOLD=200
assert_sipp_ok u503-uac 1 "call after a 503 from the first target"
uas_wait u503-1 "first target (503, ACKed)"
uas_wait u503-2 "second target (answers)"

note "first target down (ICMP port unreachable): the next target at once (RFC 3263 4.3, transport error)"
uas down-2 "$UAS2" uas_message
sleep 0.3
t0=$(now)
uac down-uac uac_message "RURI=sip:svc@example.test"
t1=$(now)
assert_sipp_ok down-uac 1 "MESSAGE with the priority-10 target down"
uas_wait down-2 "second target"
assert_lt "$(elapsed "$t0" "$t1")" 3 "seconds until the second target answered"

note "first target receives but never answers: the next after the branch timer (RFC 3263 4.3, timeout)"
python3 - "$SILENT" "$T/silent.log" "$((30 * JN_SLOW))" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    s.settimeout(max(0.1, end - time.monotonic()))
    try:
        pkt, _ = s.recvfrom(65536)
    except socket.timeout:
        continue
    with open(sys.argv[2], "a") as fh:
        fh.write(pkt.split(b"\r\n", 1)[0].decode(errors="replace") + "\n")
EOF
SILENT_PID=$!
jn_track "$SILENT_PID"
uas silent-2 "$UAS2" uas_message
sleep 0.3
t0=$(now)
uac silent-uac uac_message "RURI=sip:svc@silent.test"
t1=$(now)
assert_sipp_ok silent-uac 1 "MESSAGE with a silent priority-10 target"
uas_wait silent-2 "second target after the timeout"
assert_file_match "$T/silent.log" '^MESSAGE sip:svc@silent\.test' "the silent target got the MESSAGE first"
assert_ge "$(elapsed "$t0" "$t1")" 0.9 "seconds before failing over (branch_timeout 1 s)"
assert_lt "$(elapsed "$t0" "$t1")" 4 "seconds until the second target answered"
jn_kill_pid "$SILENT_PID"

note "every target answers 503: the UAC gets 500, not 503 (RFC 3263 4.3, RFC 3261 16.7 item 6)"
uas all-1 "$UAS1" uas_status STATUS=503 "REASON=Service Unavailable" DELAY=0 EXTRA=
uas all-2 "$UAS2" uas_status STATUS=503 "REASON=Service Unavailable" DELAY=0 EXTRA=
sleep 0.3
uac all-uac uac_status "RURI=sip:svc@example.test" STATUS=500 MAXFWD=70 "HDR_RE=.*"
assert_sipp_ok all-uac 1 "500 after both targets answered 503"
uas_wait all-1 "first target (503)"
uas_wait all-2 "second target (503)"

note "NXDOMAIN: 404 Domain Not Found to the UAC (RFC 3263 4.1: no target at all)"
uac nx-uac uac_status "RURI=sip:svc@nowhere.test" STATUS=404 MAXFWD=70 "HDR_RE=SIP/2\\.0 404 Domain Not Found"
assert_sipp_ok nx-uac 1 "404 for a domain that does not exist"
assert_file_match "$T/dns.log" '^NAPTR nowhere\.test$' "the unknown domain was looked up"

note "config: a resolv_conf that does not exist is an error at its file:line:col"
sed "s|resolv_conf: $T/resolv.conf|resolv_conf: $T/missing.conf|" "$T/junction.yaml" >"$T/bad.yaml"
out=$("$JUNCTIOND" --check -c "$T/bad.yaml" 2>&1) && fail "--check accepted a missing resolv_conf"
assert_match "$out" "bad\.yaml:[0-9]+:[0-9]+: 'resolv_conf': cannot read" "error for a missing resolv_conf"

jn_alive || fail "the daemon died"
jn_stop
echo "PASS: $TEST_NAME"
