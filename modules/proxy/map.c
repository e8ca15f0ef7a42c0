/* map.c - a small pointer-keyed hash table: which proxy transaction a
 * request belongs to (a failure route relaying again finds it), which
 * branch a branch route's message is. */
#include <stdint.h>
#include <stdlib.h>

#include "map.h"

static size_t slot(const struct pmap *m, const void *key)
{
	uintptr_t k = (uintptr_t)key;
	k ^= k >> 17;
	k *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(k >> 40) & (PMAP_BUCKETS - 1);
}

void *pmap_get(const struct pmap *m, const void *key)
{
	for (struct pmap_ent *e = m->b[slot(m, key)]; e; e = e->next)
		if (e->key == key)
			return e->val;
	return NULL;
}

int pmap_put(struct pmap *m, const void *key, void *val)
{
	struct pmap_ent *e = malloc(sizeof(*e));
	if (!e)
		return JN_ENOMEM;
	size_t s = slot(m, key);
	e->key = key;
	e->val = val;
	e->next = m->b[s];
	m->b[s] = e;
	m->count++;
	return 0;
}

void pmap_del(struct pmap *m, const void *key)
{
	for (struct pmap_ent **pe = &m->b[slot(m, key)]; *pe; pe = &(*pe)->next) {
		if ((*pe)->key == key) {
			struct pmap_ent *e = *pe;
			*pe = e->next;
			free(e);
			m->count--;
			return;
		}
	}
}

void *pmap_any(const struct pmap *m)
{
	for (size_t i = 0; i < PMAP_BUCKETS; i++)
		if (m->b[i])
			return m->b[i]->val;
	return NULL;
}
