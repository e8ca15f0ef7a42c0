/* script/vm.h - one execution of a block: the state that survives a
 * suspension (pc, value stack, call frames, $variables, string arena) and
 * the call context handed to functions and variable accessors. */
#ifndef JN_SCRIPT_VM_H
#define JN_SCRIPT_VM_H

#include "prog.h"

#define EXEC_STACK_INLINE  64
#define EXEC_LOCALS_INLINE 16
#define EXEC_ARENA_INLINE  2048
/* Memory one execution may take for strings (concatenations, copies). */
#define EXEC_ARENA_LIMIT (16u << 20)
/* Longest string a concatenation may build. */
#define EXEC_MAX_STRING (1u << 20)

struct jn_call {
	struct jn_suspend *x;
	const callsite_t *cs; /* NULL inside a variable's get/set */
	void *data;
	jn_module_t *mod;
	const char *name;
	jn_value_t *args; /* cs->nslots, declaration order */
	jn_value_t ret;
	int has_ret;
	int errored;   /* jn_call_error() logged the failure */
	int suspended; /* jn_call_suspend() was called */
	int line, col;
};

typedef enum {
	EXEC_RUNNING = 0,
	EXEC_IN_CALL,   /* inside a function that may suspend */
	EXEC_SUSPENDED, /* waiting for jn_suspend_resume() */
} exec_state_t;

struct exec_frame {
	uint32_t ret_pc;
	uint32_t base; /* stack depth when the subroutine was entered */
};

/* The execution doubles as the suspension handle SDK users see. */
struct jn_suspend {
	jn_script_t *s;
	jn_msg_t *msg;
	jn_route_kind_t kind;
	exec_state_t state;
	uint32_t pc, sp, cap;
	jn_value_t *stack;
	jn_value_t *locals;
	unsigned nframes;
	unsigned nroutes; /* route(NAME) calls so far */
	int held;         /* holds references on msg and s (suspended once) */
	int early;        /* resumed before the function returned */
	jn_result_t early_result;
	script_done_cb done;
	void *done_data;
	jn_call_t call;
	arena_t arena;
	struct exec_local *xlocals; /* jn_call_set_local(), in the arena */
	struct jn_suspend *next_free;
	struct exec_frame frames[SCRIPT_MAX_CALL_DEPTH];
	jn_value_t argbuf[SCRIPT_MAX_PARAMS];
	jn_value_t stack_inline[EXEC_STACK_INLINE];
	jn_value_t locals_inline[EXEC_LOCALS_INLINE];
	_Alignas(16) char arena_inline[EXEC_ARENA_INLINE];
};
typedef struct jn_suspend exec_t;

/* vm.c: runs from x->pc until the block ends or a function suspends. */
script_status_t vm_run(exec_t *x);
/* Pushes the value of a finished call (result r, value set or bool);
 * returns -1 when r stops the execution. */
int vm_push_result(exec_t *x, jn_result_t r);
/* Makes room for n more values on the stack; 0 or -1. */
int vm_reserve(exec_t *x, uint32_t n);
JN_PRINTF(4, 5)
void vm_error(const exec_t *x, int line, int col, const char *fmt, ...);

#endif
