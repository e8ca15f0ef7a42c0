/* test_config.c - junction.yaml loading (core/config*.c): the schema, every
 * error class with its exact "file:line:col: message", module parameter
 * checks and the SDK's jn_node_* view of the tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define MINIMAL "listen: {udp: 127.0.0.1:5060}\nscript: s.jn\n"

static jn_config_t *load(const char *yaml, jn_errlist_t *e)
{
	errlist_init(e);
	return config_load_string("t.yaml", yaml, strlen(yaml), e);
}

static void print_errors(const jn_errlist_t *e)
{
	for (size_t i = 0; i < e->n; i++) {
		char *s = errlist_format(e, i);
		print_message("  got: %s\n", s);
		free(s);
	}
}

/* Loading yaml fails with exactly these errors, in this order. */
static void expect_errors(const char *yaml, const char *const *want)
{
	jn_errlist_t e;
	jn_config_t *c = load(yaml, &e);
	size_t n = 0;
	while (want[n])
		n++;
	assert_null(c);
	if (e.n != n)
		print_errors(&e);
	assert_int_equal(e.n, n);
	for (size_t i = 0; i < n; i++) {
		char *s = errlist_format(&e, i);
		assert_string_equal(s, want[i]);
		free(s);
	}
	errlist_free(&e);
}

static void expect_error(const char *yaml, const char *want)
{
	const char *const w[] = {want, NULL};
	expect_errors(yaml, w);
}

static jn_config_t *load_ok(const char *yaml)
{
	jn_errlist_t e;
	jn_config_t *c = load(yaml, &e);
	if (!c)
		print_errors(&e);
	assert_non_null(c);
	assert_int_equal(e.n, 0);
	errlist_free(&e);
	return c;
}

static char *cwd_path(const char *rel)
{
	char buf[PATH_MAX], *r = NULL;
	assert_non_null(getcwd(buf, sizeof(buf)));
	assert_true(asprintf(&r, "%s/%s", buf, rel) > 0);
	return r;
}

/* ---- valid configurations ------------------------------------------------ */

static const char full_yaml[] =
    "listen:\n"
    "  udp: [127.0.0.1:5060, '[::1]:5062']\n"
    "  tcp: sip.example.com:5070\n"
    "script: /etc/junction/routes/main.jn\n"
    "module_path: /opt/junction/modules\n"
    "modules:\n"
    "  - registrar\n"
    "  - name: hello\n"
    "    path: /opt/hello.so\n"
    "    params: {greeting: hi}\n"
    "log: {level: debug, target: syslog, format: json}\n"
    "http: {listen: '[::1]:9000', token: s3cr3t}\n"
    "sip: {udp_buffer: 65536, shutdown_timeout: 0, user_agent: Edge 1.0}\n";

static void test_full_config_fills_every_field(void **state)
{
	jn_config_t *c = load_ok(full_yaml);
	assert_string_equal(c->file, "t.yaml");
	assert_int_equal(c->nlisteners, 3);
	assert_string_equal(c->listeners[0].proto, "udp");
	assert_string_equal(c->listeners[0].host, "127.0.0.1");
	assert_int_equal(c->listeners[0].port, 5060);
	assert_string_equal(c->listeners[0].text, "udp:127.0.0.1:5060");
	assert_string_equal(c->listeners[0].where, "t.yaml:2:9");
	assert_string_equal(c->listeners[1].host, "::1");
	assert_int_equal(c->listeners[1].port, 5062);
	assert_string_equal(c->listeners[1].text, "udp:[::1]:5062");
	assert_string_equal(c->listeners[2].proto, "tcp");
	assert_string_equal(c->listeners[2].host, "sip.example.com");
	assert_string_equal(c->listeners[2].text, "tcp:sip.example.com:5070");
	assert_string_equal(c->script, "/etc/junction/routes/main.jn");
	assert_string_equal(c->module_path, "/opt/junction/modules");
	assert_int_equal(c->nmodules, 2);
	assert_string_equal(c->modules[0].name, "registrar");
	assert_null(c->modules[0].path);
	assert_null(c->modules[0].params);
	assert_string_equal(c->modules[0].where, "t.yaml:7:5");
	assert_string_equal(c->modules[1].name, "hello");
	assert_string_equal(c->modules[1].path, "/opt/hello.so");
	assert_string_equal(jn_node_scalar(jn_node_get(c->modules[1].params, "greeting")), "hi");
	assert_string_equal(c->modules[1].where, "t.yaml:8:5");
	assert_string_equal(c->log.level, "debug");
	assert_string_equal(c->log.target, "syslog");
	assert_string_equal(c->log.format, "json");
	assert_int_equal(c->http.enabled, 1);
	assert_string_equal(c->http.host, "::1");
	assert_int_equal(c->http.port, 9000);
	assert_string_equal(c->http.token, "s3cr3t");
	assert_int_equal(c->sip.udp_buffer, 65536);
	assert_int_equal(c->sip.shutdown_timeout, 0);
	assert_string_equal(c->sip.user_agent, "Edge 1.0");
	assert_int_equal(jn_node_kind(c->root), JN_NODE_MAP);
	config_free(c);
}

