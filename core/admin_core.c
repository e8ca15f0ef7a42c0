/* admin_core.c - the core's own admin routes: status, modules, reload,
 * config and the OpenAPI document.
 *
 * Kept apart from admin.c on purpose: these handlers read the daemon state
 * of core.h (implemented partly in main.c, which is not in libjcore.a), so
 * the registry itself links into unit tests and fuzz targets without it. */
#include "admin.h"
#include "config.h"
#include "core.h"
#include "errlist.h"
#include "log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Serialise v (stolen) as the reply. */
static int reply(jn_admin_req_t *req, unsigned status, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(v);
	if (!text)
		return JN_ENOMEM;
	int rc = jn_admin_reply_json(req, status, text);
	free(text);
	return rc;
}

/* json_string() refuses invalid UTF-8 and NULL; paths and messages come
 * from files and users, so both happen. */
static json_t *str_or_null(const char *s)
{
	if (!s)
		return json_null();
	json_t *v = json_string(s);
	return v ? v : json_string("(not UTF-8)");
}

static int status_get(jn_admin_req_t *req, void *data)
{
	const jn_config_t *cfg = core_config();
	json_t *o = json_object(), *ls = json_array(), *ms = json_array();
	if (!o || !ls || !ms)
		goto fail;
	for (size_t i = 0; i < core_listener_count(); i++)
		json_array_append_new(ls, str_or_null(core_listener(i)));
	for (size_t i = 0; i < core_module_count(); i++) {
		jn_module_t *m = core_module_at(i);
		json_array_append_new(ms, json_pack("{s:o, s:o}", "name",
		                                    str_or_null(jn_module_name(m)), "version",
		                                    str_or_null(core_module_version(m))));
	}
	json_object_set_new(o, "version", str_or_null(jn_version()));
	json_object_set_new(o, "uptime", json_integer((json_int_t)core_uptime()));
	json_object_set_new(o, "listeners", ls);
	json_object_set_new(o, "modules", ms);
	json_object_set_new(o, "reloads", json_integer((json_int_t)core_reload_count()));
	json_object_set_new(o, "script", str_or_null(cfg ? cfg->script : NULL));
	return reply(req, 200, o);
fail:
	json_decref(o);
	json_decref(ls);
	json_decref(ms);
	return JN_ENOMEM;
}

static int modules_get(jn_admin_req_t *req, void *data)
{
	json_t *a = json_array();
	if (!a)
		return JN_ENOMEM;
	for (size_t i = 0; i < core_module_count(); i++) {
		jn_module_t *m = core_module_at(i);
		json_array_append_new(
		    a, json_pack("{s:o, s:o, s:o, s:o}", "name", str_or_null(jn_module_name(m)),
		                 "version", str_or_null(core_module_version(m)), "description",
		                 str_or_null(core_module_description(m)), "path",
		                 str_or_null(core_module_path(m))));
	}
	return reply(req, 200, a);
}

static int reload_post(jn_admin_req_t *req, void *data)
{
	jn_errlist_t errs;
	const jn_config_t *cfg = core_config();
	const char *script = cfg ? cfg->script : NULL;
	int rc;

	errlist_init(&errs);
	log_notice("reload requested over REST");
	if (core_reload(&errs) == 0) {
		rc = reply(req, 200,
		           json_pack("{s:s, s:o}", "status", "ok", "script", str_or_null(script)));
		goto out;
	}
	json_t *list = json_array();
	for (size_t i = 0; list && i < errs.n; i++) {
		const jn_err_t *e = &errs.v[i];
		char *text = errlist_format(&errs, i);
		json_array_append_new(list, json_pack("{s:o, s:i, s:i, s:o, s:o}", "file",
		                                      str_or_null(e->file), "line", e->line, "col",
		                                      e->col, "message", str_or_null(e->msg),
		                                      "text", str_or_null(text ? text : e->msg)));
		free(text);
	}
	/* A refusal without a located error still has to say something. */
	if (list && errs.n == 0)
		json_array_append_new(list, json_pack("{s:n, s:i, s:i, s:s, s:s}", "file", "line",
		                                      0, "col", 0, "message", "reload failed",
		                                      "text", "reload failed"));
	rc = reply(req, 422,
	           list ? json_pack("{s:s, s:o}", "status", "error", "errors", list) : NULL);
out:
	errlist_free(&errs);
	return rc;
}

