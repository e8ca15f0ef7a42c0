/* config_node.c - our copy of the YAML tree (the SDK's jn_node_t) and its
 * accessors. The copy keeps each node's location so that the core and the
 * modules can report "file:line:col", and outlives the libyaml document. */
#include "config_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x)  STR_(x)

typedef struct build {
	yaml_document_t *doc;
	const char *file;
	config_errs_t *e;
	size_t nodes;
	int failed; /* a limit was hit or memory ran out: no tree */
} build_t;

static jn_node_t *build_node(build_t *b, yaml_node_t *y, int depth);

static int is_null_text(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static void build_fail(build_t *b, const jn_node_t *at, const char *msg)
{
	if (b->failed)
		return;
	b->failed = 1;
	config_err(b->e, at, "%s", msg);
}

static jn_node_t *node_new(build_t *b, const yaml_node_t *y, jn_node_kind_t kind)
{
	jn_node_t *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->file = b->file;
	n->line = (int)(y->start_mark.line + 1 > INT32_MAX ? INT32_MAX : y->start_mark.line + 1);
	n->col = (int)(y->start_mark.column + 1 > INT32_MAX ? INT32_MAX : y->start_mark.column + 1);
	if (asprintf(&n->where, "%s:%d:%d", b->file, n->line, n->col) < 0) {
		free(n);
		return NULL;
	}
	return n;
}

static int build_scalar(build_t *b, jn_node_t *n, const yaml_node_t *y)
{
	size_t len = y->data.scalar.length;
	n->text = malloc(len + 1);
	if (!n->text)
		return -1;
	memcpy(n->text, y->data.scalar.value, len);
	n->text[len] = '\0';
	n->quoted = y->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	n->null = !n->quoted && is_null_text(n->text);
	/* A double-quoted "\0" would silently cut the value short. */
	if (strlen(n->text) != len)
		config_err(b->e, n, "NUL character in value");
	return 0;
}

static int build_list(build_t *b, jn_node_t *n, const yaml_node_t *y, int depth)
{
	yaml_node_item_t *it = y->data.sequence.items.start;
	size_t cnt = (size_t)(y->data.sequence.items.top - it);
	n->items = calloc(cnt ? cnt : 1, sizeof(*n->items));
	if (!n->items)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *c = yaml_document_get_node(b->doc, it[i]);
		jn_node_t *cn = c ? build_node(b, c, depth + 1) : NULL;
		if (!cn)
			return -1;
		n->items[n->n++] = cn;
	}
	return 0;
}

static void report_dup_keys(build_t *b, const jn_node_t *n)
{
	const char **names = calloc(n->n ? n->n : 1, sizeof(*names));
	if (!names)
		return;
	for (size_t i = 0; i < n->n; i++)
		names[i] = n->keys[i]->text;
	config_report_dups(b->e, "duplicate key", names, (const jn_node_t *const *)n->keys, n->n);
	free(names);
}

static int build_pair(build_t *b, jn_node_t *n, const yaml_node_pair_t *p, int depth)
{
	yaml_node_t *k = yaml_document_get_node(b->doc, p->key);
	yaml_node_t *v = yaml_document_get_node(b->doc, p->value);
	if (!k || !v)
		return -1;
	jn_node_t *kn = build_node(b, k, depth + 1);
	if (!kn)
		return -1;
	if (kn->kind != JN_NODE_SCALAR) {
		config_err(b->e, kn, "map keys must be scalars");
		config_node_free(kn);
		return 0;
	}
	jn_node_t *vn = build_node(b, v, depth + 1);
	if (!vn) {
		config_node_free(kn);
		return -1;
	}
	n->keys[n->n] = kn;
	n->items[n->n++] = vn;
	return 0;
}

static int build_map(build_t *b, jn_node_t *n, const yaml_node_t *y, int depth)
{
	yaml_node_pair_t *p = y->data.mapping.pairs.start;
	size_t cnt = (size_t)(y->data.mapping.pairs.top - p);
	n->items = calloc(cnt ? cnt : 1, sizeof(*n->items));
	n->keys = calloc(cnt ? cnt : 1, sizeof(*n->keys));
	if (!n->items || !n->keys)
		return -1;
	for (size_t i = 0; i < cnt; i++)
		if (build_pair(b, n, &p[i], depth) < 0)
			return -1;
	report_dup_keys(b, n);
	return 0;
}

