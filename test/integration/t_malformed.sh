#!/bin/bash
# t_malformed.sh - bad SIP gets the right status, never a crash.
#
# Sent raw over UDP (SIPp drops messages without Call-ID, see
# shared/docs/testing.md). Proves:
#  - RFC 3261 8.1.1 / 8.2.2 (a request lacking a mandatory header, or with
#    a malformed one, is answered 400) and 21.4.1: missing Call-ID -> 400
#    (the SIP stack's own sanity check answers these, with the plain
#    phrase "Bad Request"); a bad CSeq -> 400 naming CSeq; a malformed
#    Max-Forwards -> 400 naming Max-Forwards (the core's check); a header
#    line that is not a header -> 400;
#  - RFC 3261 8.2.2 / 21.5.6: SIP/3.0 -> 505 Version Not Supported;
#  - garbage datagrams, truncated and oversized messages are survived;
#  - after all of it the daemon still answers OPTIONS with 200.
. "$(dirname "$0")/lib.sh"

jn_ports
jn_script <<'EOF2'
request {
    reply(200, "OK");
}
EOF2
jn_config
jn_start

# send_raw NAME: send $T/NAME.sip once, print the first response line.
send_raw() {
	siptool send --port "$JN_PORT" --file "$T/$1.sip" --wait "${2:-2}" --expect 1 |
		head -n 1 | tr -d '\r'
}

note "missing Call-ID -> 400"
cat >"$T/nocallid.sip" <<'EOF2'
OPTIONS sip:{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:bad@example.com>;tag={tag}
To: <sip:svc@example.com>
CSeq: 1 OPTIONS
Content-Length: 0

EOF2
line=$(send_raw nocallid)
soft_match "$line" '^SIP/2\.0 400 ' "status for a request without Call-ID"

note "malformed Max-Forwards -> 400 naming Max-Forwards"
cat >"$T/badmf.sip" <<'EOF2'
OPTIONS sip:{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: seventy
From: <sip:bad@example.com>;tag={tag}
To: <sip:svc@example.com>
Call-ID: badmf-{callid}
CSeq: 1 OPTIONS
Content-Length: 0

EOF2
line=$(send_raw badmf)
soft_match "$line" '^SIP/2\.0 400 Bad Max-Forwards Header$' "a malformed Max-Forwards is refused and named"

note "bad CSeq -> 400 naming CSeq"
cat >"$T/badcseq.sip" <<'EOF2'
OPTIONS sip:{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:bad@example.com>;tag={tag}
To: <sip:svc@example.com>
Call-ID: badcseq-{callid}
CSeq: twelve OPTIONS
Content-Length: 0

EOF2
line=$(send_raw badcseq)
soft_match "$line" '^SIP/2\.0 400 ' "status for a request with CSeq 'twelve'"
soft_match "$line" '[Cc][Ss]eq|CSEQ' "reason phrase for a bad CSeq names the header"

note "CSeq method differs from the request method -> 400"
cat >"$T/cseqmethod.sip" <<'EOF2'
OPTIONS sip:{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:bad@example.com>;tag={tag}
To: <sip:svc@example.com>
Call-ID: cseqmethod-{callid}
CSeq: 1 INVITE
Content-Length: 0

EOF2
line=$(send_raw cseqmethod)
soft_match "$line" '^SIP/2\.0 400 ' "status for CSeq method != request method (RFC 3261 8.1.1.5)"

note "a header line without a colon -> 400"
cat >"$T/garbageline.sip" <<'EOF2'
OPTIONS sip:{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
this line is not a header at all
From: <sip:bad@example.com>;tag={tag}
To: <sip:svc@example.com>
Call-ID: garbageline-{callid}
CSeq: 1 OPTIONS
Content-Length: 0

EOF2
line=$(send_raw garbageline)
soft_match "$line" '^SIP/2\.0 400 ' "status for a request with a garbage header line"

note "SIP/3.0 -> 505"
cat >"$T/sip3.sip" <<'EOF2'
OPTIONS sip:{host}:{port} SIP/3.0
Via: SIP/3.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:bad@example.com>;tag={tag}
To: <sip:svc@example.com>
Call-ID: sip3-{callid}
CSeq: 1 OPTIONS
Content-Length: 0

EOF2
line=$(send_raw sip3)
soft_match "$line" '^SIP/[23]\.0 505 ' "status for a SIP/3.0 request"

note "SIP/3.0 in the request line only (Via is 2.0) -> 505"
sed -e '2s|SIP/3.0/UDP|SIP/2.0/UDP|' "$T/sip3.sip" >"$T/sip3b.sip"
line=$(send_raw sip3b)
soft_match "$line" '^SIP/2\.0 505 ' "status for 'OPTIONS ... SIP/3.0' with a 2.0 Via"

note "garbage, truncated, oversized and binary datagrams do not kill the daemon"
python3 - "$JN_PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
lp = s.getsockname()[1]
hdr = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKx%%d\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: junk%%d\r\n"
       "CSeq: 1 OPTIONS\r\n" % (port, lp))
msgs = [
    b"this is not sip\r\n\r\n",
    b"\x00\x01\x02\x03" * 64,
    b"\r\n\r\n",
    b"OPTIONS\r\n\r\n",
    b"OPTIONS sip:x SIP/2.0",
    (hdr % (1, 1) + "Content-Length: 500\r\n\r\nshort").encode(),
    (hdr % (2, 2) + "Content-Length: -4\r\n\r\n").encode(),
    (hdr % (3, 3) + "X-Long: " + "a" * 60000 + "\r\nContent-Length: 0\r\n\r\n").encode(),
    (hdr % (4, 4) + "Max-Forwards: banana\r\nContent-Length: 0\r\n\r\n").encode(),
    (hdr % (5, 5)).encode(),
    "OPTIONS sip:\u00e9\u00e9@127.0.0.1 SIP/2.0\r\n\r\n".encode("utf-8"),
    b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKnope\r\n\r\n",
]
for m in msgs:
    s.sendto(m, ("127.0.0.1", port))
PY
sleep 0.5
jn_alive || { soft_done; fail "junctiond died after garbage datagrams"; }

note "the daemon still answers OPTIONS"
line=$(siptool send --port "$JN_PORT" --wait 3 --expect 1 | head -n 1)
assert_match "$line" '^SIP/2\.0 200 OK' "OPTIONS after the malformed messages"

jn_stop
soft_done
echo "PASS: $TEST_NAME"
