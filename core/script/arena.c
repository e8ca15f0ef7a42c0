/* arena.c - see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_CHUNK 4096

struct arena_chunk {
	struct arena_chunk *next;
	size_t cap, used;
	_Alignas(ARENA_ALIGN) char data[];
};

static size_t round_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void arena_init(arena_t *a, void *first, size_t first_cap, size_t limit)
{
	memset(a, 0, sizeof(*a));
	/* The first block must be aligned like a chunk's data. */
	uintptr_t p = (uintptr_t)first, q = (p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
	if (first && first_cap > q - p) {
		a->first = (char *)q;
		a->first_cap = first_cap - (q - p);
	}
	a->limit = limit;
}

void *arena_alloc(arena_t *a, size_t size)
{
	if (size > SIZE_MAX / 2)
		return NULL;
	size = round_up(size ? size : 1);
	if (a->first && a->first_cap - a->first_used >= size) {
		void *r = a->first + a->first_used;
		a->first_used += size;
		return r;
	}
	struct arena_chunk *c = a->chunks;
	if (c && c->cap - c->used >= size) {
		void *r = c->data + c->used;
		c->used += size;
		return r;
	}
	size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
	if (a->limit && a->total + cap > a->limit)
		return NULL;
	c = malloc(sizeof(*c) + cap);
	if (!c)
		return NULL;
	c->cap = cap;
	c->used = size;
	/* A big one-off allocation goes behind the current chunk so that the
	 * space left in the current chunk stays usable. */
	if (size > ARENA_CHUNK / 2 && a->chunks) {
		c->next = a->chunks->next;
		a->chunks->next = c;
	} else {
		c->next = a->chunks;
		a->chunks = c;
	}
	a->total += cap;
	return c->data;
}

char *arena_strndup(arena_t *a, const char *s, size_t len)
{
	char *r = arena_alloc(a, len + 1);
	if (!r)
		return NULL;
	if (len)
		memcpy(r, s, len);
	r[len] = 0;
	return r;
}

void arena_reset(arena_t *a)
{
	struct arena_chunk *c = a->chunks, *n;
	for (; c; c = n) {
		n = c->next;
		free(c);
	}
	a->chunks = NULL;
	a->total = 0;
	a->first_used = 0;
}
