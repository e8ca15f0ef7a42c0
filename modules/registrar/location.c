/* location.c - hash table of AORs, bindings in per-AOR lists, expiry heap. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <junction/junction.h>

#include "location.h"

static struct {
	struct loc_aor **buckets;
	size_t nbuckets; /* power of two */
	size_t naor, nbind;
	struct loc_binding **heap; /* min-heap on expires_ms */
	size_t heap_cap;
	loc_observer_cb observer;
} L;

void loc_set_observer(loc_observer_cb cb)
{
	L.observer = cb;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int loc_init(void)
{
	loc_observer_cb keep = L.observer;
	memset(&L, 0, sizeof(L));
	L.observer = keep;
	L.nbuckets = 1024;
	L.buckets = calloc(L.nbuckets, sizeof(*L.buckets));
	return L.buckets ? 0 : JN_ENOMEM;
}

void loc_destroy(void)
{
	for (size_t i = 0; i < L.nbuckets && L.buckets; i++) {
		struct loc_aor *a = L.buckets[i], *an;
		for (; a; a = an) {
			an = a->hnext;
			struct loc_binding *b = a->bindings, *bn;
			for (; b; b = bn) {
				bn = b->next;
				free(b);
			}
			free(a);
		}
	}
	free(L.buckets);
	free(L.heap);
	memset(&L, 0, sizeof(L));
}

/* ---- hash table ---------------------------------------------------------- */

static void grow_buckets(void)
{
	size_t n = L.nbuckets * 2;
	struct loc_aor **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* keep the longer chains; still correct */
	for (size_t i = 0; i < L.nbuckets; i++) {
		struct loc_aor *a = L.buckets[i], *an;
		for (; a; a = an) {
			an = a->hnext;
			a->hnext = nb[a->hash & (n - 1)];
			nb[a->hash & (n - 1)] = a;
		}
	}
	free(L.buckets);
	L.buckets = nb;
	L.nbuckets = n;
}

struct loc_aor *loc_aor_find(const char *aor)
{
	uint32_t h = hash_str(aor);
	for (struct loc_aor *a = L.buckets[h & (L.nbuckets - 1)]; a; a = a->hnext)
		if (a->hash == h && strcmp(a->name, aor) == 0)
			return a;
	return NULL;
}

struct loc_aor *loc_aor_get(const char *aor)
{
	struct loc_aor *a = loc_aor_find(aor);
	if (a)
		return a;
	size_t len = strlen(aor);
	a = calloc(1, sizeof(*a) + len + 1);
	if (!a)
		return NULL;
	memcpy(a->name, aor, len + 1);
	a->hash = hash_str(aor);
	if (L.naor >= L.nbuckets)
		grow_buckets();
	struct loc_aor **slot = &L.buckets[a->hash & (L.nbuckets - 1)];
	a->hnext = *slot;
	*slot = a;
	L.naor++;
	return a;
}

void loc_aor_release(struct loc_aor *a)
{
	if (!a || a->bindings)
		return;
	struct loc_aor **p = &L.buckets[a->hash & (L.nbuckets - 1)];
	for (; *p; p = &(*p)->hnext) {
		if (*p == a) {
			*p = a->hnext;
			L.naor--;
			free(a);
			return;
		}
	}
}

/* ---- heap ------------------------------------------------------------------ */

static void heap_set(size_t i, struct loc_binding *b)
{
	L.heap[i] = b;
	b->heap_idx = (uint32_t)i;
}

static void heap_up(size_t i)
{
	struct loc_binding *b = L.heap[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (L.heap[p]->expires_ms <= b->expires_ms)
			break;
		heap_set(i, L.heap[p]);
		i = p;
	}
	heap_set(i, b);
}

static void heap_down(size_t i)
{
	size_t n = L.nbind;
	struct loc_binding *b = L.heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && L.heap[c + 1]->expires_ms < L.heap[c]->expires_ms)
			c++;
		if (L.heap[c]->expires_ms >= b->expires_ms)
			break;
		heap_set(i, L.heap[c]);
		i = c;
	}
	heap_set(i, b);
}

static int heap_push(struct loc_binding *b)
{
	if (L.nbind == L.heap_cap) {
		size_t cap = L.heap_cap ? L.heap_cap * 2 : 1024;
		struct loc_binding **h = realloc(L.heap, cap * sizeof(*h));
		if (!h)
			return JN_ENOMEM;
		L.heap = h;
		L.heap_cap = cap;
	}
	heap_set(L.nbind, b);
	L.nbind++;
	heap_up(L.nbind - 1);
	return 0;
}

