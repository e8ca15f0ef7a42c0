# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are used by the tests that source it.)
# lib.sh - helpers for the integration tests. Source it from a t_*.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   jn_ports                 # JN_PORT (SIP), JN_HTTP_PORT, PORT1..PORT4 (peers)
#   jn_script <<'EOF' ... EOF
#   jn_config                # $T/junction.yaml (extra YAML on stdin with jn_config -)
#   jn_start                 # background daemon, waits until it answers OPTIONS
#   ... assertions ...
#   jn_stop                  # SIGTERM, expects exit 0 and a clean log
#
# Environment: JUNCTIOND, JUNCTIONCTL, JN_BUILD (build dir: modules/,
# test-modules/), JN_SAN=1 for a sanitizer build (longer timeouts).
# JN_KEEP_TMP=1 keeps the temp dir. Only loopback traffic; every process we
# start is recorded and stopped by PID on exit.

set -euo pipefail

JN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JN_BUILD=${JN_BUILD:-$JN_ROOT/build}
JUNCTIOND=${JUNCTIOND:-$JN_BUILD/junctiond}
JUNCTIONCTL=${JUNCTIONCTL:-$JN_BUILD/junctionctl}
JN_SAN=${JN_SAN:-0}
JN_ITEST=$JN_ROOT/test/integration
JN_SIPP_DIR=$JN_ITEST/sipp
JN_TOKEN=${JN_TOKEN:-test-token-$$}
TEST_NAME=$(basename "$0" .sh)

# Sanitizer settings for a SAN=1 daemon (harmless for a normal build).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$JN_ROOT/test/data/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Slow factor for timeouts under ASan.
if [ "$JN_SAN" = 1 ]; then JN_SLOW=2; else JN_SLOW=1; fi

T=$(mktemp -d "/tmp/jn-$TEST_NAME.XXXXXX")
JN_LOG=$T/junctiond.log
JN_PID=
_JN_PIDS=()
_JN_FAILED=0

# ---- reporting ------------------------------------------------------------
note() { printf -- '--- %s\n' "$*"; }

jn_dump_log() {
	if [ -s "$JN_LOG" ]; then
		echo "----- junctiond log (last 40 lines of $JN_LOG) -----" >&2
		tail -n 40 "$JN_LOG" >&2
		echo "-----" >&2
	fi
}

fail() {
	_JN_FAILED=1
	printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*" >&2
	jn_dump_log
	exit 1
}

# Soft checks: record a failure and go on, so one run reports every
# deviation; soft_done fails the test if any was recorded.
_JN_SOFT=()
soft_match() { # string ERE what
	if printf '%s' "$1" | grep -Eq -- "$2"; then return 0; fi
	printf 'FAIL: %s: %s\n' "$TEST_NAME" "$3: '$1' does not match /$2/" >&2
	_JN_SOFT+=("$3")
}
soft_done() {
	[ "${#_JN_SOFT[@]}" -eq 0 ] || fail "${#_JN_SOFT[@]} check(s) failed: $(printf '%s; ' "${_JN_SOFT[@]}")"
}

assert_eq() { # actual expected what
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}
assert_ne() {
	[ "$1" != "$2" ] || fail "$3: did not expect '$2'"
}
assert_match() { # string ERE what
	printf '%s' "$1" | grep -Eq -- "$2" || fail "$3: '$1' does not match /$2/"
}
assert_no_match() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then fail "$3: '$1' matches /$2/"; fi
}
assert_file_match() { # file ERE what
	grep -Eq -- "$2" "$1" || {
		echo "----- $1 (last 30 lines) -----" >&2
		tail -n 30 "$1" >&2
		fail "$3: no line of $(basename "$1") matches /$2/"
	}
}
assert_file_no_match() {
	if grep -Eq -- "$2" "$1"; then
		grep -E -- "$2" "$1" | head -n 5 >&2
		fail "$3: $(basename "$1") has a line matching /$2/"
	fi
}
assert_lt() { # a b what   (numbers, may be decimal)
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$1" "$2" ||
		fail "$3: expected $1 < $2"
}
assert_ge() {
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$1" "$2" ||
		fail "$3: expected $1 >= $2"
}
count_lines() { # file ERE -> number of matching lines
	grep -Ec -- "$2" "$1" || true
}
now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

