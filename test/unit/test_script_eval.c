/* test_script_eval.c - the routing script's evaluation rules: expressions,
 * statements, calls, variables and suspension of executions. Every test
 * names the rule of the language it proves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "errlist.h"
#include "loader.h"
#include "registry.h"
#include "script/script.h"

/* ---- fixtures: functions and variables the scripts use ---------------- */

static char out[4096];
static int ticks;
static char ruri_user[64] = "alice";
static int prepare_calls, prepare_frees;
static jn_suspend_t *waiting[8];
static int nwaiting;
static jn_route_kind_t last_route;

static void emit(const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;
	if (n && n < sizeof(out) - 1)
		out[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(out + n, sizeof(out) - n, fmt, ap);
	va_end(ap);
}

static void emit_value(const jn_value_t *v)
{
	switch (v->type) {
	case JN_T_NULL:
		emit("null");
		break;
	case JN_T_BOOL:
		emit("%s", v->i ? "true" : "false");
		break;
	case JN_T_INT:
		emit("%lld", (long long)v->i);
		break;
	case JN_T_STR:
		emit("\"%s\"", v->s);
		break;
	}
}

/* out(v): records v (null when absent). */
static jn_result_t f_out(jn_call_t *c)
{
	emit_value(jn_call_arg(c, 0));
	return JN_TRUE;
}

/* tick(v): counts its calls, returns v's truth. */
static jn_result_t f_tick(jn_call_t *c)
{
	ticks++;
	return jn_call_arg_int(c, 0, 0) ? JN_TRUE : JN_FALSE;
}

/* greet(name, greeting?, punct?): "greeting, name punct". */
static jn_result_t f_greet(jn_call_t *c)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%s, %s%s", jn_call_arg_str(c, 1, "hello"),
	                 jn_call_arg_str(c, 0, "?"), jn_call_arg_str(c, 2, ""));
	jn_call_return_str(c, buf, (size_t)n);
	return JN_TRUE;
}

/* twice(n int): 2n. */
static jn_result_t f_twice(jn_call_t *c)
{
	jn_call_return_int(c, 2 * jn_call_arg_int(c, 0, 0));
	return JN_TRUE;
}

static jn_result_t f_stop(jn_call_t *c)
{
	return JN_STOP;
}

static jn_result_t f_fail(jn_call_t *c)
{
	return jn_call_error(c, "failing on purpose");
}

static void prep_free(void *p)
{
	prepare_frees++;
	free(p);
}

static int prep_pat(jn_prepare_t *p)
{
	prepare_calls++;
	const jn_value_t *v = jn_prepare_value(p);
	jn_prepare_set(p, strdup(v->s), prep_free);
	return 0;
}

/* pat(p const): returns the prepared copy of its constant. */
static jn_result_t f_pat(jn_call_t *c)
{
	const char *s = jn_call_prepared(c, 0);
	jn_call_return_str(c, s ? s : "(none)", s ? strlen(s) : 6);
	return JN_TRUE;
}

static jn_result_t f_route(jn_call_t *c)
{
	last_route = jn_call_route(c);
	return JN_TRUE;
}

/* wait(): suspends until the test resumes it. */
static jn_result_t f_wait(jn_call_t *c)
{
	jn_suspend_t *s = jn_call_suspend(c);
	assert_non_null(s);
	waiting[nwaiting++] = s;
	return JN_SUSPEND;
}

/* quick(): suspends but completes before returning. */
static jn_result_t f_quick(jn_call_t *c)
{
	jn_suspend_t *s = jn_call_suspend(c);
	jn_suspend_return_str(s, "fast", 4);
	jn_suspend_resume(s, JN_TRUE);
	return JN_SUSPEND;
}

/* liar(): returns JN_SUSPEND without suspending. */
static jn_result_t f_liar(jn_call_t *c)
{
	return JN_SUSPEND;
}

