/* admin.c - the admin command registry: route templates with {name}
 * segments, dispatch of one request to its handler, the jn_admin_* calls a
 * handler makes, and the OpenAPI document generated from the table.
 *
 * Everything runs on the SIP thread (http.c calls admin_dispatch() from
 * the loop), so the registry needs no lock. */
#include "admin.h"
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef JN_VERSION
#define JN_VERSION "0.0.0"
#endif

/* Templates deeper than this are refused; a request deeper than this
 * cannot match anything, so splitting stops there. */
#define MAX_SEGS 32

typedef struct seg {
	char *text; /* literal text, or the parameter's name */
	int param;
} seg_t;

typedef struct route {
	char *method;
	char *path; /* the template as registered */
	seg_t *segs;
	size_t nsegs;
	jn_admin_cb handler;
	void *data;
	char *summary;
	char *body_doc;
	jn_module_t *mod; /* NULL for the core */
} route_t;

typedef struct kv {
	char *key;
	char *val;
} kv_t;

struct jn_admin_req {
	const char *method;
	kv_t *params; /* path parameters, decoded; keys copied from the route */
	size_t nparams;
	kv_t *query; /* decoded, in request order */
	size_t nquery;
	const char *body; /* NUL-terminated (see admin_dispatch) */
	size_t len;
	int replied;
	int bad_json; /* the reply is our 500 for invalid JSON: keep it */
	unsigned status;
	char *reply;
};

static route_t *routes;
static size_t nroutes, caproutes;

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

/* ---- helpers ----------------------------------------------------------- */

/* jansson refuses strings that are not UTF-8; text that reaches a reply
 * (a client's path in a 404, a module's message) may not be. Such bytes
 * become '?' so the reply still says something useful. */
static json_t *jstr(const char *s)
{
	json_t *v = json_string(s ? s : "");
	if (v)
		return v;
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

static char *error_json(const char *msg)
{
	json_t *o = json_object();
	char *s = NULL;
	if (!o)
		goto out;
	if (json_object_set_new(o, "error", jstr(msg)) < 0)
		goto out;
	s = json_dumps(o, JSON_COMPACT);
out:
	json_decref(o);
	return s;
}

/* A static fallback for when even the error cannot be allocated; the
 * result's json is always malloc'd so that admin_result_free() is simple. */
static void set_result(admin_result_t *res, unsigned status, char *json)
{
	free(res->json);
	res->status = status;
	res->json = json ? json : strdup("{\"error\":\"out of memory\"}");
	if (!json)
		res->status = 500;
}

static void set_error(admin_result_t *res, unsigned status, const char *fmt, ...) JN_PRINTF(3, 4);
static void set_error(admin_result_t *res, unsigned status, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	set_result(res, status, msg ? error_json(msg) : NULL);
	free(msg);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode n bytes of s into a new string; '+' means space in a
 * query (HTML forms) but not in a path. NULL on a malformed escape or an
 * encoded NUL, which no C string can carry. *oom is set when malloc
 * failed, to tell the two apart. */
static char *pct_decode(const char *s, size_t n, int plus_space, int *oom)
{
	char *out = malloc(n + 1), *o = out;
	if (!out) {
		*oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3)
				goto bad;
			int hi = hexval((unsigned char)s[i + 1]);
			int lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_space) {
			*o++ = ' ';
		} else if (s[i] == '\0') {
			goto bad;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static void kv_free(kv_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].val);
	}
	free(v);
}

static void route_free(route_t *r)
{
	for (size_t i = 0; i < r->nsegs; i++)
		free(r->segs[i].text);
	free(r->segs);
	free(r->method);
	free(r->path);
	free(r->summary);
	free(r->body_doc);
}

static const char *mod_name(const jn_module_t *m)
{
	return m ? jn_module_name(m) : "core";
}

/* ---- templates --------------------------------------------------------- */

/* RFC 3986 pchar minus '%': what a literal template segment may hold. The
 * OpenAPI document uses templates as keys, so they must stay ASCII. */
