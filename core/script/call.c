/* call.c - what a function (or a variable accessor) sees of the call:
 * the jn_call_* accessors of the SDK. */
#include "vm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "value.h"

static const jn_value_t absent = {.type = JN_T_NULL};

JN_API jn_msg_t *jn_call_msg(jn_call_t *c)
{
	return c->x->msg;
}

JN_API jn_route_kind_t jn_call_route(const jn_call_t *c)
{
	return c->x->kind;
}

JN_API void *jn_call_data(const jn_call_t *c)
{
	return c->data;
}

JN_API jn_module_t *jn_call_module(const jn_call_t *c)
{
	return c->mod;
}

JN_API const jn_value_t *jn_call_arg(const jn_call_t *c, unsigned i)
{
	if (!c->cs || i >= c->cs->nslots)
		return &absent;
	return &c->args[i];
}

JN_API int jn_call_has_arg(const jn_call_t *c, unsigned i)
{
	return jn_call_arg(c, i)->type != JN_T_NULL;
}

JN_API const char *jn_call_arg_str(const jn_call_t *c, unsigned i, const char *def)
{
	const jn_value_t *v = jn_call_arg(c, i);
	char buf[VALUE_BUF];
	size_t len;
	if (v->type == JN_T_NULL)
		return def;
	if (v->type == JN_T_STR)
		return v->s;
	const char *s = value_text(v, buf, &len);
	char *r = arena_strndup(&c->x->arena, s, len);
	return r ? r : def;
}

JN_API int64_t jn_call_arg_int(const jn_call_t *c, unsigned i, int64_t def)
{
	const jn_value_t *v = jn_call_arg(c, i);
	int64_t n;
	if (v->type == JN_T_INT || v->type == JN_T_BOOL)
		return v->i;
	if (v->type == JN_T_STR && value_parse_int(v->s, v->len, &n) == 0)
		return n;
	return def;
}

JN_API void *jn_call_prepared(const jn_call_t *c, unsigned i)
{
	if (!c->cs || i >= c->cs->nslots)
		return NULL;
	return c->cs->slots[i].prep;
}

JN_API void jn_call_return_int(jn_call_t *c, int64_t v)
{
	c->ret.type = JN_T_INT;
	c->ret.i = v;
	c->has_ret = 1;
}

JN_API void jn_call_return_bool(jn_call_t *c, int v)
{
	c->ret.type = JN_T_BOOL;
	c->ret.i = v != 0;
	c->has_ret = 1;
}

JN_API void jn_call_return_null(jn_call_t *c)
{
	c->ret.type = JN_T_NULL;
	c->has_ret = 1;
}

JN_API void jn_call_return_str(jn_call_t *c, const char *s, size_t len)
{
	char *r = arena_strndup(&c->x->arena, s ? s : "", s ? len : 0);
	if (!r) {
		/* out of memory or over the execution's limit: null */
		c->ret.type = JN_T_NULL;
	} else {
		c->ret.type = JN_T_STR;
		c->ret.s = r;
		c->ret.len = s ? len : 0;
	}
	c->has_ret = 1;
}

JN_API void *jn_call_alloc(jn_call_t *c, size_t size)
{
	return arena_alloc(&c->x->arena, size);
}

JN_API char *jn_call_strdup(jn_call_t *c, const char *s, size_t len)
{
	return arena_strndup(&c->x->arena, s, len);
}

JN_API jn_result_t jn_call_error(jn_call_t *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vm_error(c->x, c->line, c->col, "%s: %s", c->name, buf);
	c->errored = 1;
	return JN_ERROR;
}