static jn_result_t f_arena(jn_call_t *c)
{
	char *p = jn_call_alloc(c, 100);
	char *q = jn_call_strdup(c, "arena-copy", 5);
	if (!p || !q)
		return JN_ERROR;
	memset(p, 'x', 100);
	jn_call_return_str(c, q, strlen(q));
	return JN_TRUE;
}

static int get_method(jn_call_t *c, jn_value_t *v)
{
	v->type = JN_T_STR;
	v->s = "INVITE";
	v->len = 6;
	return 0;
}

static int get_user(jn_call_t *c, jn_value_t *v)
{
	v->type = JN_T_STR;
	v->s = jn_call_strdup(c, ruri_user, strlen(ruri_user));
	v->len = strlen(ruri_user);
	return 0;
}

static int set_user(jn_call_t *c, const jn_value_t *v)
{
	if (v->type != JN_T_STR)
		return -1;
	snprintf(ruri_user, sizeof(ruri_user), "%s", v->s);
	return 0;
}

static int get_count(jn_call_t *c, jn_value_t *v)
{
	v->type = JN_T_INT;
	v->i = *(int *)jn_call_data(c);
	return 0;
}

static int count_value = 42;

static const jn_arg_def_t a_any[] = {{"v", JN_ARG_ANY, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
static const jn_arg_def_t a_greet[] = {{"name", JN_ARG_STR, 0},
                                       {"greeting", JN_ARG_STR, JN_ARG_OPTIONAL},
                                       {"punct", JN_ARG_STR, JN_ARG_OPTIONAL},
                                       {NULL, 0, 0}};
static const jn_arg_def_t a_int[] = {{"n", JN_ARG_INT, 0}, {NULL, 0, 0}};
static const jn_arg_def_t a_const[] = {{"p", JN_ARG_STR, JN_ARG_CONST}, {NULL, 0, 0}};

static const jn_func_def_t funcs[] = {
    {.name = "out", .fn = f_out, .args = a_any},
    {.name = "tick", .fn = f_tick, .args = a_any},
    {.name = "greet", .fn = f_greet, .args = a_greet, .returns = JN_T_STR},
    {.name = "twice", .fn = f_twice, .args = a_int, .returns = JN_T_INT},
    {.name = "stop", .fn = f_stop},
    {.name = "fail", .fn = f_fail},
    {.name = "pat", .fn = f_pat, .args = a_const, .prepare = prep_pat},
    {.name = "where", .fn = f_route},
    {.name = "wait", .fn = f_wait},
    {.name = "quick", .fn = f_quick},
    {.name = "liar", .fn = f_liar},
    {.name = "arena", .fn = f_arena},
};

static const jn_var_def_t vars[] = {
    {.name = "method", .type = JN_T_STR, .get = get_method},
    {.name = "ruri.user", .type = JN_T_STR, .get = get_user, .set = set_user},
    {.name = "count", .type = JN_T_INT, .get = get_count, .data = &count_value},
};

static jn_result_t f_mod(jn_call_t *c)
{
	emit("%s", jn_module_name(jn_call_module(c)));
	return JN_TRUE;
}

static int t_load(jn_module_t *m)
{
	static const jn_func_def_t hello = {.name = "hello", .fn = f_mod};
	if (jn_func_register(m, &hello) || jn_event_declare(m, "tick", "a test event"))
		return -1;
	return 0;
}

static const jn_module_desc_t t_desc = {
    .abi_major = JN_SDK_MAJOR,
    .abi_minor = JN_SDK_MINOR,
    .size = sizeof(jn_module_desc_t),
    .name = "t",
    .load = t_load,
};
static jn_module_t *t_mod;

static int setup_all(void **state)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (registry_add_func(NULL, &funcs[i]))
			return -1;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (registry_add_var(NULL, &vars[i]))
			return -1;
	t_mod = loader_add_static(&t_desc);
	return t_mod ? 0 : -1;
}

static int teardown_all(void **state)
{
	script_activate(NULL);
	script_cache_clear();
	loader_unload_all();
	registry_clear();
	return 0;
}

static int setup(void **state)
{
	out[0] = 0;
	ticks = 0;
	nwaiting = 0;
	prepare_calls = prepare_frees = 0;
	snprintf(ruri_user, sizeof(ruri_user), "alice");
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static jn_script_t *load(const char *src)
{
	jn_errlist_t errs;
	errlist_init(&errs);
	jn_script_t *s = script_load_string("t.jn", src, strlen(src), &errs);
	if (!s)
		errlist_print(&errs, stderr);
	errlist_free(&errs);
	assert_non_null(s);
	return s;
}

/* Runs `request { body }` and returns its status; out holds what out()
 * recorded. */
static script_status_t run_body(const char *body)
{
	char src[4096];
	snprintf(src, sizeof(src), "request {\n%s\n}\n", body);
	jn_script_t *s = load(src);
	out[0] = 0;
	script_status_t st = script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL);
	script_unref(s);
	return st;
}

static void expect(const char *body, const char *expected)
{
	script_status_t st = run_body(body);
	if (strcmp(out, expected) != 0)
		fprintf(stderr, "script: %s\n", body);
	assert_string_equal(out, expected);
	assert_int_equal(st, SCRIPT_DONE);
}

/* ---- expressions ------------------------------------------------------ */

static void test_literals_and_escapes(void **state)
{
	expect("out(1); out(-7); out(\"a\\tb\"); out('x\\'y'); out(true); out(false); out(null);"
	       " out(9223372036854775807); out(-9223372036854775808);",
	       "1 -7 \"a\tb\" \"x'y\" true false null 9223372036854775807 "
	       "-9223372036854775808");
}

static void test_precedence(void **state)
{
	/* + binds tighter than <, < than ==, == than &&, && than || */
	expect("out(1 + 2 < 4 == true); out(true || false && false); out(!false && false);"
	       " out(-(2 - 5)); out(10 - 2 - 3); out(!!3);",
	       "true true false 3 5 true");
}

static void test_add_and_concatenation(void **state)
{
	expect("out(2 + 3); out(\"a\" + 1); out(1 + \"a\"); out(\"x\" + null + true + false);"
	       " out(\"1\" + 2);",
	       "5 \"a1\" \"1a\" \"xtruefalse\" \"12\"");
}

static void test_equality_mixed_types(void **state)
{
	expect("out(1 == \"1\"); out(\"01\" == 1); out(1 == \"a\"); out(null == null);"
	       " out(null == \"\"); out(true == 1); out(\"ab\" != \"ab\"); out(\"-5\" == -5);",
	       "true true false true false false false true");
}

static void test_ordering(void **state)
{
	expect("out(2 < 10); out(\"2\" < \"10\"); out(\"10\" > 9); out(\"abc\" <= \"abd\");"
	       " out(3 >= 3); out(\"ab\" < \"abc\");",
	       "true false true true true true");
}

static void test_ordering_type_error_is_false(void **state)
{
	/* a runtime error that does not stop the execution */
	expect("out(true < 1); out(\"a\" > 1); out(null < null);", "false false false");
}

static void test_regex_match(void **state)
{
	expect("out(\"*97\" =~ '^\\*97$'); out(\"x97\" =~ '^\\*97$'); out(method !~ \"^BYE\");"
	       " out(1234 =~ \"^[0-9]+$\");",
	       "true false true true");
}

static void test_short_circuit(void **state)
{
	expect("out(tick(0) && tick(1)); out(tick(1) || tick(1)); out(tick(1) && tick(0));",
	       "false true false");
	assert_int_equal(ticks, 4);
}

static void test_and_or_yield_bool(void **state)
{
	expect("out(1 && \"x\"); out(0 || \"\"); out(\"\" || 5);", "true false true");
}

static void test_truthiness(void **state)
{
	expect("if (0) out(1); if (\"\") out(2); if (null) out(3); if (\"0\") out(4);"
	       " if (-1) out(5); if ($unset) out(6); else out(7);",
	       "4 5 7");
}

/* ---- statements ------------------------------------------------------- */

static void test_if_else_chain(void **state)
{
	expect("$x = 2; if ($x == 1) out(\"one\"); else if ($x == 2) { out(\"two\"); }"
	       " else out(\"many\");",
	       "\"two\"");
}

static void test_switch_cases_no_fallthrough(void **state)
{
	expect("switch (method) { case \"BYE\": out(1); case \"INVITE\": out(2); out(3);"
	       " case \"ACK\": out(4); default: out(5); }",
	       "2 3");
	expect("switch (7) { default: out(\"d\"); case 1: out(1); }", "\"d\"");
	expect("switch (\"2\") { case 2: out(\"num\"); case true: out(\"b\"); }", "\"num\"");
	expect("switch (1) { case 1: out(1); if (true) break; out(2); } out(3);", "1 3");
	expect("switch (9) { case 1: out(1); } out(\"after\");", "\"after\"");
}

static void test_local_variables(void **state)
{
	expect("out($a); $a = 1; $b = $a + 1; $a = \"s\"; out($a); out($b);", "null \"s\" 2");
}

static void test_exit_and_drop(void **state)
{
	assert_int_equal(run_body("out(1); exit; out(2);"), SCRIPT_DONE);
	assert_string_equal(out, "1");
	assert_int_equal(run_body("drop; out(2);"), SCRIPT_DROP);
	assert_string_equal(out, "");
	assert_int_equal(run_body("stop(); out(2);"), SCRIPT_DONE);
	assert_string_equal(out, "");
	assert_int_equal(run_body("return; out(2);"), SCRIPT_DONE);
	assert_string_equal(out, "");
}

static void test_route_subroutines(void **state)
{
	jn_script_t *s = load("request { $n = 0; out(route(r)); out(route(nothing)); route(sets);"
	                      " out($v); out(route(fact)); exit; }\n"
	                      "route r { return \"value\"; }\n"
	                      "route nothing { out(\"in\"); }\n"
	                      "route sets { $v = 5; return; out(\"no\"); }\n"
	                      "route fact { $n = $n + 1; if ($n < 5) return route(fact) + 1;"
	                      " return 0; }\n");
	assert_int_equal(script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL), SCRIPT_DONE);
	assert_string_equal(out, "\"value\" \"in\" null 5 4");
	script_unref(s);
}

