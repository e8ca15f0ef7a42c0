#!/bin/bash
# t_info.sh - the dtmf module in the daemon: dtmf.info_digit() reads the
# digit of a SIP INFO (RFC 6086) body, application/dtmf-relay or
# application/dtmf; a malformed or foreign body is false, never a crash.
. "$(dirname "$0")/../../../test/integration/lib.sh"

jn_ports
jn_script <<'EOF2'
request {
    if (method == "INFO") {
        $d = dtmf.info_digit();
        if ($d) { reply(200, "digit " + $d); exit; }
        reply(415, "Not DTMF");
        exit;
    }
    reply(200);
}
EOF2
jn_config - <<EOF2
modules:
  - name: dtmf
EOF2
jn_start

# send_info CONTENT-TYPE BODY (\n in BODY goes out as CRLF): the reason.
send_info() {
	local ctype=$1 body=$2 wire len
	wire=${body//$'\n'/$'\r\n'} # what siptool sends
	len=$(printf '%s' "$wire" | wc -c)
	{
		cat <<EOF2
INFO sip:ivr@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:a@127.0.0.1>;tag={tag}
To: <sip:ivr@127.0.0.1>;tag=t1
Call-ID: {callid}
CSeq: 2 INFO
Content-Type: $ctype
Content-Length: $len

EOF2
		printf '%s' "$body"
	} >"$T/info.sip"
	first_status "$(siptool send --port "$JN_PORT" --file "$T/info.sip" --wait 3 --expect 1)" |
		cut -d' ' -f2-
}

note "application/dtmf-relay: Signal and Duration"
assert_eq "$(send_info application/dtmf-relay $'Signal=5\nDuration=160\n')" "200 digit 5" "relay 5"
assert_eq "$(send_info 'Application/DTMF-Relay' $'signal = #\nduration=100')" "200 digit #" "relay #, case/space"
assert_eq "$(send_info application/dtmf-relay $'Signal=10\n')" "200 digit *" "relay Signal=10"

note "application/dtmf: the body is the digit"
assert_eq "$(send_info application/dtmf '7')" "200 digit 7" "dtmf 7"
assert_eq "$(send_info application/dtmf 'b')" "200 digit B" "dtmf b"

note "malformed and foreign bodies are false"
assert_eq "$(send_info application/dtmf-relay $'Signal=x\n')" "415 Not DTMF" "bad signal"
assert_eq "$(send_info application/dtmf-relay $'Duration=100\n')" "415 Not DTMF" "no signal"
assert_eq "$(send_info application/dtmf '55')" "415 Not DTMF" "two digits"
assert_eq "$(send_info text/plain 'Signal=5')" "415 Not DTMF" "text/plain"
assert_eq "$(send_info application/dtmf-relay '')" "415 Not DTMF" "empty body"

jn_alive || fail "daemon died"
jn_stop
jn_check_log_clean
echo "PASS t_info"
