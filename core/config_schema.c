/* config_schema.c - the junction.yaml schema. Strict: an unknown key, a
 * wrong type or an out-of-range value is an error at the offending node,
 * and every error is reported, not just the first. */
#include "config_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct schema {
	jn_config_t *c;
	config_errs_t *e;
	const char *base;         /* relative paths resolve against this */
	const jn_node_t **lnodes; /* where listener i was written */
	size_t lcap;
	const jn_node_t **mnodes; /* module i's name */
} schema_t;

static const char *const top_keys[] = {"listen", "script", "module_path", "modules",
                                       "log",    "http",   "sip",         "tls", NULL};
static const char *const listen_keys[] = {"udp", "tcp", "tls", NULL};
static const char *const tls_keys[] = {"certificate", "key", "ca", "verify_client", NULL};
static const char *const module_keys[] = {"name", "path", "params", NULL};
static const char *const log_keys[] = {"level", "target", "format", NULL};
static const char *const http_keys[] = {"listen", "token", NULL};
static const char *const sip_keys[] = {"udp_buffer", "shutdown_timeout", "user_agent",
                                      "resolv_conf", "tcp_keepalive", NULL};
static const char *const log_levels[] = {"err", "warn", "notice", "info", "debug", NULL};
static const char *const log_targets[] = {"stderr", "syslog", NULL};
static const char *const log_formats[] = {"text", "json", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* "a, b, c" into buf (the lists above are short and fixed). */
static const char *join(const char *const *list, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; list[i] && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? ", " : "", list[i]);
	return buf;
}

static int is_str(const jn_node_t *v)
{
	return v->kind == JN_NODE_SCALAR && !v->null;
}

/* The value of key in map, counting only its first occurrence (a later
 * one is already a duplicate-key error). */
static int first_of(const jn_node_t *map, size_t i)
{
	return jn_node_get(map, map->keys[i]->text) == map->items[i];
}

static void check_keys(schema_t *s, const jn_node_t *map, const char *in, const char *const *known)
{
	char buf[256];
	for (size_t i = 0; i < map->n; i++) {
		const jn_node_t *k = map->keys[i];
		if (in_list(known, k->text))
			continue;
		if (in)
			config_err(s->e, k, "unknown key '%s' in %s (expected one of: %s)", k->text,
			           in, join(known, buf, sizeof(buf)));
		else
			config_err(s->e, k, "unknown key '%s' (expected one of: %s)", k->text,
			           join(known, buf, sizeof(buf)));
	}
}

static char *dup_text(schema_t *s, const jn_node_t *at, const char *text)
{
	char *r = strdup(text);
	if (!r)
		config_err(s->e, at, "out of memory");
	return r;
}

/* Replaces *out (a default, or NULL) with the value's text. */
static void set_text(schema_t *s, const jn_node_t *v, char **out)
{
	char *t = dup_text(s, v, v->text);
	if (t) {
		free(*out);
		*out = t;
	}
}

static int want_str(schema_t *s, const jn_node_t *v, const char *key, int nonempty)
{
	if (!is_str(v)) {
		config_err(s->e, v, "'%s' must be a string", key);
		return -1;
	}
	if (nonempty && !v->text[0]) {
		config_err(s->e, v, "'%s' must not be empty", key);
		return -1;
	}
	return 0;
}

static char *resolve(schema_t *s, const jn_node_t *v)
{
	char *r = NULL;
	size_t bl = strlen(s->base);
	if (v->text[0] == '/')
		return dup_text(s, v, v->text);
	if (asprintf(&r, "%s%s%s", s->base, bl && s->base[bl - 1] == '/' ? "" : "/", v->text) < 0) {
		config_err(s->e, v, "out of memory");
		return NULL;
	}
	return r;
}

static void want_path(schema_t *s, const jn_node_t *v, const char *key, char **out)
{
	if (want_str(s, v, key, 1) == 0)
		*out = resolve(s, v);
}