static void test_defaults_when_optional_sections_absent(void **state)
{
	jn_config_t *c = load_ok(MINIMAL);
	assert_null(c->module_path);
	assert_int_equal(c->nmodules, 0);
	assert_string_equal(c->log.level, "info");
	assert_string_equal(c->log.target, "stderr");
	assert_string_equal(c->log.format, "text");
	assert_int_equal(c->http.enabled, 0);
	assert_null(c->http.token);
	assert_string_equal(c->http.host, "127.0.0.1");
	assert_int_equal(c->http.port, 8080);
	assert_int_equal(c->sip.udp_buffer, 4194304);
	assert_int_equal(c->sip.shutdown_timeout, 5);
	assert_string_equal(c->sip.user_agent, "Junction");
	config_free(c);
}

static void test_empty_sections_mean_defaults(void **state)
{
	jn_config_t *c = load_ok(MINIMAL "modules:\nlog:\nsip: {}\nhttp: {token: t}\n");
	assert_int_equal(c->nmodules, 0);
	assert_string_equal(c->log.level, "info");
	assert_int_equal(c->sip.udp_buffer, 4194304);
	assert_int_equal(c->http.enabled, 1);
	assert_string_equal(c->http.host, "127.0.0.1");
	assert_int_equal(c->http.port, 8080);
	config_free(c);
}

static void test_quoted_integer_is_accepted(void **state)
{
	jn_config_t *c = load_ok(MINIMAL "sip: {udp_buffer: \"131072\", shutdown_timeout: '+7'}\n");
	assert_int_equal(c->sip.udp_buffer, 131072);
	assert_int_equal(c->sip.shutdown_timeout, 7);
	config_free(c);
}

static void test_anchor_and_alias_are_resolved(void **state)
{
	jn_config_t *c = load_ok("listen: {udp: &a 127.0.0.1:5060, tcp: *a}\nscript: s.jn\n");
	assert_int_equal(c->nlisteners, 2);
	assert_string_equal(c->listeners[1].text, "tcp:127.0.0.1:5060");
	config_free(c);
}

static void test_default_config_file_loads(void **state)
{
	jn_errlist_t e;
	errlist_init(&e);
	jn_config_t *c = config_load_file("etc/junction.yaml", &e);
	if (!c) {
		print_errors(&e);
		skip(); /* run from elsewhere than the repository root */
	}
	assert_int_equal(c->nlisteners, 2);
	assert_string_equal(c->listeners[0].text, "udp:127.0.0.1:5060");
	assert_string_equal(c->listeners[1].text, "tcp:127.0.0.1:5060");
	assert_int_equal(c->http.enabled, 1);
	assert_string_equal(c->http.token, "change-me");
	/* The default is the demo PBX: registrar, auth, nat, proxy, and the
	 * test extensions' media, dtmf and call. */
	assert_int_equal(c->nmodules, 7);
	assert_string_equal(c->modules[0].name, "registrar");
	assert_string_equal(c->modules[3].name, "proxy");
	assert_string_equal(c->modules[6].name, "call");
	assert_int_equal(jn_node_count(jn_node_get(c->modules[1].params, "users")), 20);
	char *want = cwd_path("etc/routes/default.jn");
	assert_string_equal(c->script, want);
	free(want);
	config_free(c);
	errlist_free(&e);
}

/* ---- paths -------------------------------------------------------------- */

static void test_relative_script_resolves_against_cwd_for_strings(void **state)
{
	jn_config_t *c = load_ok("listen: {udp: 127.0.0.1:5060}\nscript: routes/a.jn\n"
	                         "module_path: mods\nmodules: [{name: m, path: lib/m.so}]\n");
	char *s = cwd_path("routes/a.jn"), *mp = cwd_path("mods"), *p = cwd_path("lib/m.so");
	assert_string_equal(c->script, s);
	assert_string_equal(c->module_path, mp);
	assert_string_equal(c->modules[0].path, p);
	free(s);
	free(mp);
	free(p);
	config_free(c);
}

static void test_relative_script_resolves_against_config_dir(void **state)
{
	char dir[] = "/tmp/jn-config-XXXXXX", file[64], *want = NULL;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/j.yaml", dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fputs("listen: {udp: 127.0.0.1:5060}\nscript: routes/default.jn\n", f);
	fclose(f);
	jn_errlist_t e;
	errlist_init(&e);
	jn_config_t *c = config_load_file(file, &e);
	assert_non_null(c);
	assert_true(asprintf(&want, "%s/routes/default.jn", dir) > 0);
	assert_string_equal(c->script, want);
	assert_string_equal(c->file, file);
	config_free(c);
	free(want);
	errlist_free(&e);
	unlink(file);
	rmdir(dir);
}

