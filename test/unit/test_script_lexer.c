/* test_script_lexer.c - tokens of the routing-script language: names,
 * variables, literals and their escapes, operators, comments, and the
 * 1-based line:column of every token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "errlist.h"
#include "script/lexer.h"

struct lexed {
	arena_t arena;
	jn_errlist_t errs;
	token_t t[64];
	int n;
};

/* Lexes src to the end (at most 64 tokens). */
static struct lexed *lex(const char *src)
{
	struct lexed *l = calloc(1, sizeof(*l));
	lexer_t lx;
	arena_init(&l->arena, NULL, 0, 0);
	errlist_init(&l->errs);
	lexer_init(&lx, "l.jn", src, strlen(src), &l->arena, &l->errs);
	do
		lexer_next(&lx, &l->t[l->n]);
	while (l->t[l->n++].kind != T_EOF && l->n < 64);
	return l;
}

static void done(struct lexed *l)
{
	arena_reset(&l->arena);
	errlist_free(&l->errs);
	free(l);
}

static void test_names_join_dots(void **state)
{
	struct lexed *l = lex("ruri.user auth.check _x1 a.2");
	assert_int_equal(l->t[0].kind, T_IDENT);
	assert_string_equal(l->t[0].text, "ruri.user");
	assert_string_equal(l->t[1].text, "auth.check");
	assert_string_equal(l->t[2].text, "_x1");
	/* a dot must be followed by a letter to join */
	assert_string_equal(l->t[3].text, "a");
	assert_int_equal(l->t[4].kind, T_ERROR);
	done(l);
}

static void test_variables(void **state)
{
	struct lexed *l = lex("$x $long_name2 $");
	assert_int_equal(l->t[0].kind, T_VAR);
	assert_string_equal(l->t[0].text, "x");
	assert_string_equal(l->t[1].text, "long_name2");
	assert_int_equal(l->t[2].kind, T_ERROR);
	assert_string_equal(l->errs.v[0].msg, "expected a variable name after '$'");
	done(l);
}

static void test_integers(void **state)
{
	struct lexed *l = lex("0 42 9223372036854775807 9223372036854775808 99999999999999999999");
	assert_int_equal(l->t[0].ival, 0);
	assert_int_equal(l->t[1].ival, 42);
	assert_true(l->t[2].ival == INT64_MAX && !l->t[2].big);
	/* 2^63 only exists negated; the parser decides */
	assert_true(l->t[3].kind == T_INT && l->t[3].big);
	assert_int_equal(l->t[4].kind, T_ERROR);
	assert_string_equal(l->errs.v[0].msg, "integer constant out of range");
	done(l);
}

static void test_double_quoted_escapes(void **state)
{
	struct lexed *l = lex("\"a\\\"b\\\\c\\nd\\re\\tf\" \"\"");
	assert_int_equal(l->t[0].kind, T_STR);
	assert_string_equal(l->t[0].text, "a\"b\\c\nd\re\tf");
	assert_int_equal(l->t[0].len, 11);
	assert_int_equal(l->t[1].kind, T_STR);
	assert_int_equal(l->t[1].len, 0);
	done(l);
}

static void test_single_quoted_keeps_backslashes(void **state)
{
	struct lexed *l = lex("'^\\*97$' 'it\\'s' 'a\\\\b' '\\n'");
	assert_string_equal(l->t[0].text, "^\\*97$");
	assert_string_equal(l->t[1].text, "it's");
	assert_string_equal(l->t[2].text, "a\\b");
	assert_string_equal(l->t[3].text, "\\n");
	assert_int_equal(l->errs.n, 0);
	done(l);
}

static void test_string_errors(void **state)
{
	struct lexed *l = lex("\"bad \\x escape\" \"open\nx");
	assert_int_equal(l->t[0].kind, T_ERROR);
	assert_string_equal(l->errs.v[0].msg, "unknown escape '\\x'");
	assert_int_equal(l->errs.v[0].col, 6);
	assert_int_equal(l->t[1].kind, T_ERROR);
	assert_string_equal(l->errs.v[1].msg, "unterminated string");
	assert_int_equal(l->errs.v[1].col, 17);
	/* lexing goes on on the next line */
	assert_int_equal(l->t[2].kind, T_IDENT);
	assert_int_equal(l->t[2].line, 2);
	done(l);
}

