/* sets.c - the destination sets: built from the `sets` parameter and/or
 * the database table dispatcher(setid, destination, weight, priority,
 * attrs) at start-up. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dispatcher.h"

struct ds_set *ds_sets;
size_t ds_nsets;

struct ds_set *ds_set_find(int id)
{
	for (size_t i = 0; i < ds_nsets; i++)
		if (ds_sets[i].id == id)
			return &ds_sets[i];
	return NULL;
}

struct ds_dst *ds_dst_find(struct ds_set *s, const char *uri)
{
	for (size_t i = 0; s && uri && i < s->n; i++)
		if (strcmp(s->d[i].uri, uri) == 0)
			return &s->d[i];
	return NULL;
}

size_t ds_active_count(const struct ds_set *s)
{
	size_t k = 0;
	for (size_t i = 0; s && i < s->n; i++)
		k += s->d[i].state == DS_ACTIVE;
	return k;
}

const char *ds_state_name(enum ds_state st)
{
	switch (st) {
	case DS_ACTIVE:
		return "active";
	case DS_INACTIVE:
		return "inactive";
	case DS_DISABLED:
		return "disabled";
	}
	return "?";
}

/* A destination must be a sip:/sips: URI with a host part. */
static int uri_ok(const char *uri)
{
	const char *h;
	if (strncasecmp(uri, "sip:", 4) == 0)
		h = uri + 4;
	else if (strncasecmp(uri, "sips:", 5) == 0)
		h = uri + 5;
	else
		return 0;
	const char *at = strchr(h, '@');
	if (at)
		h = at + 1;
	return *h && *h != ':' && *h != ';';
}

int ds_add(int id, const char *uri, int weight, int priority, const char *attrs)
{
	if (!uri || !uri_ok(uri) || weight < 1 || weight > 100)
		return JN_EINVAL;
	struct ds_set *s = ds_set_find(id);
	if (!s) {
		struct ds_set *v = realloc(ds_sets, (ds_nsets + 1) * sizeof(*v));
		if (!v)
			return JN_ENOMEM;
		ds_sets = v;
		s = &ds_sets[ds_nsets++];
		memset(s, 0, sizeof(*s));
		s->id = id;
	}
	if (ds_dst_find(s, uri))
		return JN_EEXIST;
	struct ds_dst *v = realloc(s->d, (s->n + 1) * sizeof(*v));
	if (!v)
		return JN_ENOMEM;
	s->d = v;
	struct ds_dst *d = &s->d[s->n];
	memset(d, 0, sizeof(*d));
	d->uri = strdup(uri);
	d->attrs = strdup(attrs ? attrs : "");
	if (!d->uri || !d->attrs) {
		free(d->uri);
		free(d->attrs);
		return JN_ENOMEM;
	}
	d->weight = weight;
	d->priority = priority;
	d->state = DS_ACTIVE;
	s->n++;
	return 0;
}

void ds_sets_free(void)
{
	for (size_t i = 0; i < ds_nsets; i++) {
		for (size_t j = 0; j < ds_sets[i].n; j++) {
			free(ds_sets[i].d[j].uri);
			free(ds_sets[i].d[j].attrs);
		}
		free(ds_sets[i].d);
	}
	free(ds_sets);
	ds_sets = NULL;
	ds_nsets = 0;
}

