/* test_script_parser.c - the grammar of the routing script: every block
 * kind, every statement and the precedence of operators, checked on the
 * parse tree; plus valid programs that compile against registered names. */
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
#include "script/ast.h"
#include "script/script.h"

static arena_t arena;
static jn_errlist_t errs;

static ast_program_t *parse(const char *src)
{
	arena_reset(&arena); /* a test may parse twice */
	errlist_free(&errs);
	arena_init(&arena, NULL, 0, 0);
	errlist_init(&errs);
	ast_program_t *p = parse_program("p.jn", src, strlen(src), &arena, &errs);
	if (errs.n)
		errlist_print(&errs, stderr);
	assert_int_equal(errs.n, 0);
	assert_non_null(p);
	return p;
}

static int teardown(void **state)
{
	arena_reset(&arena);
	errlist_free(&errs);
	return 0;
}

/* The first statement of the only block: `request { <stmt> }`. */
static ast_stmt_t *stmt(const char *body)
{
	char src[512];
	snprintf(src, sizeof(src), "request { %s }", body);
	ast_program_t *p = parse(src);
	assert_int_equal(p->nblocks, 1);
	assert_non_null(p->blocks->body);
	return p->blocks->body;
}

static void test_every_block_kind(void **state)
{
	ast_program_t *p = parse("request { }\nreply { }\nreply r1 { }\nfailure f1 { }\n"
	                         "branch b1 { }\nroute sub { }\nevent mod:ev { }\n");
	struct {
		jn_route_kind_t kind;
		const char *name;
		int line;
	} want[] = {
	    {JN_ROUTE_REQUEST, NULL, 1},   {JN_ROUTE_REPLY, NULL, 2},  {JN_ROUTE_REPLY, "r1", 3},
	    {JN_ROUTE_FAILURE, "f1", 4},   {JN_ROUTE_BRANCH, "b1", 5}, {0, "sub", 6},
	    {JN_ROUTE_EVENT, "mod:ev", 7},
	};
	assert_int_equal(p->nblocks, 7);
	ast_block_t *b = p->blocks;
	for (int i = 0; i < 7; i++, b = b->next) {
		assert_int_equal(b->kind, want[i].kind);
		if (want[i].name)
			assert_string_equal(b->name, want[i].name);
		else
			assert_null(b->name);
		assert_int_equal(b->line, want[i].line);
	}
}

static void test_if_else_if_else(void **state)
{
	ast_stmt_t *s = stmt("if (a) exit; else if (b) { drop; } else return;");
	assert_int_equal(s->kind, S_IF);
	assert_int_equal(s->e->kind, E_NAME);
	assert_int_equal(s->body->kind, S_EXIT);
	assert_int_equal(s->els->kind, S_IF);
	assert_int_equal(s->els->body->kind, S_BLOCK);
	assert_int_equal(s->els->body->body->kind, S_DROP);
	assert_int_equal(s->els->els->kind, S_RETURN);
	assert_null(s->els->els->e);
}

static void test_switch_cases(void **state)
{
	ast_stmt_t *s = stmt("switch (method) { case \"A\": f(); g(); case 2: default: break; }");
	assert_int_equal(s->kind, S_SWITCH);
	ast_case_t *c = s->cases;
	assert_int_equal(c->label->val.type, JN_T_STR);
	assert_int_equal(c->body->kind, S_EXPR);
	assert_int_equal(c->body->next->kind, S_EXPR);
	c = c->next;
	assert_int_equal(c->label->val.i, 2);
	assert_null(c->body);
	c = c->next;
	assert_true(c->is_default);
	assert_int_equal(c->body->kind, S_BREAK);
	assert_null(c->next);
}

static void test_assignments(void **state)
{
	ast_stmt_t *s = stmt("$x = 1; ruri.user = $x; $y == 2;");
	assert_int_equal(s->kind, S_SETLOCAL);
	assert_string_equal(s->name, "x");
	s = s->next;
	assert_int_equal(s->kind, S_SETNAME);
	assert_string_equal(s->name, "ruri.user");
	assert_int_equal(s->e->kind, E_LOCAL);
	s = s->next;
	assert_int_equal(s->kind, S_EXPR);
	assert_int_equal(s->e->kind, E_BINARY);
}