static void want_uint(schema_t *s, const jn_node_t *v, const char *key, long long min,
                      long long max, unsigned *out)
{
	long long x;
	if (!is_str(v) || !config_int_syntax(v->text)) {
		config_err(s->e, v, "'%s' must be an integer", key);
		return;
	}
	if (config_parse_int(v->text, &x) < 0 || x < min || x > max) {
		config_err(s->e, v, "'%s' must be between %lld and %lld", key, min, max);
		return;
	}
	*out = (unsigned)x;
}

static void want_enum(schema_t *s, const jn_node_t *v, const char *key, const char *const *vals,
                      char **out)
{
	char buf[256];
	if (!is_str(v) || !in_list(vals, v->text)) {
		config_err(s->e, v, "'%s' must be one of: %s", key, join(vals, buf, sizeof(buf)));
		return;
	}
	set_text(s, v, out);
}

/* An optional section: absent or empty (YAML null) reads as an empty map.
 * Returns the map, or NULL when there is nothing to check. */
static const jn_node_t *want_section(schema_t *s, const jn_node_t *v, const char *key)
{
	if (!v || (v->kind == JN_NODE_SCALAR && v->null))
		return NULL;
	if (v->kind != JN_NODE_MAP) {
		config_err(s->e, v, "'%s' must be a map", key);
		return NULL;
	}
	return v;
}

/* ---- listen ------------------------------------------------------------- */

static int grow_listeners(schema_t *s)
{
	jn_config_t *c = s->c;
	if (c->nlisteners < s->lcap)
		return 0;
	size_t cap = s->lcap ? s->lcap * 2 : 4;
	conf_listener_t *l = realloc(c->listeners, cap * sizeof(*l));
	if (l)
		c->listeners = l;
	const jn_node_t **n = realloc(s->lnodes, cap * sizeof(*n));
	if (n)
		s->lnodes = n;
	if (!l || !n)
		return -1;
	s->lcap = cap;
	return 0;
}

static void add_listener(schema_t *s, const char *proto, const jn_node_t *v)
{
	char *host = NULL;
	unsigned port = 0;
	int v6 = 0;
	const char *why = NULL;
	if (config_parse_hostport(v->text, &host, &port, &v6, &why) < 0) {
		config_err(s->e, v, "invalid listen address '%s': %s", v->text, why);
		return;
	}
	if (grow_listeners(s) < 0) {
		free(host);
		config_err(s->e, v, "out of memory");
		return;
	}
	conf_listener_t *l = &s->c->listeners[s->c->nlisteners];
	memset(l, 0, sizeof(*l));
	l->host = host;
	l->port = port;
	l->proto = strdup(proto);
	l->where = strdup(v->where);
	if (asprintf(&l->text, v6 ? "%s:[%s]:%u" : "%s:%s:%u", proto, host, port) < 0)
		l->text = NULL;
	s->lnodes[s->c->nlisteners++] = v;
	if (!l->proto || !l->where || !l->text)
		config_err(s->e, v, "out of memory");
}

/* A string or a list of strings; returns how many entries were given. */
static size_t check_listen_value(schema_t *s, const char *proto, const jn_node_t *v)
{
	if (is_str(v)) {
		add_listener(s, proto, v);
		return 1;
	}
	if (v->kind != JN_NODE_LIST) {
		config_err(s->e, v, "'%s' must be a string or a list of strings", proto);
		return 1;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (is_str(v->items[i]))
			add_listener(s, proto, v->items[i]);
		else
			config_err(s->e, v->items[i], "'%s' must be a string or a list of strings",
			           proto);
	}
	return v->n;
}

static void report_dup_listeners(schema_t *s)
{
	size_t n = s->c->nlisteners;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		names[i] = s->c->listeners[i].text;
	config_report_dups(s->e, "duplicate listener", names, s->lnodes, n);
	free(names);
}

