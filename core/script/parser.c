/* parser.c - recursive descent over the token stream into the parse tree
 * of ast.h. After a syntax error the parser skips to the end of the
 * statement (or block) and goes on, so one run reports every error. */
#include "ast.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct parser {
	lexer_t lx;
	token_t cur, next;
	arena_t *a;
	jn_errlist_t *errs;
	const char *file;
	int depth;
	unsigned nerrs;
	int fatal; /* out of memory, too deep, too many errors: stop */
} parser_t;

static void check_error_count(parser_t *p)
{
	if (!p->fatal && p->nerrs + p->lx.nerrs >= PARSE_MAX_ERRORS) {
		errlist_add(p->errs, p->file, p->cur.line, p->cur.col,
		            "too many errors, giving up");
		p->fatal = 1;
	}
	if (p->fatal)
		p->cur.kind = p->next.kind = T_EOF;
}

static void advance(parser_t *p)
{
	p->cur = p->next;
	if (p->cur.kind != T_EOF)
		lexer_next(&p->lx, &p->next);
	check_error_count(p);
}

JN_PRINTF(4, 5)
static void error_at(parser_t *p, int line, int col, const char *fmt, ...)
{
	if (p->fatal)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	errlist_add(p->errs, p->file, line, col, "%s", buf);
	p->nerrs++;
	check_error_count(p);
}

/* An error about the current token; a token the lexer refused was
 * reported already. */
JN_PRINTF(2, 3)
static void error_tok(parser_t *p, const char *fmt, ...)
{
	if (p->cur.kind == T_ERROR || p->fatal)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	error_at(p, p->cur.line, p->cur.col, "%s", buf);
}

static void unexpected(parser_t *p)
{
	char d[64];
	error_tok(p, "unexpected %s", tok_describe(&p->cur, d, sizeof(d)));
}

static void *node(parser_t *p, size_t size)
{
	void *n = arena_alloc(p->a, size);
	if (!n) {
		if (!p->fatal)
			errlist_add(p->errs, p->file, p->cur.line, p->cur.col, "out of memory");
		p->fatal = 1;
		check_error_count(p);
		return NULL;
	}
	memset(n, 0, size);
	return n;
}

static int enter(parser_t *p)
{
	if (++p->depth > PARSE_MAX_DEPTH) {
		error_tok(p, "nesting too deep (more than %d levels)", PARSE_MAX_DEPTH);
		p->fatal = 1;
		check_error_count(p);
		return -1;
	}
	return 0;
}

static int is_kw(const token_t *t, const char *kw)
{
	return t->kind == T_IDENT && strcmp(t->text, kw) == 0;
}

static int is_reserved(const token_t *t)
{
	static const char *const kw[] = {"if",    "else",   "switch", "case", "default",
	                                 "break", "return", "exit",   "drop", NULL};
	for (int i = 0; kw[i]; i++)
		if (is_kw(t, kw[i]))
			return 1;
	return 0;
}

/* Consumes the expected token or reports "expected X after Y". */
static int expect(parser_t *p, tok_kind_t k, const char *after)
{
	if (p->cur.kind == k) {
		advance(p);
		return 0;
	}
	if (after)
		error_tok(p, "expected %s after %s", tok_name(k), after);
	else
		error_tok(p, "expected %s", tok_name(k));
	return -1;
}

/* ---- expressions ------------------------------------------------------ */

static ast_expr_t *parse_expr(parser_t *p);

static ast_expr_t *new_expr(parser_t *p, expr_kind_t kind, const token_t *at)
{
	ast_expr_t *e = node(p, sizeof(*e));
	if (e) {
		e->kind = kind;
		e->line = at->line;
		e->col = at->col;
		e->depth = 1;
	}
	return e;
}

static ast_expr_t *const_int(parser_t *p, const token_t *at, int64_t v)
{
	ast_expr_t *e = new_expr(p, E_CONST, at);
	if (e) {
		e->val.type = JN_T_INT;
		e->val.i = v;
	}
	return e;
}

