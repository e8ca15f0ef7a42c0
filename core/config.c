/* config.c - loading junction.yaml: read, parse with libyaml's document
 * API, copy into our located tree, check against the schema
 * (config_schema.c). Every problem found is appended to the caller's error
 * list; a configuration is returned only when there are none. */
#include "config_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void config_err(config_errs_t *e, const jn_node_t *at, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (at)
		errlist_add(e->list, at->file, at->line, at->col, "%s",
		            msg ? msg : "out of memory");
	else
		errlist_add(e->list, e->file, 0, 0, "%s", msg ? msg : "out of memory");
	free(msg);
	e->count++;
}

static void err_at(config_errs_t *e, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void err_at(config_errs_t *e, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	errlist_add(e->list, e->file, line > 1000000000 ? 0 : (int)line,
	            col > 1000000000 ? 0 : (int)col, "%s", msg ? msg : "out of memory");
	free(msg);
	e->count++;
}

/* The reader (bad UTF-8, control characters) reports a byte offset
 * rather than a mark; turn it into a line and column. */
static void offset_pos(const char *buf, size_t len, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static void yaml_error(const yaml_parser_t *p, const char *buf, size_t len, config_errs_t *e)
{
	const char *problem = p->problem ? p->problem : "syntax error";
	size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;
	if (p->error == YAML_MEMORY_ERROR) {
		err_at(e, 0, 0, "out of memory");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		offset_pos(buf, len, p->problem_offset, &line, &col);
		if (p->problem_value >= 0)
			err_at(e, line, col, "%s (byte 0x%02X)", problem,
			       (unsigned)p->problem_value);
		else
			err_at(e, line, col, "%s", problem);
		return;
	}
	if (p->context)
		err_at(e, line, col, "%s (%s at line %zu col %zu)", problem, p->context,
		       p->context_mark.line + 1, p->context_mark.column + 1);
	else
		err_at(e, line, col, "%s", problem);
}

static int is_empty_doc(yaml_document_t *doc)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	if (!root)
		return 1;
	if (root->type != YAML_SCALAR_NODE || root->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *s = (const char *)root->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

/* One document only: a second one is most likely a paste mistake. */
static void check_one_document(yaml_parser_t *p, const char *buf, size_t len, config_errs_t *e)
{
	yaml_document_t doc;
	if (!yaml_parser_load(p, &doc)) {
		yaml_error(p, buf, len, e);
		return;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root)
		err_at(e, root->start_mark.line + 1, root->start_mark.column + 1,
		       "only one YAML document is allowed");
	yaml_document_delete(&doc);
}

/* libyaml's scanner is quadratic in the flow nesting depth (it revisits
 * every open level for each token), so a megabyte of '[' takes minutes in
 * yaml_parser_load(). An event pass stops at the depth limit first. Syntax
 * errors are left for the loading pass to report. */
static int check_depth(const char *buf, size_t len, config_errs_t *e)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, r = 0, done = 0;
	if (!yaml_parser_initialize(&p))
		return 0;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done && yaml_parser_parse(&p, &ev)) {
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		done = ev.type == YAML_STREAM_END_EVENT;
		if (depth > CONFIG_MAX_DEPTH + 1) {
			err_at(e, ev.start_mark.line + 1, ev.start_mark.column + 1,
			       "nesting too deep (limit %d)", CONFIG_MAX_DEPTH);
			r = -1;
			done = 1;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return r;
}

static jn_node_t *parse(const char *buf, size_t len, config_errs_t *e)
{
	yaml_parser_t p;
	yaml_document_t doc;
	jn_node_t *root = NULL;
	if (check_depth(buf, len, e) < 0)
		return NULL;
	if (!yaml_parser_initialize(&p)) {
		err_at(e, 0, 0, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, &doc)) {
		yaml_error(&p, buf, len, e);
		goto out;
	}
	if (is_empty_doc(&doc))
		err_at(e, 0, 0, "empty configuration");
	else
		root = config_node_build(&doc, e->file, e);
	yaml_document_delete(&doc);
	if (root)
		check_one_document(&p, buf, len, e);
out:
	yaml_parser_delete(&p);
	return root;
}

/* The directory relative paths in the file resolve against: the config
 * file's own, made absolute so that it survives a chdir(). */
static char *base_dir(const char *file)
{
	const char *slash = file ? strrchr(file, '/') : NULL;
	char *cwd = getcwd(NULL, 0), *dir = NULL, *out = NULL;
	if (!slash) {
		out = cwd ? cwd : strdup(".");
		return out;
	}
	if (slash == file) {
		free(cwd);
		return strdup("/");
	}
	dir = strndup(file, (size_t)(slash - file));
	if (!dir || dir[0] == '/' || !cwd) {
		free(cwd);
		return dir;
	}
	const char *rel = strncmp(dir, "./", 2) ? dir : dir + 2;
	if (!strcmp(rel, "."))
		rel = "";
	if (asprintf(&out, "%s%s%s", cwd, *rel ? "/" : "", rel) < 0)
		out = NULL;
	free(dir);
	free(cwd);
	return out;
}

typedef struct err_ord {
	int line, col;
	size_t i;
} err_ord_t;

static int err_ord_cmp(const void *a, const void *b)
{
	const err_ord_t *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int same_err(const jn_err_t *a, const jn_err_t *b)
{
	return a->line == b->line && a->col == b->col && !strcmp(a->msg, b->msg) &&
	       (a->file == b->file || (a->file && b->file && !strcmp(a->file, b->file)));
}

/* An aliased node is checked once per alias, so one mistake can be found
 * several times at the same place: keep it once. */
static void drop_repeats(jn_errlist_t *errs, size_t start)
{
	size_t w = start + 1;
	for (size_t r = start + 1; r < errs->n; r++) {
		if (same_err(&errs->v[r], &errs->v[w - 1])) {
			free(errs->v[r].file);
			free(errs->v[r].msg);
		} else {
			errs->v[w++] = errs->v[r];
		}
	}
	errs->n = w;
}

/* The checks run section by section; the reader wants file order. Sorts
 * the errors this load appended (from start on), keeping equal positions
 * in the order found. */
static void sort_errors(jn_errlist_t *errs, size_t start)
{
	size_t n = errs->n - start;
	if (n < 2)
		return;
	err_ord_t *ord = calloc(n, sizeof(*ord));
	jn_err_t *tmp = calloc(n, sizeof(*tmp));
	if (!ord || !tmp)
		goto out;
	for (size_t i = 0; i < n; i++)
		ord[i] = (err_ord_t){errs->v[start + i].line, errs->v[start + i].col, i};
	qsort(ord, n, sizeof(*ord), err_ord_cmp);
	for (size_t i = 0; i < n; i++)
		tmp[i] = errs->v[start + ord[i].i];
	memcpy(errs->v + start, tmp, n * sizeof(*tmp));
	drop_repeats(errs, start);
out:
	free(ord);
	free(tmp);
}

static jn_config_t *load(const char *name, const char *buf, size_t len, const char *path,
                         jn_errlist_t *errs)
{
	config_errs_t e = {.list = errs};
	size_t start = errs->n;
	char *base = NULL;
	jn_config_t *c = calloc(1, sizeof(*c));
	if (!c || !(c->file = strdup(name ? name : "<string>"))) {
		errlist_add(errs, name, 0, 0, "out of memory");
		free(c);
		return NULL;
	}
	e.file = c->file;
	if (len > CONFIG_MAX_BYTES) {
		err_at(&e, 0, 0, "file too large (%zu bytes, limit %d)", len, CONFIG_MAX_BYTES);
		goto out;
	}
	c->root = parse(buf, len, &e);
	if (!c->root)
		goto out;
	base = base_dir(path);
	if (!base)
		err_at(&e, 0, 0, "out of memory");
	else
		config_schema_check(c, base, &e);
out:
	free(base);
	sort_errors(errs, start);
	if (e.count || !c->root) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* Reads at most one byte more than the limit, so that a larger file is
 * refused without reading it all. */
static char *read_file(const char *path, size_t *len, jn_errlist_t *errs)
{
	char *buf = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		errlist_add(errs, path, 0, 0, "%s", strerror(errno));
		return NULL;
	}
	buf = malloc(CONFIG_MAX_BYTES + 1);
	if (!buf) {
		errlist_add(errs, path, 0, 0, "out of memory");
		goto out;
	}
	*len = fread(buf, 1, CONFIG_MAX_BYTES + 1, f);
	if (ferror(f)) {
		errlist_add(errs, path, 0, 0, "%s", strerror(errno ? errno : EIO));
		free(buf);
		buf = NULL;
	} else if (*len > CONFIG_MAX_BYTES) {
		errlist_add(errs, path, 0, 0, "file too large (limit %d bytes)", CONFIG_MAX_BYTES);
		free(buf);
		buf = NULL;
	}
out:
	fclose(f);
	return buf;
}

jn_config_t *config_load_file(const char *path, jn_errlist_t *errs)
{
	size_t len = 0;
	if (!path) {
		errlist_add(errs, NULL, 0, 0, "no configuration file given");
		return NULL;
	}
	char *buf = read_file(path, &len, errs);
	if (!buf)
		return NULL;
	jn_config_t *c = load(path, buf, len, path, errs);
	free(buf);
	return c;
}

jn_config_t *config_load_string(const char *name, const char *buf, size_t len, jn_errlist_t *errs)
{
	return load(name, buf ? buf : "", buf ? len : 0, NULL, errs);
}

void config_free(jn_config_t *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nlisteners; i++) {
		free(c->listeners[i].proto);
		free(c->listeners[i].host);
		free(c->listeners[i].text);
		free(c->listeners[i].where);
	}
	free(c->listeners);
	for (size_t i = 0; i < c->nmodules; i++) {
		free(c->modules[i].name);
		free(c->modules[i].path);
		free(c->modules[i].where);
	}
	free(c->modules);
	free(c->script);
	free(c->module_path);
	free(c->log.level);
	free(c->log.target);
	free(c->log.format);
	free(c->http.host);
	free(c->http.token);
	free(c->sip.user_agent);
	free(c->sip.resolv_conf);
	free(c->tls.certificate);
	free(c->tls.key);
	free(c->tls.ca);
	config_node_free(c->root);
	free(c->file);
	free(c);
}
