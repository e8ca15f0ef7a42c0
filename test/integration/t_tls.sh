#!/bin/bash
# t_tls.sh - SIP over TLS listeners (listen: {tls: ...} + the tls: section).
#
# Proves:
#  - RFC 3261 26.3.1 / 18: a request over TLS is answered over the same
#    connection (OPTIONS -> 200) and the script sees src.proto == "tls";
#  - TLS 1.2 and 1.3 handshakes are accepted, TLS 1.1 is refused (RFC 8996
#    deprecates TLS 1.0/1.1);
#  - verify_client: true (RFC 3261 26.3.2.2 mutual TLS): a client without a
#    certificate is refused in the handshake, one with a certificate signed
#    by the configured CA is accepted;
#  - configuration errors are located (file:line:col) by --check: a missing
#    key file, a tls listener without a tls section;
#  - the private credentials directory is removed at stop.
. "$(dirname "$0")/lib.sh"
jn_require_daemon
command -v openssl >/dev/null || fail "openssl is not installed"

jn_ports
TLS_PORT=$PORT1

note "a throwaway CA, a server certificate and a client certificate"
pki=$T/pki
mkdir -p "$pki"
(
	cd "$pki"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
		-subj "/CN=Junction test CA" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
		-subj "/CN=127.0.0.1" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out server.pem -days 2 -extfile server.ext 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
		-subj "/CN=phone 1000" 2>/dev/null
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out client.pem -days 2 2>/dev/null
) || fail "openssl could not make the test certificates"

jn_script <<'EOF'
request {
    if (method == "OPTIONS") {
        reply(200, "OK via " + src.proto);
        exit;
    }
    reply(405, "Method Not Allowed");
}
EOF

# write_config TLS-SECTION: the usual config plus a tls listener.
write_config() {
	jn_config - <<<"$1"
	sed -i "s|^  tcp: .*|&\n  tls: \"127.0.0.1:$TLS_PORT\"|" "$T/junction.yaml"
}

# tls_options ARGS...: one OPTIONS over TLS; prints the status line or
# "HANDSHAKE-FAILED <reason>". --version 1.1|1.2|1.3, --cert PEM --key PEM.
tls_options() {
	python3 - "$TLS_PORT" "$pki/ca.pem" "$@" <<'PY'
import socket, ssl, sys, uuid, warnings
warnings.simplefilter("ignore", DeprecationWarning)
port, ca = int(sys.argv[1]), sys.argv[2]
args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
v = args.get("--version")
if v:
    ver = {"1.1": ssl.TLSVersion.TLSv1_1, "1.2": ssl.TLSVersion.TLSv1_2,
           "1.3": ssl.TLSVersion.TLSv1_3}[v]
    if v == "1.1":
        # Our own OpenSSL refuses to offer TLS 1.1 at the default level;
        # lower it so that the SERVER's answer is what is tested.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = ctx.maximum_version = ver
if "--cert" in args:
    ctx.load_cert_chain(args["--cert"], args["--key"])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
try:
    t = ctx.wrap_socket(s, server_hostname="127.0.0.1")
    lport = t.getsockname()[1]
    req = ("OPTIONS sip:127.0.0.1:%d;transport=tls SIP/2.0\r\n"
           "Via: SIP/2.0/TLS 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n"
           "Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
           "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
           % (port, lport, uuid.uuid4().hex, uuid.uuid4().hex))
    t.sendall(req.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = t.recv(4096)
        if not chunk:
            break
        data += chunk
    print(data.decode(errors="replace").split("\r\n")[0] or "NO-RESPONSE", t.version())
except (ssl.SSLError, ConnectionError, socket.timeout) as e:
    print("HANDSHAKE-FAILED", type(e).__name__, e)
PY
}

note "tls listener, no client verification"
write_config "tls: { certificate: $pki/server.pem, key: $pki/server.key }"
mkdir -p "$T/run"
TMPDIR=$T/run jn_start
assert_file_match "$JN_LOG" "listening on tls:127.0.0.1:$TLS_PORT" "the tls listener is up"
r=$(tls_options); note "  $r"
assert_match "$r" '^SIP/2.0 200 OK via tls ' "OPTIONS over TLS answered, src.proto is tls"
r=$(tls_options --version 1.3); note "  $r"
assert_match "$r" '^SIP/2.0 200 .* TLSv1.3$' "TLS 1.3 accepted"
r=$(tls_options --version 1.2); note "  $r"
assert_match "$r" '^SIP/2.0 200 .* TLSv1.2$' "TLS 1.2 accepted"
r=$(tls_options --version 1.1); note "  $r"
assert_match "$r" '^HANDSHAKE-FAILED' "TLS 1.1 refused"
creds=$T/run/junctiond-tls.*
# shellcheck disable=SC2086 # the glob is meant to expand
creds=$(echo $creds)
[ -d "$creds" ] || fail "no private credentials directory while running"
assert_eq "$(stat -c %a "$creds")" 700 "the credentials directory is private"
assert_eq "$(stat -c %a "$creds/agent.pem")" 600 "agent.pem (key) is private"
jn_stop
[ ! -e "$creds" ] || fail "credentials directory $creds left behind after stop"

note "verify_client: true with the CA"
write_config "tls: { certificate: $pki/server.pem, key: $pki/server.key, ca: $pki/ca.pem, verify_client: true }"
jn_start
r=$(tls_options); note "  $r"
assert_match "$r" '^HANDSHAKE-FAILED|^NO-RESPONSE' "a client without a certificate is refused"
assert_no_match "$r" '^SIP/2.0' "no SIP answer without a client certificate"
r=$(tls_options --cert "$pki/client.pem" --key "$pki/client.key"); note "  $r"
assert_match "$r" '^SIP/2.0 200 OK via tls ' "a client with a CA-signed certificate is accepted"
jn_stop

note "configuration errors are located"
write_config "tls: { certificate: $pki/server.pem, key: $pki/missing.key }"
rc=0
out=$("$JUNCTIOND" -c "$T/junction.yaml" --check 2>&1) || rc=$?
assert_ne "$rc" 0 "--check fails for a missing key file"
assert_match "$out" "junction.yaml:[0-9]+:[0-9]+: 'key': cannot read '$pki/missing.key'" \
	"missing key file reported at its line"
write_config ""
rc=0
out=$("$JUNCTIOND" -c "$T/junction.yaml" --check 2>&1) || rc=$?
assert_ne "$rc" 0 "--check fails for a tls listener without a tls section"
assert_match "$out" "junction.yaml:[0-9]+:[0-9]+: a tls listener needs a top-level 'tls' section" \
	"tls listener without tls section reported at the listener"
write_config "tls: { certificate: $pki/server.key, key: $pki/server.pem }"
rc=0
out=$("$JUNCTIOND" -c "$T/junction.yaml" --check 2>&1) || rc=$?
assert_ne "$rc" 0 "--check fails when certificate and key are swapped"
assert_match "$out" "'certificate': '$pki/server.key' holds no PEM CERTIFICATE" "swapped files reported"
note "ok"
