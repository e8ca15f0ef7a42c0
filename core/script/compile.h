/* script/compile.h - the compiler's state, shared by its files:
 * compile.c (blocks, statements, expressions, route checks) and
 * compile_call.c (function calls: arguments, types, prepare()). */
#ifndef JN_SCRIPT_COMPILE_H
#define JN_SCRIPT_COMPILE_H

#include "../registry.h"
#include "ast.h"
#include "prog.h"

/* A name used inside a `route NAME` subroutine, checked once we know
 * from which kinds of block the subroutine can be reached. */
typedef struct route_use {
	const char *name;
	unsigned routes;
	int line, col;
} route_use_t;

typedef struct block_info {
	ast_block_t *ast;
	route_use_t *uses;
	size_t nuses, capuses;
	int *callees; /* indexes of subroutines it calls */
	size_t ncallees, capcallees;
	unsigned reach; /* jn_route_kind_t kinds from which it runs */
} block_info_t;

typedef struct compiler {
	jn_script_t *s;
	const char *file;
	jn_errlist_t *errs;
	block_info_t *info; /* one per s->blocks */
	int cur;            /* block being compiled */
	uint32_t depth;     /* value-stack depth at this point */
	uint32_t maxdepth;
	uint32_t *breaks; /* jumps to patch at the end of the switch */
	size_t nbreaks, capbreaks;
	int in_switch;
	const char **locals;
	size_t caplocals;
	int oom;
} compiler_t;

JN_PRINTF(4, 5)
void comp_error(compiler_t *c, int line, int col, const char *fmt, ...);
int comp_grow(compiler_t *c, void **arr, size_t *cap, size_t n, size_t elem);
uint32_t comp_emit(compiler_t *c, opcode_t op, uint32_t arg, int line, int col);
int comp_const(compiler_t *c, const jn_value_t *v, uint32_t *idx);
/* Checks that name may be used in the current block (or records the use
 * for a subroutine). */
void comp_check_routes(compiler_t *c, const char *name, unsigned routes, int line, int col);
void comp_expr(compiler_t *c, ast_expr_t *e);
/* compile_call.c */
void comp_call(compiler_t *c, ast_expr_t *e);

#endif
