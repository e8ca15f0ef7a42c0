/* select.c - the selection algorithms. Each orders the ACTIVE destinations
 * of a set for one call: the first is the next hop, the rest the failover
 * order dispatcher.next() walks. Pure functions of the set's state, so the
 * unit tests drive them directly. */
#include <string.h>

#include "dispatcher.h"

int ds_alg_parse(const char *name)
{
	static const char *const names[] = {
	    [DS_ALG_RR] = "rr",
	    [DS_ALG_HASH_CALLID] = "hash_callid",
	    [DS_ALG_HASH_FROM] = "hash_from",
	    [DS_ALG_WEIGHT] = "weight",
	    [DS_ALG_PRIORITY] = "priority",
	};
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* FNV-1a: cheap, and stable across runs and builds (a hash must send the
 * same Call-ID to the same destination after a restart too). */
uint32_t ds_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* The active destinations in set order, starting at position start and
 * wrapping around. */
static size_t cyclic_from(const struct ds_set *s, size_t start, size_t *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n && k < max; i++) {
		size_t j = (start + i) % s->n;
		if (s->d[j].state == DS_ACTIVE)
			out[k++] = j;
	}
	return k;
}

/* Insertion sort of idx by key descending, stable (equal keys keep set
 * order); sets are small. */
static void sort_desc(const struct ds_set *s, size_t *idx, size_t n, int by_weight)
{
	for (size_t i = 1; i < n; i++) {
		size_t x = idx[i], j = i;
		int kx = by_weight ? s->d[x].weight : s->d[x].priority;
		while (j > 0) {
			size_t y = idx[j - 1];
			int ky = by_weight ? s->d[y].weight : s->d[y].priority;
			if (ky >= kx)
				break;
			idx[j] = y;
			j--;
		}
		idx[j] = x;
	}
}

/* Smooth weighted round robin (as nginx's upstream): every active
 * destination gains its weight, the richest is chosen and pays the total.
 * Over any run of W picks (W = the sum of weights) each destination is
 * chosen exactly weight times, evenly spread, without randomness. */
static size_t pick_weighted(struct ds_set *s)
{
	long total = 0;
	size_t best = (size_t)-1;
	for (size_t i = 0; i < s->n; i++) {
		struct ds_dst *d = &s->d[i];
		if (d->state != DS_ACTIVE) {
			d->cur_weight = 0;
			continue;
		}
		d->cur_weight += d->weight;
		total += d->weight;
		if (best == (size_t)-1 || d->cur_weight > s->d[best].cur_weight)
			best = i;
	}
	if (best != (size_t)-1)
		s->d[best].cur_weight -= total;
	return best;
}

size_t ds_pick(struct ds_set *s, enum ds_alg alg, const char *key, size_t *out, size_t max)
{
	size_t k = 0, first;
	if (!s || !s->n || !max || !ds_active_count(s))
		return 0;
	switch (alg) {
	case DS_ALG_RR: {
		/* The position counts over the active destinations only, so
		 * two active ones alternate even when a third is down. */
		size_t act[s->n], na = cyclic_from(s, 0, act, s->n);
		first = act[s->rr % na];
		s->rr++;
		return cyclic_from(s, first, out, max);
	}
	case DS_ALG_HASH_CALLID:
	case DS_ALG_HASH_FROM:
		/* Over every destination, then forward to the next active one:
		 * a key keeps its destination while that one is up, whatever
		 * happens to the others. */
		return cyclic_from(s, ds_hash(key) % s->n, out, max);
	case DS_ALG_WEIGHT: {
		first = pick_weighted(s);
		size_t rest[s->n], nr = 0;
		out[k++] = first;
		for (size_t i = 0; i < s->n; i++)
			if (i != first && s->d[i].state == DS_ACTIVE)
				rest[nr++] = i;
		sort_desc(s, rest, nr, 1);
		for (size_t i = 0; i < nr && k < max; i++)
			out[k++] = rest[i];
		return k;
	}
	case DS_ALG_PRIORITY: {
		size_t all[s->n], na = cyclic_from(s, 0, all, s->n);
		sort_desc(s, all, na, 0);
		for (size_t i = 0; i < na && k < max; i++)
			out[k++] = all[i];
		return k;
	}
	}
	return 0;
}