/* Integer from text; def when s is NULL. -1 on a malformed number. */
static int to_int(const char *s, long def, long *out)
{
	if (!s) {
		*out = def;
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static const char *scalar_of(const jn_node_t *map, const char *key)
{
	const jn_node_t *n = jn_node_get(map, key);
	return n ? jn_node_scalar(n) : NULL;
}

static int add_logged(jn_module_t *m, const jn_node_t *where, long id, const char *uri, long weight,
                      long prio, const char *attrs)
{
	int r = ds_add((int)id, uri, (int)weight, (int)prio, attrs);
	if (r == JN_EINVAL)
		jn_log_err(m,
		           "%s: destination '%s': needs a sip:/sips: URI with a host and a "
		           "weight from 1 to 100",
		           jn_node_where(where), uri ? uri : "");
	else if (r == JN_EEXIST)
		jn_log_err(m, "%s: destination '%s' appears twice in set %ld", jn_node_where(where),
		           uri, id);
	else if (r < 0)
		jn_log_err(m, "%s: %s", jn_node_where(where), jn_strerror(r));
	return r;
}

int ds_sets_from_node(jn_module_t *m, const jn_node_t *sets)
{
	if (jn_node_kind(sets) != JN_NODE_LIST) {
		jn_log_err(m, "%s: sets: expected a list of {id, destinations}",
		           jn_node_where(sets));
		return JN_EINVAL;
	}
	for (size_t i = 0; i < jn_node_count(sets); i++) {
		const jn_node_t *set = jn_node_item(sets, i);
		long id;
		const jn_node_t *dl =
		    jn_node_kind(set) == JN_NODE_MAP ? jn_node_get(set, "destinations") : NULL;
		if (!dl || jn_node_kind(dl) != JN_NODE_LIST ||
		    to_int(scalar_of(set, "id"), -1, &id) < 0 || id < 0 || id > 0x7fffffff) {
			jn_log_err(m,
			           "%s: a set needs an integer id >= 0 and a list of "
			           "destinations",
			           jn_node_where(set));
			return JN_EINVAL;
		}
		for (size_t j = 0; j < jn_node_count(dl); j++) {
			const jn_node_t *d = jn_node_item(dl, j);
			long w, p;
			if (jn_node_kind(d) != JN_NODE_MAP ||
			    to_int(scalar_of(d, "weight"), 1, &w) < 0 ||
			    to_int(scalar_of(d, "priority"), 0, &p) < 0 || p < -1000000 ||
			    p > 1000000) {
				jn_log_err(
				    m,
				    "%s: a destination is {uri, weight: 1..100, priority: int, "
				    "attrs: text}",
				    jn_node_where(d));
				return JN_EINVAL;
			}
			int r =
			    add_logged(m, d, id, scalar_of(d, "uri"), w, p, scalar_of(d, "attrs"));
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int ds_sets_from_db(jn_module_t *m, const char *url)
{
	jn_db_t *db = NULL;
	jn_db_res_t *res = NULL;
	int r = jn_db_open(m, url, &db);
	if (r < 0)
		return r;
	r = jn_db_query_sync(db,
	                     "SELECT setid, destination, weight, priority, attrs "
	                     "FROM dispatcher ORDER BY setid, priority DESC, destination",
	                     NULL, 0, &res);
	if (r < 0)
		goto out;
	if (!jn_db_res_ok(res)) {
		jn_log_err(m, "loading table dispatcher from %s: %s", jn_db_url(db),
		           jn_db_res_error(res));
		r = JN_EIO;
		goto out;
	}
	for (size_t i = 0; i < jn_db_res_rows(res); i++) {
		long id, w, p;
		const char *uri = jn_db_res_value(res, i, 1);
		if (to_int(jn_db_res_value(res, i, 0), -1, &id) < 0 || id < 0 ||
		    to_int(jn_db_res_value(res, i, 2), 1, &w) < 0 ||
		    to_int(jn_db_res_value(res, i, 3), 0, &p) < 0) {
			jn_log_err(m, "table dispatcher, row %zu: bad setid, weight or priority",
			           i + 1);
			r = JN_EINVAL;
			goto out;
		}
		r = ds_add((int)id, uri, (int)w, (int)p, jn_db_res_value(res, i, 4));
		if (r < 0) {
			jn_log_err(m, "table dispatcher, row %zu (%s): %s", i + 1,
			           uri ? uri : "NULL",
			           r == JN_EINVAL ? "needs a sip:/sips: URI and a weight 1..100"
			                          : jn_strerror(r));
			goto out;
		}
	}
	jn_log_info(m, "%zu destination(s) loaded from %s", jn_db_res_rows(res), jn_db_url(db));
	r = 0;
out:
	jn_db_res_free(res);
	jn_db_close(db);
	return r;
}
