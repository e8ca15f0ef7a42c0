#!/bin/bash
# t_abi.sh - the loader refuses a module built for another SDK ABI major.
#
# Proves (DESIGN.md "The module contract", STYLE.md rule 3): a module whose
# descriptor claims abi_major = JN_SDK_MAJOR + 1 (test/modules/abi_mismatch,
# built for 2.3 against core SDK 1.x) is refused by `junctiond --check` and
# by a normal start, with a message that names both versions; its load()
# is never called; the daemon exits non-zero.
. "$(dirname "$0")/lib.sh"
jn_require_daemon

SO=$JN_BUILD/test-modules/abi_mismatch.so
[ -f "$SO" ] || fail "test module not built: $SO"
# The SDK major the core implements, from the header the core was built with.
major=$(sed -n 's/^#define JN_SDK_MAJOR \([0-9]*\).*/\1/p' "$JN_ROOT/sdk/include/junction/junction.h")
mod_major=$((major + 1))

jn_ports
jn_script <<'EOF2'
request { reply(200, "OK"); }
EOF2
jn_config - <<EOF2
modules:
  - name: abi_mismatch
    path: $SO
EOF2

# check_message FILE: the refusal names the module and both versions.
check_message() {
	local f=$1 line
	line=$(grep -Ei 'abi|version' "$f" | grep -E 'abi_mismatch' | head -n 1 || true)
	[ -n "$line" ] || { cat "$f" >&2; fail "no error line naming abi_mismatch and the ABI in the output"; }
	# Drop a leading file:line:col: location so its numbers do not count.
	line=$(printf '%s' "$line" | sed -E 's/^[^ ]*:[0-9]+:[0-9]+: //')
	assert_match "$line" "(^|[^0-9.])$mod_major(\\.3)?([^0-9]|$)" "refusal names the module's ABI major $mod_major"
	assert_match "$line" "(^|[^0-9.])$major(\\.[0-9]+)?([^0-9]|$)" "refusal names the core's ABI major $major"
	assert_file_no_match "$f" 'load\(\) was called despite' "the refused module's load() must not run"
}

note "--check refuses the module"
rc=0
timeout "$((20 * JN_SLOW))" "$JUNCTIOND" -c "$T/junction.yaml" --check >"$T/check.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$T/check.out" >&2; fail "--check exit status $rc, expected 1"; }
check_message "$T/check.out"
assert_file_match "$T/check.out" 'junction\.yaml:[0-9]+:[0-9]+: ' "the refusal is located in the configuration"

note "a normal start refuses it and exits non-zero"
rc=0
timeout "$((20 * JN_SLOW))" "$JUNCTIOND" -c "$T/junction.yaml" >"$JN_LOG" 2>&1 || rc=$?
[ "$rc" != 124 ] || fail "junctiond kept running with an incompatible module"
[ "$rc" != 0 ] || fail "junctiond exited 0 with an incompatible module"
check_message "$JN_LOG"
jn_check_log_clean

echo "PASS: $TEST_NAME"
