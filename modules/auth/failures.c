/*
 * failures.c - failed authentication attempts per source address, kept for
 * the anti-flood work: a bounded table, swept of addresses that have been
 * quiet for a while.
 */
#include <junction/junction.h>

#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define FAIL_SLOTS 4096
#define IP_MAX     64

struct fail_entry {
	char ip[IP_MAX];
	unsigned long count;
	time_t last;
	struct fail_entry *next;
};

struct auth_failures {
	struct fail_entry *slots[FAIL_SLOTS];
	size_t count, max;
};

static unsigned slot_of(const char *ip)
{
	uint32_t h = 2166136261u;

	for (; *ip; ip++)
		h = (h ^ (unsigned char)*ip) * 16777619u;
	return h % FAIL_SLOTS;
}

auth_failures_t *auth_failures_new(size_t max_entries)
{
	auth_failures_t *f = calloc(1, sizeof(*f));

	if (f)
		f->max = max_entries;
	return f;
}

void auth_failures_free(auth_failures_t *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < FAIL_SLOTS; i++) {
		struct fail_entry *e = f->slots[i], *n;
		for (; e; e = n) {
			n = e->next;
			free(e);
		}
	}
	free(f);
}

static struct fail_entry *find(const auth_failures_t *f, const char *ip)
{
	for (struct fail_entry *e = f->slots[slot_of(ip)]; e; e = e->next)
		if (strcmp(e->ip, ip) == 0)
			return e;
	return NULL;
}

unsigned long auth_failures_add(auth_failures_t *f, const char *ip, time_t now)
{
	struct fail_entry *e;

	if (!ip || strlen(ip) >= IP_MAX)
		return 0;
	e = find(f, ip);
	if (!e) {
		if (f->count >= f->max || !(e = calloc(1, sizeof(*e))))
			return 0;
		strcpy(e->ip, ip);
		unsigned s = slot_of(ip);
		e->next = f->slots[s];
		f->slots[s] = e;
		f->count++;
	}
	e->count++;
	e->last = now;
	return e->count;
}

unsigned long auth_failures_get(const auth_failures_t *f, const char *ip)
{
	const struct fail_entry *e = ip ? find(f, ip) : NULL;

	return e ? e->count : 0;
}

int auth_failures_reset(auth_failures_t *f, const char *ip)
{
	struct fail_entry **pp = &f->slots[slot_of(ip)];

	for (; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->ip, ip) == 0) {
			struct fail_entry *e = *pp;
			*pp = e->next;
			free(e);
			f->count--;
			return 0;
		}
	}
	return JN_ENOENT;
}

size_t auth_failures_sweep(auth_failures_t *f, time_t now, unsigned keep)
{
	size_t dropped = 0;

	for (size_t i = 0; i < FAIL_SLOTS; i++) {
		struct fail_entry **pp = &f->slots[i];
		while (*pp) {
			struct fail_entry *e = *pp;
			if (e->last + (time_t)keep <= now) {
				*pp = e->next;
				free(e);
				dropped++;
			} else {
				pp = &e->next;
			}
		}
	}
	f->count -= dropped;
	return dropped;
}

char *auth_failures_json(const auth_failures_t *f)
{
	json_t *list = json_array();
	char *text = NULL;

	if (!list)
		return NULL;
	for (size_t i = 0; i < FAIL_SLOTS; i++) {
		for (const struct fail_entry *e = f->slots[i]; e; e = e->next) {
			json_t *o = json_pack("{s:s, s:I, s:I}", "ip", e->ip, "count",
			                      (json_int_t)e->count, "last", (json_int_t)e->last);
			if (!o || json_array_append_new(list, o) < 0)
				goto out;
		}
	}
	text = json_dumps(list, JSON_COMPACT);
out:
	json_decref(list);
	return text;
}
