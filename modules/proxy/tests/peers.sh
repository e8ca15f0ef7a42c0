# shellcheck shell=bash
# peers.sh - SIPp peers for the proxy tests (sourced after lib.sh, with
# SIPP set to the scenario folder and JN_PORT/UAC to the proxy and UAC
# ports): a UAS per name in the background, a UAC in the foreground.

RR_RE="&lt;sip:127\\.0\\.0\\.1:$JN_PORT;lr&gt;"
PVIA_RE="SIP/2\\.0/UDP 127\\.0\\.0\\.1:$JN_PORT;"

declare -A UAS_PIDS
uas() { # NAME PORT SCENARIO KEY=VALUE...
	local name=$1 port=$2 sc=$3
	shift 3
	jn_render "$SIPP/$sc.xml" "$T/$name.xml" "$@"
	jn_sipp_bg "$name" -sf "$T/$name.xml" -i 127.0.0.1 -p "$port" -m 1 -timeout "$((20 * JN_SLOW))" -timeout_error
	UAS_PIDS[$name]=$SIPP_BG_PID
}
uas_wait() { # NAME what
	local pid rc=0
	pid=${UAS_PIDS[$1]}
	wait "$pid" || rc=$?
	if [ "$rc" != 0 ]; then
		sipp_dump "$1"
		fail "$2: the SIPp UAS $1 failed (status $rc)"
	fi
}
uas_stop() { jn_kill_pid "${UAS_PIDS[$1]}"; }
uac() { # NAME SCENARIO KEY=VALUE...
	local name=$1 sc=$2
	shift 2
	jn_render "$SIPP/$sc.xml" "$T/$name.xml" "$@"
	jn_sipp "$name" -sf "$T/$name.xml" -i 127.0.0.1 -p "$UAC" -m 1 "127.0.0.1:$JN_PORT"
}
