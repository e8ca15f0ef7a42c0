/* sql.h - the sql module's internals. */
#ifndef SQL_MODULE_H
#define SQL_MODULE_H

#include <junction/junction.h>

#define SQL_MAX_PARAMS 8

/* conns.c: the named connections of the `connections:` parameter. */
int sql_conn_configure(jn_module_t *m, const jn_node_t *map);
int sql_conn_open_all(jn_module_t *m);
void sql_conn_close_all(void);
void sql_conn_free_all(void);
int sql_conn_find(const char *name); /* index or -1 */
jn_db_t *sql_conn_db(int idx);

/* result.c: what sql.value & co. read, kept in the execution's memory. */
typedef struct sql_last {
	size_t rows, cols;
	long long affected;
	char **names; /* cols */
	char **vals;  /* first row, cols entries (NULL = SQL NULL) */
	char *error;  /* NULL when the query succeeded */
} sql_last_t;

extern const char sql_last_key; /* its address keys the execution-local */
void sql_keep_result(jn_suspend_t *s, jn_db_res_t *res, void *data);

/* A column by name (string) or 0-based index (int): its text, NULL for SQL
 * NULL, or SQL_NO_COLUMN. */
extern const char sql_no_column[];
#define SQL_NO_COLUMN sql_no_column
const char *sql_last_value(const sql_last_t *r, const jn_value_t *col);

/* A script value as a query parameter: text in execution memory, NULL for
 * null, or SQL_PARAM_OOM. */
extern const char sql_param_oom[];
#define SQL_PARAM_OOM sql_param_oom
const char *sql_param_text(jn_call_t *c, const jn_value_t *v);

#endif
