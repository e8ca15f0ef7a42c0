/* vm.c - the bytecode interpreter. All state lives in the exec_t so that a
 * function may suspend the execution in the middle of any expression:
 * vm_run() simply returns and is called again on resume. */
#include "vm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

static const jn_value_t null_value = {.type = JN_T_NULL};

void vm_error(const exec_t *x, int line, int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	jn_log(NULL, JN_LOG_ERR, "%s:%d:%d: %s", x->s->path, line, col, buf);
}

int vm_reserve(exec_t *x, uint32_t n)
{
	if (x->sp + n <= x->cap)
		return 0;
	uint32_t cap = x->cap * 2;
	while (cap < x->sp + n)
		cap *= 2;
	jn_value_t *st = malloc(cap * sizeof(*st));
	if (!st)
		return -1;
	memcpy(st, x->stack, x->sp * sizeof(*st));
	if (x->stack != x->stack_inline)
		free(x->stack);
	x->stack = st;
	x->cap = cap;
	return 0;
}

static jn_value_t bool_value(int b)
{
	jn_value_t v = {.type = JN_T_BOOL, .i = b != 0};
	return v;
}

int vm_push_result(exec_t *x, jn_result_t r)
{
	jn_call_t *c = &x->call;
	jn_value_t v;
	if (r == JN_STOP)
		return -1;
	if (r == JN_ERROR) {
		if (!c->errored)
			vm_error(x, c->line, c->col, "'%s' failed", c->name);
		v = bool_value(0);
	} else if (c->has_ret) {
		v = c->ret;
	} else {
		v = bool_value(r == JN_TRUE);
	}
	x->stack[x->sp++] = v;
	return 0;
}

static void call_init(exec_t *x, const insn_t *in)
{
	jn_call_t *c = &x->call;
	c->x = x;
	c->ret = null_value;
	c->has_ret = 0;
	c->errored = 0;
	c->suspended = 0;
	c->line = in->line;
	c->col = in->col;
}

typedef enum { CALL_OK, CALL_STOP, CALL_SUSPEND, CALL_FAIL } call_rc_t;

static call_rc_t do_call(exec_t *x, const insn_t *in)
{
	const callsite_t *cs = &x->s->calls[in->arg];
	jn_call_t *c = &x->call;
	jn_value_t *src = &x->stack[x->sp - cs->nsrc];
	call_init(x, in);
	c->cs = cs;
	c->data = cs->data;
	c->mod = cs->mod;
	c->name = cs->name;
	c->args = x->argbuf;
	for (unsigned i = 0; i < cs->nslots; i++)
		x->argbuf[i] = null_value;
	for (unsigned i = 0; i < cs->nsrc; i++) {
		const cslot_t *sl = &cs->slots[cs->map[i]];
		if (value_convert(&src[i], sl->types, sl->flags & JN_ARG_OPTIONAL, &x->arena,
		                  &x->argbuf[cs->map[i]]) < 0) {
			char tn[64];
			vm_error(x, in->line, in->col, "argument '%s' of '%s' must be %s, not %s",
			         sl->name, cs->name, value_types_name(sl->types, tn, sizeof(tn)),
			         value_type_name(src[i].type));
			x->sp -= cs->nsrc;
			x->stack[x->sp++] = bool_value(0);
			return CALL_OK;
		}
	}
	x->sp -= cs->nsrc;
	x->state = EXEC_IN_CALL;
	x->early = 0;
	jn_result_t r = cs->fn(c);
	x->state = EXEC_RUNNING;
	if (r == JN_SUSPEND) {
		if (!c->suspended) {
			vm_error(x, in->line, in->col,
			         "'%s' suspended without calling jn_call_suspend()", cs->name);
			return CALL_FAIL;
		}
		if (!x->early) {
			x->state = EXEC_SUSPENDED;
			return CALL_SUSPEND;
		}
		r = x->early_result; /* it finished before it returned */
	} else if (c->suspended && !x->early) {
		vm_error(x, in->line, in->col,
		         "'%s' called jn_call_suspend() but did not return JN_SUSPEND", cs->name);
		return CALL_FAIL;
	}
	return vm_push_result(x, r) < 0 ? CALL_STOP : CALL_OK;
}