static void test_missing_file_names_the_os_error(void **state)
{
	jn_errlist_t e;
	errlist_init(&e);
	assert_null(config_load_file("/nonexistent/j.yaml", &e));
	assert_int_equal(e.n, 1);
	char *s = errlist_format(&e, 0);
	assert_string_equal(s, "/nonexistent/j.yaml: No such file or directory");
	free(s);
	errlist_free(&e);
}

static void test_file_over_one_mib_is_refused(void **state)
{
	size_t n = 1024 * 1024 + 1;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, '#', n);
	big[n] = '\0';
	jn_errlist_t e;
	errlist_init(&e);
	assert_null(config_load_string("big.yaml", big, n, &e));
	assert_int_equal(e.n, 1);
	char *s = errlist_format(&e, 0);
	assert_string_equal(s, "big.yaml: file too large (1048577 bytes, limit 1048576)");
	free(s);
	errlist_free(&e);
	free(big);
}

/* ---- YAML-level errors --------------------------------------------------- */

static void test_empty_file_is_an_error(void **state)
{
	expect_error("", "t.yaml: empty configuration");
	expect_error("# just a comment\n", "t.yaml: empty configuration");
	expect_error("---\n...\n", "t.yaml: empty configuration");
}

static void test_yaml_syntax_error_has_problem_location_and_context(void **state)
{
	expect_error("listen:\n  udp: [a, b\nscript: x\n",
	             "t.yaml:3:7: did not find expected ',' or ']' "
	             "(while parsing a flow sequence at line 2 col 8)");
	expect_error("a: b: c\n", "t.yaml:1:5: mapping values are not allowed in this context");
	expect_error("a: *nowhere\n", "t.yaml:1:4: found undefined alias");
}

static void test_invalid_utf8_is_located(void **state)
{
	expect_error("script: x\nlisten: \xff\n",
	             "t.yaml:2:9: invalid leading UTF-8 octet (byte 0xFF)");
}

static void test_second_document_is_an_error(void **state)
{
	expect_error(MINIMAL "---\nscript: y\n", "t.yaml:4:1: only one YAML document is allowed");
}

static void test_root_must_be_a_map(void **state)
{
	expect_error("- a\n- b\n", "t.yaml:1:1: the configuration must be a map");
}

static void test_duplicate_key_at_top_level(void **state)
{
	expect_error(MINIMAL "script: t.jn\n",
	             "t.yaml:3:1: duplicate key 'script' (first at line 2)");
}

static void test_duplicate_key_in_nested_and_params_maps(void **state)
{
	const char *const want[] = {
	    "t.yaml:3:20: duplicate key 'level' (first at line 3)",
	    "t.yaml:8:7: duplicate key 'a' (first at line 7)",
	    NULL,
	};
	expect_errors(MINIMAL "log: {level: info, level: debug}\n"
	                      "modules:\n"
	                      "  - name: m\n"
	                      "    params:\n"
	                      "      a: 1\n"
	                      "      a: 2\n",
	              want);
}

static void test_non_scalar_key_is_an_error(void **state)
{
	expect_error(MINIMAL "sip: {[a]: 1}\n", "t.yaml:3:7: map keys must be scalars");
}

static void test_nul_in_quoted_value_is_an_error(void **state)
{
	expect_error(MINIMAL "sip: {user_agent: \"a\\0b\"}\n",
	             "t.yaml:3:19: NUL character in value");
}

static void test_alias_cycle_and_deep_nesting_are_refused(void **state)
{
	expect_error("a: &x [*x]\n", "t.yaml:1:4: nesting too deep (limit 64)");
	char deep[201];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	expect_error(deep, "t.yaml:1:66: nesting too deep (limit 64)");
}

static void test_error_in_aliased_node_is_reported_once(void **state)
{
	expect_error(MINIMAL "modules:\n"
	                     "  - {name: a, params: &p {k: 1, k: 2}}\n"
	                     "  - {name: b, params: *p}\n",
	             "t.yaml:4:33: duplicate key 'k' (first at line 4)");
}

static void test_alias_bomb_is_refused(void **state)
{
	/* 10^6 copies of "x" after alias expansion; the limit trips inside an
	 * expansion of the anchored list, so the error points into it. */
	expect_error("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	             "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	             "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	             "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	             "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	             "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
	             "t.yaml:1:20: too many values (limit 100000)");
}

/* ---- schema errors ---------------------------------------------------------- */

static void test_unknown_key_at_top_level(void **state)
{
	expect_error(MINIMAL "scirpt: x\n",
	             "t.yaml:3:1: unknown key 'scirpt' (expected one of: listen, script, "
	             "module_path, modules, log, http, sip, tls)");
}

static void test_unknown_key_nested(void **state)
{
	const char *const want[] = {
	    "t.yaml:3:8: unknown key 'listn' in 'http' (expected one of: listen, token)",
	    "t.yaml:4:7: unknown key 'lvl' in 'log' (expected one of: level, target, format)",
	    "t.yaml:5:21: unknown key 'x' in a 'modules' entry (expected one of: name, path, "
	    "params)",
	    NULL,
	};
	expect_errors(MINIMAL
	              "http: {listn: x, token: t}\nlog: {lvl: x}\nmodules: [{name: a, x: 1}]\n",
	              want);
}