static int literal_char(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

static int param_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* "/registrations/{aor}" -> segments; JN_EINVAL for anything else than
 * '/'-separated non-empty literals and whole-segment {name}s with
 * distinct names. */
static int template_parse(const char *path, seg_t **out, size_t *nout)
{
	seg_t *segs = NULL;
	size_t n = 0;
	int rc = JN_EINVAL;
	const char *p = path;

	if (!p || *p != '/')
		goto out;
	segs = calloc(MAX_SEGS, sizeof(*segs));
	if (!segs) {
		rc = JN_ENOMEM;
		goto out;
	}
	while (*p == '/') {
		p++;
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 0 || n == MAX_SEGS)
			goto out;
		seg_t *s = &segs[n];
		if (*p == '{') {
			if (len < 3 || p[len - 1] != '}')
				goto out;
			for (size_t i = 1; i < len - 1; i++)
				if (!param_char((unsigned char)p[i]))
					goto out;
			s->param = 1;
			s->text = strndup(p + 1, len - 2);
		} else {
			for (size_t i = 0; i < len; i++)
				if (!literal_char((unsigned char)p[i]))
					goto out;
			s->text = strndup(p, len);
		}
		if (!s->text) {
			rc = JN_ENOMEM;
			goto out;
		}
		n++;
		for (size_t i = 0; s->param && i + 1 < n; i++)
			if (segs[i].param && strcmp(segs[i].text, s->text) == 0)
				goto out;
		p = end;
	}
	if (*p != '\0' || n == 0)
		goto out;
	*out = segs;
	*nout = n;
	segs = NULL;
	rc = 0;
out:
	if (segs) {
		for (size_t i = 0; i < MAX_SEGS; i++)
			free(segs[i].text);
		free(segs);
	}
	return rc;
}

/* Same shape: the same literals at the same places, parameters at the
 * same places (whatever their names). */
static int same_shape(const route_t *a, const seg_t *segs, size_t n)
{
	if (a->nsegs != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (a->segs[i].param != segs[i].param)
			return 0;
		if (!segs[i].param && strcmp(a->segs[i].text, segs[i].text) != 0)
			return 0;
	}
	return 1;
}

static int same_names(const route_t *a, const seg_t *segs)
{
	for (size_t i = 0; i < a->nsegs; i++)
		if (segs[i].param && strcmp(a->segs[i].text, segs[i].text) != 0)
			return 0;
	return 1;
}

/* ---- registration ------------------------------------------------------ */

JN_API int jn_admin_register(jn_module_t *m, const jn_admin_def_t *def)
{
	route_t r = {0};
	int rc = JN_EINVAL;
	size_t mi;

	if (!def || !def->method || !def->handler)
		goto out;
	for (mi = 0; mi < sizeof(methods) / sizeof(methods[0]); mi++)
		if (strcmp(def->method, methods[mi]) == 0)
			break;
	if (mi == sizeof(methods) / sizeof(methods[0]))
		goto out;
	rc = template_parse(def->path, &r.segs, &r.nsegs);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < nroutes; i++) {
		if (!same_shape(&routes[i], r.segs, r.nsegs))
			continue;
		/* Two spellings of one template ("/x/{a}", "/x/{b}") would
		 * make two OpenAPI paths that the spec forbids, and leave
		 * clients guessing which name is right. */
		if (!same_names(&routes[i], r.segs)) {
			log_err("admin: %s %s (%s) clashes with %s (%s): use the same "
			        "parameter names",
			        def->method, def->path, mod_name(m), routes[i].path,
			        mod_name(routes[i].mod));
			rc = JN_EINVAL;
			goto out;
		}
		if (strcmp(routes[i].method, def->method) == 0) {
			log_err("admin: %s %s (%s) is already registered by %s", def->method,
			        def->path, mod_name(m), mod_name(routes[i].mod));
			rc = JN_EEXIST;
			goto out;
		}
	}
	rc = JN_ENOMEM;
	r.method = strdup(methods[mi]);
	r.path = strdup(def->path);
	r.summary = def->summary ? strdup(def->summary) : NULL;
	r.body_doc = def->body_doc ? strdup(def->body_doc) : NULL;
	if (!r.method || !r.path || (def->summary && !r.summary) || (def->body_doc && !r.body_doc))
		goto out;
	if (nroutes == caproutes) {
		size_t cap = caproutes ? caproutes * 2 : 16;
		route_t *v = realloc(routes, cap * sizeof(*v));
		if (!v)
			goto out;
		routes = v;
		caproutes = cap;
	}
	r.handler = def->handler;
	r.data = def->data;
	r.mod = m;
	routes[nroutes++] = r;
	return 0;
