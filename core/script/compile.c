/* compile.c - resolves names, checks the program and writes bytecode for
 * each block. Errors are collected (never just the first) and the bytecode
 * of a program with errors is thrown away by the caller. */
#include "compile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

void comp_error(compiler_t *c, int line, int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	errlist_add(c->errs, c->file, line, col, "%s", buf);
}

static void comp_oom(compiler_t *c)
{
	if (!c->oom)
		errlist_add(c->errs, c->file, 0, 0, "out of memory");
	c->oom = 1;
}

/* Makes room for n elements in a malloc'd array. */
int comp_grow(compiler_t *c, void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < n)
		ncap *= 2;
	void *a = realloc(*arr, ncap * elem);
	if (!a) {
		comp_oom(c);
		return -1;
	}
	memset((char *)a + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = a;
	*cap = ncap;
	return 0;
}

/* Tracks how deep the value stack goes, so that the VM can size it once
 * per block. */
static void stack_effect(compiler_t *c, int delta)
{
	c->depth = (uint32_t)((int)c->depth + delta);
	if (c->depth > c->maxdepth)
		c->maxdepth = c->depth;
}

uint32_t comp_emit(compiler_t *c, opcode_t op, uint32_t arg, int line, int col)
{
	jn_script_t *s = c->s;
	if (comp_grow(c, (void **)&s->code, &s->capcode, s->ncode + 1, sizeof(insn_t)) < 0)
		return 0;
	insn_t *i = &s->code[s->ncode];
	i->op = (uint8_t)op;
	i->arg = arg;
	i->line = line;
	i->col = col;
	switch (op) {
	case OP_CONST:
	case OP_LOAD:
	case OP_GET:
	case OP_DUP:
	case OP_ROUTE:
		stack_effect(c, 1);
		break;
	case OP_STORE:
	case OP_SET:
	case OP_RETV:
	case OP_POP:
	case OP_JZ:
	case OP_JNZ:
	case OP_ADD:
	case OP_SUB:
	case OP_EQ:
	case OP_NE:
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		stack_effect(c, -1);
		break;
	case OP_CALL:
		stack_effect(c, 1 - (int)s->calls[arg].nsrc);
		break;
	default:
		break;
	}
	return (uint32_t)s->ncode++;
}

static void patch(compiler_t *c, uint32_t at)
{
	if (at < c->s->ncode)
		c->s->code[at].arg = (uint32_t)c->s->ncode;
}

int comp_const(compiler_t *c, const jn_value_t *v, uint32_t *idx)
{
	jn_script_t *s = c->s;
	if (comp_grow(c, (void **)&s->consts, &s->capconsts, s->nconsts + 1, sizeof(jn_value_t)) <
	    0)
		return -1;
	jn_value_t k = *v;
	if (k.type == JN_T_STR && !(k.s = arena_strndup(&s->pool, v->s, v->len))) {
		comp_oom(c);
		return -1;
	}
	s->consts[s->nconsts] = k;
	*idx = (uint32_t)s->nconsts++;
	return 0;
}

static const char *kind_name(unsigned kind)
{
	switch (kind) {
	case JN_ROUTE_REQUEST:
		return "request";
	case JN_ROUTE_REPLY:
		return "reply";
	case JN_ROUTE_FAILURE:
		return "failure";
	case JN_ROUTE_BRANCH:
		return "branch";
	case JN_ROUTE_EVENT:
		return "event";
	default:
		return "route";
	}
}

static unsigned lowest_bit(unsigned m)
{
	return m & (0u - m);
}

void comp_check_routes(compiler_t *c, const char *name, unsigned routes, int line, int col)
{
	block_info_t *b = &c->info[c->cur];
	unsigned kind = c->s->blocks[c->cur].kind;
	if (routes == 0)
		routes = JN_ROUTE_ANY;
	if (kind) {
		if (!(kind & routes))
			comp_error(c, line, col, "'%s' cannot be used in a %s block", name,
			           kind_name(kind));
		return;
	}
	if (comp_grow(c, (void **)&b->uses, &b->capuses, b->nuses + 1, sizeof(route_use_t)) < 0)
		return;
	b->uses[b->nuses++] = (route_use_t){name, routes, line, col};
}