/* name(args): positional arguments, then name: value ones. */
static int parse_args(parser_t *p, ast_expr_t *call)
{
	ast_arg_t **tail = &call->args;
	advance(p); /* ( */
	if (p->cur.kind == T_RPAREN) {
		advance(p);
		return 0;
	}
	for (;;) {
		ast_arg_t *a = node(p, sizeof(*a));
		if (!a)
			return -1;
		a->line = p->cur.line;
		a->col = p->cur.col;
		if (p->cur.kind == T_IDENT && p->next.kind == T_COLON) {
			a->name = p->cur.text;
			advance(p);
			advance(p);
		}
		if (!(a->e = parse_expr(p)))
			return -1;
		*tail = a;
		tail = &a->next;
		call->nargs++;
		if (a->e->depth + 1 > call->depth)
			call->depth = a->e->depth + 1;
		if (p->cur.kind == T_COMMA) {
			advance(p);
			continue;
		}
		if (p->cur.kind == T_RPAREN) {
			advance(p);
			return 0;
		}
		error_tok(p, "expected ',' or ')' in the arguments of '%s'", call->name);
		return -1;
	}
}

static ast_expr_t *parse_route_call(parser_t *p)
{
	ast_expr_t *e = new_expr(p, E_ROUTE, &p->cur);
	if (!e)
		return NULL;
	advance(p);
	if (expect(p, T_LPAREN, "'route'") < 0)
		return NULL;
	if (p->cur.kind != T_IDENT || is_reserved(&p->cur)) {
		error_tok(p, "expected a route name after 'route('");
		return NULL;
	}
	e->name = p->cur.text;
	e->line = p->cur.line; /* unknown-route errors point at the name */
	e->col = p->cur.col;
	advance(p);
	if (expect(p, T_RPAREN, "the route name") < 0)
		return NULL;
	return e;
}

static ast_expr_t *parse_primary(parser_t *p)
{
	token_t t = p->cur;
	ast_expr_t *e;
	switch (t.kind) {
	case T_STR:
		if (!(e = new_expr(p, E_CONST, &t)))
			return NULL;
		e->val.type = JN_T_STR;
		e->val.s = t.text;
		e->val.len = t.len;
		advance(p);
		return e;
	case T_INT:
		if (t.big) {
			error_tok(p, "integer constant out of range");
			return NULL;
		}
		advance(p);
		return const_int(p, &t, t.ival);
	case T_VAR:
		if (!(e = new_expr(p, E_LOCAL, &t)))
			return NULL;
		e->name = t.text;
		advance(p);
		return e;
	case T_LPAREN:
		advance(p);
		if (!(e = parse_expr(p)))
			return NULL;
		if (expect(p, T_RPAREN, "expression") < 0)
			return NULL;
		return e;
	case T_IDENT:
		if (is_kw(&t, "true") || is_kw(&t, "false") || is_kw(&t, "null")) {
			if (!(e = new_expr(p, E_CONST, &t)))
				return NULL;
			e->val.type = t.text[0] == 'n' ? JN_T_NULL : JN_T_BOOL;
			e->val.i = t.text[0] == 't';
			advance(p);
			return e;
		}
		if (is_kw(&t, "route"))
			return parse_route_call(p);
		if (is_reserved(&t))
			break;
		if (p->next.kind == T_LPAREN) {
			if (!(e = new_expr(p, E_CALL, &t)))
				return NULL;
			e->name = t.text;
			advance(p);
			return parse_args(p, e) < 0 ? NULL : e;
		}
		if (!(e = new_expr(p, E_NAME, &t)))
			return NULL;
		e->name = t.text;
		advance(p);
		return e;
	default:
		break;
	}
	unexpected(p);
	return NULL;
}

static ast_expr_t *parse_unary(parser_t *p)
{
	token_t t = p->cur;
	ast_expr_t *e = NULL, *sub;
	if (t.kind != T_NOT && t.kind != T_MINUS)
		return parse_primary(p);
	if (enter(p) < 0)
		return NULL;
	advance(p);
	/* -9223372036854775808 is a valid constant although its digits are
	 * not: fold a negated literal here. */
	if (t.kind == T_MINUS && p->cur.kind == T_INT) {
		token_t n = p->cur;
		advance(p);
		e = const_int(p, &t, n.big ? INT64_MIN : -n.ival);
		goto out;
	}
	if (!(sub = parse_unary(p)))
		goto out;
	if ((e = new_expr(p, t.kind == T_NOT ? E_NOT : E_NEG, &t))) {
		e->l = sub;
		e->depth = sub->depth + 1;
	}
out:
	p->depth--;
	return e;
}

static const tok_kind_t level_ops[][5] = {
    {T_OR}, {T_AND}, {T_EQ, T_NE, T_MATCH, T_NMATCH}, {T_LT, T_LE, T_GT, T_GE}, {T_PLUS, T_MINUS},
};
#define NLEVELS (int)(sizeof(level_ops) / sizeof(level_ops[0]))

