/* compile_call.c - a function call: positional and named arguments are
 * matched to the declared parameters, constants are checked against the
 * parameter types and handed to the function's prepare() once, here. */
#include "compile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

struct jn_prepare {
	unsigned index;
	jn_value_t value;
	void *data;
	void (*free_fn)(void *data);
	compiler_t *c;
	int line, col;
	int reported;
};

JN_API int jn_prepare_has_route(const jn_prepare_t *p, jn_route_kind_t kind, const char *name)
{
	return prog_find_block(p->c->s, kind, name) >= 0;
}

JN_API unsigned jn_prepare_index(const jn_prepare_t *p)
{
	return p->index;
}

JN_API const jn_value_t *jn_prepare_value(const jn_prepare_t *p)
{
	return &p->value;
}

JN_API void jn_prepare_set(jn_prepare_t *p, void *data, void (*free_fn)(void *data))
{
	/* a second call replaces the first: free what it gave */
	if (p->free_fn && p->data != data)
		p->free_fn(p->data);
	p->data = data;
	p->free_fn = free_fn;
}

JN_API int jn_prepare_error(jn_prepare_t *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	comp_error(p->c, p->line, p->col, "%s", buf);
	p->reported = 1;
	return -1;
}

static void prepare_arg(compiler_t *c, const reg_func_t *f, cslot_t *slot, unsigned i,
                        const jn_value_t *v, const ast_arg_t *a)
{
	jn_prepare_t p = {.index = i, .value = *v, .c = c, .line = a->e->line, .col = a->e->col};
	int rc = f->def.prepare(&p);
	/* the script owns the data from now on, error or not */
	slot->prep = p.data;
	slot->prep_free = p.free_fn;
	if (rc && !p.reported)
		comp_error(c, a->line, a->col, "invalid value for argument '%s' of '%s'",
		           slot->name, f->fullname);
}

/* Matches written arguments to parameters; fills cs->map. 0 or -1. */
static int match_args(compiler_t *c, const reg_func_t *f, ast_expr_t *e, callsite_t *cs)
{
	int given[SCRIPT_MAX_PARAMS] = {0}, rc = 0, named = 0;
	unsigned pos = 0, i = 0;
	for (ast_arg_t *a = e->args; a; a = a->next, i++) {
		unsigned slot;
		if (a->name) {
			named = 1;
			for (slot = 0; slot < f->nargs; slot++)
				if (strcmp(f->args[slot].name, a->name) == 0)
					break;
			if (slot == f->nargs) {
				comp_error(c, a->line, a->col, "'%s' has no parameter '%s'",
				           f->fullname, a->name);
				rc = -1;
				continue;
			}
		} else if (named) {
			comp_error(c, a->line, a->col,
			           "positional argument after a named one in call to '%s'",
			           f->fullname);
			rc = -1;
			continue;
		} else if (pos >= f->nargs) {
			comp_error(c, a->line, a->col, "too many arguments to '%s' (at most %u)",
			           f->fullname, f->nargs);
			return -1;
		} else {
			slot = pos++;
		}
		if (given[slot]) {
			comp_error(c, a->line, a->col, "argument '%s' of '%s' given twice",
			           f->args[slot].name, f->fullname);
			rc = -1;
			continue;
		}
		given[slot] = 1;
		cs->map[i] = (uint8_t)slot;
	}
	for (unsigned s = 0; s < f->nargs; s++)
		if (!given[s] && !(f->args[s].flags & JN_ARG_OPTIONAL) && rc == 0) {
			comp_error(c, e->line, e->col, "missing argument '%s' to '%s'",
			           f->args[s].name, f->fullname);
			rc = -1;
		}
	return rc;
}

/* Compiles one argument; a constant is converted to the parameter's type
 * now and prepared. */
static void comp_arg(compiler_t *c, const reg_func_t *f, cslot_t *slot, unsigned i, ast_arg_t *a)
{
	jn_value_t v;
	uint32_t k;
	char tn[64];
	if (a->e->kind != E_CONST) {
		if (slot->flags & JN_ARG_CONST)
			comp_error(c, a->e->line, a->e->col,
			           "argument '%s' of '%s' must be a constant", slot->name,
			           f->fullname);
		comp_expr(c, a->e);
		return;
	}
	if (value_convert(&a->e->val, slot->types, slot->flags & JN_ARG_OPTIONAL, &c->s->pool, &v) <
	    0) {
		comp_error(c, a->e->line, a->e->col, "argument '%s' of '%s' must be %s, not %s",
		           slot->name, f->fullname, value_types_name(slot->types, tn, sizeof(tn)),
		           value_type_name(a->e->val.type));
		v = a->e->val;
	} else if (f->def.prepare && v.type != JN_T_NULL) {
		prepare_arg(c, f, slot, i, &v, a);
	}
	if (comp_const(c, &v, &k) == 0)
		comp_emit(c, OP_CONST, k, a->e->line, a->e->col);
}

void comp_call(compiler_t *c, ast_expr_t *e)
{
	jn_script_t *s = c->s;
	const reg_func_t *f = registry_func(e->name);
	callsite_t *cs;
	if (!f) {
		comp_error(c, e->line, e->col, "unknown function '%s'", e->name);
		goto check_args;
	}
	comp_check_routes(c, e->name, f->def.routes, e->line, e->col);
	if (f->nargs > SCRIPT_MAX_PARAMS) {
		comp_error(c, e->line, e->col, "'%s' has more than %d parameters", e->name,
		           SCRIPT_MAX_PARAMS);
		goto check_args;
	}
	if (comp_grow(c, (void **)&s->calls, &s->capcalls, s->ncalls + 1, sizeof(callsite_t)) < 0)
		return;
	cs = &s->calls[s->ncalls];
	cs->name = arena_strndup(&s->pool, e->name, strlen(e->name));
	cs->map = arena_alloc(&s->pool, e->nargs + 1);
	cs->slots = arena_alloc(&s->pool, (f->nargs + 1) * sizeof(cslot_t));
	if (!cs->name || !cs->map || !cs->slots) {
		comp_error(c, e->line, e->col, "out of memory");
		return;
	}
	memset(cs->slots, 0, (f->nargs + 1) * sizeof(cslot_t));
	cs->fn = f->def.fn;
	cs->data = f->def.data;
	cs->mod = f->mod;
	cs->nslots = f->nargs;
	cs->nsrc = e->nargs;
	cs->line = e->line;
	cs->col = e->col;
	for (unsigned i = 0; i < f->nargs; i++) {
		/* copied: the registry may change while the script lives */
		const char *pn = f->args[i].name;
		if (!(cs->slots[i].name = arena_strndup(&s->pool, pn, strlen(pn)))) {
			comp_error(c, e->line, e->col, "out of memory");
			return;
		}
		cs->slots[i].types = f->args[i].types;
		cs->slots[i].flags = f->args[i].flags;
	}
	/* from here on prog_free() sees the slots (and their prepared data) */
	size_t idx = s->ncalls++;
	if (match_args(c, f, e, cs) < 0)
		goto check_args;
	unsigned i = 0;
	for (ast_arg_t *a = e->args; a; a = a->next, i++) {
		cs = &s->calls[idx]; /* comp_expr may move the table */
		unsigned slot = cs->map[i];
		comp_arg(c, f, &cs->slots[slot], slot, a);
	}
	comp_emit(c, OP_CALL, (uint32_t)idx, e->line, e->col);
	return;
check_args:
	/* still look for errors inside the arguments */
	for (ast_arg_t *a = e->args; a; a = a->next)
		comp_expr(c, a->e);
}