static void heap_del(struct loc_binding *b)
{
	size_t i = b->heap_idx;
	L.nbind--;
	if (i == L.nbind)
		return;
	struct loc_binding *m = L.heap[L.nbind];
	heap_set(i, m);
	heap_down(i);
	heap_up(m->heap_idx);
}

/* ---- bindings --------------------------------------------------------------- */

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *put(char **p, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = *p;
	memcpy(d, s, n);
	*p += n;
	return d;
}

struct loc_binding *loc_binding_new(const struct loc_info *in)
{
	size_t n = slen(in->contact) + slen(in->call_id) + slen(in->path) + slen(in->received) +
	           slen(in->instance) + slen(in->user_agent);
	struct loc_binding *b = malloc(sizeof(*b) + n);
	if (!b)
		return NULL;
	memset(b, 0, sizeof(*b));
	char *p = b->data;
	b->contact = put(&p, in->contact ? in->contact : "");
	b->call_id = put(&p, in->call_id ? in->call_id : "");
	b->path = put(&p, in->path);
	b->received = put(&p, in->received);
	b->instance = put(&p, in->instance);
	b->user_agent = put(&p, in->user_agent);
	b->cseq = in->cseq;
	b->q = (int16_t)(in->q < 0 ? 0 : in->q > 1000 ? 1000 : in->q);
	b->reg_id = in->reg_id;
	b->proto = (uint8_t)in->proto;
	b->nated = (uint8_t)(in->nated != 0);
	b->expires_ms = in->expires_ms;
	b->updated_ms = in->updated_ms;
	return b;
}

void loc_binding_link(struct loc_aor *a, struct loc_binding *b, struct loc_binding *old)
{
	b->aor = a;
	if (old && L.observer && strcmp(old->contact, b->contact) != 0)
		L.observer(old, 0); /* an instance moved to another contact */
	if (old) {
		/* Take old's place in the list and in the heap. */
		struct loc_binding **p = &a->bindings;
		while (*p && *p != old)
			p = &(*p)->next;
		b->next = old->next;
		*p = b;
		b->heap_idx = old->heap_idx;
		L.heap[b->heap_idx] = b;
		heap_down(b->heap_idx);
		heap_up(b->heap_idx);
		free(old);
		if (L.observer)
			L.observer(b, 1);
		return;
	}
	if (heap_push(b) < 0) {
		/* Without a heap slot it could never expire: refuse it. */
		free(b);
		return;
	}
	b->next = a->bindings;
	a->bindings = b;
	a->nbind++;
	if (L.observer)
		L.observer(b, 1);
}

static void unlink_binding(struct loc_binding *b)
{
	struct loc_aor *a = b->aor;
	struct loc_binding **p = &a->bindings;
	if (L.observer)
		L.observer(b, 0);
	while (*p && *p != b)
		p = &(*p)->next;
	if (*p)
		*p = b->next;
	a->nbind--;
	heap_del(b);
	free(b);
}

void loc_binding_remove(struct loc_binding *b)
{
	struct loc_aor *a = b->aor;
	unlink_binding(b);
	loc_aor_release(a);
}

unsigned loc_aor_clear(struct loc_aor *a)
{
	unsigned n = 0;
	while (a->bindings) {
		unlink_binding(a->bindings);
		n++;
	}
	loc_aor_release(a);
	return n;
}

unsigned loc_expire(int64_t now, unsigned max, loc_expired_cb cb, void *data)
{
	unsigned n = 0;
	while (L.nbind > 0 && n < max && L.heap[0]->expires_ms <= now) {
		struct loc_binding *b = L.heap[0];
		if (cb)
			cb(b, data);
		/* cb may not remove b (documented), so it is still the top. */
		loc_binding_remove(b);
		n++;
	}
	return n;
}

size_t loc_binding_count(void)
{
	return L.nbind;
}

size_t loc_aor_count(void)
{
	return L.naor;
}

int loc_foreach_aor(int (*cb)(struct loc_aor *aor, void *data), void *data)
{
	for (size_t i = 0; i < L.nbuckets; i++)
		for (struct loc_aor *a = L.buckets[i]; a; a = a->hnext) {
			int r = cb(a, data);
			if (r)
				return r;
		}
	return 0;
}

int loc_make_aor(char *buf, size_t size, const char *user, const char *host)
{
	if (!host || !*host)
		return JN_EINVAL;
	size_t ul = user ? strlen(user) : 0, hl = strlen(host);
	if (ul + 1 + hl + 1 > size)
		return JN_ERANGE;
	size_t o = 0;
	if (ul) {
		memcpy(buf, user, ul);
		o = ul;
		buf[o++] = '@';
	}
	for (size_t i = 0; i < hl; i++)
		buf[o++] = (char)tolower((unsigned char)host[i]);
	buf[o] = '\0';
	return 0;
}
