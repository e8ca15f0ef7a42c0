/* script/ast.h - the parse tree. Every node lives in the arena given to
 * parse_program() and dies with it: the compiler turns the tree into
 * bytecode and the tree is dropped. */
#ifndef JN_SCRIPT_AST_H
#define JN_SCRIPT_AST_H

#include <junction/junction.h>

#include "../errlist.h"
#include "arena.h"
#include "lexer.h"

/* Limits that keep hostile input from exhausting the C stack. */
#define PARSE_MAX_DEPTH  200
#define PARSE_MAX_ERRORS 50

typedef enum {
	E_CONST, /* val */
	E_LOCAL, /* $name */
	E_NAME,  /* registered variable: name */
	E_CALL,  /* name(args) */
	E_ROUTE, /* route(name) */
	E_NOT,
	E_NEG, /* l */
	E_AND,
	E_OR,     /* l, r; short-circuit */
	E_BINARY, /* l op r: T_EQ T_NE T_LT T_LE T_GT T_GE T_PLUS T_MINUS */
	E_MATCH,  /* l =~ r / l !~ r (op), r an E_CONST string */
} expr_kind_t;

typedef struct ast_arg ast_arg_t;

typedef struct ast_expr {
	expr_kind_t kind;
	int line, col;
	tok_kind_t op;
	int depth; /* height of the subtree, bounded by PARSE_MAX_DEPTH */
	jn_value_t val;
	const char *name;
	struct ast_expr *l, *r;
	ast_arg_t *args; /* E_CALL, in source order */
	unsigned nargs;
} ast_expr_t;

struct ast_arg {
	const char *name; /* NULL for a positional argument */
	int line, col;
	ast_expr_t *e;
	ast_arg_t *next;
};

typedef enum {
	S_BLOCK,  /* body */
	S_IF,     /* e, body (then), els (may be NULL) */
	S_SWITCH, /* e, cases */
	S_RETURN, /* e may be NULL */
	S_EXIT,
	S_DROP,
	S_BREAK,
	S_SETLOCAL, /* $name = e */
	S_SETNAME,  /* name = e */
	S_EXPR,     /* e; */
} stmt_kind_t;

typedef struct ast_case {
	int is_default;
	ast_expr_t *label; /* E_CONST unless is_default */
	int line, col;
	struct ast_stmt *body;
	struct ast_case *next;
} ast_case_t;

typedef struct ast_stmt {
	stmt_kind_t kind;
	int line, col;
	const char *name;
	ast_expr_t *e;
	struct ast_stmt *body, *els;
	ast_case_t *cases;
	struct ast_stmt *next;
} ast_stmt_t;

typedef struct ast_block {
	jn_route_kind_t kind; /* 0 for a `route NAME` subroutine */
	const char *name;     /* NULL for request and unnamed reply;
	                         "module:event" for events */
	int line, col;        /* of the block keyword */
	int name_line, name_col;
	ast_stmt_t *body;
	struct ast_block *next;
} ast_block_t;

typedef struct ast_program {
	ast_block_t *blocks; /* source order */
	unsigned nblocks;
} ast_program_t;

/* Parses src. Syntax errors go to errs (parsing goes on after an error to
 * find more); the tree returned holds what could be parsed, or NULL when
 * memory ran out. */
ast_program_t *parse_program(const char *file, const char *src, size_t len, arena_t *arena,
                             jn_errlist_t *errs);

#endif