static void var_call_init(exec_t *x, const insn_t *in, const varsite_t *vs)
{
	call_init(x, in);
	x->call.cs = NULL;
	x->call.data = vs->data;
	x->call.mod = vs->mod;
	x->call.name = vs->name;
	x->call.args = NULL;
}

static jn_value_t get_var(exec_t *x, const insn_t *in)
{
	const varsite_t *vs = &x->s->vars[in->arg];
	jn_value_t v = null_value;
	var_call_init(x, in, vs);
	if (vs->get(&x->call, &v) != 0) {
		if (!x->call.errored)
			vm_error(x, in->line, in->col, "cannot read '%s'", vs->name);
		v = null_value;
	}
	/* a getter that forgot the text: the rest of the VM relies on it */
	if (v.type == JN_T_STR && !v.s)
		v = null_value;
	return v;
}

static void set_var(exec_t *x, const insn_t *in, const jn_value_t *v)
{
	const varsite_t *vs = &x->s->vars[in->arg];
	var_call_init(x, in, vs);
	if (vs->set(&x->call, v) != 0 && !x->call.errored)
		vm_error(x, in->line, in->col, "cannot assign '%s'", vs->name);
}

/* a + b: integer addition, otherwise the concatenation of text forms. */
static int add(exec_t *x, const insn_t *in, jn_value_t *a, const jn_value_t *b)
{
	if (a->type == JN_T_INT && b->type == JN_T_INT) {
		if (__builtin_add_overflow(a->i, b->i, &a->i)) {
			vm_error(x, in->line, in->col, "integer overflow in '+'");
			return -1;
		}
		return 0;
	}
	char ba[VALUE_BUF], bb[VALUE_BUF];
	size_t la, lb;
	const char *sa = value_text(a, ba, &la), *sb = value_text(b, bb, &lb);
	if (la + lb > EXEC_MAX_STRING) {
		vm_error(x, in->line, in->col, "string too long (more than %u bytes)",
		         EXEC_MAX_STRING);
		return -1;
	}
	char *r = arena_alloc(&x->arena, la + lb + 1);
	if (!r) {
		vm_error(x, in->line, in->col, "out of memory");
		return -1;
	}
	memcpy(r, sa, la);
	memcpy(r + la, sb, lb);
	r[la + lb] = 0;
	a->type = JN_T_STR;
	a->s = r;
	a->len = la + lb;
	return 0;
}

static int sub(exec_t *x, const insn_t *in, jn_value_t *a, const jn_value_t *b)
{
	if (a->type != JN_T_INT || b->type != JN_T_INT) {
		vm_error(x, in->line, in->col, "'-' needs integers, not %s and %s",
		         value_type_name(a->type), value_type_name(b->type));
		return -1;
	}
	if (__builtin_sub_overflow(a->i, b->i, &a->i)) {
		vm_error(x, in->line, in->col, "integer overflow in '-'");
		return -1;
	}
	return 0;
}

static int compare(exec_t *x, const insn_t *in, const jn_value_t *a, const jn_value_t *b)
{
	int cmp;
	if (value_compare(a, b, &cmp) < 0) {
		vm_error(x, in->line, in->col, "cannot order %s and %s", value_type_name(a->type),
		         value_type_name(b->type));
		return 0;
	}
	switch (in->op) {
	case OP_LT:
		return cmp < 0;
	case OP_LE:
		return cmp <= 0;
	case OP_GT:
		return cmp > 0;
	default:
		return cmp >= 0;
	}
}

static int match(exec_t *x, const insn_t *in, const jn_value_t *v)
{
	char buf[VALUE_BUF];
	size_t len;
	const char *text = value_text(v, buf, &len);
	return regexec(&x->s->rx[in->arg], text, 0, NULL, 0) == 0;
}

static int enter_route(exec_t *x, const insn_t *in)
{
	const sblock_t *b = &x->s->blocks[in->arg];
	if (x->nframes >= SCRIPT_MAX_CALL_DEPTH) {
		vm_error(x, in->line, in->col, "route '%s': calls nested more than %d deep",
		         b->name, SCRIPT_MAX_CALL_DEPTH);
		return -1;
	}
	if (++x->nroutes > SCRIPT_MAX_ROUTE_CALLS) {
		vm_error(x, in->line, in->col, "more than %d route calls in one execution",
		         SCRIPT_MAX_ROUTE_CALLS);
		return -1;
	}
	if (vm_reserve(x, b->maxstack) < 0) {
		vm_error(x, in->line, in->col, "out of memory");
		return -1;
	}
	x->frames[x->nframes].ret_pc = x->pc;
	x->frames[x->nframes].base = x->sp;
	x->nframes++;
	x->pc = b->entry;
	return 0;
}