static void test_exit_inside_route_ends_everything(void **state)
{
	jn_script_t *s = load("request { route(a); out(\"no\"); }\nroute a { out(1); drop; }");
	assert_int_equal(script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL), SCRIPT_DROP);
	assert_string_equal(out, "1");
	script_unref(s);
}

static void test_route_recursion_depth_capped(void **state)
{
	jn_script_t *s = load("request { route(loop); out(\"no\"); }\n"
	                      "route loop { route(loop); }");
	assert_int_equal(script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL), SCRIPT_FAILED);
	assert_string_equal(out, "");
	script_unref(s);
}

static void test_runtime_errors_fail(void **state)
{
	assert_int_equal(run_body("out(1); $x = 9223372036854775807 + 1; out(2);"), SCRIPT_FAILED);
	assert_string_equal(out, "1");
	assert_int_equal(run_body("$x = \"a\" - 1;"), SCRIPT_FAILED);
	assert_int_equal(run_body("$x = -\"a\";"), SCRIPT_FAILED);
}

static void test_function_error_is_false(void **state)
{
	expect("out(fail()); out(\"go on\");", "false \"go on\"");
}

static void test_blocks_by_kind_and_name(void **state)
{
	jn_script_t *s = load("request { where(); out(\"req\"); }\n"
	                      "reply { out(\"rep\"); }\n"
	                      "reply named { out(\"named\"); }\n"
	                      "failure nf { where(); out(\"fail\"); }\n"
	                      "branch b1 { out(\"branch\"); }\n");
	assert_true(script_has(s, JN_ROUTE_REQUEST, NULL));
	assert_true(script_has(s, JN_ROUTE_REPLY, "named"));
	assert_false(script_has(s, JN_ROUTE_FAILURE, "other"));
	assert_false(script_has(s, JN_ROUTE_EVENT, "t:tick"));
	assert_string_equal(script_path(s), "t.jn");
	script_run(s, JN_ROUTE_REPLY, NULL, NULL, NULL, NULL);
	script_run(s, JN_ROUTE_REPLY, "named", NULL, NULL, NULL);
	script_run(s, JN_ROUTE_FAILURE, "nf", NULL, NULL, NULL);
	assert_int_equal(last_route, JN_ROUTE_FAILURE);
	script_run(s, JN_ROUTE_BRANCH, "b1", NULL, NULL, NULL);
	assert_int_equal(script_run(s, JN_ROUTE_BRANCH, "missing", NULL, NULL, NULL), SCRIPT_DONE);
	assert_string_equal(out, "\"rep\" \"named\" \"fail\" \"branch\"");
	script_unref(s);
}