static int local_slot(compiler_t *c, const char *name, uint32_t *slot)
{
	jn_script_t *s = c->s;
	for (unsigned i = 0; i < s->nlocals; i++)
		if (strcmp(c->locals[i], name) == 0) {
			*slot = i;
			return 0;
		}
	if (comp_grow(c, (void **)&c->locals, &c->caplocals, s->nlocals + 1, sizeof(char *)) < 0)
		return -1;
	c->locals[s->nlocals] = name;
	*slot = s->nlocals++;
	return 0;
}

static int find_var(compiler_t *c, const char *name, int line, int col, uint32_t *idx)
{
	const reg_var_t *v = registry_var(name);
	jn_script_t *s = c->s;
	if (!v) {
		comp_error(c, line, col, "unknown variable '%s'", name);
		return -1;
	}
	comp_check_routes(c, name, v->def.routes, line, col);
	for (size_t i = 0; i < s->nvars; i++)
		if (s->vars[i].get == v->def.get && s->vars[i].data == v->def.data &&
		    strcmp(s->vars[i].name, name) == 0) {
			*idx = (uint32_t)i;
			return 0;
		}
	if (comp_grow(c, (void **)&s->vars, &s->capvars, s->nvars + 1, sizeof(varsite_t)) < 0)
		return -1;
	varsite_t *vs = &s->vars[s->nvars];
	if (!(vs->name = arena_strndup(&s->pool, name, strlen(name)))) {
		comp_oom(c);
		return -1;
	}
	vs->get = v->def.get;
	vs->set = v->def.set;
	vs->data = v->def.data;
	vs->mod = v->mod;
	*idx = (uint32_t)s->nvars++;
	return 0;
}

static void comp_match(compiler_t *c, ast_expr_t *e)
{
	jn_script_t *s = c->s;
	ast_expr_t *r = e->r;
	comp_expr(c, e->l);
	if (r->kind != E_CONST || r->val.type != JN_T_STR) {
		comp_error(c, r->line, r->col, "the right side of '%s' must be a string constant",
		           e->op == T_MATCH ? "=~" : "!~");
		return;
	}
	if (comp_grow(c, (void **)&s->rx, &s->caprx, s->nrx + 1, sizeof(regex_t)) < 0)
		return;
	int rc = regcomp(&s->rx[s->nrx], r->val.s, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char msg[256];
		regerror(rc, &s->rx[s->nrx], msg, sizeof(msg));
		comp_error(c, r->line, r->col, "invalid regular expression: %s", msg);
		return;
	}
	comp_emit(c, e->op == T_MATCH ? OP_MATCH : OP_NMATCH, (uint32_t)s->nrx++, e->line, e->col);
}

