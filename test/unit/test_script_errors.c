/* test_script_errors.c - a broken script is refused with every error
 * located as file:line:col (DESIGN.md, "The routing script": names resolve
 * when the script is loaded). One table row per broken script. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "errlist.h"
#include "loader.h"
#include "registry.h"
#include "script/script.h"

static jn_result_t f_any(jn_call_t *c)
{
	return JN_TRUE;
}

static int get_any(jn_call_t *c, jn_value_t *v)
{
	v->type = JN_T_NULL;
	return 0;
}

static int set_any(jn_call_t *c, const jn_value_t *v)
{
	return 0;
}

static int prep_bad(jn_prepare_t *p)
{
	const jn_value_t *v = jn_prepare_value(p);
	if (strcmp(v->s, "bad") == 0)
		return jn_prepare_error(p, "pattern '%s' is invalid", v->s);
	return 0;
}

static const jn_arg_def_t a_f[] = {
    {"a", JN_ARG_INT, 0}, {"b", JN_ARG_STR, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
static const jn_arg_def_t a_c[] = {{"p", JN_ARG_STR, JN_ARG_CONST}, {NULL, 0, 0}};

static const jn_func_def_t funcs[] = {
    {.name = "f", .fn = f_any, .args = a_f},
    {.name = "c", .fn = f_any, .args = a_c},
    {.name = "bad", .fn = f_any, .args = a_c, .prepare = prep_bad},
    {.name = "r", .fn = f_any, .routes = JN_ROUTE_REQUEST},
};

static const jn_var_def_t vars[] = {
    {.name = "ro", .get = get_any},
    {.name = "method", .get = get_any},
    {.name = "rw", .get = get_any, .set = set_any, .routes = JN_ROUTE_REPLY},
};

static int m_load(jn_module_t *m)
{
	static const jn_func_def_t go = {.name = "go", .fn = f_any};
	return jn_func_register(m, &go) || jn_event_declare(m, "ev", NULL);
}

static const jn_module_desc_t m_desc = {
    .abi_major = JN_SDK_MAJOR,
    .abi_minor = JN_SDK_MINOR,
    .size = sizeof(jn_module_desc_t),
    .name = "m",
    .load = m_load,
};

static int setup_all(void **state)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (registry_add_func(NULL, &funcs[i]))
			return -1;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (registry_add_var(NULL, &vars[i]))
			return -1;
	return loader_add_static(&m_desc) ? 0 : -1;
}

static int teardown_all(void **state)
{
	loader_unload_all();
	registry_clear();
	return 0;
}

struct broken {
	const char *why;
	const char *src;
	const char *errors[4]; /* every error, in order */
};