static jn_node_kind_t kind_of(const yaml_node_t *y)
{
	switch (y->type) {
	case YAML_SEQUENCE_NODE:
		return JN_NODE_LIST;
	case YAML_MAPPING_NODE:
		return JN_NODE_MAP;
	default:
		return JN_NODE_SCALAR;
	}
}

static jn_node_t *build_node(build_t *b, yaml_node_t *y, int depth)
{
	if (b->failed)
		return NULL;
	jn_node_t *n = node_new(b, y, kind_of(y));
	if (!n) {
		build_fail(b, NULL, "out of memory");
		return NULL;
	}
	int r = 0;
	if (depth > CONFIG_MAX_DEPTH)
		build_fail(b, n, "nesting too deep (limit " STR(CONFIG_MAX_DEPTH) ")");
	else if (++b->nodes > CONFIG_MAX_NODES)
		build_fail(b, n, "too many values (limit " STR(CONFIG_MAX_NODES) ")");
	else if (n->kind == JN_NODE_SCALAR)
		r = build_scalar(b, n, y);
	else if (n->kind == JN_NODE_LIST)
		r = build_list(b, n, y, depth);
	else
		r = build_map(b, n, y, depth);
	if (r < 0)
		build_fail(b, n, "out of memory");
	if (b->failed) {
		config_node_free(n);
		return NULL;
	}
	return n;
}

jn_node_t *config_node_build(yaml_document_t *doc, const char *file, config_errs_t *e)
{
	build_t b = {.doc = doc, .file = file, .e = e};
	yaml_node_t *root = yaml_document_get_root_node(doc);
	if (!root)
		return NULL;
	return build_node(&b, root, 0);
}

void config_node_free(jn_node_t *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		config_node_free(n->items[i]);
		if (n->keys)
			config_node_free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->text);
	free(n->where);
	free(n);
}

/* ---- duplicates --------------------------------------------------------- */

typedef struct dup_ent {
	const char *name;
	size_t i;
} dup_ent_t;

static int dup_cmp(const void *a, const void *b)
{
	const dup_ent_t *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sorting keeps this O(n log n): a hostile file may hold a map with tens
 * of thousands of keys. */
void config_report_dups(config_errs_t *e, const char *what, const char *const *names,
                        const jn_node_t *const *at, size_t n)
{
	dup_ent_t *v = calloc(n ? n : 1, sizeof(*v));
	size_t *first = calloc(n ? n : 1, sizeof(*first));
	size_t m = 0;
	if (!v || !first)
		goto out;
	for (size_t i = 0; i < n; i++) {
		first[i] = SIZE_MAX;
		if (names[i])
			v[m++] = (dup_ent_t){names[i], i};
	}
	qsort(v, m, sizeof(*v), dup_cmp);
	for (size_t j = 1; j < m; j++) {
		size_t head = first[v[j - 1].i] == SIZE_MAX ? v[j - 1].i : first[v[j - 1].i];
		if (!strcmp(v[j].name, v[j - 1].name))
			first[v[j].i] = head;
	}
	for (size_t i = 0; i < n; i++)
		if (first[i] != SIZE_MAX)
			config_err(e, at[i], "%s '%s' (first at line %d)", what, names[i],
			           at[first[i]]->line);
out:
	free(v);
	free(first);
}

/* ---- SDK accessors ------------------------------------------------------ */

JN_API jn_node_kind_t jn_node_kind(const jn_node_t *n)
{
	return n ? n->kind : (jn_node_kind_t)0;
}

JN_API const char *jn_node_scalar(const jn_node_t *n)
{
	return n && n->kind == JN_NODE_SCALAR ? n->text : NULL;
}

JN_API size_t jn_node_count(const jn_node_t *n)
{
	return n ? n->n : 0;
}

JN_API const jn_node_t *jn_node_item(const jn_node_t *n, size_t i)
{
	return n && i < n->n ? n->items[i] : NULL;
}

JN_API const char *jn_node_key(const jn_node_t *n, size_t i)
{
	return n && n->kind == JN_NODE_MAP && i < n->n ? n->keys[i]->text : NULL;
}

JN_API const jn_node_t *jn_node_get(const jn_node_t *n, const char *key)
{
	if (!n || n->kind != JN_NODE_MAP || !key)
		return NULL;
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->keys[i]->text, key))
			return n->items[i];
	return NULL;
}

JN_API const char *jn_node_where(const jn_node_t *n)
{
	return n ? n->where : NULL;
}