out:
	route_free(&r);
	return rc;
}

void admin_remove_module(jn_module_t *m)
{
	size_t j = 0;
	for (size_t i = 0; i < nroutes; i++) {
		if (routes[i].mod == m)
			route_free(&routes[i]);
		else
			routes[j++] = routes[i];
	}
	nroutes = j;
}

void admin_clear(void)
{
	for (size_t i = 0; i < nroutes; i++)
		route_free(&routes[i]);
	free(routes);
	routes = NULL;
	nroutes = caproutes = 0;
}

size_t admin_route_count(void)
{
	return nroutes;
}

/* ---- inside a handler -------------------------------------------------- */

JN_API const char *jn_admin_method(const jn_admin_req_t *r)
{
	return r ? r->method : NULL;
}

JN_API const char *jn_admin_path_param(const jn_admin_req_t *r, const char *name)
{
	if (!r || !name)
		return NULL;
	for (size_t i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].key, name) == 0)
			return r->params[i].val;
	return NULL;
}

/* The first value when a key repeats, "" for a key given without '='. */
JN_API const char *jn_admin_query(const jn_admin_req_t *r, const char *name)
{
	if (!r || !name)
		return NULL;
	for (size_t i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].key, name) == 0)
			return r->query[i].val;
	return NULL;
}

JN_API const char *jn_admin_body(const jn_admin_req_t *r, size_t *len)
{
	if (len)
		*len = r ? r->len : 0;
	return r ? r->body : NULL;
}

JN_API int jn_admin_reply_json(jn_admin_req_t *r, unsigned status, const char *json)
{
	if (!r || !json || status < 100 || status > 599)
		return JN_EINVAL;
	if (r->replied)
		return JN_ESTATE;
	/* A module that hands over broken JSON gets a 500 rather than
	 * passing it to clients that trust our Content-Type. */
	json_error_t err;
	json_t *v = json_loads(json, JSON_DECODE_ANY, &err);
	if (!v) {
		log_warn("admin: handler replied invalid JSON (%s at %d:%d)", err.text, err.line,
		         err.column);
		r->replied = 1;
		r->bad_json = 1;
		r->status = 500;
		r->reply = error_json("handler replied invalid JSON");
		return JN_EPARSE;
	}
	json_decref(v);
	/* The module's own text is kept: jansson would lose precision on
	 * numbers it re-prints, and the module chose its formatting. */
	char *copy = strdup(json);
	if (!copy)
		return JN_ENOMEM;
	r->replied = 1;
	r->status = status;
	r->reply = copy;
	return 0;
}

JN_API int jn_admin_reply_error(jn_admin_req_t *r, unsigned status, const char *fmt, ...)
{
	if (!r || !fmt || status < 100 || status > 599)
		return JN_EINVAL;
	if (r->replied)
		return JN_ESTATE;
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return JN_ENOMEM;
	char *text = error_json(msg);
	free(msg);
	if (!text)
		return JN_ENOMEM;
	r->replied = 1;
	r->status = status;
	r->reply = text;
	return 0;
}

/* ---- dispatch ---------------------------------------------------------- */