# ---- processes --------------------------------------------------------------
jn_track() { _JN_PIDS+=("$1"); }

# Stop one of our processes: SIGTERM, wait up to $2 s, then SIGKILL.
jn_kill_pid() {
	local pid=$1 secs=${2:-5} i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

jn_cleanup() {
	local rc=$? pid
	trap - EXIT
	for pid in "${_JN_PIDS[@]}"; do
		jn_kill_pid "$pid" 3
	done
	wait 2>/dev/null || true
	if [ "$rc" -ne 0 ] && [ "$_JN_FAILED" = 0 ]; then
		echo "FAIL: $TEST_NAME: exited with status $rc (see above)" >&2
		jn_dump_log
	fi
	if [ -n "${JN_KEEP_TMP:-}" ]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap jn_cleanup EXIT
trap 'exit 130' INT TERM

# ---- ports, script, config --------------------------------------------------
jn_free_ports() { python3 "$JN_ITEST/siptool.py" ports "$1"; }
# N ports p with p + 1 free as well: a baresip phone's SIP port (it listens
# for TLS on p + 1).
jn_free_port_pairs() { python3 "$JN_ITEST/siptool.py" ports "$1" --pairs; }

# JN_PORT: SIP (udp+tcp), JN_HTTP_PORT: REST, PORT1..PORT4 for peers.
jn_ports() {
	local p
	read -r -a p <<<"$(jn_free_ports 6)"
	JN_PORT=${p[0]} JN_HTTP_PORT=${p[1]}
	PORT1=${p[2]} PORT2=${p[3]} PORT3=${p[4]} PORT4=${p[5]}
}

# Write the routing script ($T/test.jn, or $1) from stdin.
jn_script() { cat >"${1:-$T/test.jn}"; }

# Atomically replace a file from stdin (so a reload never reads half of it).
jn_replace() {
	cat >"$1.tmp.$$"
	mv -f "$1.tmp.$$" "$1"
}

# Write $T/junction.yaml. Variables: JN_LISTEN_UDP, JN_LISTEN_TCP (YAML
# values), JN_SHUTDOWN_TIMEOUT. With "-", extra YAML is read from stdin
# (e.g. a modules: section).
jn_config() {
	local extra=
	if [ "${1:-}" = - ]; then extra=$(cat); fi
	cat >"$T/junction.yaml" <<EOF
# written by $TEST_NAME
listen:
  udp: ${JN_LISTEN_UDP:-"127.0.0.1:$JN_PORT"}
  tcp: ${JN_LISTEN_TCP:-"127.0.0.1:$JN_PORT"}
script: test.jn
module_path: $JN_BUILD/modules
log: { level: ${JN_LOG_LEVEL:-info}, target: stderr, format: text }
http: { listen: "127.0.0.1:$JN_HTTP_PORT", token: "$JN_TOKEN" }
sip: { udp_buffer: 4194304, shutdown_timeout: ${JN_SHUTDOWN_TIMEOUT:-5} }
$extra
EOF
}

# Render a SIPp scenario template: jn_render SRC DST KEY=VALUE... replaces
# @KEY@ in SRC.
jn_render() {
	local src=$1 dst=$2 kv content
	shift 2
	content=$(<"$src")
	for kv in "$@"; do
		# quoted replacement: no '&' expansion (bash 5.2 patsub_replacement)
		content=${content//@${kv%%=*}@/"${kv#*=}"}
	done
	printf '%s\n' "$content" >"$dst"
	if grep -Eq '@[A-Z_]+@' "$dst"; then
		fail "jn_render: unreplaced placeholder in $dst: $(grep -Eo '@[A-Z_]+@' "$dst" | head -n 1)"
	fi
}

# ---- the daemon ---------------------------------------------------------------
jn_require_daemon() {
	[ -x "$JUNCTIOND" ] || fail "no junctiond binary at $JUNCTIOND (build it first)"
}

# Start junctiond in the background (extra args passed through) and wait
# until it answers an OPTIONS on JN_READY_HOST/JN_READY_PROTO:JN_PORT.
jn_start() {
	jn_require_daemon
	: >"$JN_LOG"
	"$JUNCTIOND" -c "$T/junction.yaml" "$@" >>"$JN_LOG" 2>&1 &
	JN_PID=$!
	jn_track "$JN_PID"
	jn_wait_ready
}

jn_wait_ready() {
	local deadline=$((SECONDS + 15 * JN_SLOW))
	while ((SECONDS < deadline)); do
		if ! kill -0 "$JN_PID" 2>/dev/null; then
			local rc=0
			wait "$JN_PID" || rc=$?
			fail "junctiond exited during start-up (status $rc)"
		fi
		if python3 "$JN_ITEST/siptool.py" wait --host "${JN_READY_HOST:-127.0.0.1}" \
			--proto "${JN_READY_PROTO:-udp}" --port "$JN_PORT" --timeout 0.5 2>/dev/null; then
			return 0
		fi
	done
	fail "junctiond did not answer OPTIONS on ${JN_READY_HOST:-127.0.0.1}:$JN_PORT within $((15 * JN_SLOW)) s"
}

jn_alive() { kill -0 "$JN_PID" 2>/dev/null; }

# Sanitizer or crash traces in the log are failures whatever the exit code.
jn_check_log_clean() {
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|\.(c|h):[0-9]+:[0-9]+: runtime error:|SUMMARY: (Address|Leak|Undefined)' "$JN_LOG"; then
		fail "sanitizer report in the daemon log"
	fi
}

# SIGTERM and wait up to $1 s (default shutdown timeout + 5); sets JN_EXIT.
# Fails unless the daemon exits by itself with status 0.
jn_stop() {
	local secs=${1:-$((${JN_SHUTDOWN_TIMEOUT:-5} + 5 * JN_SLOW))} i
	JN_EXIT=
	[ -n "$JN_PID" ] || return 0
	if ! kill -0 "$JN_PID" 2>/dev/null; then
		JN_EXIT=0
		wait "$JN_PID" || JN_EXIT=$?
		JN_PID=
		fail "junctiond was no longer running when the test stopped it (status $JN_EXIT)"
	fi
	kill -TERM "$JN_PID"
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$JN_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$JN_PID" 2>/dev/null; then
		kill -KILL "$JN_PID" 2>/dev/null || true
		wait "$JN_PID" 2>/dev/null || true
		JN_PID=
		fail "junctiond still running $secs s after SIGTERM (killed)"
	fi
	JN_EXIT=0
	wait "$JN_PID" || JN_EXIT=$?
	JN_PID=
	jn_check_log_clean
	assert_eq "$JN_EXIT" 0 "junctiond exit status after SIGTERM"
}

# ---- REST ---------------------------------------------------------------------
# jn_http METHOD PATH [curl args...]: body in $HTTP_BODY, status in $HTTP_CODE.
jn_http() {
	local method=$1 path=$2
	shift 2
	local out=$T/http.$$.out
	HTTP_CODE=$(curl -sS -m "$((5 * JN_SLOW))" -o "$out" -w '%{http_code}' -X "$method" \
		-H "Authorization: Bearer $JN_TOKEN" "$@" \
		"http://127.0.0.1:$JN_HTTP_PORT/api/v1$path") || HTTP_CODE=000
	HTTP_BODY=$(cat "$out" 2>/dev/null || true)
	rm -f "$out"
}

# json_get JSON EXPR: evaluate a Python expression on the parsed document
# `d`; prints the result (JSON for lists/dicts). Fails on invalid JSON.
json_get() {
	python3 -c '
import json, sys
try:
    d = json.loads(sys.argv[1])
except ValueError as e:
    print("INVALID-JSON: %s" % e); sys.exit(2)
try:
    v = eval(sys.argv[2], {"d": d})
except Exception as e:
    print("EXPR-ERROR: %r" % e); sys.exit(3)
print(json.dumps(v) if isinstance(v, (list, dict)) else v)
' "$1" "$2" || fail "json_get '$2' on: $1"
}

# ---- SIP peers ----------------------------------------------------------------
# siptool send ... (see siptool.py)
siptool() { python3 "$JN_ITEST/siptool.py" "$@"; }

# First line of the first response in siptool's text output.
first_status() { printf '%s\n' "$1" | head -n 1; }

# jn_sipp NAME ARGS...: run sipp in $T in the foreground with bounded time,
# message and error traces in $T/NAME.msg / NAME.err, screen in NAME.out.
# Sets SIPP_RC. Never fails by itself: the caller asserts.
jn_sipp() {
	local name=$1
	shift
	SIPP_RC=0
	(cd "$T" && timeout "$((60 * JN_SLOW))" sipp -nostdin -timeout "$((30 * JN_SLOW))" -timeout_error \
		-trace_err -error_file "$T/$name.err" \
		-trace_msg -message_file "$T/$name.msg" \
		-trace_stat -stf "$T/$name.csv" \
		"$@" >"$T/$name.out" 2>&1) || SIPP_RC=$?
}

# Start a sipp in the background (a UAS); PID in SIPP_BG_PID.
jn_sipp_bg() {
	local name=$1
	shift
	(cd "$T" && exec timeout "$((60 * JN_SLOW))" sipp -nostdin \
		-trace_err -error_file "$T/$name.err" \
		-trace_msg -message_file "$T/$name.msg" \
		"$@" >"$T/$name.out" 2>&1) &
	SIPP_BG_PID=$!
	jn_track "$SIPP_BG_PID"
}

# sipp_pair N CALLEE-XML CALLER-TEMPLATE WHAT [KEY=VALUE...]: a callee and a
# caller through Junction. The callee scenario runs as uasN in the
# background (sipp arguments: the array uas), then the caller, rendered from
# CALLER-TEMPLATE with USER=bob and the KEY=VALUEs, as uacN (array uac);
# both must succeed (WHAT describes the caller's part).
sipp_pair() {
	local n=$1 callee=$2 tpl=$3 what=$4 pid
	shift 4
	jn_sipp_bg "uas$n" -sf "$callee" "${uas[@]}" -trace_stat -stf "$T/uas$n.csv"
	pid=$SIPP_BG_PID
	sleep 0.3
	jn_render "$tpl" "$T/uac$n.xml" USER=bob "$@"
	jn_sipp "uac$n" -sf "$T/uac$n.xml" "${uac[@]}"
	assert_sipp_ok "uac$n" 1 "$what"
	SIPP_RC=0
	wait "$pid" || SIPP_RC=$?
	assert_sipp_ok "uas$n" 1 "the callee's part of: $what"
}

# Show why a sipp run failed.
sipp_dump() {
	local name=$1 f
	for f in "$T/$name.out" "$T/$name.err"; do
		[ -s "$f" ] || continue
		echo "----- $(basename "$f") (last 25 lines) -----" >&2
		tail -n 25 "$f" >&2
	done
	if [ -s "$T/$name.msg" ]; then
		echo "----- $name.msg (last 40 lines) -----" >&2
		tail -n 40 "$T/$name.msg" >&2
	fi
}

# Assert a sipp run finished with rc 0 and N successful calls.
assert_sipp_ok() { # name expected-successful-calls what
	local name=$1 want=$2 what=$3 ok failed
	if [ "$SIPP_RC" != 0 ]; then
		sipp_dump "$name"
		fail "$what: sipp exited with status $SIPP_RC (0 = all calls successful)"
	fi
	ok=$(sipp_stat "$name" SuccessfulCall)
	failed=$(sipp_stat "$name" FailedCall)
	if [ "$ok" != "$want" ] || [ "$failed" != 0 ]; then
		sipp_dump "$name"
		fail "$what: sipp counted $ok successful / $failed failed calls, expected $want / 0"
	fi
}

# Last value of a cumulative column of sipp's -trace_stat CSV ("SuccessfulCall").
sipp_stat() {
	python3 - "$T/$1.csv" "$2" <<'EOF'
import csv, sys
path, col = sys.argv[1], sys.argv[2] + "(C)"
try:
    rows = list(csv.reader(open(path), delimiter=";"))
except OSError:
    print("no-stats"); sys.exit(0)
if len(rows) < 2 or col not in rows[0]:
    print("no-stats"); sys.exit(0)
print(rows[-1][rows[0].index(col)].strip())
EOF
}