static int op_at_level(int level, tok_kind_t k)
{
	for (int i = 0; i < 5 && level_ops[level][i]; i++)
		if (level_ops[level][i] == k)
			return 1;
	return 0;
}

static ast_expr_t *parse_binary(parser_t *p, int level)
{
	if (level == NLEVELS)
		return parse_unary(p);
	ast_expr_t *l = parse_binary(p, level + 1);
	while (l && op_at_level(level, p->cur.kind)) {
		token_t op = p->cur;
		advance(p);
		ast_expr_t *r = parse_binary(p, level + 1);
		if (!r)
			return NULL;
		expr_kind_t k = op.kind == T_OR                             ? E_OR
		                : op.kind == T_AND                          ? E_AND
		                : op.kind == T_MATCH || op.kind == T_NMATCH ? E_MATCH
		                                                            : E_BINARY;
		ast_expr_t *e = new_expr(p, k, &op);
		if (!e)
			return NULL;
		e->op = op.kind;
		e->l = l;
		e->r = r;
		e->depth = (l->depth > r->depth ? l->depth : r->depth) + 1;
		/* long left-leaning chains (a + a + a ...) nest without
		 * recursion here, but the compiler walks them recursively */
		if (e->depth > PARSE_MAX_DEPTH) {
			error_at(p, op.line, op.col, "expression too complex (more than %d levels)",
			         PARSE_MAX_DEPTH);
			p->fatal = 1;
			check_error_count(p);
			return NULL;
		}
		l = e;
	}
	return l;
}

static ast_expr_t *parse_expr(parser_t *p)
{
	if (enter(p) < 0)
		return NULL;
	ast_expr_t *e = parse_binary(p, 0);
	p->depth--;
	return e;
}

/* ---- statements ------------------------------------------------------- */

static ast_stmt_t *parse_stmt(parser_t *p);

/* Skips the rest of a broken statement: up to and including ';', or up to
 * the '}' closing the current block, keeping nested blocks balanced. */
static void sync_stmt(parser_t *p)
{
	int depth = 0;
	for (;;) {
		switch (p->cur.kind) {
		case T_EOF:
			return;
		case T_SEMI:
			advance(p);
			if (depth == 0)
				return;
			break;
		case T_LBRACE:
			depth++;
			advance(p);
			break;
		case T_RBRACE:
			if (depth == 0)
				return;
			advance(p);
			if (--depth == 0)
				return;
			break;
		default:
			advance(p);
		}
	}
}

static ast_stmt_t *new_stmt(parser_t *p, stmt_kind_t kind, const token_t *at)
{
	ast_stmt_t *s = node(p, sizeof(*s));
	if (s) {
		s->kind = kind;
		s->line = at->line;
		s->col = at->col;
	}
	return s;
}

/* Statements up to the '}' that closes a block whose '{' was consumed;
 * consumes the '}'. Returns -1 only when the block is not closed. */
static int parse_stmts(parser_t *p, ast_stmt_t **list, const token_t *open)
{
	ast_stmt_t **tail = list;
	while (p->cur.kind != T_RBRACE) {
		if (p->cur.kind == T_EOF) {
			if (!p->fatal)
				error_at(p, open->line, open->col, "unclosed '{'");
			return -1;
		}
		ast_stmt_t *s = parse_stmt(p);
		if (s) {
			*tail = s;
			tail = &s->next;
		} else {
			sync_stmt(p);
		}
	}
	advance(p);
	return 0;
}

static ast_stmt_t *parse_block(parser_t *p)
{
	token_t open = p->cur;
	ast_stmt_t *s = new_stmt(p, S_BLOCK, &open);
	if (!s)
		return NULL;
	advance(p);
	parse_stmts(p, &s->body, &open);
	return s;
}

static ast_stmt_t *parse_if(parser_t *p)
{
	ast_stmt_t *s = new_stmt(p, S_IF, &p->cur);
	if (!s)
		return NULL;
	advance(p);
	if (expect(p, T_LPAREN, "'if'") < 0 || !(s->e = parse_expr(p)) ||
	    expect(p, T_RPAREN, "the condition") < 0 || !(s->body = parse_stmt(p)))
		return NULL;
	if (is_kw(&p->cur, "else")) {
		advance(p);
		if (!(s->els = parse_stmt(p)))
			return NULL;
	}
	return s;
}

