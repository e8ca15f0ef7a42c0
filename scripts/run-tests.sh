#!/bin/bash
# run-tests.sh - build everything and run the whole test suite.
#
#   scripts/run-tests.sh            (what `make test` runs after install-deps)
#
# Steps, each counted as one test (PASS/FAIL line with its duration):
#   build:normal     make -j2 O=build all unit
#   build:asan       make -j2 O=build-asan SAN=1 all unit
#   build:fuzz       make fuzz   (clang, libFuzzer, in build-fuzz/)
#   unit:<build>/<name>         every build*/test/unit/test_* binary
#   integration:<build>/<name>  every test/integration/t_*.sh against build/
#                               and build-asan/ (JUNCTIOND, JUNCTIONCTL, JN_BUILD)
#   fuzz:<name>                 each build-fuzz/fuzz_* for 10 s on its seed ($JOBS at a time)
#                               corpus test/fuzz/corpus/<name>/ if present
# Ends with exactly one line "N passed, N failed"; exits 1 if any failed.
#
# Environment: JN_TESTS="t_options t_rest" runs only those integration
# tests; JN_SKIP_ASAN=1 / JN_SKIP_FUZZ=1 skip those builds (for local
# iterations; CI runs everything); JN_FUZZ_SECONDS (default 10).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

LOGDIR=$ROOT/build/test-logs
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
JOBS=${JOBS:-2}
FUZZ_SECONDS=${JN_FUZZ_SECONDS:-10}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions=$ROOT/test/data/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0
failed=0
failures=()
suite_start=$SECONDS

log_of() { printf '%s/%s.log' "$LOGDIR" "${1//[\/:]/_}"; }

# run_test NAME TIMEOUT CMD...: one test, its output in $LOGDIR/NAME.log.
run_test() {
	local name=$1 limit=$2 log t0 t1 rc
	shift 2
	log=$(log_of "$name")
	t0=$(date +%s.%N)
	rc=0
	timeout -k 10 "$limit" "$@" </dev/null >"$log" 2>&1 || rc=$?
	t1=$(date +%s.%N)
	report "$name" "$rc" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$limit"
}

# report NAME RC SECONDS LIMIT: counts and prints one test's outcome.
report() {
	local name=$1 rc=$2 dur=$3 limit=$4 log
	log=$(log_of "$name")
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS %s (%ss)\n' "$name" "$dur"
	else
		failed=$((failed + 1))
		failures+=("$name")
		if [ "$rc" -eq 124 ]; then
			printf 'FAIL %s (%ss, timed out after %ss)\n' "$name" "$dur" "$limit"
		else
			printf 'FAIL %s (%ss, exit status %s)\n' "$name" "$dur" "$rc"
		fi
		sed -e 's/^/    | /' <(tail -n 40 "$log")
	fi
	return "$rc"
}

# ---- builds ------------------------------------------------------------
builds=(build)
run_test build:normal 1200 make -j"$JOBS" O=build all unit
if [ -z "${JN_SKIP_ASAN:-}" ]; then
	builds+=(build-asan)
	run_test build:asan 1200 make -j"$JOBS" O=build-asan SAN=1 all unit
fi
if [ -z "${JN_SKIP_FUZZ:-}" ]; then
	run_test build:fuzz 1200 make -j"$JOBS" fuzz
fi

# ---- unit tests ----------------------------------------------------------
for b in "${builds[@]}"; do
	for t in "$b"/test/unit/test_* "$b"/modules/*/tests/test_*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
		case $t in *.d | *.o) continue ;; esac
		run_test "unit:$b/$(basename "$t")" 300 "$t"
	done
done

# ---- integration tests -----------------------------------------------------
itests=()
if [ -n "${JN_TESTS:-}" ]; then
	for n in $JN_TESTS; do
		for t in test/integration/"${n%.sh}".sh modules/*/tests/"${n%.sh}".sh; do
			[ -f "$t" ] && itests+=("$t")
		done
	done
else
	for t in test/integration/t_*.sh modules/*/tests/t_*.sh; do [ -f "$t" ] && itests+=("$t"); done
fi
for b in "${builds[@]}"; do
	san=0
	[ "$b" = build-asan ] && san=1
	for t in "${itests[@]}"; do
		run_test "integration:$b/$(basename "$t" .sh)" 180 \
			env JUNCTIOND="$ROOT/$b/junctiond" JUNCTIONCTL="$ROOT/$b/junctionctl" \
			JN_BUILD="$ROOT/$b" JN_SAN="$san" bash "$t"
	done
done

# ---- fuzz smoke runs ---------------------------------------------------------
# fuzz_one TARGET: one libFuzzer run in the background; its exit status and
# duration go to $LOGDIR/<name>.rc for fuzz_collect.
fuzz_one() {
	local f=$1 name work seeds=() dict=() t0 rc=0
	name=$(basename "$f")
	work=$(mktemp -d /tmp/jn-fuzz-"$name".XXXXXX)
	for d in "test/fuzz/corpus/$name" "test/fuzz/corpus/${name#fuzz_}"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	[ -f "test/fuzz/${name#fuzz_}.dict" ] && dict=(-dict="test/fuzz/${name#fuzz_}.dict")
	t0=$(date +%s.%N)
	# New inputs go to the temporary first directory, never into the tree.
	timeout -k 10 $((FUZZ_SECONDS + 120)) "$f" -max_total_time="$FUZZ_SECONDS" "${dict[@]}" \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$LOGDIR/$name-" \
		"$work" "${seeds[@]}" </dev/null >"$(log_of "fuzz:$name")" 2>&1 || rc=$?
	echo "$rc $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" \
		>"$LOGDIR/$name.rc"
	rm -rf "$work"
}
fuzz_collect() {
	local name rc dur
	for name in "$@"; do
		read -r rc dur <"$LOGDIR/$name.rc" || { rc=1 dur=0; }
		report "fuzz:$name" "$rc" "$dur" $((FUZZ_SECONDS + 120))
	done
}
if [ -z "${JN_SKIP_FUZZ:-}" ]; then
	# Each target is single-threaded and CPU-bound, nothing in them is
	# timed: $JOBS of them run side by side.
	batch=()
	for f in build-fuzz/fuzz_*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
		case $f in *.d | *.o) continue ;; esac
		fuzz_one "$f" &
		batch+=("$(basename "$f")")
		if [ "${#batch[@]}" -ge "$JOBS" ]; then
			wait
			fuzz_collect "${batch[@]}"
			batch=()
		fi
	done
	wait
	[ "${#batch[@]}" -gt 0 ] && fuzz_collect "${batch[@]}"
fi

echo
echo "suite time: $((SECONDS - suite_start)) s; logs in $LOGDIR"
if [ "$failed" -ne 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