/* Split "a=1&b=x%20y&c" into decoded pairs. 0, JN_EPARSE or JN_ENOMEM. */
static int query_parse(const char *q, kv_t **out, size_t *nout)
{
	kv_t *v = NULL;
	size_t n = 0, cap = 0;
	int rc = JN_ENOMEM;

	while (q && *q) {
		const char *end = strchrnul(q, '&');
		const char *eq = memchr(q, '=', (size_t)(end - q));
		if (end == q) {
			q++;
			continue;
		}
		if (n == cap) {
			size_t c = cap ? cap * 2 : 8;
			kv_t *nv = realloc(v, c * sizeof(*nv));
			if (!nv)
				goto out;
			v = nv;
			cap = c;
		}
		int oom = 0;
		const char *kend = eq ? eq : end;
		char *key = pct_decode(q, (size_t)(kend - q), 1, &oom);
		char *val = eq ? pct_decode(eq + 1, (size_t)(end - eq - 1), 1, &oom) : strdup("");
		if (!key || !val) {
			free(key);
			free(val);
			rc = oom || (!eq && !val) ? JN_ENOMEM : JN_EPARSE;
			goto out;
		}
		v[n].key = key;
		v[n].val = val;
		n++;
		q = *end ? end + 1 : end;
	}
	*out = v;
	*nout = n;
	return 0;
out:
	kv_free(v, n);
	return rc;
}

/* Which of two routes that both match is more specific: the first
 * segment where one has a literal and the other a parameter decides, so
 * "/calls/active" wins over "/calls/{id}". */
static int more_specific(const route_t *a, const route_t *b)
{
	for (size_t i = 0; i < a->nsegs; i++)
		if (a->segs[i].param != b->segs[i].param)
			return !a->segs[i].param;
	return 0;
}

static int route_matches(const route_t *r, char **segs, size_t n)
{
	if (r->nsegs != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (segs[i][0] == '\0')
			return 0;
		if (!r->segs[i].param && strcmp(r->segs[i].text, segs[i]) != 0)
			return 0;
	}
	return 1;
}

static char *allow_list(char **segs, size_t n)
{
	char buf[64] = "";
	for (size_t mi = 0; mi < sizeof(methods) / sizeof(methods[0]); mi++) {
		for (size_t i = 0; i < nroutes; i++) {
			if (strcmp(routes[i].method, methods[mi]) != 0 ||
			    !route_matches(&routes[i], segs, n))
				continue;
			if (buf[0])
				strcat(buf, ", ");
			strcat(buf, methods[mi]);
			break;
		}
	}
	return strdup(buf);
}

void admin_result_free(admin_result_t *res)
{
	free(res->json);
	free(res->allow);
	memset(res, 0, sizeof(*res));
}