static ast_stmt_t *parse_switch(parser_t *p)
{
	ast_stmt_t *s = new_stmt(p, S_SWITCH, &p->cur);
	if (!s)
		return NULL;
	advance(p);
	if (expect(p, T_LPAREN, "'switch'") < 0 || !(s->e = parse_expr(p)) ||
	    expect(p, T_RPAREN, "the switch value") < 0)
		return NULL;
	token_t open = p->cur;
	if (expect(p, T_LBRACE, "'switch (...)'") < 0)
		return NULL;
	ast_case_t **ctail = &s->cases;
	ast_stmt_t **tail = NULL;
	int complained = 0;
	for (;;) {
		if (p->cur.kind == T_RBRACE) {
			advance(p);
			return s;
		}
		if (p->cur.kind == T_EOF) {
			if (!p->fatal)
				error_at(p, open.line, open.col, "unclosed '{'");
			return NULL;
		}
		int is_case = is_kw(&p->cur, "case"), is_def = is_kw(&p->cur, "default");
		if (is_case || is_def) {
			ast_case_t *c = node(p, sizeof(*c));
			if (!c)
				return NULL;
			c->is_default = is_def;
			c->line = p->cur.line;
			c->col = p->cur.col;
			advance(p);
			*ctail = c;
			ctail = &c->next;
			tail = &c->body;
			/* a broken label loses its case but not the switch */
			if ((is_case && !(c->label = parse_expr(p))) ||
			    expect(p, T_COLON, is_case ? "the case label" : "'default'") < 0) {
				c->is_default = 0;
				c->label = NULL;
				sync_stmt(p);
			}
			continue;
		}
		if (!tail) {
			/* once: the statements up to the first case are skipped */
			if (!complained)
				error_tok(p, "expected 'case' or 'default' in switch");
			complained = 1;
			sync_stmt(p);
			continue;
		}
		ast_stmt_t *b = parse_stmt(p);
		if (b) {
			*tail = b;
			tail = &b->next;
		} else {
			sync_stmt(p);
		}
	}
}

/* exit; drop; break; */
static ast_stmt_t *parse_simple(parser_t *p, stmt_kind_t kind)
{
	token_t t = p->cur;
	char after[32];
	ast_stmt_t *s = new_stmt(p, kind, &t);
	if (!s)
		return NULL;
	snprintf(after, sizeof(after), "'%s'", t.text);
	advance(p);
	return expect(p, T_SEMI, after) < 0 ? NULL : s;
}

static ast_stmt_t *parse_return(parser_t *p)
{
	ast_stmt_t *s = new_stmt(p, S_RETURN, &p->cur);
	if (!s)
		return NULL;
	advance(p);
	if (p->cur.kind == T_SEMI) {
		advance(p);
		return s;
	}
	if (!(s->e = parse_expr(p)) || expect(p, T_SEMI, "the return value") < 0)
		return NULL;
	return s;
}

static ast_stmt_t *parse_assign(parser_t *p, stmt_kind_t kind)
{
	ast_stmt_t *s = new_stmt(p, kind, &p->cur);
	if (!s)
		return NULL;
	s->name = p->cur.text;
	advance(p);
	advance(p); /* = */
	if (!(s->e = parse_expr(p)) || expect(p, T_SEMI, "expression") < 0)
		return NULL;
	return s;
}

static ast_stmt_t *parse_stmt_inner(parser_t *p)
{
	token_t t = p->cur;
	ast_stmt_t *s;
	if (t.kind == T_LBRACE)
		return parse_block(p);
	if (t.kind == T_SEMI) {
		advance(p);
		return new_stmt(p, S_BLOCK, &t);
	}
	if (t.kind == T_IDENT) {
		if (is_kw(&t, "if"))
			return parse_if(p);
		if (is_kw(&t, "switch"))
			return parse_switch(p);
		if (is_kw(&t, "return"))
			return parse_return(p);
		if (is_kw(&t, "exit"))
			return parse_simple(p, S_EXIT);
		if (is_kw(&t, "drop"))
			return parse_simple(p, S_DROP);
		if (is_kw(&t, "break"))
			return parse_simple(p, S_BREAK);
		if (is_reserved(&t)) {
			unexpected(p);
			return NULL;
		}
		if (p->next.kind == T_ASSIGN)
			return parse_assign(p, S_SETNAME);
	}
	if (t.kind == T_VAR && p->next.kind == T_ASSIGN)
		return parse_assign(p, S_SETLOCAL);
	if (!(s = new_stmt(p, S_EXPR, &t)) || !(s->e = parse_expr(p)))
		return NULL;
	if (expect(p, T_SEMI, "expression") < 0)
		return NULL;
	return s;
}

