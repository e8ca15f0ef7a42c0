#!/bin/bash
# bench_proxy.sh - stateful proxied calls per second through the proxy
# module and the proxy's CPU time per call, against Kamailio 5.6 (tm + rr +
# sl, children=1) with the same SIPp load in the same run. Not part of
# make test.
#
# SIPp's built-in uac (INVITE/ACK/BYE, call length 0) -> proxy with
# Record-Route -> SIPp's built-in uas; the rate rises step by step with
# bounded runs; the figure kept is the best achieved rate with < 0.1 %
# failed calls; CPU comes from /proc/PID/stat of the server (and its
# children for Kamailio). The load driver and the server configurations
# are shared with `make bench` (scripts/run-bench.sh, test/bench/proxy.jn,
# test/bench/kamailio/proxy.cfg), so both report the same figures.
#
#   O=build modules/proxy/bench/bench_proxy.sh
#   BENCH_RATES="500 1000 2000 3000 4000" BENCH_STEP_SECONDS=4 O=... bench_proxy.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
export BENCH_ONLY=proxy
exec scripts/run-bench.sh "$@"
