#!/bin/bash
# t_options.sh - OPTIONS answered by the script's reply(200, "OK").
#
# Proves:
#  - RFC 3261 8.2.6 / 8.2.6.2: a UAS response copies Via (byte for byte, in
#    order), From, Call-ID and CSeq, and adds a To-tag; over UDP, TCP and
#    UDP on IPv6 [::1] (RFC 3261 18, transports).
#  - RFC 3261 17.2.2: the reply is stateful: a retransmission of the same
#    request (same branch) gets the same response again and does not run
#    the script a second time.
. "$(dirname "$0")/lib.sh"

jn_ports
JN_LISTEN_UDP="[\"127.0.0.1:$JN_PORT\", \"[::1]:$JN_PORT\"]"
jn_script <<'EOF2'
# t_options: answer OPTIONS, count executions in the log
request {
    if (method == "OPTIONS") {
        log("t_options script ran for " + call_id);
        reply(200, "OK");
        exit;
    }
    reply(405, "Method Not Allowed");
}
EOF2
jn_config
jn_start

render() { # NAME TRANSPORT-ERE
	jn_render "$JN_SIPP_DIR/uac.xml" "$T/$1.xml" METHOD=OPTIONS \
		"RURI=sip:[remote_ip]:[remote_port]" STATUS=200 REASON_RE=OK
}

note "OPTIONS over UDP (SIPp, 5 requests)"
render opt_udp
jn_sipp opt_udp -sf "$T/opt_udp.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -m 5 -r 50 "127.0.0.1:$JN_PORT"
assert_sipp_ok opt_udp 5 "OPTIONS over UDP"

note "OPTIONS over TCP (SIPp, 5 requests on one connection)"
render opt_tcp
jn_sipp opt_tcp -sf "$T/opt_tcp.xml" -i 127.0.0.1 -p "$PORT2" -t t1 -m 5 -r 50 "127.0.0.1:$JN_PORT"
assert_sipp_ok opt_tcp 5 "OPTIONS over TCP"

note "OPTIONS over UDP on IPv6 [::1] (SIPp)"
render opt_udp6
jn_sipp opt_udp6 -sf "$T/opt_udp6.xml" -i ::1 -p "$PORT3" -t u1 -m 3 -r 50 "[::1]:$JN_PORT"
assert_sipp_ok opt_udp6 3 "OPTIONS over UDP/IPv6"

note "Via, From, Call-ID, CSeq copied exactly; To-tag added (RFC 3261 8.2.6.2)"
cat >"$T/opt_exact.sip" <<'EOF2'
OPTIONS sip:{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch};x-test=first
Via: SIP/2.0/UDP 192.0.2.7:5099;branch=z9hG4bKsecondhop;received=192.0.2.7
Max-Forwards: 70
From: "Exact" <sip:exact@example.com>;tag=fromtag-1
To: <sip:svc@example.com>
Call-ID: exact-copy-{callid}
CSeq: 4711 OPTIONS
Content-Length: 0

EOF2
out=$(siptool send --port "$JN_PORT" --file "$T/opt_exact.sip" --show-request --wait 3 --expect 1)
req=${out%%=====REQUEST*}
resp=${out#*=====REQUEST}
resp=${resp#$'\n'}
assert_match "$(first_status "$resp")" '^SIP/2\.0 200 OK$' "status line of the OPTIONS response"
hdr_lines() { # TEXT NAME-ERE -> the header lines, in order, names normalised
	printf '%s\n' "$1" | sed -n '/^$/q;p' | grep -iE "^($2)[[:space:]]*:" |
		sed -E 's/^[^:]*:[[:space:]]*//' | tr ',' '\n' | sed -E 's/^[[:space:]]+//'
}
assert_eq "$(hdr_lines "$resp" 'Via|v')" "$(hdr_lines "$req" 'Via|v')" "Via values of the response (RFC 3261 8.2.6.2)"
assert_eq "$(hdr_lines "$resp" 'Call-ID|i')" "$(hdr_lines "$req" 'Call-ID|i')" "Call-ID of the response"
assert_eq "$(hdr_lines "$resp" 'CSeq')" "4711 OPTIONS" "CSeq of the response"
assert_match "$(hdr_lines "$resp" 'From|f')" 'tag=fromtag-1' "From of the response keeps the From-tag"
assert_match "$(hdr_lines "$resp" 'To|t')" '^<sip:svc@example\.com>;[ ]*tag=[^ ;]+' "To of the response has a To-tag"

note "retransmission of the same OPTIONS is absorbed (RFC 3261 17.2.2)"
out=$(siptool send --port "$JN_PORT" --count 2 --interval 0.3 --wait 2 --expect 2 --show-request)
callid=$(printf '%s\n' "${out%%=====REQUEST*}" | sed -n 's/^Call-ID: //p')
[ -n "$callid" ] || fail "siptool printed no Call-ID"
resps=${out#*=====REQUEST}
n=$(printf '%s\n' "$resps" | grep -c '^SIP/2\.0 200 ')
assert_eq "$n" 2 "responses to two copies of one OPTIONS (each copy is answered)"
totags=$(printf '%s\n' "$resps" | grep -iE '^(To|t):' | sed -E 's/.*tag=([^;]*).*/\1/' | sort -u | wc -l)
assert_eq "$totags" 1 "distinct To-tags in the two responses (the same response is retransmitted)"
sleep 0.3
runs=$(count_lines "$JN_LOG" "t_options script ran for $callid")
assert_eq "$runs" 1 "script executions for the retransmitted request"

jn_stop
echo "PASS: $TEST_NAME"