/* Module parameters may hold credentials (database passwords); the
 * admin API shows that they are set, not what they are. */
static int secret_key(const char *k)
{
	static const char *const words[] = {"password", "passwd", "secret", "token"};
	for (size_t i = 0; k && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(k, words[i]))
			return 1;
	return 0;
}

static json_t *node_json(const jn_node_t *n, int depth)
{
	if (!n || depth > 32)
		return json_null();
	switch (jn_node_kind(n)) {
	case JN_NODE_SCALAR:
		return str_or_null(jn_node_scalar(n));
	case JN_NODE_LIST: {
		json_t *a = json_array();
		for (size_t i = 0; a && i < jn_node_count(n); i++)
			json_array_append_new(a, node_json(jn_node_item(n, i), depth + 1));
		return a;
	}
	case JN_NODE_MAP: {
		json_t *o = json_object();
		for (size_t i = 0; o && i < jn_node_count(n); i++) {
			const char *k = jn_node_key(n, i);
			if (!k)
				continue;
			json_object_set_new(o, k,
			                    secret_key(k)
			                        ? json_string("(hidden)")
			                        : node_json(jn_node_get(n, k), depth + 1));
		}
		return o;
	}
	}
	return json_null();
}

static int config_get(jn_admin_req_t *req, void *data)
{
	const jn_config_t *c = core_config();
	if (!c)
		return reply(req, 503, json_pack("{s:s}", "error", "no configuration loaded"));
	json_t *ls = json_array(), *ms = json_array();
	for (size_t i = 0; ls && i < c->nlisteners; i++)
		json_array_append_new(ls, str_or_null(c->listeners[i].text));
	for (size_t i = 0; ms && i < c->nmodules; i++) {
		const conf_module_t *m = &c->modules[i];
		json_array_append_new(
		    ms, json_pack("{s:o, s:o, s:o}", "name", str_or_null(m->name), "path",
		                  str_or_null(m->path), "params",
		                  m->params ? node_json(m->params, 0) : json_object()));
	}
	json_t *o = json_pack(
	    "{s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:{s:b, s:o, s:i}, s:{s:i, s:i, s:o}}",
	    "file", str_or_null(c->file), "listeners", ls, "script", str_or_null(c->script),
	    "module_path", str_or_null(c->module_path), "modules", ms, "log", "level",
	    str_or_null(c->log.level), "target", str_or_null(c->log.target), "format",
	    str_or_null(c->log.format), "http", "enabled", c->http.enabled, "host",
	    str_or_null(c->http.host), "port", (int)c->http.port, "sip", "udp_buffer",
	    (int)c->sip.udp_buffer, "shutdown_timeout", (int)c->sip.shutdown_timeout, "user_agent",
	    str_or_null(c->sip.user_agent));
	return reply(req, 200, o);
}

static int openapi_get(jn_admin_req_t *req, void *data)
{
	char *text = admin_openapi();
	if (!text)
		return JN_ENOMEM;
	int rc = jn_admin_reply_json(req, 200, text);
	free(text);
	return rc;
}

int admin_register_core(void)
{
	static int done;
	static const jn_admin_def_t defs[] = {
	    {"GET", "/status", status_get, NULL,
	     "Version, uptime, listeners, loaded modules and the reload count", NULL},
	    {"GET", "/modules", modules_get, NULL,
	     "Loaded modules with version, description and file", NULL},
	    {"POST", "/reload", reload_post, NULL,
	     "Recompile the routing script and activate it; 422 with every located "
	     "error when it is refused (the running script stays)",
	     NULL},
	    {"GET", "/config", config_get, NULL, "The configuration in effect (secrets hidden)",
	     NULL},
	    {"GET", "/openapi.json", openapi_get, NULL, "This document", NULL},
	};

	if (done)
		return 0;
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		int rc = jn_admin_register(NULL, &defs[i]);
		if (rc < 0)
			return rc;
	}
	done = 1;
	return 0;
}
