/* config_int.h - internals shared by the config_*.c files (loading, tree,
 * schema, module parameters, addresses). Nothing else includes it: the rest
 * of the core sees config.h and the SDK's jn_node_* accessors. */
#ifndef JN_CORE_CONFIG_INT_H
#define JN_CORE_CONFIG_INT_H

#include <yaml.h>

#include "config.h"

/* Limits that keep hostile input (deep nesting, alias bombs such as
 * "billion laughs") from exhausting the stack or memory. */
#define CONFIG_MAX_BYTES (1024 * 1024)
#define CONFIG_MAX_DEPTH 64
#define CONFIG_MAX_NODES 100000

struct jn_node {
	jn_node_kind_t kind;
	int quoted;             /* scalar written quoted or as a block */
	int null;               /* plain "", "~" or "null": YAML's null */
	char *text;             /* scalar text; NULL for lists and maps */
	struct jn_node **items; /* list items, or map values */
	struct jn_node **keys;  /* map keys (always scalars) */
	size_t n;
	const char *file; /* owned by the jn_config_t */
	int line, col;    /* 1-based */
	char *where;      /* "file:line:col" */
};

/* Counts the errors one load appends, because errlist_add() cannot report
 * its own allocation failure. */
typedef struct config_errs {
	jn_errlist_t *list;
	const char *file;
	unsigned count;
} config_errs_t;

void config_err(config_errs_t *e, const jn_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies a loaded libyaml document into our tree. Duplicate and
 * non-scalar map keys, NUL bytes in scalars and the limits above are
 * errors; on any error the result is NULL. */
jn_node_t *config_node_build(yaml_document_t *doc, const char *file, config_errs_t *e);
void config_node_free(jn_node_t *n);

/* Checks c->root against the junction.yaml schema and fills in c; relative
 * paths resolve against base. Errors go to e. */
void config_schema_check(jn_config_t *c, const char *base, config_errs_t *e);

/* Reports every name that occurs again, at its later occurrence, as
 * "<what> '<name>' (first at line N)". names[i] may be NULL (skipped). */
void config_report_dups(config_errs_t *e, const char *what, const char *const *names,
                        const jn_node_t *const *at, size_t n);

/* Sign and decimal digits only (the syntax config_parse_int() accepts when
 * the value fits in 64 bits). */
int config_int_syntax(const char *s);

/* "ADDR:PORT" with ADDR an IPv4 literal, a bracketed IPv6 literal or a
 * host name. On success *host is malloc'd (no brackets) and 0 is returned;
 * otherwise -1 with *why a static reason. */
int config_parse_hostport(const char *s, char **host, unsigned *port, int *v6, const char **why);

#endif