static void test_return_value_and_route_call(void **state)
{
	ast_stmt_t *s = stmt("return route(check) + 1;");
	assert_int_equal(s->kind, S_RETURN);
	assert_int_equal(s->e->kind, E_BINARY);
	assert_int_equal(s->e->l->kind, E_ROUTE);
	assert_string_equal(s->e->l->name, "check");
}

static void test_precedence_tree(void **state)
{
	/* a || b && c == d + 1 < e  parses as  a || (b && (c == ((d + 1) < e))) */
	ast_expr_t *e = stmt("$r = a || b && c == d + 1 < e;")->e;
	assert_int_equal(e->kind, E_OR);
	assert_int_equal(e->r->kind, E_AND);
	ast_expr_t *eq = e->r->r;
	assert_int_equal(eq->op, T_EQ);
	assert_int_equal(eq->r->op, T_LT);
	assert_int_equal(eq->r->l->op, T_PLUS);
}

static void test_left_associative(void **state)
{
	ast_expr_t *e = stmt("$r = 1 - 2 - 3;")->e;
	assert_int_equal(e->op, T_MINUS);
	assert_int_equal(e->l->op, T_MINUS);
	assert_int_equal(e->r->val.i, 3);
}

static void test_unary_and_parens(void **state)
{
	ast_expr_t *e = stmt("$r = !(a =~ \"x\") && -b;")->e;
	assert_int_equal(e->kind, E_AND);
	assert_int_equal(e->l->kind, E_NOT);
	assert_int_equal(e->l->l->kind, E_MATCH);
	assert_int_equal(e->r->kind, E_NEG);
	/* a negative literal is folded */
	e = stmt("$r = -5;")->e;
	assert_int_equal(e->kind, E_CONST);
	assert_int_equal(e->val.i, -5);
}

static void test_call_arguments(void **state)
{
	ast_expr_t *e = stmt("proxy.relay(\"x\", 1, failure: \"no_answer\", timeout: 30);")->e;
	assert_int_equal(e->kind, E_CALL);
	assert_string_equal(e->name, "proxy.relay");
	assert_int_equal(e->nargs, 4);
	ast_arg_t *a = e->args;
	assert_null(a->name);
	assert_null(a->next->name);
	assert_string_equal(a->next->next->name, "failure");
	assert_string_equal(a->next->next->next->name, "timeout");
	assert_int_equal(a->next->next->next->e->val.i, 30);
	e = stmt("f();")->e;
	assert_int_equal(e->nargs, 0);
}

static void test_literals(void **state)
{
	ast_expr_t *e = stmt("f(true, false, null, 'q', \"d\");")->e;
	ast_arg_t *a = e->args;
	assert_int_equal(a->e->val.type, JN_T_BOOL);
	assert_int_equal(a->e->val.i, 1);
	assert_int_equal(a->next->e->val.i, 0);
	assert_int_equal(a->next->next->e->val.type, JN_T_NULL);
	assert_string_equal(a->next->next->next->e->val.s, "q");
}

static void test_empty_statements_and_nested_blocks(void **state)
{
	ast_stmt_t *s = stmt("; { { exit; } }");
	assert_int_equal(s->kind, S_BLOCK);
	assert_int_equal(s->next->body->body->kind, S_EXIT);
}

static void test_locations(void **state)
{
	ast_program_t *p = parse("request {\n  if ($a)\n    f(x: 1);\n}");
	ast_stmt_t *s = p->blocks->body;
	assert_int_equal(s->line, 2);
	assert_int_equal(s->col, 3);
	assert_int_equal(s->e->col, 7);
	assert_int_equal(s->body->e->line, 3);
	assert_int_equal(s->body->e->col, 5);
	assert_int_equal(s->body->e->args->col, 7);
}

/* ---- whole programs compile against registered names ------------------ */

static jn_result_t f_true(jn_call_t *c)
{
	return JN_TRUE;
}

static int get_str(jn_call_t *c, jn_value_t *v)
{
	v->type = JN_T_STR;
	v->s = "x";
	v->len = 1;
	return 0;
}

