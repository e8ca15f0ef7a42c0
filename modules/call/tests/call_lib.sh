#!/bin/bash
# call_lib.sh - what the call module's integration tests share, sourced
# instead of test/integration/lib.sh: the paths of this folder, an RTP port
# range of the test's own, the routing script around the call.* functions
# and the module configuration.
. "$(dirname "${BASH_SOURCE[0]}")/../../../test/integration/lib.sh"
CALL_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CALL_SIPP=$CALL_TESTS/sipp
RTP_MIN=$((20000 + ($$ % 200) * 100))

# call_script <<EOF ... EOF: the routing script. An INVITE runs the
# statements read from stdin (which end with exit; an INVITE they let
# through gets 404), an ACK is dropped, anything else gets 404.
call_script() {
	local body
	body=$(cat)
	jn_script <<EOF2
request {
    if (method == "INVITE") {
$body
    }
    if (method == "ACK") { drop; }
    reply(404, "Not Found");
}
EOF2
}

# call_config CALL-PARAMS [MORE-MEDIA-PARAMS]: media (one worker, 100 RTP
# ports from RTP_MIN), dtmf and call with the given parameters ("rtp_timeout:
# 10, srtp: require").
call_config() {
	jn_config - <<EOF2
modules:
  - name: media
    params: { workers: 1, rtp_min: $RTP_MIN, rtp_max: $((RTP_MIN + 99))${2:+, $2} }
  - name: dtmf
  - name: call
    params: { $1 }
EOF2
}