/* ---- calls and variables ---------------------------------------------- */

static void test_named_and_optional_args(void **state)
{
	expect(
	    "out(greet(\"bob\")); out(greet(\"bob\", \"hi\")); out(greet(punct: \"!\", name: 1));"
	    " out(greet(\"x\", punct: \"?\"));",
	    "\"hello, bob\" \"hi, bob\" \"hello, 1!\" \"hello, x?\"");
}

static void test_arg_conversion(void **state)
{
	/* a numeric string becomes an int, an int a string */
	expect("out(twice(\"21\")); $s = \"4\"; out(twice($s)); out(greet(5));",
	       "42 8 \"hello, 5\"");
	/* a runtime conversion failure: the call is false, the run goes on */
	expect("$s = \"x\"; out(twice($s)); out(1);", "false 1");
}

static void test_variables_get_and_set(void **state)
{
	expect("out(method); out(count); out(ruri.user); ruri.user = \"bob\"; out(ruri.user);",
	       "\"INVITE\" 42 \"alice\" \"bob\"");
	assert_string_equal(ruri_user, "bob");
}

static void test_prepare_called_once_and_freed(void **state)
{
	jn_script_t *s = load("request { out(pat(\"abc\")); out(pat(\"de\")); }");
	assert_int_equal(prepare_calls, 2);
	for (int i = 0; i < 3; i++)
		script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL);
	assert_int_equal(prepare_calls, 2);
	assert_int_equal(prepare_frees, 0);
	assert_string_equal(out, "\"abc\" \"de\" \"abc\" \"de\" \"abc\" \"de\"");
	script_unref(s);
	assert_int_equal(prepare_frees, 2);
}

