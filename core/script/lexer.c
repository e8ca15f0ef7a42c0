/* lexer.c - turns source bytes into tokens. Positions are 1-based lines and
 * byte columns, as editors show them for ASCII text. */
#include "lexer.h"

#include <stdio.h>
#include <string.h>

void lexer_init(lexer_t *lx, const char *file, const char *src, size_t len, arena_t *arena,
                jn_errlist_t *errs)
{
	memset(lx, 0, sizeof(*lx));
	lx->file = file;
	lx->p = src;
	lx->end = src + len;
	lx->line = 1;
	lx->line_start = src;
	lx->arena = arena;
	lx->errs = errs;
}

static int col_of(const lexer_t *lx, const char *p)
{
	return (int)(p - lx->line_start) + 1;
}

static void lex_error(lexer_t *lx, token_t *t, int line, int col, const char *msg, int c)
{
	char buf[64];
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, sizeof(buf), msg, c);
	else if (c >= 0)
		snprintf(buf, sizeof(buf), "unexpected byte 0x%02x", c);
	else
		snprintf(buf, sizeof(buf), "%s", msg);
	errlist_add(lx->errs, lx->file, line, col, "%s", buf);
	lx->nerrs++;
	t->kind = T_ERROR;
	t->line = line;
	t->col = col;
}

static void newline(lexer_t *lx)
{
	lx->line++;
	lx->line_start = lx->p + 1;
}

/* Skips blanks and comments; 0, or -1 after reporting an unterminated
 * block comment. */
static int skip_space(lexer_t *lx, token_t *t)
{
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '\n') {
			newline(lx);
			lx->p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			lx->p++;
		} else if (c == '#' || (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			int line = lx->line, col = col_of(lx, lx->p);
			lx->p += 2;
			for (;;) {
				if (lx->p + 1 >= lx->end) {
					lx->p = lx->end;
					lex_error(lx, t, line, col, "unterminated comment", -1);
					return -1;
				}
				if (lx->p[0] == '*' && lx->p[1] == '/')
					break;
				if (*lx->p == '\n')
					newline(lx);
				lx->p++;
			}
			lx->p += 2;
		} else {
			break;
		}
	}
	return 0;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void lex_name(lexer_t *lx, token_t *t, const char *start)
{
	const char *p = start;
	for (;;) {
		while (p < lx->end && (is_alpha(*p) || is_digit(*p)))
			p++;
		/* a dot joins the next name part: ruri.user */
		if (t->kind == T_IDENT && p + 1 < lx->end && *p == '.' && is_alpha(p[1]))
			p++;
		else
			break;
	}
	t->len = (size_t)(p - start);
	t->text = arena_strndup(lx->arena, start, t->len);
	lx->p = p;
	if (!t->text)
		lex_error(lx, t, t->line, t->col, "out of memory", -1);
}

static void lex_int(lexer_t *lx, token_t *t)
{
	const uint64_t lim = (uint64_t)INT64_MAX + 1;
	uint64_t v = 0;
	int over = 0;
	while (lx->p < lx->end && is_digit(*lx->p)) {
		unsigned d = (unsigned)(*lx->p - '0');
		if (v > (lim - d) / 10)
			over = 1;
		else
			v = v * 10 + d;
		lx->p++;
	}
	if (over) {
		lex_error(lx, t, t->line, t->col, "integer constant out of range", -1);
		return;
	}
	t->big = v == lim;
	t->ival = t->big ? INT64_MIN : (int64_t)v;
}

/* "..." knows \" \\ \n \r \t; '...' only \' and \\ (so regexes can be
 * written without doubling their backslashes). */
static void lex_string(lexer_t *lx, token_t *t)
{
	char q = *lx->p++;
	const char *start = lx->p;
	size_t n = 0;
	const char *p;
	/* first pass: find the end and the decoded length, report errors */
	for (p = start;; p++) {
		if (p >= lx->end || *p == '\n') {
			lex_error(lx, t, t->line, t->col, "unterminated string", -1);
			lx->p = p;
			return;
		}
		if (*p == q)
			break;
		if (*p == 0) {
			lex_error(lx, t, lx->line, col_of(lx, p), "NUL byte in string", -1);
			lx->p = p + 1;
			return;
		}
		if (*p == '\\' && p + 1 < lx->end) {
			char e = p[1];
			int known =
			    q == '"' ? strchr("\"\\nrt", e) != NULL && e : e == '\'' || e == '\\';
			if (known) {
				p++;
			} else if (q == '"') {
				char buf[32];
				if (e >= 0x20 && e < 0x7f)
					snprintf(buf, sizeof(buf), "unknown escape '\\%c'", e);
				else
					snprintf(buf, sizeof(buf), "unknown escape");
				lex_error(lx, t, lx->line, col_of(lx, p), buf, -1);
				/* skip to the end so the rest of the string is not lexed */
				while (p < lx->end && *p != q && *p != '\n')
					p++;
				lx->p = p < lx->end && *p == q ? p + 1 : p;
				return;
			}
		}
		n++;
	}
	char *s = arena_alloc(lx->arena, n + 1);
	if (!s) {
		lex_error(lx, t, t->line, t->col, "out of memory", -1);
		lx->p = p + 1;
		return;
	}
	size_t i = 0;
	for (const char *r = start; r < p; r++) {
		char c = *r;
		if (c == '\\' && r + 1 < p) {
			char e = r[1];
			if (q == '"' || e == '\'' || e == '\\') {
				r++;
				c = e == 'n' && q == '"'   ? '\n'
				    : e == 'r' && q == '"' ? '\r'
				    : e == 't' && q == '"' ? '\t'
				                           : e;
			}
		}
		s[i++] = c;
	}
	s[i] = 0;
	t->text = s;
	t->len = i;
	lx->p = p + 1;
}

