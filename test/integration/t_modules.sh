#!/bin/bash
# t_modules.sh - the module contract: dependencies, C APIs, hooks, events,
# module variables and parameter validation.
#
# Proves (DESIGN.md "The module contract"):
#  - a module listed BEFORE its dependency is loaded after it (.depends);
#  - a named, versioned C API passes from one module to another
#    (dep_base exports "base" v1, dep_user calls it from the script);
#  - asking for another API version refuses the module with a message that
#    names both versions;
#  - a missing dependency and a dependency cycle are errors naming them;
#  - a REQUEST_IN hook answering JN_HOOK_AGAIN takes the request over before
#    the script runs;
#  - a module's event route (event dep_user:started) runs; an event block
#    for an undeclared event refuses the script;
#  - module parameters are validated by the core with file:line:col.
. "$(dirname "$0")/lib.sh"
jn_require_daemon
TM=$JN_BUILD/test-modules
for m in dep_base dep_user cycle_a cycle_b; do
	[ -f "$TM/$m.so" ] || fail "test module not built: $TM/$m.so"
done

# modules_yaml NAME[=PARAMS]...: a modules: section loading the test modules
# by path, PARAMS a YAML flow map; for `jn_config -`.
modules_yaml() {
	local spec
	echo "modules:"
	for spec in "$@"; do
		echo "  - name: ${spec%%=*}"
		echo "    path: $TM/${spec%%=*}.so"
		if [[ $spec == *=* ]]; then echo "    params: ${spec#*=}"; fi
	done
}

jn_ports
jn_script <<'EOF2'
event dep_user:started {
    log("t_modules: event dep_user:started ran");
}
request {
    if (method == "OPTIONS") { reply(200, "OK"); exit; }
    if (method == "MESSAGE") {
        $g = dep_user.greet();
        reply(200, $g + " / calls=" + dep_user.calls);
        exit;
    }
    reply(404, "Not Found");
}
EOF2
modules_yaml "dep_user" "dep_base={ priority: -5 }" | jn_config -
jn_start

note "load order follows .depends: dep_base before dep_user"
jn_http GET /modules
assert_eq "$HTTP_CODE" 200 "GET /modules"
assert_eq "$(json_get "$HTTP_BODY" '",".join(m["name"] for m in d)')" "dep_base,dep_user" "module order"
assert_file_match "$JN_LOG" 't_modules: event dep_user:started ran' "event route of a module ran"

note "a C API used through a script function and a module variable"
cat >"$T/msg.sip" <<'EOF2'
MESSAGE sip:svc@{host}:{port} SIP/2.0
Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:a@example.com>;tag={tag}
To: <sip:svc@example.com>
Call-ID: {callid}
CSeq: 1 MESSAGE
Content-Length: 0

EOF2
out=$(siptool send --port "$JN_PORT" --file "$T/msg.sip" --wait 2)
assert_match "$(first_status "$out")" '^SIP/2.0 200 hello from dep_base / calls=1$' "reply built from the API"

note "a REQUEST_IN hook takes the request over before the script (JN_HOOK_AGAIN)"
sed 's/^Content-Length: 0$/X-Hook: stop\nContent-Length: 0/' "$T/msg.sip" >"$T/hook.sip"
out=$(siptool send --port "$JN_PORT" --file "$T/hook.sip" --wait 2)
assert_match "$(first_status "$out")" '^SIP/2.0 403 Stopped By Hook$' "hook answered"
out=$(siptool send --port "$JN_PORT" --file "$T/msg.sip" --wait 2)
assert_match "$(first_status "$out")" 'calls=2$' "the hooked request did not reach the script"
jn_stop

check_fails() { # what expected-ERE
	local rc=0
	"$JUNCTIOND" -c "$T/junction.yaml" --check >"$T/check.out" 2>&1 || rc=$?
	assert_ne "$rc" 0 "--check exit status ($1)"
	assert_file_match "$T/check.out" "$2" "$1"
}

note "missing dependency"
modules_yaml dep_user | jn_config -
check_fails "missing dependency" "junction.yaml:[0-9]+:[0-9]+: module 'dep_user' depends on module 'dep_base', which is not in the modules list"

note "dependency cycle"
modules_yaml cycle_a cycle_b | jn_config -
check_fails "dependency cycle" "module dependency cycle: cycle_a -> cycle_b -> cycle_a"

note "API version not exported"
modules_yaml dep_base "dep_user={ api_version: 2 }" | jn_config -
check_fails "API version" "API 'base' version 2 is not available \\(version 1 is\\)"
assert_file_match "$T/check.out" "module 'dep_user' failed to load" "the refused module is named"

note "parameters are validated by the core"
modules_yaml "dep_base={ priority: 1000, colour: blue }" | jn_config -
check_fails "out-of-range parameter" "junction.yaml:[0-9]+:[0-9]+: .*'priority'.*between -100 and 100"
assert_file_match "$T/check.out" "junction.yaml:[0-9]+:[0-9]+: unknown parameter 'colour' for module 'dep_base'" "unknown parameter"

note "an event block for an undeclared event refuses the script"
modules_yaml dep_base dep_user | jn_config -
jn_script <<'EOF2'
event dep_user:stopped { log("never"); }
request { reply(200, "OK"); }
EOF2
check_fails "undeclared event" "test.jn:1:[0-9]+: unknown event 'dep_user:stopped'"