void admin_dispatch(const char *method, const char *target, const char *body, size_t len,
                    admin_result_t *res)
{
	static const char empty[] = "";
	char *segs[MAX_SEGS];
	size_t nsegs = 0;
	jn_admin_req_t req = {0};
	const route_t *best = NULL;
	size_t plen = strlen(ADMIN_PREFIX);

	memset(res, 0, sizeof(*res));
	if (!method || !target)
		method = target = "";
	const char *qmark = strchr(target, '?');
	size_t pathlen = qmark ? (size_t)(qmark - target) : strlen(target);

	/* Everything lives below the prefix: "/api/v1" or "/api/v1/...". */
	if (pathlen < plen || memcmp(target, ADMIN_PREFIX, plen) != 0 ||
	    (pathlen > plen && target[plen] != '/')) {
		set_error(res, 404, "not found");
		goto out;
	}
	const char *p = target + plen, *pend = target + pathlen;
	/* A trailing slash is forgiven: "/api/v1/status/" is "/status". */
	if (pend > p && pend[-1] == '/')
		pend--;
	while (p < pend) {
		p++; /* the '/' */
		const char *e = memchr(p, '/', (size_t)(pend - p));
		if (!e)
			e = pend;
		if (nsegs == MAX_SEGS) {
			set_error(res, 404, "not found");
			goto out;
		}
		int oom = 0;
		segs[nsegs] = pct_decode(p, (size_t)(e - p), 0, &oom);
		if (!segs[nsegs]) {
			if (oom)
				set_result(res, 500, NULL);
			else
				set_error(res, 400, "malformed percent-encoding in the path");
			goto out;
		}
		nsegs++;
		p = e;
	}

	int path_known = 0;
	for (size_t i = 0; i < nroutes; i++) {
		if (!route_matches(&routes[i], segs, nsegs))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, method) != 0)
			continue;
		if (!best || more_specific(&routes[i], best))
			best = &routes[i];
	}
	if (!best && path_known) {
		res->allow = allow_list(segs, nsegs);
		set_error(res, 405, "method not allowed");
		goto out;
	}
	if (!best) {
		set_error(res, 404, "not found");
		goto out;
	}

	int rc = query_parse(qmark ? qmark + 1 : NULL, &req.query, &req.nquery);
	if (rc == JN_EPARSE) {
		set_error(res, 400, "malformed percent-encoding in the query");
		goto out;
	} else if (rc < 0) {
		set_result(res, 500, NULL);
		goto out;
	}
	req.params = calloc(best->nsegs, sizeof(*req.params));
	if (!req.params) {
		set_result(res, 500, NULL);
		goto out;
	}
	for (size_t i = 0; i < best->nsegs; i++) {
		if (!best->segs[i].param)
			continue;
		/* Copied, not borrowed from the route: the handler may
		 * register or remove routes, so nothing of `best` is used
		 * once it runs. */
		req.params[req.nparams].key = strdup(best->segs[i].text);
		if (!req.params[req.nparams].key) {
			set_result(res, 500, NULL);
			goto out;
		}
		req.params[req.nparams].val = segs[i];
		segs[i] = NULL;
		req.nparams++;
	}
	req.method = method; /* the caller's, equal to best->method */
	req.body = body && len ? body : empty;
	req.len = body ? len : 0;

	jn_admin_cb handler = best->handler;
	void *data = best->data;
	char *rname = NULL;
	if (asprintf(&rname, "%s %s (%s)", best->method, best->path, mod_name(best->mod)) < 0)
		rname = NULL;
	rc = handler(&req, data);
	if (rc < 0 && !req.bad_json) {
		log_warn("admin: %s failed: %s", rname ? rname : "handler", jn_strerror(rc));
		set_error(res, 500, "%s", jn_strerror(rc));
	} else if (!req.replied) {
		log_warn("admin: %s did not reply", rname ? rname : "handler");
		set_error(res, 500, "handler did not reply");
	} else {
		set_result(res, req.status, req.reply);
		req.reply = NULL;
	}
	free(rname);
out:
	for (size_t i = 0; i < nsegs; i++)
		free(segs[i]);
	kv_free(req.params, req.nparams);
	kv_free(req.query, req.nquery);
	free(req.reply);
	if (!res->json)
		set_result(res, 500, NULL);
}

/* ---- OpenAPI ----------------------------------------------------------- */

static json_t *error_response(const char *description)
{
	return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", description, "content",
	                 "application/json", "schema", "$ref", "#/components/schemas/Error");
}

