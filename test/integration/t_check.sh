#!/bin/bash
# t_check.sh - `junctiond --check` and -V.
#
# Proves (DESIGN.md "The routing script", "Errors and bad input"; the
# OpenBSD-daemon `-n` convention): --check loads the configuration, the
# modules and the script, prints every error as file:line:col: message on
# stderr and exits 1; prints "configuration OK" and exits 0 when all is
# well. Script errors (syntax, unknown functions - all of them, not only
# the first -, an invalid regex literal) and configuration errors (unknown
# key, wrong type, unknown module parameter) are located on the right line.
. "$(dirname "$0")/lib.sh"
jn_require_daemon

jn_ports
OUT=$T/check.out

# check: run --check on $T/junction.yaml; sets RC, output in $OUT.
check() {
	RC=0
	timeout "$((20 * JN_SLOW))" "$JUNCTIOND" -c "$T/junction.yaml" --check >"$OUT" 2>&1 || RC=$?
	jn_check_log_clean_file "$OUT"
}
jn_check_log_clean_file() {
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|\.(c|h):[0-9]+:[0-9]+: runtime error:' "$1"; then
		cat "$1" >&2
		fail "sanitizer report from junctiond --check"
	fi
}
expect_error() { # file-ERE line what   (an error located at that line)
	[ "$RC" = 1 ] || { cat "$OUT" >&2; fail "$3: --check exit status $RC, expected 1"; }
	grep -Eq "$1:$2:[0-9]+: [^ ]" "$OUT" || {
		cat "$OUT" >&2
		fail "$3: no 'FILE:$2:COL: message' line for $1 in the --check output"
	}
}

note "-V prints the version"
v=$(timeout 10 "$JUNCTIOND" -V 2>&1) || fail "junctiond -V exit status $?"
assert_match "$v" '^junctiond 0\.1\.0$' "junctiond -V"

note "a good configuration: exit 0, 'configuration OK'"
jn_script <<'EOF2'
request {
    if (ruri.user =~ "^[0-9]+$") { reply(404, "Not Here"); exit; }
    reply(200, "OK");
}
EOF2
jn_config - <<EOF2
modules:
  - name: testsuspend
    path: $JN_BUILD/test-modules/testsuspend.so
    params: { delay: 10 }
EOF2
check
[ "$RC" = 0 ] || { cat "$OUT" >&2; fail "--check on a good configuration: exit status $RC"; }
assert_file_match "$OUT" 'configuration OK' "--check output on a good configuration"

note "script syntax error: located on line 4"
jn_script <<'EOF2'
# t_check: a missing parenthesis
request {
    if (method == "OPTIONS") {
        reply(200, "OK";
    }
}
EOF2
check
expect_error 'test\.jn' 4 "syntax error"

note "two unknown functions: both reported, lines 3 and 6"
jn_script <<'EOF2'
# t_check: unknown names
request {
    nosuch_builtin(1);
    reply(200, "OK");

    nosuchmod.func("x");
}
EOF2
check
expect_error 'test\.jn' 3 "unknown builtin"
expect_error 'test\.jn' 6 "unknown module function (the second error)"
assert_file_match "$OUT" 'test\.jn:3:[0-9]+: .*nosuch_builtin' "the error names the unknown function"

note "an invalid regex literal is a load error on its line (5)"
jn_script <<'EOF2'
# t_check: bad regex, compiled at load time
request {
    reply(200, "OK");

    if (ruri.user =~ "([") { exit; }
}
EOF2
check
expect_error 'test\.jn' 5 "invalid regex"

note "configuration: unknown top-level key"
jn_script <<'EOF2'
request { reply(200, "OK"); }
EOF2
jn_config
echo "bogus_key: 1" >>"$T/junction.yaml"
line=$(grep -n '^bogus_key' "$T/junction.yaml" | cut -d: -f1)
check
expect_error 'junction\.yaml' "$line" "unknown configuration key"
assert_file_match "$OUT" "junction\\.yaml:$line:[0-9]+: .*bogus_key" "the error names the unknown key"

note "configuration: wrong type"
jn_config
sed -i -e 's/shutdown_timeout: [0-9]*/shutdown_timeout: soon/' "$T/junction.yaml"
line=$(grep -n 'shutdown_timeout: soon' "$T/junction.yaml" | cut -d: -f1)
check
expect_error 'junction\.yaml' "$line" "shutdown_timeout: soon"

note "configuration: unknown module parameter"
jn_config - <<EOF2
modules:
  - name: testsuspend
    path: $JN_BUILD/test-modules/testsuspend.so
    params:
      delay: 10
      no_such_param: 1
EOF2
line=$(grep -n 'no_such_param' "$T/junction.yaml" | cut -d: -f1)
check
expect_error 'junction\.yaml' "$line" "unknown module parameter"

note "configuration: module parameter out of range"
jn_config - <<EOF2
modules:
  - name: testsuspend
    path: $JN_BUILD/test-modules/testsuspend.so
    params: { delay: -5 }
EOF2
line=$(grep -n 'delay: -5' "$T/junction.yaml" | cut -d: -f1)
check
expect_error 'junction\.yaml' "$line" "module parameter out of range"

note "configuration: missing script file"
jn_config
rm -f "$T/test.jn"
check
[ "$RC" = 1 ] || { cat "$OUT" >&2; fail "--check with a missing script: exit status $RC, expected 1"; }
assert_file_match "$OUT" 'test\.jn' "the error names the missing script"

echo "PASS: $TEST_NAME"