static ast_stmt_t *parse_stmt(parser_t *p)
{
	if (enter(p) < 0)
		return NULL;
	ast_stmt_t *s = parse_stmt_inner(p);
	p->depth--;
	return s;
}

/* ---- blocks ----------------------------------------------------------- */

static int is_block_kw(const token_t *t)
{
	return is_kw(t, "request") || is_kw(t, "reply") || is_kw(t, "failure") ||
	       is_kw(t, "branch") || is_kw(t, "route") || is_kw(t, "event");
}

/* After an error in a block header: skip to the next block keyword
 * outside braces. */
static void sync_top(parser_t *p)
{
	int depth = 0;
	while (p->cur.kind != T_EOF) {
		if (p->cur.kind == T_LBRACE)
			depth++;
		else if (p->cur.kind == T_RBRACE && depth > 0)
			depth--;
		advance(p);
		if (depth == 0 && is_block_kw(&p->cur))
			return;
	}
}

static ast_block_t *parse_top(parser_t *p)
{
	token_t kw = p->cur;
	char after[48];
	if (!is_block_kw(&kw)) {
		char d[64];
		error_tok(p,
		          "unexpected %s outside a block (expected request, reply, failure, "
		          "branch, route or event)",
		          tok_describe(&kw, d, sizeof(d)));
		return NULL;
	}
	ast_block_t *b = node(p, sizeof(*b));
	if (!b)
		return NULL;
	b->line = kw.line;
	b->col = kw.col;
	b->name_line = kw.line;
	b->name_col = kw.col;
	switch (kw.text[0]) {
	case 'r':
		b->kind = kw.text[2] == 'q'   ? JN_ROUTE_REQUEST
		          : kw.text[2] == 'p' ? JN_ROUTE_REPLY
		                              : 0;
		break;
	case 'f':
		b->kind = JN_ROUTE_FAILURE;
		break;
	case 'b':
		b->kind = JN_ROUTE_BRANCH;
		break;
	default:
		b->kind = JN_ROUTE_EVENT;
		break;
	}
	snprintf(after, sizeof(after), "'%s'", kw.text);
	advance(p);
	int named =
	    b->kind != JN_ROUTE_REQUEST && !(b->kind == JN_ROUTE_REPLY && p->cur.kind == T_LBRACE);
	if (named) {
		if (p->cur.kind != T_IDENT || is_reserved(&p->cur)) {
			if (b->kind == JN_ROUTE_EVENT)
				error_tok(p, "expected 'module:event' after 'event'");
			else
				error_tok(p, "expected a name after %s", after);
			return NULL;
		}
		b->name = p->cur.text;
		b->name_line = p->cur.line;
		b->name_col = p->cur.col;
		advance(p);
		if (b->kind == JN_ROUTE_EVENT) {
			if (p->cur.kind != T_COLON || p->next.kind != T_IDENT) {
				error_at(p, b->name_line, b->name_col,
				         "expected 'module:event' after 'event'");
				return NULL;
			}
			advance(p);
			size_t n = strlen(b->name) + 1 + p->cur.len;
			char *full = arena_alloc(p->a, n + 1);
			if (!full)
				return NULL;
			snprintf(full, n + 1, "%s:%s", b->name, p->cur.text);
			b->name = full;
			advance(p);
		}
		snprintf(after, sizeof(after), "'%.40s'", b->name);
	}
	token_t open = p->cur;
	if (expect(p, T_LBRACE, after) < 0)
		return NULL;
	parse_stmts(p, &b->body, &open);
	return b;
}

ast_program_t *parse_program(const char *file, const char *src, size_t len, arena_t *arena,
                             jn_errlist_t *errs)
{
	parser_t p;
	memset(&p, 0, sizeof(p));
	p.a = arena;
	p.errs = errs;
	p.file = file;
	ast_program_t *prog = arena_alloc(arena, sizeof(*prog));
	if (!prog) {
		errlist_add(errs, file, 0, 0, "out of memory");
		return NULL;
	}
	memset(prog, 0, sizeof(*prog));
	lexer_init(&p.lx, file, src, len, arena, errs);
	lexer_next(&p.lx, &p.next);
	advance(&p);
	ast_block_t **tail = &prog->blocks;
	while (p.cur.kind != T_EOF) {
		ast_block_t *b = parse_top(&p);
		if (b) {
			*tail = b;
			tail = &b->next;
			prog->nblocks++;
		} else {
			sync_top(&p);
		}
	}
	return prog;
}