static int find_sub(const jn_script_t *s, const char *name)
{
	for (size_t i = 0; i < s->nblocks; i++)
		if (s->blocks[i].kind == 0 && strcmp(s->blocks[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void comp_route_call(compiler_t *c, ast_expr_t *e)
{
	int sub = find_sub(c->s, e->name);
	block_info_t *b = &c->info[c->cur];
	if (sub < 0) {
		comp_error(c, e->line, e->col, "unknown route '%s'", e->name);
		return;
	}
	if (comp_grow(c, (void **)&b->callees, &b->capcallees, b->ncallees + 1, sizeof(int)) < 0)
		return;
	b->callees[b->ncallees++] = sub;
	comp_emit(c, OP_ROUTE, (uint32_t)sub, e->line, e->col);
}

/* a && b, a || b: the value is a bool, b is evaluated only when needed. */
static void comp_logic(compiler_t *c, ast_expr_t *e)
{
	int and = e->kind == E_AND;
	uint32_t k, skip, end;
	comp_expr(c, e->l);
	skip = comp_emit(c, and? OP_JZ : OP_JNZ, 0, e->line, e->col);
	comp_expr(c, e->r);
	comp_emit(c, OP_BOOL, 0, e->line, e->col);
	end = comp_emit(c, OP_JMP, 0, e->line, e->col);
	patch(c, skip);
	jn_value_t v = {.type = JN_T_BOOL, .i = !and};
	if (comp_const(c, &v, &k) == 0)
		comp_emit(c, OP_CONST, k, e->line, e->col);
	/* both paths leave one value: undo the second push in the count */
	stack_effect(c, -1);
	patch(c, end);
}

void comp_expr(compiler_t *c, ast_expr_t *e)
{
	uint32_t idx;
	static const opcode_t binops[] = {
	    [T_EQ] = OP_EQ, [T_NE] = OP_NE, [T_LT] = OP_LT,    [T_LE] = OP_LE,
	    [T_GT] = OP_GT, [T_GE] = OP_GE, [T_PLUS] = OP_ADD, [T_MINUS] = OP_SUB,
	};
	switch (e->kind) {
	case E_CONST:
		if (comp_const(c, &e->val, &idx) == 0)
			comp_emit(c, OP_CONST, idx, e->line, e->col);
		break;
	case E_LOCAL:
		if (local_slot(c, e->name, &idx) == 0)
			comp_emit(c, OP_LOAD, idx, e->line, e->col);
		break;
	case E_NAME:
		if (find_var(c, e->name, e->line, e->col, &idx) == 0)
			comp_emit(c, OP_GET, idx, e->line, e->col);
		break;
	case E_CALL:
		comp_call(c, e);
		break;
	case E_ROUTE:
		comp_route_call(c, e);
		break;
	case E_NOT:
	case E_NEG:
		comp_expr(c, e->l);
		comp_emit(c, e->kind == E_NOT ? OP_NOT : OP_NEG, 0, e->line, e->col);
		break;
	case E_AND:
	case E_OR:
		comp_logic(c, e);
		break;
	case E_BINARY:
		comp_expr(c, e->l);
		comp_expr(c, e->r);
		comp_emit(c, binops[e->op], 0, e->line, e->col);
		break;
	case E_MATCH:
		comp_match(c, e);
		break;
	}
}

/* ---- statements ------------------------------------------------------- */

static void comp_stmt(compiler_t *c, ast_stmt_t *st);

static void comp_list(compiler_t *c, ast_stmt_t *st)
{
	for (; st; st = st->next)
		comp_stmt(c, st);
}

static int valid_label(const ast_expr_t *e)
{
	return e->kind == E_CONST && e->val.type != JN_T_NULL;
}

static void comp_switch(compiler_t *c, ast_stmt_t *st)
{
	size_t breaks0 = c->nbreaks;
	ast_case_t *def = NULL;
	int was_in = c->in_switch;
	uint32_t k;
	comp_expr(c, st->e);
	for (ast_case_t *cs = st->cases; cs; cs = cs->next) {
		if (cs->is_default) {
			if (def)
				comp_error(c, cs->line, cs->col,
				           "duplicate 'default' (first at line %d)", def->line);
			else
				def = cs;
			continue;
		}
		if (!cs->label)
			continue; /* a syntax error was reported */
		if (!valid_label(cs->label)) {
			comp_error(c, cs->label->line, cs->label->col,
			           "case label must be an integer, string or boolean constant");
			continue;
		}
		ast_case_t *dup = NULL;
		for (ast_case_t *o = st->cases; o != cs && !dup; o = o->next)
			if (o->label && valid_label(o->label) &&
			    o->label->val.type == cs->label->val.type &&
			    value_equal(&o->label->val, &cs->label->val))
				dup = o;
		if (dup) {
			comp_error(c, cs->label->line, cs->label->col,
			           "duplicate case label (first at line %d)", dup->line);
			continue;
		}
		if (comp_const(c, &cs->label->val, &k) < 0)
			return;
		comp_emit(c, OP_DUP, 0, cs->line, cs->col);
		comp_emit(c, OP_CONST, k, cs->line, cs->col);
		comp_emit(c, OP_EQ, 0, cs->line, cs->col);
		uint32_t next = comp_emit(c, OP_JZ, 0, cs->line, cs->col);
		comp_emit(c, OP_POP, 0, cs->line, cs->col);
		c->in_switch = 1;
		comp_list(c, cs->body);
		c->in_switch = was_in;
		/* the end is not known yet: a break jump */
		if (comp_grow(c, (void **)&c->breaks, &c->capbreaks, c->nbreaks + 1,
		              sizeof(uint32_t)) < 0)
			return;
		c->breaks[c->nbreaks++] = comp_emit(c, OP_JMP, 0, cs->line, cs->col);
		/* the body ran with the switch value popped; the next test
		 * starts with it still on the stack */
		stack_effect(c, 1);
		patch(c, next);
	}
	comp_emit(c, OP_POP, 0, st->line, st->col);
	if (def) {
		c->in_switch = 1;
		comp_list(c, def->body);
		c->in_switch = was_in;
	}
	for (size_t i = breaks0; i < c->nbreaks; i++)
		patch(c, c->breaks[i]);
	c->nbreaks = breaks0;
}

static void comp_if(compiler_t *c, ast_stmt_t *st)
{
	comp_expr(c, st->e);
	uint32_t skip = comp_emit(c, OP_JZ, 0, st->line, st->col);
	comp_stmt(c, st->body);
	if (st->els) {
		uint32_t end = comp_emit(c, OP_JMP, 0, st->line, st->col);
		patch(c, skip);
		comp_stmt(c, st->els);
		patch(c, end);
	} else {
		patch(c, skip);
	}
}

static void comp_setname(compiler_t *c, ast_stmt_t *st)
{
	uint32_t idx;
	comp_expr(c, st->e);
	if (find_var(c, st->name, st->line, st->col, &idx) < 0)
		return;
	if (!c->s->vars[idx].set) {
		comp_error(c, st->line, st->col, "'%s' is read-only", st->name);
		return;
	}
	comp_emit(c, OP_SET, idx, st->line, st->col);
}

static void comp_stmt(compiler_t *c, ast_stmt_t *st)
{
	uint32_t idx;
	switch (st->kind) {
	case S_BLOCK:
		comp_list(c, st->body);
		break;
	case S_IF:
		comp_if(c, st);
		break;
	case S_SWITCH:
		comp_switch(c, st);
		break;
	case S_RETURN:
		if (st->e) {
			comp_expr(c, st->e);
			comp_emit(c, OP_RETV, 0, st->line, st->col);
		} else {
			comp_emit(c, OP_RET, 0, st->line, st->col);
		}
		break;
	case S_EXIT:
		comp_emit(c, OP_EXIT, 0, st->line, st->col);
		break;
	case S_DROP:
		comp_emit(c, OP_DROP, 0, st->line, st->col);
		break;
	case S_BREAK:
		if (!c->in_switch) {
			comp_error(c, st->line, st->col, "'break' outside a switch");
			break;
		}
		if (comp_grow(c, (void **)&c->breaks, &c->capbreaks, c->nbreaks + 1,
		              sizeof(uint32_t)) == 0)
			c->breaks[c->nbreaks++] = comp_emit(c, OP_JMP, 0, st->line, st->col);
		break;
	case S_SETLOCAL:
		comp_expr(c, st->e);
		if (local_slot(c, st->name, &idx) == 0)
			comp_emit(c, OP_STORE, idx, st->line, st->col);
		break;
	case S_SETNAME:
		comp_setname(c, st);
		break;
	case S_EXPR:
		comp_expr(c, st->e);
		comp_emit(c, OP_POP, 0, st->line, st->col);
		break;
	}
}

/* ---- blocks ----------------------------------------------------------- */

static const char *block_title(const ast_block_t *b, char *buf, size_t size)
{
	const char *kw = b->kind == 0 ? "route" : kind_name(b->kind);
	if (b->name)
		snprintf(buf, size, "%s %s", kw, b->name);
	else
		snprintf(buf, size, "%s", kw);
	return buf;
}

int prog_find_block(const jn_script_t *s, jn_route_kind_t kind, const char *name)
{
	for (size_t i = 0; i < s->nblocks; i++) {
		const sblock_t *b = &s->blocks[i];
		if (b->kind != kind)
			continue;
		if (!name ? !b->name : b->name && strcmp(b->name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* Lists the blocks, refusing duplicates and undeclared events, so that
 * route(NAME) can refer to a subroutine defined further down. */
static int declare_blocks(compiler_t *c, ast_program_t *ast)
{
	jn_script_t *s = c->s;
	if (!(s->blocks = calloc(ast->nblocks + 1, sizeof(sblock_t))) ||
	    !(c->info = calloc(ast->nblocks + 1, sizeof(block_info_t)))) {
		comp_oom(c);
		return -1;
	}
	for (ast_block_t *b = ast->blocks; b; b = b->next) {
		char t1[128];
		int prev = prog_find_block(s, b->kind, b->name);
		if (prev >= 0) {
			ast_block_t *p = c->info[prev].ast;
			comp_error(c, b->line, b->col, "duplicate block '%s' (first at line %d)",
			           block_title(b, t1, sizeof(t1)), p->line);
			continue;
		}
		if (b->kind == JN_ROUTE_EVENT && !registry_event(b->name))
			comp_error(c, b->name_line, b->name_col, "unknown event '%s'", b->name);
		sblock_t *sb = &s->blocks[s->nblocks];
		sb->kind = b->kind;
		if (b->name && !(sb->name = arena_strndup(&s->pool, b->name, strlen(b->name)))) {
			comp_oom(c);
			return -1;
		}
		c->info[s->nblocks].ast = b;
		s->nblocks++;
	}
	return 0;
}

/* Subroutines run in every kind of block that calls them, directly or
 * through other subroutines: propagate the kinds along calls, then check
 * what each subroutine uses. */
static void check_sub_routes(compiler_t *c)
{
	jn_script_t *s = c->s;
	int changed = 1;
	for (size_t i = 0; i < s->nblocks; i++)
		c->info[i].reach = s->blocks[i].kind;
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < s->nblocks; i++)
			for (size_t j = 0; j < c->info[i].ncallees; j++) {
				block_info_t *callee = &c->info[c->info[i].callees[j]];
				unsigned r = callee->reach | c->info[i].reach;
				if (r != callee->reach) {
					callee->reach = r;
					changed = 1;
				}
			}
	}
	for (size_t i = 0; i < s->nblocks; i++) {
		block_info_t *b = &c->info[i];
		for (size_t j = 0; j < b->nuses; j++) {
			unsigned bad = b->reach & ~b->uses[j].routes;
			if (bad)
				comp_error(c, b->uses[j].line, b->uses[j].col,
				           "'%s' cannot be used in a %s block (route '%s' is "
				           "called from one)",
				           b->uses[j].name, kind_name(lowest_bit(bad)),
				           s->blocks[i].name);
		}
	}
}

int compile_program(jn_script_t *s, ast_program_t *ast, jn_errlist_t *errs)
{
	compiler_t c;
	size_t errs0 = errs->n;
	int rc = -1;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.file = s->path;
	c.errs = errs;
	s->request_block = -1;
	if (declare_blocks(&c, ast) < 0)
		goto out;
	for (size_t i = 0; i < s->nblocks && !c.oom; i++) {
		c.cur = (int)i;
		c.depth = c.maxdepth = 0;
		c.in_switch = 0;
		s->blocks[i].entry = (uint32_t)s->ncode;
		comp_list(&c, c.info[i].ast->body);
		comp_emit(&c, OP_RET, 0, c.info[i].ast->line, c.info[i].ast->col);
		s->blocks[i].maxstack = c.maxdepth + 1;
		if (s->blocks[i].maxstack > s->maxstack)
			s->maxstack = s->blocks[i].maxstack;
	}
	check_sub_routes(&c);
	s->request_block = prog_find_block(s, JN_ROUTE_REQUEST, NULL);
	rc = errs->n > errs0 || c.oom ? -1 : 0;
out:
	for (size_t i = 0; c.info && i < s->nblocks; i++) {
		free(c.info[i].uses);
		free(c.info[i].callees);
	}
	free(c.info);
	free(c.breaks);
	free(c.locals);
	return rc;
}

void prog_free(jn_script_t *s)
{
	for (size_t i = 0; i < s->ncalls; i++) {
		callsite_t *cs = &s->calls[i];
		for (unsigned j = 0; cs->slots && j < cs->nslots; j++)
			if (cs->slots[j].prep_free)
				cs->slots[j].prep_free(cs->slots[j].prep);
	}
	for (size_t i = 0; i < s->nrx; i++)
		regfree(&s->rx[i]);
	free(s->code);
	free(s->consts);
	free(s->calls);
	free(s->vars);
	free(s->rx);
	free(s->blocks);
	arena_reset(&s->pool);
}