static void test_tls_listener_needs_a_tls_section(void **state)
{
	expect_error("listen:\n  udp: 127.0.0.1:5060\n  tls: 127.0.0.1:5061\nscript: s\n",
	             "t.yaml:3:8: a tls listener needs a top-level 'tls' section "
	             "(certificate, key)");
}

static void test_tls_section_is_checked(void **state)
{
	const char *const want[] = {
	    "t.yaml:3:6: missing required key 'key' in 'tls'",
	    "t.yaml:3:20: 'certificate': cannot read '/nonexistent/c.pem': No such file or "
	    "directory",
	    "t.yaml:3:55: 'verify_client' must be true or false",
	    "t.yaml:3:62: unknown key 'x' in 'tls' (expected one of: certificate, key, ca, "
	    "verify_client)",
	    NULL,
	};
	expect_errors("listen: {tls: 127.0.0.1:5061}\nscript: s\n"
	              "tls: {certificate: /nonexistent/c.pem, verify_client: maybe, x: 1}\n",
	              want);
}

static void test_wrong_types(void **state)
{
	const char *const want[] = {
	    "t.yaml:1:15: 'tcp' must be a string or a list of strings",
	    "t.yaml:2:9: 'script' must be a string",
	    "t.yaml:3:14: 'module_path' must be a string",
	    "t.yaml:4:10: 'modules' must be a list",
	    "t.yaml:5:6: 'log' must be a map",
	    "t.yaml:6:7: 'http' must be a map",
	    "t.yaml:7:19: 'udp_buffer' must be an integer",
	    "t.yaml:7:41: 'shutdown_timeout' must be an integer",
	    NULL,
	};
	expect_errors("listen: {tcp: {a: b}, udp: 127.0.0.1:5060}\n"
	              "script: [a]\n"
	              "module_path: {}\n"
	              "modules: x\n"
	              "log: x\n"
	              "http: [x]\n"
	              "sip: {udp_buffer: 1k, shutdown_timeout: 5s}\n",
	              want);
}

static void test_listen_list_items_must_be_strings(void **state)
{
	expect_error("listen: {udp: [127.0.0.1:5060, [x]]}\nscript: s\n",
	             "t.yaml:1:32: 'udp' must be a string or a list of strings");
	expect_error("listen: [127.0.0.1:5060]\nscript: s\n",
	             "t.yaml:1:9: 'listen' must be a map with keys udp, tcp and/or tls");
}

static void test_enums(void **state)
{
	const char *const want[] = {
	    "t.yaml:3:14: 'level' must be one of: err, warn, notice, info, debug",
	    "t.yaml:3:28: 'target' must be one of: stderr, syslog",
	    "t.yaml:3:42: 'format' must be one of: text, json",
	    NULL,
	};
	expect_errors(MINIMAL "log: {level: loud, target: file, format: xml}\n", want);
}

static void test_out_of_range(void **state)
{
	const char *const below[] = {
	    "t.yaml:3:19: 'udp_buffer' must be between 65536 and 67108864",
	    "t.yaml:3:44: 'shutdown_timeout' must be between 0 and 300",
	    NULL,
	};
	const char *const above[] = {
	    "t.yaml:3:19: 'udp_buffer' must be between 65536 and 67108864",
	    "t.yaml:3:47: 'shutdown_timeout' must be between 0 and 300",
	    NULL,
	};
	expect_errors(MINIMAL "sip: {udp_buffer: 65535, shutdown_timeout: 301}\n", below);
	expect_errors(MINIMAL "sip: {udp_buffer: 67108865, shutdown_timeout: -1}\n", above);
	/* Too long for 64 bits is still a number, just out of range. */
	expect_error(MINIMAL "sip: {udp_buffer: 99999999999999999999999}\n",
	             "t.yaml:3:19: 'udp_buffer' must be between 65536 and 67108864");
}

static void test_user_agent_rejects_control_characters(void **state)
{
	expect_error(MINIMAL "sip: {user_agent: \"a\\r\\nVia: x\"}\n",
	             "t.yaml:3:19: 'user_agent' must not contain control characters");
	expect_error(MINIMAL "sip: {user_agent: ''}\n",
	             "t.yaml:3:19: 'user_agent' must not be empty");
}