static const struct broken table[] = {
    {"missing ';' after a call", "request { f(1) }", {"e.jn:1:16: expected ';' after expression"}},
    {"missing ';' after exit", "request { exit }", {"e.jn:1:16: expected ';' after 'exit'"}},
    {"a statement cannot be empty before '}'", "request { if (1) }", {"e.jn:1:18: unexpected '}'"}},
    {"unterminated string",
     "request { $x = \"abc; }",
     {"e.jn:1:16: unterminated string", "e.jn:1:9: unclosed '{'"}},
    {"unknown escape", "request { $x = \"a\\q\"; }", {"e.jn:1:18: unknown escape '\\q'"}},
    {"unterminated comment",
     "request { /* never closed",
     {"e.jn:1:11: unterminated comment", "e.jn:1:9: unclosed '{'"}},
    {"stray character", "request { $x = 1 @ 2; }", {"e.jn:1:18: unexpected character '@'"}},
    {"integer overflow",
     "request { $x = 99999999999999999999; }",
     {"e.jn:1:16: integer constant out of range"}},
    {"unclosed block", "request { exit;", {"e.jn:1:9: unclosed '{'"}},
    {"no statements outside blocks",
     "hello { }",
     {"e.jn:1:1: unexpected 'hello' outside a block (expected request, reply, failure, "
      "branch, route or event)"}},
    {"failure needs a name", "failure { }", {"e.jn:1:9: expected a name after 'failure'"}},
    {"if needs parentheses",
     "request { if method == 1 exit; }",
     {"e.jn:1:14: expected '(' after 'if'"}},
    {"switch body starts with a case",
     "request { switch (1) { exit; } }",
     {"e.jn:1:24: expected 'case' or 'default' in switch"}},
    {"unknown function", "request { foo.bar(); }", {"e.jn:1:11: unknown function 'foo.bar'"}},
    {"unknown variable", "request { if (nope) exit; }", {"e.jn:1:15: unknown variable 'nope'"}},
    {"missing required argument", "request { f(); }", {"e.jn:1:11: missing argument 'a' to 'f'"}},
    {"too many arguments",
     "request { f(1, \"x\", 3); }",
     {"e.jn:1:21: too many arguments to 'f' (at most 2)"}},
    {"argument given twice",
     "request { f(1, a: 2); }",
     {"e.jn:1:16: argument 'a' of 'f' given twice"}},
    {"unknown named argument",
     "request { f(1, zz: 2); }",
     {"e.jn:1:16: 'f' has no parameter 'zz'"}},
    {"positional after named",
     "request { f(a: 1, \"x\"); }",
     {"e.jn:1:19: positional argument after a named one in call to 'f'"}},
    {"constant of the wrong type",
     "request { f(\"abc\"); }",
     {"e.jn:1:13: argument 'a' of 'f' must be an integer, not a string"}},
    {"const parameter given a variable",
     "request { c($x); }",
     {"e.jn:1:13: argument 'p' of 'c' must be a constant"}},
    {"prepare() refuses a constant",
     "request { bad(\"bad\"); }",
     {"e.jn:1:15: pattern 'bad' is invalid"}},
    {"function not allowed in the route kind",
     "failure x { r(); }",
     {"e.jn:1:13: 'r' cannot be used in a failure block"}},
    {"variable not allowed in the route kind",
     "request { rw = 1; }",
     {"e.jn:1:11: 'rw' cannot be used in a request block"}},
    {"subroutine reached from a forbidden kind",
     "request { route(s); }\nfailure x { route(t); }\nroute t { route(s); }\nroute s { r(); }",
     {"e.jn:4:11: 'r' cannot be used in a failure block (route 's' is called from one)"}},
    {"break outside switch", "request { break; }", {"e.jn:1:11: 'break' outside a switch"}},
    {"unknown route", "request { route(nope); }", {"e.jn:1:17: unknown route 'nope'"}},
    {"duplicate block",
     "request { }\nrequest { }",
     {"e.jn:2:1: duplicate block 'request' (first at line 1)"}},
    {"duplicate named block",
     "failure a { }\n\nfailure a { }",
     {"e.jn:3:1: duplicate block 'failure a' (first at line 1)"}},
    {"undeclared event", "event m:nope { }", {"e.jn:1:7: unknown event 'm:nope'"}},
    {"read-only variable", "request { ro = 1; }", {"e.jn:1:11: 'ro' is read-only"}},
    {"invalid regex",
     "request { if (method =~ \"(\") exit; }",
     {"e.jn:1:25: invalid regular expression: Unmatched ( or \\("}},
    {"regex must be a literal",
     "request { if (method =~ $x) exit; }",
     {"e.jn:1:25: the right side of '=~' must be a string constant"}},
    {"duplicate case label",
     "request { switch (1) {\ncase 1: exit;\ncase 1: drop; } }",
     {"e.jn:3:6: duplicate case label (first at line 2)"}},
    {"case label must be constant",
     "request { switch (1) { case $x: exit; } }",
     {"e.jn:1:29: case label must be an integer, string or boolean constant"}},
    {"every error is reported",
     "request {\n  foo();\n  bar = 1;\n  exit\n}",
     {"e.jn:5:1: expected ';' after 'exit'", "e.jn:2:3: unknown function 'foo'",
      "e.jn:3:3: unknown variable 'bar'"}},
};