static void test_module_prefix_and_event(void **state)
{
	jn_script_t *s = load("request { t.hello(); }\nevent t:tick { out(\"event\"); }");
	script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL);
	assert_string_equal(out, "t");
	script_activate(s);
	script_unref(s);
	out[0] = 0;
	assert_int_equal(jn_event_run(t_mod, "tick", NULL), 0);
	assert_string_equal(out, "\"event\"");
	assert_int_equal(jn_event_run(t_mod, "tock", NULL), JN_ENOENT);
	script_activate(NULL);
	assert_null(script_active());
}

static void test_call_arena(void **state)
{
	expect("out(arena());", "\"arena\"");
}

/* ---- suspension ------------------------------------------------------- */

struct finish {
	int called;
	script_status_t st;
};

static void on_done(jn_msg_t *msg, script_status_t st, void *data)
{
	struct finish *f = data;
	f->called++;
	f->st = st;
}

static void test_suspend_and_resume(void **state)
{
	struct finish f = {0};
	jn_script_t *s = load("request { $a = 1; out(\"x\" + wait() + \"y\"); out($a); drop; }");
	assert_int_equal(script_run(s, JN_ROUTE_REQUEST, NULL, NULL, on_done, &f),
	                 SCRIPT_SUSPENDED);
	assert_int_equal(script_suspended_count(), 1);
	assert_int_equal(nwaiting, 1);
	assert_null(jn_suspend_msg(waiting[0]));
	script_unref(s); /* the execution keeps the script alive */
	assert_string_equal(out, "");
	jn_suspend_return_str(waiting[0], "mid", 3);
	jn_suspend_resume(waiting[0], JN_TRUE);
	assert_string_equal(out, "\"xmidy\" 1");
	assert_int_equal(f.called, 1);
	assert_int_equal(f.st, SCRIPT_DROP);
	assert_int_equal(script_suspended_count(), 0);
}

