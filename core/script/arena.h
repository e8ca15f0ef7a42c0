/* script/arena.h - bump allocator for memory that dies all at once: the
 * parse tree of one load, the constants of a script, the strings of one
 * execution. A first block may be supplied by the owner so that short
 * executions never call malloc. */
#ifndef JN_SCRIPT_ARENA_H
#define JN_SCRIPT_ARENA_H

#include <stddef.h>

struct arena_chunk;

typedef struct arena {
	char *first; /* caller-owned first block, or NULL */
	size_t first_cap, first_used;
	struct arena_chunk *chunks;
	size_t total; /* bytes taken from malloc */
	size_t limit; /* refuse to grow beyond this (0: no limit) */
} arena_t;

void arena_init(arena_t *a, void *first, size_t first_cap, size_t limit);
/* NULL when out of memory or over the limit. Aligned for any scalar. */
void *arena_alloc(arena_t *a, size_t size);
/* Copies len bytes and adds a NUL. */
char *arena_strndup(arena_t *a, const char *s, size_t len);
/* Frees the malloc'd chunks; the first block is kept for reuse. */
void arena_reset(arena_t *a);

#endif
