#!/bin/bash
# bench_register_mem.sh - memory per registration and registrations/second.
#
# Starts junctiond with the registrar, registers N distinct users (default
# 100,000: user bench1..benchN, one contact each, Expires 3600) with SIPp at
# a bounded rate, and reports the daemon's RSS growth per registration and
# the rate SIPp achieved. Not part of `make test`.
#
#   bash modules/registrar/bench/bench_register_mem.sh [N] [RATE]
#   JUNCTIOND=/path/junctiond JN_BUILD=/path/build bash ...
#
# Every REGISTER leaves a server transaction alive for 32 s (RFC 3261
# Timer J) holding the request and the answer, so at RATE/s about RATE*32
# of them exist at any time. To count bindings and not transactions, a
# warm-up at the same rate first builds that peak with short-lived
# bindings; they and their transactions are gone before the measured run
# starts, and RSS is read again once the measured run's transactions have
# ended too (RSS right after the run is printed as well).
#
# Traffic stays on 127.0.0.1; every SIPp run is bounded by -m and a timeout.
. "$(dirname "$0")/../../../test/integration/lib.sh"

N=${1:-100000}
RATE=${2:-2000}
HERE=$(cd "$(dirname "$0")" && pwd)
SCEN=$HERE/../tests/sipp/register.xml

jn_ports
jn_script <<'EOF'
request {
    if (method == "OPTIONS") { reply(200); exit; }
    if (method == "REGISTER") { registrar.save(); exit; }
    reply(404);
}
EOF
jn_config - <<'EOF'
modules:
  - name: registrar
    params: { min_expires: 1 }
EOF
jn_start

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$JN_PID/status"; }
contact_re="127\\.0\\.0\\.1:$PORT2"

run_sipp() { # name scenario count
	(cd "$T" && timeout 900 sipp -nostdin -timeout 850 -timeout_error -sf "$2" \
		-i 127.0.0.1 -p "$PORT1" -t u1 -m "$3" -r "$RATE" -l 1000 \
		-trace_stat -stf "$T/$1.csv" "127.0.0.1:$JN_PORT" >"$T/$1.out" 2>&1)
}

WARM=$((RATE * 36))
jn_render "$SCEN" "$T/warm.xml" USER=warm DOMAIN=bench.example "CONTACT=127.0.0.1:$PORT2" \
	"CONTACT_RE=$contact_re" Q=1.0 EXPIRES=5
echo "warm-up: $WARM registrations of 5 s at $RATE/s, then 40 s idle"
run_sipp warm "$T/warm.xml" "$WARM" || true
sleep 40
before=$(rss_kb)

jn_render "$SCEN" "$T/reg.xml" USER=bench DOMAIN=bench.example "CONTACT=127.0.0.1:$PORT2" \
	"CONTACT_RE=$contact_re" Q=1.0 EXPIRES=3600
echo "measured: $N registrations of 3600 s at $RATE/s"
t0=$(now)
SIPP_RC=0
run_sipp reg "$T/reg.xml" "$N" || SIPP_RC=$?
t1=$(now)
peak=$(rss_kb)
sleep 36
after=$(rss_kb)
ok=$(sipp_stat reg SuccessfulCall)
failed=$(sipp_stat reg FailedCall)
secs=$(elapsed "$t0" "$t1")

jn_stop 30
bindings=$(grep -Eo 'stopping with [0-9]+ bindings' "$JN_LOG" | grep -Eo '[0-9]+' || echo '?')
python3 - "$before" "$peak" "$after" "$ok" "$failed" "$secs" "$bindings" "$SIPP_RC" <<'PY'
import sys
before, peak, after, ok, failed, secs, bindings, rc = sys.argv[1:9]
before, peak, after, secs = int(before), int(peak), int(after), float(secs)
ok_n = int(ok) if ok.isdigit() else 0
print("registrations: %s ok, %s failed (sipp exit %s), %s bindings at stop" % (ok, failed, rc, bindings))
print("RSS: %d KiB before, %d KiB right after the run, %d KiB once its transactions ended"
      % (before, peak, after))
if ok_n:
    print("memory per registration: %.0f bytes (%.0f bytes with live transactions)"
          % ((after - before) * 1024.0 / ok_n, (peak - before) * 1024.0 / ok_n))
    print("registrations/second: %.0f" % (ok_n / secs))
PY