void lexer_next(lexer_t *lx, token_t *t)
{
	memset(t, 0, sizeof(*t));
	if (skip_space(lx, t) < 0)
		return;
	t->line = lx->line;
	t->col = col_of(lx, lx->p);
	if (lx->p >= lx->end) {
		t->kind = T_EOF;
		return;
	}
	const char *p = lx->p;
	int c = (unsigned char)*p;
	int c2 = p + 1 < lx->end ? (unsigned char)p[1] : -1;
	if (is_alpha(c)) {
		t->kind = T_IDENT;
		lex_name(lx, t, p);
		return;
	}
	if (c == '$') {
		if (c2 < 0 || !is_alpha(c2)) {
			lx->p++;
			lex_error(lx, t, t->line, t->col, "expected a variable name after '$'", -1);
			return;
		}
		t->kind = T_VAR;
		lex_name(lx, t, p + 1);
		return;
	}
	if (is_digit(c)) {
		t->kind = T_INT;
		lex_int(lx, t);
		return;
	}
	if (c == '"' || c == '\'') {
		t->kind = T_STR;
		lex_string(lx, t);
		return;
	}
	static const struct {
		char a, b;
		tok_kind_t k;
	} ops[] = {
	    {'=', '=', T_EQ},   {'!', '=', T_NE},   {'=', '~', T_MATCH}, {'!', '~', T_NMATCH},
	    {'<', '=', T_LE},   {'>', '=', T_GE},   {'&', '&', T_AND},   {'|', '|', T_OR},
	    {'{', 0, T_LBRACE}, {'}', 0, T_RBRACE}, {'(', 0, T_LPAREN},  {')', 0, T_RPAREN},
	    {';', 0, T_SEMI},   {',', 0, T_COMMA},  {':', 0, T_COLON},   {'=', 0, T_ASSIGN},
	    {'<', 0, T_LT},     {'>', 0, T_GT},     {'+', 0, T_PLUS},    {'-', 0, T_MINUS},
	    {'!', 0, T_NOT},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].a != c || (ops[i].b && ops[i].b != c2))
			continue;
		t->kind = ops[i].k;
		lx->p += ops[i].b ? 2 : 1;
		return;
	}
	lx->p++;
	lex_error(lx, t, t->line, t->col, "unexpected character '%c'", c);
}

const char *tok_name(tok_kind_t k)
{
	static const char *names[] = {
	    [T_EOF] = "end of file", [T_ERROR] = "error", [T_IDENT] = "name", [T_VAR] = "variable",
	    [T_STR] = "string",      [T_INT] = "integer", [T_LBRACE] = "'{'", [T_RBRACE] = "'}'",
	    [T_LPAREN] = "'('",      [T_RPAREN] = "')'",  [T_SEMI] = "';'",   [T_COMMA] = "','",
	    [T_COLON] = "':'",       [T_ASSIGN] = "'='",  [T_EQ] = "'=='",    [T_NE] = "'!='",
	    [T_MATCH] = "'=~'",      [T_NMATCH] = "'!~'", [T_LT] = "'<'",     [T_LE] = "'<='",
	    [T_GT] = "'>'",          [T_GE] = "'>='",     [T_PLUS] = "'+'",   [T_MINUS] = "'-'",
	    [T_NOT] = "'!'",         [T_AND] = "'&&'",    [T_OR] = "'||'",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "token";
}

const char *tok_describe(const token_t *t, char *buf, size_t size)
{
	if (t->kind == T_IDENT)
		snprintf(buf, size, "'%.40s'", t->text);
	else if (t->kind == T_VAR)
		snprintf(buf, size, "'$%.40s'", t->text);
	else
		snprintf(buf, size, "%s", tok_name(t->kind));
	return buf;
}