static json_t *operation(const route_t *r, json_t *opids)
{
	json_t *op = json_object(), *params = json_array(), *resp = NULL;
	char opid[256];
	size_t n = 0;

	if (!op || !params)
		goto fail;
	/* operationId: "get_registrations_aor", unique across the doc. */
	for (const char *s = r->method; *s && n < sizeof(opid) - 1; s++)
		opid[n++] = (char)(*s | 0x20);
	for (size_t i = 0; i < r->nsegs; i++) {
		for (const char *s = r->segs[i].text; *s && n < sizeof(opid) - 2; s++) {
			int c = (unsigned char)*s;
			int alnum = param_char(c) && c != '_';
			if (s == r->segs[i].text || !alnum)
				if (opid[n - 1] != '_')
					opid[n++] = '_';
			if (alnum)
				opid[n++] = (char)c;
		}
	}
	while (n > 1 && opid[n - 1] == '_')
		n--;
	opid[n] = '\0';
	char id[sizeof(opid) + 24];
	snprintf(id, sizeof(id), "%s", opid);
	for (size_t k = 2; json_object_get(opids, id); k++)
		snprintf(id, sizeof(id), "%s_%zu", opid, k);
	json_object_set_new(opids, id, json_true());

	json_object_set_new(op, "operationId", json_string(id));
	json_object_set_new(op, "summary", jstr(r->summary ? r->summary : r->path));
	json_object_set_new(op, "tags", json_pack("[o]", jstr(mod_name(r->mod))));
	for (size_t i = 0; i < r->nsegs; i++) {
		if (!r->segs[i].param)
			continue;
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name",
		                                        r->segs[i].text, "in", "path", "required",
		                                        1, "schema", "type", "string"));
	}
	if (json_array_size(params))
		json_object_set(op, "parameters", params);
	if (r->body_doc)
		json_object_set_new(op, "requestBody",
		                    json_pack("{s:o, s:{s:{s:{s:s}}}}", "description",
		                              jstr(r->body_doc), "content", "application/json",
		                              "schema", "type", "object"));
	resp = json_pack("{s:{s:s, s:{s:{s:{}}}}, s:o, s:o, s:o}", "200", "description", "OK",
	                 "content", "application/json", "schema", "401",
	                 error_response("missing or wrong bearer token"), "404",
	                 error_response("not found"), "default", error_response("error"));
	if (!resp)
		goto fail;
	json_object_set_new(op, "responses", resp);
	json_decref(params);
	return op;
fail:
	json_decref(params);
	json_decref(op);
	return NULL;
}

char *admin_openapi(void)
{
	json_t *doc = NULL, *paths = json_object(), *tags = json_array(), *seen = json_object();
	json_t *opids = json_object();
	char *text = NULL;

	if (!paths || !tags || !seen || !opids)
		goto out;
	for (size_t i = 0; i < nroutes; i++) {
		const route_t *r = &routes[i];
		const char *tag = mod_name(r->mod);
		if (!json_object_get(seen, tag)) {
			json_object_set_new(seen, tag, json_true());
			json_array_append_new(
			    tags, json_pack("{s:o, s:o}", "name", jstr(tag), "description",
			                    r->mod ? jstr("routes of module") : jstr("core")));
		}
		json_t *item = json_object_get(paths, r->path);
		if (!item) {
			item = json_object();
			if (json_object_set_new(paths, r->path, item) < 0)
				goto out;
		}
		char lower[8];
		size_t k;
		for (k = 0; r->method[k] && k < sizeof(lower) - 1; k++)
			lower[k] = (char)(r->method[k] | 0x20);
		lower[k] = '\0';
		json_t *op = operation(r, opids);
		if (!op || json_object_set_new(item, lower, op) < 0)
			goto out;
	}
	doc = json_pack(
	    "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:[{s:[]}], s:o, s:o, s:{s:{s:{s:s, s:s}},"
	    " s:{s:{s:s, s:{s:{s:s}}, s:[s]}}}}",
	    "openapi", "3.0.3", "info", "title", "Junction admin API", "version", JN_VERSION,
	    "description",
	    "Administration of a running junctiond. Every route needs the bearer token "
	    "from http.token in junction.yaml. GET /metrics (outside this base path) "
	    "serves Prometheus text with the same token.",
	    "servers", "url", ADMIN_PREFIX, "security", "bearer", "tags", tags, "paths", paths,
	    "components", "securitySchemes", "bearer", "type", "http", "scheme", "bearer",
	    "schemas", "Error", "type", "object", "properties", "error", "type", "string",
	    "required", "error");
	tags = paths = NULL; /* "o" stole them, even on failure */
	if (!doc)
		goto out;
	text = json_dumps(doc, JSON_INDENT(2));
out:
	json_decref(doc);
	json_decref(paths);
	json_decref(tags);
	json_decref(seen);
	json_decref(opids);
	return text;
}
