/* map.h - pointer-keyed hash table (see map.c). */
#ifndef JN_PROXY_MAP_H
#define JN_PROXY_MAP_H

#include <junction/junction.h>

#define PMAP_BUCKETS 4096

struct pmap_ent {
	const void *key;
	void *val;
	struct pmap_ent *next;
};

struct pmap {
	struct pmap_ent *b[PMAP_BUCKETS];
	size_t count;
};

void *pmap_get(const struct pmap *m, const void *key);
int pmap_put(struct pmap *m, const void *key, void *val);
void pmap_del(struct pmap *m, const void *key);
/* Some value of the table, or NULL when it is empty (for draining it). */
void *pmap_any(const struct pmap *m);

#endif
