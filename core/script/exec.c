/* exec.c - the life of an execution: start (script_run), suspension,
 * resumption, end. Finished executions are kept on a short free list so
 * that the common path (no suspension, few strings) never calls malloc. */
#include "vm.h"

#include <stdlib.h>
#include <string.h>

#define EXEC_FREE_MAX 16

static exec_t *free_list;
static unsigned nfree;
static size_t nsuspended;

static exec_t *exec_new(jn_script_t *s, jn_route_kind_t kind, jn_msg_t *msg)
{
	exec_t *x = free_list;
	if (x) {
		free_list = x->next_free;
		nfree--;
	} else if (!(x = malloc(sizeof(*x)))) {
		return NULL;
	}
	x->s = s;
	x->msg = msg;
	x->kind = kind;
	x->state = EXEC_RUNNING;
	x->pc = x->sp = 0;
	x->nframes = 0;
	x->nroutes = 0;
	x->held = 0;
	x->early = 0;
	x->done = NULL;
	x->done_data = NULL;
	memset(&x->call, 0, sizeof(x->call));
	x->stack = x->stack_inline;
	x->cap = EXEC_STACK_INLINE;
	x->locals = x->locals_inline;
	arena_init(&x->arena, x->arena_inline, sizeof(x->arena_inline), EXEC_ARENA_LIMIT);
	x->xlocals = NULL;
	if (s->nlocals > EXEC_LOCALS_INLINE)
		x->locals = calloc(s->nlocals, sizeof(jn_value_t));
	else
		memset(x->locals_inline, 0, s->nlocals * sizeof(jn_value_t));
	if (!x->locals || vm_reserve(x, s->maxstack) < 0) {
		if (x->locals != x->locals_inline)
			free(x->locals);
		free(x);
		return NULL;
	}
	return x;
}

static void exec_free(exec_t *x)
{
	arena_reset(&x->arena);
	if (x->stack != x->stack_inline)
		free(x->stack);
	if (x->locals != x->locals_inline)
		free(x->locals);
	if (nfree >= EXEC_FREE_MAX) {
		free(x);
		return;
	}
	x->next_free = free_list;
	free_list = x;
	nfree++;
}

script_status_t script_run(jn_script_t *s, jn_route_kind_t kind, const char *name, jn_msg_t *msg,
                           script_done_cb done, void *data)
{
	if (!s)
		return SCRIPT_DONE;
	int b =
	    kind == JN_ROUTE_REQUEST && !name ? s->request_block : prog_find_block(s, kind, name);
	if (b < 0)
		return SCRIPT_DONE;
	exec_t *x = exec_new(s, kind, msg);
	if (!x) {
		jn_log(NULL, JN_LOG_ERR, "%s: out of memory running the script", s->path);
		return SCRIPT_FAILED;
	}
	x->pc = s->blocks[b].entry;
	x->done = done;
	x->done_data = data;
	script_status_t st = vm_run(x);
	if (st != SCRIPT_SUSPENDED) {
		exec_free(x);
		return st;
	}
	/* the caller's message and this script must outlive the wait */
	x->held = 1;
	if (msg)
		jn_msg_ref(msg);
	script_ref(s);
	nsuspended++;
	return SCRIPT_SUSPENDED;
}

JN_API void jn_suspend_resume(jn_suspend_t *x, jn_result_t result)
{
	if (!x)
		return;
	if (x->state == EXEC_IN_CALL) {
		/* completed synchronously: the function has not returned yet */
		x->early = 1;
		x->early_result = result;
		return;
	}
	if (x->state != EXEC_SUSPENDED || !x->held) {
		jn_log(NULL, JN_LOG_ERR, "jn_suspend_resume(): the execution is not suspended");
		return;
	}
	x->state = EXEC_RUNNING;
	script_status_t st;
	if (result == JN_SUSPEND) {
		vm_error(x, x->call.line, x->call.col, "'%s' resumed with JN_SUSPEND",
		         x->call.name);
		st = SCRIPT_FAILED;
	} else if (vm_push_result(x, result) < 0) {
		st = SCRIPT_DONE;
	} else {
		st = vm_run(x);
	}
	if (st == SCRIPT_SUSPENDED)
		return;
	jn_msg_t *msg = x->msg;
	jn_script_t *s = x->s;
	script_done_cb done = x->done;
	void *data = x->done_data;
	nsuspended--;
	exec_free(x);
	if (done)
		done(msg, st, data);
	if (msg)
		jn_msg_unref(msg);
	script_unref(s);
}

JN_API jn_suspend_t *jn_call_suspend(jn_call_t *c)
{
	/* variable accessors cannot wait */
	if (!c || !c->cs || c->x->state != EXEC_IN_CALL)
		return NULL;
	c->suspended = 1;
	return c->x;
}

JN_API jn_msg_t *jn_suspend_msg(jn_suspend_t *x)
{
	return x ? x->msg : NULL;
}

JN_API void jn_suspend_return_int(jn_suspend_t *x, int64_t v)
{
	if (!x)
		return;
	x->call.ret.type = JN_T_INT;
	x->call.ret.i = v;
	x->call.has_ret = 1;
}

JN_API void jn_suspend_return_str(jn_suspend_t *x, const char *str, size_t len)
{
	if (!x)
		return;
	jn_call_return_str(&x->call, str, len);
}

size_t script_suspended_count(void)
{
	return nsuspended;
}

void script_cache_clear(void)
{
	while (free_list) {
		exec_t *x = free_list;
		free_list = x->next_free;
		free(x);
	}
	nfree = 0;
}

/* ---- execution-local storage ------------------------------------------- */
struct exec_local {
	const void *key;
	void *value;
	struct exec_local *next;
};

JN_API int jn_suspend_set_local(jn_suspend_t *x, const void *key, void *value)
{
	struct exec_local *l;

	if (!x || !key)
		return JN_EINVAL;
	for (l = x->xlocals; l; l = l->next) {
		if (l->key == key) {
			l->value = value;
			return 0;
		}
	}
	l = arena_alloc(&x->arena, sizeof(*l));
	if (!l)
		return JN_ENOMEM;
	l->key = key;
	l->value = value;
	l->next = x->xlocals;
	x->xlocals = l;
	return 0;
}

JN_API void *jn_suspend_alloc(jn_suspend_t *x, size_t size)
{
	return x ? arena_alloc(&x->arena, size) : NULL;
}

JN_API int jn_call_set_local(jn_call_t *c, const void *key, void *value)
{
	return c ? jn_suspend_set_local(c->x, key, value) : JN_EINVAL;
}

JN_API void *jn_call_local(jn_call_t *c, const void *key)
{
	if (!c || !c->x)
		return NULL;
	for (struct exec_local *l = c->x->xlocals; l; l = l->next)
		if (l->key == key)
			return l->value;
	return NULL;
}
