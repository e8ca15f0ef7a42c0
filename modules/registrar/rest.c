/* rest.c - GET /api/v1/registrations, DELETE /api/v1/registrations/{aor}
 * and /api/v1/registrations/{aor}/{contact}. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "registrar.h"

static json_t *binding_json(const struct loc_binding *b, int64_t now)
{
	registrar_binding_t rb;
	reg_fill_binding(b, now, &rb);
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "contact", json_string(rb.contact));
	json_object_set_new(o, "expires", json_integer(rb.expires));
	json_object_set_new(o, "q", json_real(rb.q / 1000.0));
	json_object_set_new(o, "call_id", json_string(rb.call_id));
	json_object_set_new(o, "cseq", json_integer(rb.cseq));
	json_object_set_new(o, "transport", json_string(rb.transport));
	json_object_set_new(o, "nated", json_boolean(rb.nated));
	if (rb.received)
		json_object_set_new(o, "received", json_string(rb.received));
	if (rb.path)
		json_object_set_new(o, "path", json_string(rb.path));
	if (rb.instance)
		json_object_set_new(o, "instance", json_string(rb.instance));
	if (rb.reg_id)
		json_object_set_new(o, "reg_id", json_integer(rb.reg_id));
	if (rb.user_agent)
		json_object_set_new(o, "user_agent", json_string(rb.user_agent));
	return o;
}

static json_t *aor_json(struct loc_aor *a, int64_t now)
{
	struct loc_binding **v;
	size_t n = reg_sorted_bindings(a, now, &v);
	if (!n)
		return NULL;
	json_t *o = json_object(), *list = json_array();
	if (!o || !list) {
		json_decref(o);
		json_decref(list);
		free(v);
		return NULL;
	}
	json_object_set_new(o, "aor", json_string(a->name));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, binding_json(v[i], now));
	json_object_set_new(o, "bindings", list);
	free(v);
	return o;
}

struct list_ctx {
	json_t *arr;
	int64_t now;
};

static int add_aor(struct loc_aor *a, void *data)
{
	struct list_ctx *c = data;
	json_t *o = aor_json(a, c->now);
	if (o)
		json_array_append_new(c->arr, o);
	return 0;
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
	const char *filter = jn_admin_query(req, "aor");
	struct list_ctx c = {json_array(), (int64_t)jn_now_ms()};
	if (!c.arr)
		return JN_ENOMEM;
	if (filter) {
		char name[REG_AOR_MAX];
		if (reg_aor_from_text(filter, name, sizeof(name)) < 0) {
			json_decref(c.arr);
			return jn_admin_reply_error(req, 400,
			                            "aor must be user@domain or a sip: URI");
		}
		struct loc_aor *a = loc_aor_find(name);
		if (a)
			add_aor(a, &c);
	} else {
		loc_foreach_aor(add_aor, &c);
	}
	return reply_json(req, 200, c.arr);
}

static int h_delete(jn_admin_req_t *req, void *data)
{
	const char *aor = jn_admin_path_param(req, "aor");
	const char *contact = jn_admin_path_param(req, "contact");
	char name[REG_AOR_MAX];
	if (!aor || reg_aor_from_text(aor, name, sizeof(name)) < 0)
		return jn_admin_reply_error(req, 400, "aor must be user@domain or a sip: URI");
	if (contact && !*contact)
		return jn_admin_reply_error(req, 400, "empty contact");
	int n = reg_api.remove(name, contact);
	if (n == JN_ENOENT || n == 0)
		return jn_admin_reply_error(req, 404, "no %s %s",
		                            contact ? "binding" : "registration",
		                            contact ? contact : name);
	if (n < 0)
		return n;
	json_t *o = json_pack("{s:s, s:i}", "aor", name, "removed", n);
	return reply_json(req, 200, o);
}

int reg_rest_register(jn_module_t *m)
{
	static const jn_admin_def_t defs[] = {
	    {"GET", "/registrations", h_list, NULL,
	     "List registrations (optional ?aor=user@domain filter)", NULL},
	    {"DELETE", "/registrations/{aor}", h_delete, NULL,
	     "Remove every binding of an address-of-record", NULL},
	    {"DELETE", "/registrations/{aor}/{contact}", h_delete, NULL,
	     "Remove one binding (contact URI, URL-encoded)", NULL},
	};
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		int rc = jn_admin_register(m, &defs[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}