static void test_many_suspended_resumed_out_of_order(void **state)
{
	struct finish f[3] = {{0}};
	jn_script_t *s = load("request { $me = $n; $n = 0; $v = wait(); $w = wait();"
	                      " out($v + \"/\" + $w); }\n"
	                      "failure f { $v = wait(); out(\"f\" + $v); }");
	for (int i = 0; i < 2; i++)
		assert_int_equal(script_run(s, JN_ROUTE_REQUEST, NULL, NULL, on_done, &f[i]),
		                 SCRIPT_SUSPENDED);
	assert_int_equal(script_run(s, JN_ROUTE_FAILURE, "f", NULL, on_done, &f[2]),
	                 SCRIPT_SUSPENDED);
	assert_int_equal(script_suspended_count(), 3);
	jn_suspend_t *a = waiting[0], *b = waiting[1], *c = waiting[2];
	nwaiting = 0;
	jn_suspend_return_int(c, 3);
	jn_suspend_resume(c, JN_TRUE);
	jn_suspend_return_str(b, "b1", 2);
	jn_suspend_resume(b, JN_TRUE);
	jn_suspend_return_str(a, "a1", 2);
	jn_suspend_resume(a, JN_TRUE);
	/* the second wait of each request execution, again out of order */
	assert_int_equal(nwaiting, 2);
	jn_suspend_t *b2 = waiting[0], *a2 = waiting[1];
	jn_suspend_return_str(a2, "a2", 2);
	jn_suspend_resume(a2, JN_TRUE);
	jn_suspend_resume(b2, JN_FALSE);
	assert_string_equal(out, "\"f3\" \"a1/a2\" \"b1/false\"");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(f[i].called, 1);
		assert_int_equal(f[i].st, SCRIPT_DONE);
	}
	assert_int_equal(script_suspended_count(), 0);
	script_unref(s);
}

static void test_resume_before_return(void **state)
{
	struct finish f = {0};
	jn_script_t *s = load("request { out(quick()); out(2); }");
	assert_int_equal(script_run(s, JN_ROUTE_REQUEST, NULL, NULL, on_done, &f), SCRIPT_DONE);
	assert_string_equal(out, "\"fast\" 2");
	assert_int_equal(f.called, 0); /* done only follows a suspension */
	assert_int_equal(script_suspended_count(), 0);
	script_unref(s);
}

static void test_suspend_without_handle_fails(void **state)
{
	assert_int_equal(run_body("liar(); out(1);"), SCRIPT_FAILED);
	assert_string_equal(out, "");
}

static void test_suspend_in_nested_route(void **state)
{
	struct finish f = {0};
	jn_script_t *s =
	    load("request { $r = route(outer); out($r); }\n"
	         "route outer { return \"<\" + route(inner) + \">\"; }\n"
	         "route inner { $x = wait(); if ($x == 7) return \"seven\"; return \"?\"; }");
	assert_int_equal(script_run(s, JN_ROUTE_REQUEST, NULL, NULL, on_done, &f),
	                 SCRIPT_SUSPENDED);
	jn_suspend_return_int(waiting[0], 7);
	jn_suspend_resume(waiting[0], JN_TRUE);
	assert_string_equal(out, "\"<seven>\"");
	assert_int_equal(f.st, SCRIPT_DONE);
	script_unref(s);
}