static void test_bad_listeners(void **state)
{
	const char *const want[] = {
	    "t.yaml:3:5: invalid listen address '127.0.0.1': missing port",
	    "t.yaml:4:5: invalid listen address '127.0.0.1:0': port must be between 1 and 65535",
	    "t.yaml:5:5: invalid listen address '127.0.0.1:70000': port must be between 1 and "
	    "65535",
	    "t.yaml:6:5: invalid listen address '999.1.1.1:5060': invalid IPv4 address",
	    "t.yaml:7:5: invalid listen address '::1:5060': an IPv6 address must be in brackets, "
	    "as in [::1]:5060",
	    "t.yaml:8:5: invalid listen address '[::1': missing ']' after the IPv6 address",
	    "t.yaml:9:5: invalid listen address '[1::2::3]:5060': invalid IPv6 address",
	    "t.yaml:10:5: invalid listen address '[::1]5060': expected ':' after ']'",
	    "t.yaml:11:5: invalid listen address 'bad_host:5060': invalid host name",
	    "t.yaml:12:5: invalid listen address ':5060': missing address",
	    "t.yaml:13:5: invalid listen address 'host:sip': port must be a number",
	    NULL,
	};
	expect_errors("listen:\n udp:\n"
	              "  - 127.0.0.1\n"
	              "  - 127.0.0.1:0\n"
	              "  - 127.0.0.1:70000\n"
	              "  - 999.1.1.1:5060\n"
	              "  - '::1:5060'\n"
	              "  - '[::1'\n"
	              "  - '[1::2::3]:5060'\n"
	              "  - '[::1]5060'\n"
	              "  - bad_host:5060\n"
	              "  - :5060\n"
	              "  - host:sip\n"
	              "script: s\n",
	              want);
}

static void test_duplicate_listener(void **state)
{
	expect_error("listen:\n  udp: [127.0.0.1:5060, 127.0.0.1:05060]\nscript: s\n",
	             "t.yaml:2:25: duplicate listener 'udp:127.0.0.1:5060' (first at line 2)");
}

static void test_missing_required_keys(void **state)
{
	const char *const want[] = {
	    "t.yaml:1:1: missing required key 'listen'",
	    "t.yaml:1:1: missing required key 'script'",
	    NULL,
	};
	expect_errors("log: {level: info}\n", want);
	expect_error("listen: {}\nscript: s\n",
	             "t.yaml:1:9: 'listen' must name at least one listener");
	expect_error("listen: {udp: []}\nscript: s\n",
	             "t.yaml:1:9: 'listen' must name at least one listener");
	expect_error(MINIMAL "http: {listen: 127.0.0.1:8080}\n",
	             "t.yaml:3:7: missing required key 'token' in 'http'");
	expect_error(MINIMAL "http: {token: ''}\n", "t.yaml:3:15: 'token' must not be empty");
	expect_error("listen: {udp: 127.0.0.1:5060}\nscript: ''\n",
	             "t.yaml:2:9: 'script' must not be empty");
}

static void test_http_listen_uses_the_listener_syntax(void **state)
{
	expect_error(MINIMAL "http: {listen: 'localhost', token: t}\n",
	             "t.yaml:3:16: invalid listen address 'localhost': missing port");
	jn_config_t *c = load_ok(MINIMAL "http: {listen: 'admin.local:81', token: t}\n");
	assert_string_equal(c->http.host, "admin.local");
	assert_int_equal(c->http.port, 81);
	config_free(c);
}

static void test_duplicate_module_is_reported_at_the_second(void **state)
{
	expect_error(MINIMAL "modules:\n  - registrar\n  - name: registrar\n",
	             "t.yaml:5:11: duplicate module 'registrar' (first at line 4)");
}

static void test_module_entries(void **state)
{
	const char *const want[] = {
	    "t.yaml:4:5: invalid module name 'Upper' (expected [a-z][a-z0-9_]*)",
	    "t.yaml:5:5: missing required key 'name' in a 'modules' entry",
	    "t.yaml:6:11: 'name' must be a string",
	    "t.yaml:7:5: 'modules' entries must be a module name or a map",
	    "t.yaml:8:11: invalid module name '9lives' (expected [a-z][a-z0-9_]*)",
	    NULL,
	};
	expect_errors(MINIMAL "modules:\n"
	                      "  - Upper\n"
	                      "  - {path: x.so}\n"
	                      "  - name: [a]\n"
	                      "  - [a]\n"
	                      "  - name: 9lives\n",
	              want);
}

static void test_params_must_be_a_map(void **state)
{
	expect_error(MINIMAL "modules:\n  - name: m\n    params: [a, b]\n",
	             "t.yaml:5:13: 'params' must be a map");
	jn_config_t *c = load_ok(MINIMAL "modules:\n  - name: m\n    params:\n");
	assert_null(c->modules[0].params);
	config_free(c);
}

/* Errors come sorted by position; the missing script is reported at the
 * root map (1:1), so it comes first. */
static void test_several_errors_are_reported_at_once_in_file_order(void **state)
{
	const char *const want[] = {
	    "t.yaml:1:1: missing required key 'script'",
	    "t.yaml:2:8: invalid listen address '1.2.3.4': missing port",
	    "t.yaml:3:3: unknown key 'sctp' in 'listen' (expected one of: udp, tcp, tls)",
	    "t.yaml:4:1: duplicate key 'listen' (first at line 1)",
	    "t.yaml:5:14: 'level' must be one of: err, warn, notice, info, debug",
	    "t.yaml:6:19: 'udp_buffer' must be between 65536 and 67108864",
	    NULL,
	};
	expect_errors("listen:\n"
	              "  udp: 1.2.3.4\n"
	              "  sctp: x\n"
	              "listen: {}\n"
	              "log: {level: x}\n"
	              "sip: {udp_buffer: 1}\n",
	              want);
}

