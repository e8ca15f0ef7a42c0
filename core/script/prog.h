/* script/prog.h - a compiled script: bytecode for a stack machine plus the
 * tables its instructions index (constants, call sites, variables, regular
 * expressions, blocks). Shared by the compiler and the VM. */
#ifndef JN_SCRIPT_PROG_H
#define JN_SCRIPT_PROG_H

#include <regex.h>
#include <stdint.h>

#include "arena.h"
#include "script.h"

/* Declared parameters of one function the compiler accepts. */
#define SCRIPT_MAX_PARAMS 32
/* Nested route(NAME) calls at run time. */
#define SCRIPT_MAX_CALL_DEPTH 64
/* route(NAME) calls in one execution: recursion that fans out (a route
 * calling itself twice) would otherwise run for ages. */
#define SCRIPT_MAX_ROUTE_CALLS 10000

typedef enum {
	OP_CONST, /* push consts[arg] */
	OP_LOAD,  /* push $var slot arg */
	OP_STORE, /* pop into $var slot arg */
	OP_GET,   /* push the value of vars[arg] (its getter) */
	OP_SET,   /* pop and give it to vars[arg]'s setter */
	OP_CALL,  /* pop calls[arg].nsrc arguments, push the result */
	OP_ROUTE, /* call block arg as a subroutine, push its return value */
	OP_RET,   /* leave the block (value null) */
	OP_RETV,  /* leave the block with the popped value */
	OP_POP,
	OP_DUP,
	OP_NOT,  /* push !truthy(pop) */
	OP_BOOL, /* push truthy(pop) */
	OP_NEG,
	OP_ADD,
	OP_SUB,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_MATCH, /* pop, push whether regexes[arg] matches its string form */
	OP_NMATCH,
	OP_JMP, /* pc = arg */
	OP_JZ,  /* pop, jump when false */
	OP_JNZ, /* pop, jump when true */
	OP_EXIT,
	OP_DROP,
} opcode_t;

typedef struct insn {
	uint8_t op;
	uint32_t arg;
	int line, col; /* for runtime errors */
} insn_t;

typedef struct cslot {
	const char *name;
	unsigned types, flags;
	void *prep; /* from the function's prepare(), for a constant argument */
	void (*prep_free)(void *data);
} cslot_t;

typedef struct callsite {
	const char *name; /* full name as written */
	jn_func_cb fn;
	void *data;
	jn_module_t *mod;
	unsigned nslots; /* declared parameters */
	unsigned nsrc;   /* arguments written (pushed in source order) */
	uint8_t *map;    /* map[i]: slot of the i-th written argument */
	cslot_t *slots;
	int line, col;
} callsite_t;

typedef struct varsite {
	const char *name;
	int (*get)(jn_call_t *c, jn_value_t *out);
	int (*set)(jn_call_t *c, const jn_value_t *v);
	void *data;
	jn_module_t *mod;
} varsite_t;

typedef struct sblock {
	jn_route_kind_t kind; /* 0: `route NAME` subroutine */
	const char *name;     /* NULL for request and the unnamed reply */
	uint32_t entry;       /* first instruction */
	uint32_t maxstack;    /* value-stack slots the block needs itself */
} sblock_t;

struct jn_script {
	int refs;
	char *path;
	insn_t *code;
	size_t ncode, capcode;
	jn_value_t *consts;
	size_t nconsts, capconsts;
	callsite_t *calls;
	size_t ncalls, capcalls;
	varsite_t *vars;
	size_t nvars, capvars;
	regex_t *rx;
	size_t nrx, caprx;
	sblock_t *blocks;
	size_t nblocks;
	int request_block; /* index, or -1: the hot path skips the lookup */
	unsigned nlocals;  /* $variables */
	uint32_t maxstack; /* largest sblock.maxstack */
	arena_t pool;      /* names, constant strings, call-site tables */
};

/* compile.c: ast -> s (already allocated and zeroed, path set). Errors go
 * to errs; returns 0 or -1. */
struct ast_program;
int compile_program(jn_script_t *s, struct ast_program *ast, jn_errlist_t *errs);
/* Frees what compile_program built (prepared data, regexes, tables). */
void prog_free(jn_script_t *s);
/* Index of a block, or -1. */
int prog_find_block(const jn_script_t *s, jn_route_kind_t kind, const char *name);

#endif