static void test_resume_with_stop_and_error(void **state)
{
	struct finish f = {0}, g = {0};
	jn_script_t *s = load("request { out(wait()); out(\"after\"); }");
	script_run(s, JN_ROUTE_REQUEST, NULL, NULL, on_done, &f);
	script_run(s, JN_ROUTE_REQUEST, NULL, NULL, on_done, &g);
	jn_suspend_resume(waiting[0], JN_STOP);
	assert_int_equal(f.st, SCRIPT_DONE);
	assert_string_equal(out, "");
	jn_suspend_resume(waiting[1], JN_ERROR);
	assert_int_equal(g.st, SCRIPT_DONE);
	assert_string_equal(out, "false \"after\"");
	script_unref(s);
}

static void test_reload_while_suspended(void **state)
{
	struct finish f = {0};
	jn_script_t *old = load("request { $v = wait(); out(\"old \" + $v); }");
	script_activate(old);
	script_unref(old);
	assert_int_equal(script_run(script_active(), JN_ROUTE_REQUEST, NULL, NULL, on_done, &f),
	                 SCRIPT_SUSPENDED);
	prepare_frees = 0;
	jn_script_t *neu = load("request { out(\"new\" + pat(\"p\")); }");
	script_activate(neu);
	script_unref(neu);
	assert_ptr_equal(script_active(), neu);
	script_run(script_active(), JN_ROUTE_REQUEST, NULL, NULL, on_done, &f);
	assert_string_equal(out, "\"newp\"");
	jn_suspend_return_int(waiting[0], 1);
	jn_suspend_resume(waiting[0], JN_TRUE);
	assert_string_equal(out, "\"newp\" \"old 1\"");
	assert_int_equal(f.called, 1);
	/* the new script's prepared data is freed only when it goes */
	assert_int_equal(prepare_frees, 0);
	script_activate(NULL);
	assert_int_equal(prepare_frees, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_literals_and_escapes, setup),
	    cmocka_unit_test_setup(test_precedence, setup),
	    cmocka_unit_test_setup(test_add_and_concatenation, setup),
	    cmocka_unit_test_setup(test_equality_mixed_types, setup),
	    cmocka_unit_test_setup(test_ordering, setup),
	    cmocka_unit_test_setup(test_ordering_type_error_is_false, setup),
	    cmocka_unit_test_setup(test_regex_match, setup),
	    cmocka_unit_test_setup(test_short_circuit, setup),
	    cmocka_unit_test_setup(test_and_or_yield_bool, setup),
	    cmocka_unit_test_setup(test_truthiness, setup),
	    cmocka_unit_test_setup(test_if_else_chain, setup),
	    cmocka_unit_test_setup(test_switch_cases_no_fallthrough, setup),
	    cmocka_unit_test_setup(test_local_variables, setup),
	    cmocka_unit_test_setup(test_exit_and_drop, setup),
	    cmocka_unit_test_setup(test_route_subroutines, setup),
	    cmocka_unit_test_setup(test_exit_inside_route_ends_everything, setup),
	    cmocka_unit_test_setup(test_route_recursion_depth_capped, setup),
	    cmocka_unit_test_setup(test_runtime_errors_fail, setup),
	    cmocka_unit_test_setup(test_function_error_is_false, setup),
	    cmocka_unit_test_setup(test_blocks_by_kind_and_name, setup),
	    cmocka_unit_test_setup(test_named_and_optional_args, setup),
	    cmocka_unit_test_setup(test_arg_conversion, setup),
	    cmocka_unit_test_setup(test_variables_get_and_set, setup),
	    cmocka_unit_test_setup(test_prepare_called_once_and_freed, setup),
	    cmocka_unit_test_setup(test_module_prefix_and_event, setup),
	    cmocka_unit_test_setup(test_call_arena, setup),
	    cmocka_unit_test_setup(test_suspend_and_resume, setup),
	    cmocka_unit_test_setup(test_many_suspended_resumed_out_of_order, setup),
	    cmocka_unit_test_setup(test_resume_before_return, setup),
	    cmocka_unit_test_setup(test_suspend_without_handle_fails, setup),
	    cmocka_unit_test_setup(test_suspend_in_nested_route, setup),
	    cmocka_unit_test_setup(test_resume_with_stop_and_error, setup),
	    cmocka_unit_test_setup(test_reload_while_suspended, setup),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