static void check_listen(schema_t *s, const jn_node_t *v)
{
	size_t given = 0;
	if (!v) {
		config_err(s->e, s->c->root, "missing required key 'listen'");
		return;
	}
	if (v->kind != JN_NODE_MAP && !(v->kind == JN_NODE_SCALAR && v->null)) {
		config_err(s->e, v, "'listen' must be a map with keys udp, tcp and/or tls");
		return;
	}
	if (v->kind == JN_NODE_MAP) {
		check_keys(s, v, "'listen'", listen_keys);
		for (size_t i = 0; i < v->n; i++) {
			const char *proto = v->keys[i]->text;
			if (in_list(listen_keys, proto) && first_of(v, i))
				given += check_listen_value(s, proto, v->items[i]);
		}
	}
	if (!given)
		config_err(s->e, v, "'listen' must name at least one listener");
	report_dup_listeners(s);
}

/* ---- modules ------------------------------------------------------------ */

static int valid_module_name(const char *n)
{
	if (*n < 'a' || *n > 'z')
		return 0;
	for (n++; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9') || *n == '_'))
			return 0;
	return 1;
}

/* The parts of a map entry other than its name. */
static void check_module_map(schema_t *s, const jn_node_t *item, conf_module_t *m)
{
	const jn_node_t *v;
	check_keys(s, item, "a 'modules' entry", module_keys);
	if ((v = jn_node_get(item, "path")))
		want_path(s, v, "path", &m->path);
	v = jn_node_get(item, "params");
	if (v && v->kind == JN_NODE_MAP)
		m->params = v;
	else if (v && !(v->kind == JN_NODE_SCALAR && v->null))
		config_err(s->e, v, "'params' must be a map");
}

static const jn_node_t *module_name_node(schema_t *s, const jn_node_t *item, conf_module_t *m)
{
	const jn_node_t *name = item;
	if (item->kind == JN_NODE_MAP) {
		check_module_map(s, item, m);
		name = jn_node_get(item, "name");
		if (!name) {
			config_err(s->e, item, "missing required key 'name' in a 'modules' entry");
			return NULL;
		}
		if (!is_str(name)) {
			config_err(s->e, name, "'name' must be a string");
			return NULL;
		}
	} else if (!is_str(item)) {
		config_err(s->e, item, "'modules' entries must be a module name or a map");
		return NULL;
	}
	if (!valid_module_name(name->text)) {
		config_err(s->e, name, "invalid module name '%s' (expected [a-z][a-z0-9_]*)",
		           name->text);
		return NULL;
	}
	return name;
}

static void check_module(schema_t *s, const jn_node_t *item)
{
	conf_module_t m = {0};
	const jn_node_t *name = module_name_node(s, item, &m);
	if (!name) {
		free(m.path);
		return;
	}
	m.name = dup_text(s, name, name->text);
	m.where = dup_text(s, item, item->where);
	s->mnodes[s->c->nmodules] = name;
	s->c->modules[s->c->nmodules++] = m;
}

static void check_modules(schema_t *s, const jn_node_t *v)
{
	const char **names = NULL;
	if (!v || (v->kind == JN_NODE_SCALAR && v->null))
		return;
	if (v->kind != JN_NODE_LIST) {
		config_err(s->e, v, "'modules' must be a list");
		return;
	}
	s->c->modules = calloc(v->n ? v->n : 1, sizeof(*s->c->modules));
	s->mnodes = calloc(v->n ? v->n : 1, sizeof(*s->mnodes));
	names = calloc(v->n ? v->n : 1, sizeof(*names));
	if (!s->c->modules || !s->mnodes || !names) {
		config_err(s->e, v, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < v->n; i++)
		check_module(s, v->items[i]);
	for (size_t i = 0; i < s->c->nmodules; i++)
		names[i] = s->c->modules[i].name;
	config_report_dups(s->e, "duplicate module", names, s->mnodes, s->c->nmodules);
out:
	free(names);
}

/* ---- log, http, sip ----------------------------------------------------- */

static void check_log(schema_t *s, const jn_node_t *v)
{
	const jn_node_t *x;
	if (!(v = want_section(s, v, "log")))
		return;
	check_keys(s, v, "'log'", log_keys);
	if ((x = jn_node_get(v, "level")))
		want_enum(s, x, "level", log_levels, &s->c->log.level);
	if ((x = jn_node_get(v, "target")))
		want_enum(s, x, "target", log_targets, &s->c->log.target);
	if ((x = jn_node_get(v, "format")))
		want_enum(s, x, "format", log_formats, &s->c->log.format);
}

static void check_http_listen(schema_t *s, const jn_node_t *v)
{
	char *host = NULL;
	const char *why = NULL;
	int v6;
	if (want_str(s, v, "listen", 0) < 0)
		return;
	if (config_parse_hostport(v->text, &host, &s->c->http.port, &v6, &why) < 0) {
		config_err(s->e, v, "invalid listen address '%s': %s", v->text, why);
		return;
	}
	free(s->c->http.host);
	s->c->http.host = host;
}

static void check_http(schema_t *s, const jn_node_t *v)
{
	const jn_node_t *x;
	if (!v)
		return;
	s->c->http.enabled = 1;
	if (v->kind != JN_NODE_MAP && !(v->kind == JN_NODE_SCALAR && v->null)) {
		config_err(s->e, v, "'http' must be a map");
		return;
	}
	if (v->kind == JN_NODE_MAP)
		check_keys(s, v, "'http'", http_keys);
	if ((x = jn_node_get(v, "listen")))
		check_http_listen(s, x);
	if (!(x = jn_node_get(v, "token")))
		config_err(s->e, v, "missing required key 'token' in 'http'");
	else if (want_str(s, x, "token", 1) == 0)
		set_text(s, x, &s->c->http.token);
}

/* The value goes into SIP headers verbatim: no CR, LF or other controls. */
static void check_user_agent(schema_t *s, const jn_node_t *v)
{
	if (want_str(s, v, "user_agent", 1) < 0)
		return;
	for (const unsigned char *p = (const unsigned char *)v->text; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			config_err(s->e, v, "'user_agent' must not contain control characters");
			return;
		}
	}
	set_text(s, v, &s->c->sip.user_agent);
}

/* The resolver reads the file itself (and re-reads it when it changes); a
 * missing one would silently fall back to nothing, so it must exist now. */
static void check_resolv_conf(schema_t *s, const jn_node_t *v)
{
	char *path = NULL;
	want_path(s, v, "resolv_conf", &path);
	if (!path)
		return;
	if (access(path, R_OK) != 0) {
		config_err(s->e, v, "'resolv_conf': cannot read '%s': %s", path, strerror(errno));
		free(path);
		return;
	}
	free(s->c->sip.resolv_conf);
	s->c->sip.resolv_conf = path;
}

static void check_sip(schema_t *s, const jn_node_t *v)
{
	const jn_node_t *x;
	if (!(v = want_section(s, v, "sip")))
		return;
	check_keys(s, v, "'sip'", sip_keys);
	if ((x = jn_node_get(v, "udp_buffer")))
		want_uint(s, x, "udp_buffer", 65536, 67108864, &s->c->sip.udp_buffer);
	if ((x = jn_node_get(v, "shutdown_timeout")))
		want_uint(s, x, "shutdown_timeout", 0, 300, &s->c->sip.shutdown_timeout);
	if ((x = jn_node_get(v, "tcp_keepalive")))
		want_uint(s, x, "tcp_keepalive", 0, 3600, &s->c->sip.tcp_keepalive);
	if ((x = jn_node_get(v, "user_agent")))
		check_user_agent(s, x);
	if ((x = jn_node_get(v, "resolv_conf")))
		check_resolv_conf(s, x);
}

/* ---- tls ------------------------------------------------------------------ */

static void want_bool(schema_t *s, const jn_node_t *v, const char *key, int *out)
{
	if (!is_str(v) || config_parse_bool(v->text, out) < 0)
		config_err(s->e, v, "'%s' must be true or false", key);
}

/* sofia reads the files only when the listener starts and then says
 * little about what was wrong, so each file must be readable and hold a
 * PEM block (what) now, reported at the key that names it. */
static void want_pem(schema_t *s, const jn_node_t *v, const char *key, const char *what,
                     char **out)
{
	char *path = NULL, line[256];
	int found = 0;
	want_path(s, v, key, &path);
	if (!path)
		return;
	FILE *f = fopen(path, "r");
	if (!f) {
		config_err(s->e, v, "'%s': cannot read '%s': %s", key, path, strerror(errno));
		free(path);
		return;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, "-----BEGIN ", 11) == 0 && strstr(line, what) != NULL;
	fclose(f);
	if (!found) {
		config_err(s->e, v, "'%s': '%s' holds no PEM %s", key, path, what);
		free(path);
		return;
	}
	free(*out);
	*out = path;
}

static void check_tls(schema_t *s, const jn_node_t *v)
{
	const jn_node_t *x;
	if (!v)
		return;
	s->c->tls.enabled = 1;
	if (v->kind != JN_NODE_MAP) {
		config_err(s->e, v, "'tls' must be a map with keys certificate and key");
		return;
	}
	check_keys(s, v, "'tls'", tls_keys);
	if (!(x = jn_node_get(v, "certificate")))
		config_err(s->e, v, "missing required key 'certificate' in 'tls'");
	else
		want_pem(s, x, "certificate", "CERTIFICATE", &s->c->tls.certificate);
	if (!(x = jn_node_get(v, "key")))
		config_err(s->e, v, "missing required key 'key' in 'tls'");
	else
		want_pem(s, x, "key", "PRIVATE KEY", &s->c->tls.key);
	if ((x = jn_node_get(v, "ca")))
		want_pem(s, x, "ca", "CERTIFICATE", &s->c->tls.ca);
	if ((x = jn_node_get(v, "verify_client")))
		want_bool(s, x, "verify_client", &s->c->tls.verify_client);
}

/* A tls listener needs the certificate and key of a tls: section. */
static void check_tls_listeners(schema_t *s, const jn_node_t *tls)
{
	for (size_t i = 0; i < s->c->nlisteners; i++)
		if (!strcmp(s->c->listeners[i].proto, "tls") && !tls)
			config_err(s->e, s->lnodes[i],
			           "a tls listener needs a top-level 'tls' section "
			           "(certificate, key)");
}

/* ---- top level ---------------------------------------------------------- */

static void set_defaults(schema_t *s)
{
	jn_config_t *c = s->c;
	c->log.level = strdup("info");
	c->log.target = strdup("stderr");
	c->log.format = strdup("text");
	c->http.host = strdup("127.0.0.1");
	c->http.port = 8080;
	c->sip.udp_buffer = 4194304;
	c->sip.shutdown_timeout = 5;
	c->sip.user_agent = strdup("Junction");
	if (!c->log.level || !c->log.target || !c->log.format || !c->http.host ||
	    !c->sip.user_agent)
		config_err(s->e, NULL, "out of memory");
}

void config_schema_check(jn_config_t *c, const char *base, config_errs_t *e)
{
	schema_t s = {.c = c, .e = e, .base = base};
	const jn_node_t *root = c->root, *v;
	set_defaults(&s);
	if (root->kind != JN_NODE_MAP) {
		config_err(e, root, "the configuration must be a map");
		return;
	}
	check_keys(&s, root, NULL, top_keys);
	check_listen(&s, jn_node_get(root, "listen"));
	if (!(v = jn_node_get(root, "script")))
		config_err(e, root, "missing required key 'script'");
	else
		want_path(&s, v, "script", &c->script);
	if ((v = jn_node_get(root, "module_path")))
		want_path(&s, v, "module_path", &c->module_path);
	check_modules(&s, jn_node_get(root, "modules"));
	check_log(&s, jn_node_get(root, "log"));
	check_http(&s, jn_node_get(root, "http"));
	check_sip(&s, jn_node_get(root, "sip"));
	check_tls(&s, jn_node_get(root, "tls"));
	check_tls_listeners(&s, jn_node_get(root, "tls"));
	free(s.lnodes);
	free(s.mnodes);
}