script_status_t vm_run(exec_t *x)
{
	const jn_script_t *s = x->s;
	const insn_t *code = s->code;
	jn_value_t *st = x->stack, v;
	uint32_t sp = x->sp, pc = x->pc;
	for (;;) {
		const insn_t *in = &code[pc++];
		switch ((opcode_t)in->op) {
		case OP_CONST:
			st[sp++] = s->consts[in->arg];
			break;
		case OP_LOAD:
			st[sp++] = x->locals[in->arg];
			break;
		case OP_STORE:
			x->locals[in->arg] = st[--sp];
			break;
		case OP_GET:
			st[sp++] = get_var(x, in);
			break;
		case OP_SET:
			sp--;
			set_var(x, in, &st[sp]);
			break;
		case OP_CALL:
			x->pc = pc;
			x->sp = sp;
			switch (do_call(x, in)) {
			case CALL_OK:
				break;
			case CALL_STOP:
				return SCRIPT_DONE;
			case CALL_SUSPEND:
				return SCRIPT_SUSPENDED;
			case CALL_FAIL:
				return SCRIPT_FAILED;
			}
			sp = x->sp;
			break;
		case OP_ROUTE:
			x->pc = pc;
			x->sp = sp;
			if (enter_route(x, in) < 0)
				return SCRIPT_FAILED;
			st = x->stack;
			pc = x->pc;
			break;
		case OP_RET:
		case OP_RETV:
			v = in->op == OP_RETV ? st[--sp] : null_value;
			if (x->nframes == 0)
				return SCRIPT_DONE;
			x->nframes--;
			sp = x->frames[x->nframes].base;
			pc = x->frames[x->nframes].ret_pc;
			st[sp++] = v;
			break;
		case OP_POP:
			sp--;
			break;
		case OP_DUP:
			st[sp] = st[sp - 1];
			sp++;
			break;
		case OP_NOT:
			st[sp - 1] = bool_value(!value_truthy(&st[sp - 1]));
			break;
		case OP_BOOL:
			st[sp - 1] = bool_value(value_truthy(&st[sp - 1]));
			break;
		case OP_NEG:
			v = st[sp - 1];
			if (v.type != JN_T_INT || v.i == INT64_MIN) {
				vm_error(x, in->line, in->col,
				         v.type == JN_T_INT ? "integer overflow in '-'"
				                            : "'-' needs an integer, not %s",
				         value_type_name(v.type));
				return SCRIPT_FAILED;
			}
			st[sp - 1].i = -v.i;
			break;
		case OP_ADD:
			sp--;
			if (add(x, in, &st[sp - 1], &st[sp]) < 0)
				return SCRIPT_FAILED;
			break;
		case OP_SUB:
			sp--;
			if (sub(x, in, &st[sp - 1], &st[sp]) < 0)
				return SCRIPT_FAILED;
			break;
		case OP_EQ:
		case OP_NE:
			sp--;
			st[sp - 1] =
			    bool_value(value_equal(&st[sp - 1], &st[sp]) == (in->op == OP_EQ));
			break;
		case OP_LT:
		case OP_LE:
		case OP_GT:
		case OP_GE:
			sp--;
			st[sp - 1] = bool_value(compare(x, in, &st[sp - 1], &st[sp]));
			break;
		case OP_MATCH:
		case OP_NMATCH:
			st[sp - 1] = bool_value(match(x, in, &st[sp - 1]) == (in->op == OP_MATCH));
			break;
		case OP_JMP:
			pc = in->arg;
			break;
		case OP_JZ:
			if (!value_truthy(&st[--sp]))
				pc = in->arg;
			break;
		case OP_JNZ:
			if (value_truthy(&st[--sp]))
				pc = in->arg;
			break;
		case OP_EXIT:
			return SCRIPT_DONE;
		case OP_DROP:
			return SCRIPT_DROP;
		}
	}
}
