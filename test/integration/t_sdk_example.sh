#!/bin/bash
# t_sdk_example.sh - a third party builds a module against the installed SDK.
#
# Proves (DESIGN.md "The module contract", STYLE.md rule 2):
#  - `make install PREFIX=/usr DESTDIR=$tmp` installs the SDK headers and a
#    working junction-sdk.pc (plus junctiond and the modules);
#  - sdk/examples/hello, copied out of the tree, builds with its own
#    Makefile using only `pkg-config --cflags junction-sdk` (no -I into the
#    source tree) and links against nothing;
#  - junctiond loads the resulting hello.so by `path:`, passes it its
#    `greeting` parameter, and a script's reply(200, hello.greeting()) and
#    hello.greeting(name: ...) reach a SIP client (SIPp regexp on the reason).
. "$(dirname "$0")/lib.sh"
jn_require_daemon

STAGE=$T/stage
SRC=$T/src/hello

note "make install PREFIX=/usr DESTDIR=$STAGE"
san_args=()
[ "$JN_SAN" = 1 ] && san_args=(SAN=1)
# Bring the build dir up to date with its usual flags first, so that the
# install below (PREFIX=/usr) compiles nothing into it.
if ! make -C "$JN_ROOT" --no-print-directory "O=$JN_BUILD" "${san_args[@]}" -j2 all \
	>"$T/build.log" 2>&1; then
	tail -n 30 "$T/build.log" >&2
	fail "make all failed"
fi
if ! make -C "$JN_ROOT" --no-print-directory "O=$JN_BUILD" "${san_args[@]}" PREFIX=/usr \
	"DESTDIR=$STAGE" install >"$T/install.log" 2>&1; then
	tail -n 30 "$T/install.log" >&2
	fail "make install failed"
fi
for f in usr/include/junction/junction.h usr/include/junction/module.h \
	usr/lib/pkgconfig/junction-sdk.pc usr/sbin/junctiond; do
	[ -e "$STAGE/$f" ] || fail "make install did not install /$f"
done
pc=$STAGE/usr/lib/pkgconfig/junction-sdk.pc
# From here on, pkg-config sees only the staged SDK, as a third party would.
export PKG_CONFIG_PATH=$STAGE/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$STAGE
assert_file_no_match "$pc" '@[A-Z]+@' "junction-sdk.pc has no unsubstituted placeholder"
assert_eq "$(pkg-config --modversion junction-sdk)" 0.1.0 "pkg-config --modversion junction-sdk"
cflags=$(pkg-config --cflags junction-sdk)
assert_eq "$(echo "$cflags" | xargs)" "-I$STAGE/usr/include" "pkg-config --cflags junction-sdk"
assert_match "$(pkg-config --variable=moduledir junction-sdk)" '/usr/lib/junction/modules$' "moduledir variable"

note "build sdk/examples/hello out of tree with its Makefile"
mkdir -p "$(dirname "$SRC")"
cp -r "$JN_ROOT/sdk/examples/hello" "$SRC"
rm -f "$SRC/hello.so"
# Plain make, with the environment above; the Makefile may use nothing else.
if ! make -C "$SRC" --no-print-directory >"$T/hello-build.log" 2>&1; then
	cat "$T/hello-build.log" >&2
	fail "building the hello example failed"
fi
cat "$T/hello-build.log"
[ -f "$SRC/hello.so" ] || fail "no hello.so after make"
assert_file_no_match "$T/hello-build.log" "-I *$JN_ROOT|sdk/include" "the example's build must not use the source tree"
assert_file_match "$T/hello-build.log" "-I$STAGE/usr/include" "the example's build uses the installed SDK"
exported=$(nm -D --defined-only "$SRC/hello.so" | awk '{print $3}' | grep -v '^_' | sort | xargs)
assert_eq "$exported" jn_module_descriptor "symbols exported by hello.so"
needed=$(objdump -p "$SRC/hello.so" | awk '/NEEDED/ {print $2}' | grep -v -E '^(libc\.so|ld-linux)' | xargs || true)
assert_eq "$needed" "" "libraries hello.so links against (besides libc)"

note "junctiond loads hello.so and the script replies with its greeting"
jn_ports
jn_script <<'EOF2'
# t_sdk_example
request {
    if (ruri.user == "named") {
        reply(200, hello.greeting(name: from.user));
        exit;
    }
    reply(200, hello.greeting());
}
EOF2
jn_config - <<EOF2
modules:
  - name: hello
    path: $SRC/hello.so
    params: { greeting: "Greetings from the SDK" }
EOF2
jn_start
jn_render "$JN_SIPP_DIR/uac.xml" "$T/hello.xml" METHOD=OPTIONS \
	"RURI=sip:[remote_ip]:[remote_port]" STATUS=200 "REASON_RE=Greetings from the SDK"
jn_sipp hello -sf "$T/hello.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -m 2 -r 20 "127.0.0.1:$JN_PORT"
assert_sipp_ok hello 2 "reason phrase from hello.greeting()"

jn_render "$JN_SIPP_DIR/uac.xml" "$T/named.xml" METHOD=OPTIONS \
	"RURI=sip:named@[remote_ip]:[remote_port]" STATUS=200 "REASON_RE=Greetings from the SDK, uac"
jn_sipp named -sf "$T/named.xml" -i 127.0.0.1 -p "$PORT1" -t u1 -m 1 "127.0.0.1:$JN_PORT"
assert_sipp_ok named 1 "reason phrase from hello.greeting(name: from.user)"

jn_http GET /modules
assert_eq "$HTTP_CODE" 200 "GET /modules"
assert_match "$HTTP_BODY" '"hello"' "GET /modules lists hello"

jn_stop
assert_file_match "$JN_LOG" 'stopping after [0-9]+ greetings' "hello's stop() ran"
echo "PASS: $TEST_NAME"