static void test_errors_are_appended_after_existing_ones(void **state)
{
	jn_errlist_t e;
	errlist_init(&e);
	errlist_add(&e, "other.jn", 9, 9, "earlier");
	assert_null(config_load_string("t.yaml", "x: 1\n", 5, &e));
	assert_int_equal(e.n, 4);
	assert_string_equal(e.v[0].msg, "earlier");
	assert_string_equal(e.v[1].msg, "unknown key 'x' (expected one of: listen, script, "
	                                "module_path, modules, log, http, sip, tls)");
	errlist_free(&e);
}

/* ---- scalar parsers --------------------------------------------------------- */

static void test_parse_int(void **state)
{
	long long v = 0;
	assert_int_equal(config_parse_int("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(config_parse_int("-7", &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(config_parse_int("+0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(config_parse_int("9223372036854775807", &v), 0);
	assert_true(v == LLONG_MAX);
	assert_int_equal(config_parse_int("9223372036854775808", &v), -1);
	assert_int_equal(config_parse_int("", &v), -1);
	assert_int_equal(config_parse_int("-", &v), -1);
	assert_int_equal(config_parse_int(" 1", &v), -1);
	assert_int_equal(config_parse_int("1 ", &v), -1);
	assert_int_equal(config_parse_int("0x10", &v), -1);
	assert_int_equal(config_parse_int("1e3", &v), -1);
	assert_int_equal(config_parse_int(NULL, &v), -1);
}

static void test_parse_bool_accepts_yaml_forms_case_insensitively(void **state)
{
	const char *yes[] = {"true", "TRUE", "Yes", "on", "ON"};
	const char *no[] = {"false", "False", "no", "NO", "off"};
	int b;
	for (size_t i = 0; i < 5; i++) {
		b = -1;
		assert_int_equal(config_parse_bool(yes[i], &b), 0);
		assert_int_equal(b, 1);
		assert_int_equal(config_parse_bool(no[i], &b), 0);
		assert_int_equal(b, 0);
	}
	assert_int_equal(config_parse_bool("1", &b), -1);
	assert_int_equal(config_parse_bool("y", &b), -1);
	assert_int_equal(config_parse_bool("", &b), -1);
	assert_int_equal(config_parse_bool(NULL, &b), -1);
}

/* ---- config_check_params ---------------------------------------------------- */

static const jn_param_def_t hello_defs[] = {
    {"greeting", JN_PARAM_STR, "hello", 0, 0, "reply text"},
    {"count", JN_PARAM_INT, "3", 1, 10, "repeats"},
    {"big", JN_PARAM_INT, NULL, 0, 0, "unbounded"},
    {"loud", JN_PARAM_BOOL, "no", 0, 0, "shout"},
    {"routes", JN_PARAM_NODE, NULL, 0, 0, "anything"},
    {.name = NULL},
};

/* Loads a config whose only module has the given params block and checks
 * it against defs; returns the errors. */
static void check_params(const char *params_yaml, const jn_param_def_t *defs, jn_errlist_t *e)
{
	char *yaml = NULL;
	assert_true(
	    asprintf(&yaml, MINIMAL "modules:\n  - name: hello\n    params:\n%s", params_yaml) > 0);
	jn_config_t *c = load_ok(yaml);
	errlist_init(e);
	int r = config_check_params(c->modules[0].params, defs, "hello", e);
	assert_int_equal(r, e->n ? -1 : 0);
	config_free(c);
	free(yaml);
}

static void expect_param_errors(const char *params_yaml, const jn_param_def_t *defs,
                                const char *const *want)
{
	jn_errlist_t e;
	size_t n = 0;
	check_params(params_yaml, defs, &e);
	while (want[n])
		n++;
	if (e.n != n)
		print_errors(&e);
	assert_int_equal(e.n, n);
	for (size_t i = 0; i < n; i++) {
		char *s = errlist_format(&e, i);
		assert_string_equal(s, want[i]);
		free(s);
	}
	errlist_free(&e);
}

static void test_params_all_types_valid(void **state)
{
	const char *const none[] = {NULL};
	expect_param_errors("      greeting: \"hi there\"\n"
	                    "      count: 10\n"
	                    "      big: -9223372036854775808\n"
	                    "      loud: On\n"
	                    "      routes: {a: [1, 2]}\n",
	                    hello_defs, none);
	expect_param_errors("      count: '1'\n      routes: x\n", hello_defs, none);
}

static void test_params_unknown_key_lists_the_declared_ones(void **state)
{
	const char *const want[] = {
	    "t.yaml:6:7: unknown parameter 'greting' for module 'hello' "
	    "(expected one of: greeting, count, big, loud, routes)",
	    NULL,
	};
	expect_param_errors("      greting: hi\n", hello_defs, want);
}

static void test_params_for_module_without_parameters(void **state)
{
	const jn_param_def_t none[] = {{.name = NULL}};
	const char *const want[] = {"t.yaml:6:7: module 'hello' takes no parameters", NULL};
	expect_param_errors("      x: 1\n", none, want);
	expect_param_errors("      x: 1\n", NULL, want);
}

static void test_params_type_errors(void **state)
{
	const char *const want[] = {
	    "t.yaml:6:17: parameter 'greeting' of module 'hello' must be a string",
	    "t.yaml:7:14: parameter 'count' of module 'hello' must be an integer",
	    "t.yaml:8:12: parameter 'big' of module 'hello' must be an integer",
	    "t.yaml:9:13: parameter 'loud' of module 'hello' must be a boolean "
	    "(true/false, yes/no, on/off)",
	    NULL,
	};
	const char *const not_scalar[] = {
	    "t.yaml:6:13: parameter 'loud' of module 'hello' must be a boolean "
	    "(true/false, yes/no, on/off)",
	    NULL,
	};
	expect_param_errors("      greeting: [a]\n"
	                    "      count: ten\n"
	                    "      big: 99999999999999999999\n"
	                    "      loud: 1\n",
	                    hello_defs, want);
	expect_param_errors("      loud: {}\n", hello_defs, not_scalar);
}

static void test_params_int_range_is_inclusive(void **state)
{
	const char *const none[] = {NULL};
	const char *const want[] = {
	    "t.yaml:6:14: parameter 'count' of module 'hello' must be between 1 and 10",
	    NULL,
	};
	expect_param_errors("      count: 1\n", hello_defs, none);
	expect_param_errors("      count: 10\n", hello_defs, none);
	expect_param_errors("      count: 0\n", hello_defs, want);
	expect_param_errors("      count: 11\n", hello_defs, want);
	expect_param_errors("      count: 99999999999999999999\n", hello_defs, want);
}

static void test_params_null_means_nothing_configured(void **state)
{
	jn_errlist_t e;
	errlist_init(&e);
	assert_int_equal(config_check_params(NULL, hello_defs, "hello", &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(config_check_params(NULL, NULL, "hello", &e), 0);
	errlist_free(&e);
}

static void test_params_scalar_is_not_a_map(void **state)
{
	jn_config_t *c = load_ok(MINIMAL);
	jn_errlist_t e;
	errlist_init(&e);
	/* The root's "script" value stands in for a scalar params node. */
	const jn_node_t *scalar = jn_node_get(c->root, "script");
	assert_int_equal(config_check_params(scalar, hello_defs, "hello", &e), -1);
	char *s = errlist_format(&e, 0);
	assert_string_equal(s, "t.yaml:2:9: 'params' of module 'hello' must be a map");
	free(s);
	errlist_free(&e);
	config_free(c);
}

static void test_params_bad_declarations_name_the_module(void **state)
{
	const jn_param_def_t bad[] = {
	    {"n", JN_PARAM_INT, "x", 0, 0, NULL},
	    {"r", JN_PARAM_INT, "50", 1, 10, NULL},
	    {"b", JN_PARAM_BOOL, "maybe", 0, 0, NULL},
	    {"t", (jn_param_type_t)9, NULL, 0, 0, NULL},
	    {"n", JN_PARAM_STR, NULL, 0, 0, NULL},
	    {"s", JN_PARAM_STR, "anything", 0, 0, NULL},
	    {.name = NULL},
	};
	const char *const want[] = {
	    "module 'bad': default 'x' of parameter 'n' is not an integer",
	    "module 'bad': default '50' of parameter 'r' is not between 1 and 10",
	    "module 'bad': default 'maybe' of parameter 'b' is not a boolean",
	    "module 'bad' declares parameter 't' with unknown type 9",
	    "module 'bad' declares parameter 'n' twice",
	    NULL,
	};
	jn_errlist_t e;
	errlist_init(&e);
	assert_int_equal(config_check_params(NULL, bad, "bad", &e), -1);
	if (e.n != 5)
		print_errors(&e);
	assert_int_equal(e.n, 5);
	for (size_t i = 0; i < 5; i++) {
		char *s = errlist_format(&e, i);
		assert_string_equal(s, want[i]);
		free(s);
	}
	errlist_free(&e);
}

/* ---- jn_node_* ---------------------------------------------------------------- */

static void test_node_accessors_and_where(void **state)
{
	jn_config_t *c = load_ok(MINIMAL "modules:\n"
	                                 "  - name: m\n"
	                                 "    params:\n"
	                                 "      list: [a, 'b']\n"
	                                 "      map: {k: v}\n"
	                                 "      empty:\n");
	const jn_node_t *p = c->modules[0].params;
	assert_int_equal(jn_node_kind(p), JN_NODE_MAP);
	assert_int_equal(jn_node_count(p), 3);
	assert_string_equal(jn_node_key(p, 0), "list");
	assert_string_equal(jn_node_key(p, 2), "empty");
	assert_null(jn_node_key(p, 3));
	assert_null(jn_node_scalar(p));
	assert_string_equal(jn_node_where(p), "t.yaml:6:7");

	const jn_node_t *l = jn_node_get(p, "list");
	assert_ptr_equal(l, jn_node_item(p, 0));
	assert_int_equal(jn_node_kind(l), JN_NODE_LIST);
	assert_int_equal(jn_node_count(l), 2);
	assert_null(jn_node_key(l, 0));
	assert_null(jn_node_get(l, "a"));
	assert_string_equal(jn_node_scalar(jn_node_item(l, 1)), "b");
	assert_string_equal(jn_node_where(jn_node_item(l, 1)), "t.yaml:6:17");
	assert_null(jn_node_item(l, 2));

	const jn_node_t *v = jn_node_get(jn_node_get(p, "map"), "k");
	assert_int_equal(jn_node_kind(v), JN_NODE_SCALAR);
	assert_string_equal(jn_node_scalar(v), "v");
	assert_int_equal(jn_node_count(v), 0);
	assert_string_equal(jn_node_where(v), "t.yaml:7:16");
	assert_string_equal(jn_node_scalar(jn_node_get(p, "empty")), "");
	assert_null(jn_node_get(p, "missing"));

	assert_int_equal(jn_node_kind(NULL), 0);
	assert_null(jn_node_scalar(NULL));
	assert_int_equal(jn_node_count(NULL), 0);
	assert_null(jn_node_item(NULL, 0));
	assert_null(jn_node_key(NULL, 0));
	assert_null(jn_node_get(NULL, "x"));
	assert_null(jn_node_where(NULL));
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_config_fills_every_field),
	    cmocka_unit_test(test_defaults_when_optional_sections_absent),
	    cmocka_unit_test(test_empty_sections_mean_defaults),
	    cmocka_unit_test(test_quoted_integer_is_accepted),
	    cmocka_unit_test(test_anchor_and_alias_are_resolved),
	    cmocka_unit_test(test_default_config_file_loads),
	    cmocka_unit_test(test_relative_script_resolves_against_cwd_for_strings),
	    cmocka_unit_test(test_relative_script_resolves_against_config_dir),
	    cmocka_unit_test(test_missing_file_names_the_os_error),
	    cmocka_unit_test(test_file_over_one_mib_is_refused),
	    cmocka_unit_test(test_empty_file_is_an_error),
	    cmocka_unit_test(test_yaml_syntax_error_has_problem_location_and_context),
	    cmocka_unit_test(test_invalid_utf8_is_located),
	    cmocka_unit_test(test_second_document_is_an_error),
	    cmocka_unit_test(test_root_must_be_a_map),
	    cmocka_unit_test(test_duplicate_key_at_top_level),
	    cmocka_unit_test(test_duplicate_key_in_nested_and_params_maps),
	    cmocka_unit_test(test_non_scalar_key_is_an_error),
	    cmocka_unit_test(test_nul_in_quoted_value_is_an_error),
	    cmocka_unit_test(test_alias_cycle_and_deep_nesting_are_refused),
	    cmocka_unit_test(test_error_in_aliased_node_is_reported_once),
	    cmocka_unit_test(test_alias_bomb_is_refused),
	    cmocka_unit_test(test_unknown_key_at_top_level),
	    cmocka_unit_test(test_unknown_key_nested),
	    cmocka_unit_test(test_tls_listener_needs_a_tls_section),
	    cmocka_unit_test(test_tls_section_is_checked),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_listen_list_items_must_be_strings),
	    cmocka_unit_test(test_enums),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_user_agent_rejects_control_characters),
	    cmocka_unit_test(test_bad_listeners),
	    cmocka_unit_test(test_duplicate_listener),
	    cmocka_unit_test(test_missing_required_keys),
	    cmocka_unit_test(test_http_listen_uses_the_listener_syntax),
	    cmocka_unit_test(test_duplicate_module_is_reported_at_the_second),
	    cmocka_unit_test(test_module_entries),
	    cmocka_unit_test(test_params_must_be_a_map),
	    cmocka_unit_test(test_several_errors_are_reported_at_once_in_file_order),
	    cmocka_unit_test(test_errors_are_appended_after_existing_ones),
	    cmocka_unit_test(test_parse_int),
	    cmocka_unit_test(test_parse_bool_accepts_yaml_forms_case_insensitively),
	    cmocka_unit_test(test_params_all_types_valid),
	    cmocka_unit_test(test_params_unknown_key_lists_the_declared_ones),
	    cmocka_unit_test(test_params_for_module_without_parameters),
	    cmocka_unit_test(test_params_type_errors),
	    cmocka_unit_test(test_params_int_range_is_inclusive),
	    cmocka_unit_test(test_params_null_means_nothing_configured),
	    cmocka_unit_test(test_params_scalar_is_not_a_map),
	    cmocka_unit_test(test_params_bad_declarations_name_the_module),
	    cmocka_unit_test(test_node_accessors_and_where),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