static int t_load(jn_module_t *m)
{
	static const jn_arg_def_t relay_args[] = {{"failure", JN_ARG_STR, JN_ARG_OPTIONAL},
	                                          {"timeout", JN_ARG_INT, JN_ARG_OPTIONAL},
	                                          {NULL, 0, 0}};
	static const jn_arg_def_t one_str[] = {{"realm", JN_ARG_STR, JN_ARG_OPTIONAL},
	                                       {NULL, 0, 0}};
	static const jn_func_def_t fs[] = {
	    {.name = "relay", .fn = f_true, .args = relay_args},
	    {.name = "check", .fn = f_true, .args = one_str},
	    {.name = "challenge", .fn = f_true},
	};
	static const jn_var_def_t v = {.name = "count", .get = get_str};
	for (size_t i = 0; i < 3; i++)
		if (jn_func_register(m, &fs[i]))
			return -1;
	return jn_var_register(m, &v) || jn_event_declare(m, "expired", NULL);
}

static const jn_module_desc_t t_desc = {
    .abi_major = JN_SDK_MAJOR,
    .abi_minor = JN_SDK_MINOR,
    .size = sizeof(jn_module_desc_t),
    .name = "proxy",
    .load = t_load,
};

static int setup_names(void **state)
{
	static const jn_arg_def_t reply_args[] = {
	    {"code", JN_ARG_INT, 0}, {"reason", JN_ARG_STR, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
	static const jn_func_def_t reply = {.name = "reply", .fn = f_true, .args = reply_args};
	static const jn_var_def_t vars[] = {
	    {.name = "method", .get = get_str},
	    {.name = "ruri.user", .get = get_str},
	    {.name = "status", .get = get_str},
	};
	if (registry_add_func(NULL, &reply))
		return -1;
	for (int i = 0; i < 3; i++)
		if (registry_add_var(NULL, &vars[i]))
			return -1;
	return loader_add_static(&t_desc) ? 0 : -1;
}

static int teardown_names(void **state)
{
	loader_unload_all();
	registry_clear();
	return 0;
}

static void test_design_example_compiles(void **state)
{
	const char *src =
	    "# DESIGN.md, \"The routing script\", adapted to the names registered here\n"
	    "request {\n"
	    "    if (method == \"REGISTER\") {\n"
	    "        if (!proxy.check(realm: \"example.com\")) { proxy.challenge(); exit; }\n"
	    "        exit;\n"
	    "    }\n"
	    "    if (ruri.user =~ \"^\\\\*97$\") { reply(486); exit; }\n"
	    "    switch (method) {\n"
	    "    case \"BYE\": reply(200, \"OK\");\n"
	    "    case \"CANCEL\": break;\n"
	    "    default: $m = method + \"!\";\n"
	    "    }\n"
	    "    proxy.relay(failure: \"no_answer\", timeout: 30);\n"
	    "}\n"
	    "failure no_answer {\n"
	    "    if (status == 486 || status == 408) { route(vm); }\n"
	    "}\n"
	    "route vm { return proxy.count > 0; }\n"
	    "event proxy:expired { drop; }\n"
	    "reply { } branch b { } reply r { }\n";
	jn_errlist_t e;
	errlist_init(&e);
	jn_script_t *s = script_load_string("d.jn", src, strlen(src), &e);
	errlist_print(&e, stderr);
	assert_non_null(s);
	assert_true(script_has(s, JN_ROUTE_EVENT, "proxy:expired"));
	assert_true(script_has(s, JN_ROUTE_FAILURE, "no_answer"));
	script_unref(s);
	errlist_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_every_block_kind, teardown),
	    cmocka_unit_test_teardown(test_if_else_if_else, teardown),
	    cmocka_unit_test_teardown(test_switch_cases, teardown),
	    cmocka_unit_test_teardown(test_assignments, teardown),
	    cmocka_unit_test_teardown(test_return_value_and_route_call, teardown),
	    cmocka_unit_test_teardown(test_precedence_tree, teardown),
	    cmocka_unit_test_teardown(test_left_associative, teardown),
	    cmocka_unit_test_teardown(test_unary_and_parens, teardown),
	    cmocka_unit_test_teardown(test_call_arguments, teardown),
	    cmocka_unit_test_teardown(test_literals, teardown),
	    cmocka_unit_test_teardown(test_empty_statements_and_nested_blocks, teardown),
	    cmocka_unit_test_teardown(test_locations, teardown),
	    cmocka_unit_test_setup_teardown(test_design_example_compiles, setup_names,
	                                    teardown_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
