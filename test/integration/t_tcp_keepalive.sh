#!/bin/bash
# t_tcp_keepalive.sh - CRLF keepalives on idle TCP connections.
#
# Proves RFC 5626 4.4.1 (and 3.5.1): with sip.tcp_keepalive set, the
# server sends a double-CRLF ping on a connection a client opened, so a NAT
# in between keeps the binding of the client's flow; without it nothing
# is sent on an idle connection.
. "$(dirname "$0")/lib.sh"

jn_ports
jn_script <<'EOF2'
request { reply(200, "OK"); }
EOF2

# idle_bytes: open a TCP connection, send one OPTIONS, read for 3 s and
# print what arrived after the response, as Python repr.
idle_bytes() {
	python3 - "$JN_PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(0.5)
msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKka%d\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: ka%d\r\n"
       "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (port, time.time(), time.time())
s.sendall(msg.encode())
data, t0 = b"", time.time()
while time.time() - t0 < 3:
    try:
        d = s.recv(4096)
    except socket.timeout:
        continue
    if not d:
        break
    data += d
head, sep, tail = data.partition(b"Content-Length: 0\r\n\r\n")
print(repr(tail) if sep else "NO-RESPONSE")
PY
}

note "tcp_keepalive: 1 -> CRLF pings on the idle connection"
jn_config
sed -i 's/^sip: { udp_buffer: 4194304,/sip: { tcp_keepalive: 1, udp_buffer: 4194304,/' "$T/junction.yaml"
grep -q 'tcp_keepalive: 1' "$T/junction.yaml" || fail "could not set tcp_keepalive in the test config"
jn_start
got=$(idle_bytes)
assert_match "$got" "^b'(\\\\r\\\\n\\\\r\\\\n)+'$" "double-CRLF pings after the response"
jn_stop

note "without tcp_keepalive nothing is sent on an idle connection"
jn_config
jn_start
got=$(idle_bytes)
assert_eq "$got" "b''" "bytes after the response"
jn_stop
