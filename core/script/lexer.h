/* script/lexer.h - tokens of the routing-script language. */
#ifndef JN_SCRIPT_LEXER_H
#define JN_SCRIPT_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "../errlist.h"
#include "arena.h"

typedef enum {
	T_EOF = 0,
	T_ERROR, /* already reported; the parser only resynchronises */
	T_IDENT, /* name or dotted name: method, ruri.user, if */
	T_VAR,   /* $name (text without the '$') */
	T_STR,   /* decoded text in str/len */
	T_INT,   /* value in ival; 2^63 is kept as INT64_MIN with big = 1 */
	T_LBRACE,
	T_RBRACE,
	T_LPAREN,
	T_RPAREN,
	T_SEMI,
	T_COMMA,
	T_COLON,
	T_ASSIGN,
	T_EQ,
	T_NE,
	T_MATCH,
	T_NMATCH,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_PLUS,
	T_MINUS,
	T_NOT,
	T_AND,
	T_OR,
} tok_kind_t;

typedef struct token {
	tok_kind_t kind;
	int line, col;
	const char *text; /* T_IDENT, T_VAR, T_STR: NUL-terminated (arena) */
	size_t len;
	int64_t ival;
	int big; /* T_INT 9223372036854775808: only valid after unary '-' */
} token_t;

/* Source files larger than this are refused. */
#define LEX_MAX_SOURCE (4u << 20)

typedef struct lexer {
	const char *file;
	const char *p, *end;
	int line;
	const char *line_start;
	arena_t *arena;
	jn_errlist_t *errs;
	unsigned nerrs; /* errors this lexer reported */
} lexer_t;

void lexer_init(lexer_t *lx, const char *file, const char *src, size_t len, arena_t *arena,
                jn_errlist_t *errs);
/* The next token; errors are reported to errs and give T_ERROR. */
void lexer_next(lexer_t *lx, token_t *t);
/* "';'", "end of file", "identifier 'x'" for error messages. */
const char *tok_describe(const token_t *t, char *buf, size_t size);
const char *tok_name(tok_kind_t k);

#endif
