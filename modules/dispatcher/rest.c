/* rest.c - GET /api/v1/dispatcher (sets, destinations, health) and
 * PUT|POST /api/v1/dispatcher/{set}/{uri}/enable|disable. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dispatcher.h"

static json_t *dst_json(const struct ds_dst *d, uint64_t now)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "uri", json_string(d->uri));
	json_object_set_new(o, "state", json_string(ds_state_name(d->state)));
	json_object_set_new(o, "probing", json_boolean(d->probe != NULL));
	json_object_set_new(o, "weight", json_integer(d->weight));
	json_object_set_new(o, "priority", json_integer(d->priority));
	json_object_set_new(o, "attrs", json_string(d->attrs));
	json_object_set_new(o, "failures", json_integer(d->fails));
	json_object_set_new(o, "successes", json_integer(d->oks));
	if (d->last_code) {
		json_object_set_new(o, "last_probe_status", json_integer(d->last_code));
		json_object_set_new(o, "last_probe_ago_ms",
		                    json_integer((json_int_t)(now - d->last_probe_ms)));
	} else {
		json_object_set_new(o, "last_probe_status", json_null());
	}
	return o;
}

static int reply_json(jn_admin_req_t *req, unsigned status, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text)
		return JN_ENOMEM;
	int rc = jn_admin_reply_json(req, status, text);
	free(text);
	return rc;
}

static int h_list(jn_admin_req_t *req, void *data)
{
	uint64_t now = jn_now_ms();
	json_t *sets = json_array();
	if (!sets)
		return JN_ENOMEM;
	for (size_t i = 0; i < ds_nsets; i++) {
		struct ds_set *s = &ds_sets[i];
		json_t *dl = json_array(), *o = json_object();
		if (!dl || !o) {
			json_decref(dl);
			json_decref(o);
			json_decref(sets);
			return JN_ENOMEM;
		}
		for (size_t j = 0; j < s->n; j++)
			json_array_append_new(dl, dst_json(&s->d[j], now));
		json_object_set_new(o, "id", json_integer(s->id));
		json_object_set_new(o, "active", json_integer((json_int_t)ds_active_count(s)));
		json_object_set_new(o, "destinations", dl);
		json_array_append_new(sets, o);
	}
	return reply_json(req, 200, json_pack("{s:o}", "sets", sets));
}

static int h_switch(jn_admin_req_t *req, void *data)
{
	int enable = data != NULL;
	const char *sid = jn_admin_path_param(req, "set");
	const char *uri = jn_admin_path_param(req, "uri");
	char *end;
	errno = 0;
	long id = sid ? strtol(sid, &end, 10) : -1;
	if (!sid || errno || end == sid || *end)
		return jn_admin_reply_error(req, 400, "set must be an integer");
	struct ds_set *s = ds_set_find((int)id);
	if (!s)
		return jn_admin_reply_error(req, 404, "no set %ld", id);
	struct ds_dst *d = ds_dst_find(s, uri);
	if (!d)
		return jn_admin_reply_error(req, 404, "set %ld has no destination %s", id,
		                            uri ? uri : "");
	if (enable && d->state == DS_DISABLED) {
		d->state = DS_ACTIVE;
		d->cur_weight = 0;
		d->fails = 0;
	} else if (!enable) {
		d->state = DS_DISABLED;
	}
	jn_log_notice(ds_self, "destination %s of set %ld %s over REST", d->uri, id,
	              enable ? "enabled" : "disabled");
	return reply_json(req, 200, dst_json(d, jn_now_ms()));
}

int ds_rest_register(jn_module_t *m)
{
	static const jn_admin_def_t defs[] = {
	    {"GET", "/dispatcher", h_list, NULL,
	     "List destination sets with each destination's health", NULL},
	    {"PUT", "/dispatcher/{set}/{uri}/enable", h_switch, (void *)1,
	     "Enable a destination (URI URL-encoded)", NULL},
	    {"POST", "/dispatcher/{set}/{uri}/enable", h_switch, (void *)1,
	     "Enable a destination (URI URL-encoded)", NULL},
	    {"PUT", "/dispatcher/{set}/{uri}/disable", h_switch, NULL,
	     "Disable a destination: no call goes to it until enabled", NULL},
	    {"POST", "/dispatcher/{set}/{uri}/disable", h_switch, NULL,
	     "Disable a destination: no call goes to it until enabled", NULL},
	};
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		int rc = jn_admin_register(m, &defs[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}