static void test_operators(void **state)
{
	static const tok_kind_t want[] = {
	    T_EQ,     T_NE,     T_MATCH, T_NMATCH, T_LT,    T_LE,    T_GT,     T_GE,
	    T_AND,    T_OR,     T_NOT,   T_ASSIGN, T_PLUS,  T_MINUS, T_LBRACE, T_RBRACE,
	    T_LPAREN, T_RPAREN, T_SEMI,  T_COMMA,  T_COLON, T_EOF,
	};
	struct lexed *l = lex("== != =~ !~ < <= > >= && || ! = + - { } ( ) ; , :");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(l->t[i].kind, want[i]);
	done(l);
}

static void test_comments_skipped(void **state)
{
	struct lexed *l = lex("a # hash\nb // slashes\nc /* block\n spanning */ d /**/e");
	const char *names[] = {"a", "b", "c", "d", "e"};
	for (int i = 0; i < 5; i++)
		assert_string_equal(l->t[i].text, names[i]);
	assert_int_equal(l->t[3].line, 4);
	assert_int_equal(l->t[3].col, 14);
	assert_int_equal(l->t[5].kind, T_EOF);
	done(l);
}

static void test_unterminated_comment(void **state)
{
	struct lexed *l = lex("x\n  /* no end");
	assert_int_equal(l->t[1].kind, T_ERROR);
	assert_int_equal(l->errs.v[0].line, 2);
	assert_int_equal(l->errs.v[0].col, 3);
	assert_string_equal(l->errs.v[0].msg, "unterminated comment");
	done(l);
}

static void test_positions(void **state)
{
	struct lexed *l = lex("request {\n\tif ($x == 1)\n}");
	struct {
		int line, col;
	} want[] = {{1, 1}, {1, 9}, {2, 2}, {2, 5}, {2, 6}, {2, 9}, {2, 12}, {2, 13}, {3, 1}};
	for (int i = 0; i < 9; i++) {
		assert_int_equal(l->t[i].line, want[i].line);
		assert_int_equal(l->t[i].col, want[i].col);
	}
	done(l);
}

static void test_bad_bytes(void **state)
{
	struct lexed *l = lex("a @ \x01 & b");
	assert_int_equal(l->errs.n, 3);
	assert_string_equal(l->errs.v[0].msg, "unexpected character '@'");
	assert_string_equal(l->errs.v[1].msg, "unexpected byte 0x01");
	assert_string_equal(l->errs.v[2].msg, "unexpected character '&'");
	assert_string_equal(l->t[4].text, "b");
	done(l);
}

static void test_nul_byte(void **state)
{
	arena_t a;
	jn_errlist_t errs;
	lexer_t lx;
	token_t t;
	const char src[] = "\"a\0b\" x";
	arena_init(&a, NULL, 0, 0);
	errlist_init(&errs);
	lexer_init(&lx, "l.jn", src, sizeof(src) - 1, &a, &errs);
	lexer_next(&lx, &t);
	assert_int_equal(t.kind, T_ERROR);
	assert_string_equal(errs.v[0].msg, "NUL byte in string");
	arena_reset(&a);
	errlist_free(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_join_dots),
	    cmocka_unit_test(test_variables),
	    cmocka_unit_test(test_integers),
	    cmocka_unit_test(test_double_quoted_escapes),
	    cmocka_unit_test(test_single_quoted_keeps_backslashes),
	    cmocka_unit_test(test_string_errors),
	    cmocka_unit_test(test_operators),
	    cmocka_unit_test(test_comments_skipped),
	    cmocka_unit_test(test_unterminated_comment),
	    cmocka_unit_test(test_positions),
	    cmocka_unit_test(test_bad_bytes),
	    cmocka_unit_test(test_nul_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