static void check_row(const struct broken *b)
{
	jn_errlist_t errs;
	errlist_init(&errs);
	jn_script_t *s = script_load_string("e.jn", b->src, strlen(b->src), &errs);
	size_t want = 0;
	while (want < 4 && b->errors[want])
		want++;
	if (s || errs.n != want) {
		fprintf(stderr, "case '%s': %zu errors, want %zu\n", b->why, errs.n, want);
		errlist_print(&errs, stderr);
	}
	assert_null(s);
	assert_int_equal(errs.n, want);
	for (size_t i = 0; i < want; i++) {
		char *got = errlist_format(&errs, i);
		if (strcmp(got, b->errors[i]) != 0)
			fprintf(stderr, "case '%s'\n", b->why);
		assert_string_equal(got, b->errors[i]);
		free(got);
	}
	errlist_free(&errs);
}

static void test_broken_scripts_table(void **state)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_row(&table[i]);
}

static void test_nesting_depth_is_capped(void **state)
{
	char src[2048];
	jn_errlist_t errs;
	int n = snprintf(src, sizeof(src), "request { $x = ");
	for (int i = 0; i < 500; i++)
		src[n++] = '(';
	src[n] = 0;
	errlist_init(&errs);
	assert_null(script_load_string("e.jn", src, strlen(src), &errs));
	assert_true(errs.n >= 1);
	char *got = errlist_format(&errs, 0);
	assert_string_equal(got, "e.jn:1:215: nesting too deep (more than 200 levels)");
	free(got);
	errlist_free(&errs);
}

static void test_long_chains_are_capped(void **state)
{
	size_t len = 20 + 4 * 1000;
	char *src = malloc(len + 10);
	jn_errlist_t errs;
	size_t n = (size_t)sprintf(src, "request { $x = 1");
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(src + n, " + 1");
	strcpy(src + n, "; }");
	errlist_init(&errs);
	assert_null(script_load_string("e.jn", src, strlen(src), &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].msg, "expression too complex (more than 200 levels)");
	errlist_free(&errs);
	free(src);
}

static void test_errors_are_capped(void **state)
{
	char src[4096];
	jn_errlist_t errs;
	size_t n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "@");
	errlist_init(&errs);
	assert_null(script_load_string("e.jn", src, n, &errs));
	assert_true(errs.n <= 51);
	assert_string_equal(errs.v[errs.n - 1].msg, "too many errors, giving up");
	errlist_free(&errs);
}

static void test_missing_file(void **state)
{
	jn_errlist_t errs;
	errlist_init(&errs);
	assert_null(script_load_file("/nonexistent/x.jn", &errs));
	assert_int_equal(errs.n, 1);
	char *got = errlist_format(&errs, 0);
	assert_string_equal(got,
	                    "/nonexistent/x.jn: cannot open '/nonexistent/x.jn': No such file or "
	                    "directory");
	free(got);
	errlist_free(&errs);
}

static void test_load_file_ok(void **state)
{
	char path[] = "/tmp/jn-script-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *src = "# comment\nrequest { m.go(); exit; }\n";
	assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
	close(fd);
	jn_errlist_t errs;
	errlist_init(&errs);
	jn_script_t *s = script_load_file(path, &errs);
	assert_non_null(s);
	assert_string_equal(script_path(s), path);
	assert_int_equal(errs.n, 0);
	script_unref(s);
	unlink(path);
	errlist_free(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_broken_scripts_table),
	    cmocka_unit_test(test_nesting_depth_is_capped),
	    cmocka_unit_test(test_long_chains_are_capped),
	    cmocka_unit_test(test_errors_are_capped),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_load_file_ok),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
