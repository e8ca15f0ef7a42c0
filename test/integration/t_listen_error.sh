#!/bin/bash
# t_listen_error.sh - a listener that cannot be bound stops the start with
# a located error that says why (not whatever errno the SIP stack left).
. "$(dirname "$0")/lib.sh"

jn_ports
jn_script <<'EOF2'
request { reply(200, "OK"); }
EOF2
jn_config
jn_start

note "a second daemon on the same address: 'Address already in use' at the listener's location"
rc=0
"$JUNCTIOND" -c "$T/junction.yaml" >"$T/second.log" 2>&1 || rc=$?
assert_ne "$rc" 0 "exit status of the second daemon"
assert_file_match "$T/second.log" \
	"junction.yaml:[0-9]+:[0-9]+: cannot listen on udp:127\\.0\\.0\\.1:$JN_PORT: Address already in use" \
	"the reason and the location"
jn_stop
