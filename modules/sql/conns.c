/* conns.c - the named database connections of the sql module: read from
 * the `connections:` map at load, opened at start (when every driver
 * module is loaded), closed at stop. */
#include "sql.h"

#include <stdlib.h>
#include <string.h>

struct conn {
	char *name;
	char *url;
	const char *where;
	jn_db_t *db;
};

static struct conn *conns;
static size_t nconns;

int sql_conn_configure(jn_module_t *m, const jn_node_t *map)
{
	size_t n;

	if (!map)
		return 0;
	if (jn_node_kind(map) != JN_NODE_MAP) {
		jn_log_err(m, "%s: connections must be a map of name: URL", jn_node_where(map));
		return JN_EINVAL;
	}
	n = jn_node_count(map);
	conns = calloc(n ? n : 1, sizeof(*conns));
	if (!conns)
		return JN_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const jn_node_t *v = jn_node_item(map, i);
		const char *url = jn_node_scalar(v);
		if (!url || !*url) {
			jn_log_err(m, "%s: connection '%s' needs a URL", jn_node_where(v),
				   jn_node_key(map, i));
			return JN_EINVAL;
		}
		conns[i].name = strdup(jn_node_key(map, i));
		conns[i].url = strdup(url);
		conns[i].where = jn_node_where(v);
		nconns = i + 1;
		if (!conns[i].name || !conns[i].url)
			return JN_ENOMEM;
	}
	return 0;
}

int sql_conn_open_all(jn_module_t *m)
{
	for (size_t i = 0; i < nconns; i++) {
		int rc = jn_db_open(m, conns[i].url, &conns[i].db);
		if (rc != 0) {
			jn_log_err(m, "%s: cannot open connection '%s': %s", conns[i].where,
				   conns[i].name, jn_strerror(rc));
			return rc;
		}
		jn_log_info(m, "connection '%s' -> %s", conns[i].name, jn_db_url(conns[i].db));
	}
	return 0;
}

void sql_conn_close_all(void)
{
	for (size_t i = 0; i < nconns; i++) {
		jn_db_close(conns[i].db);
		conns[i].db = NULL;
	}
}

void sql_conn_free_all(void)
{
	sql_conn_close_all();
	for (size_t i = 0; i < nconns; i++) {
		free(conns[i].name);
		free(conns[i].url);
	}
	free(conns);
	conns = NULL;
	nconns = 0;
}

int sql_conn_find(const char *name)
{
	for (size_t i = 0; i < nconns; i++)
		if (strcmp(conns[i].name, name) == 0)
			return (int)i;
	return -1;
}

jn_db_t *sql_conn_db(int idx)
{
	return idx >= 0 && (size_t)idx < nconns ? conns[idx].db : NULL;
}
