/* result.c - keeping the first row of a query for sql.value(). The copy
 * lives in the suspended execution's memory and is found again through an
 * execution-local keyed by sql_last_key, so it dies with the execution:
 * two requests suspended at once never see each other's rows. */
#include "sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char sql_last_key;
const char sql_no_column[] = "";
const char sql_param_oom[] = "";

static char *xdup(jn_suspend_t *s, const char *v)
{
	size_t n;
	char *d;

	if (!v)
		return NULL;
	n = strlen(v);
	d = jn_suspend_alloc(s, n + 1);
	if (d)
		memcpy(d, v, n + 1);
	return d;
}

void sql_keep_result(jn_suspend_t *s, jn_db_res_t *res, void *data)
{
	sql_last_t *r = jn_suspend_alloc(s, sizeof(*r));

	(void)data;
	if (!r)
		return;
	memset(r, 0, sizeof(*r));
	if (!jn_db_res_ok(res)) {
		r->error = xdup(s, jn_db_res_error(res));
		jn_suspend_set_local(s, &sql_last_key, r);
		return;
	}
	r->rows = jn_db_res_rows(res);
	r->affected = jn_db_res_affected(res);
	r->cols = jn_db_res_cols(res);
	if (r->cols) {
		r->names = jn_suspend_alloc(s, r->cols * sizeof(char *));
		r->vals = jn_suspend_alloc(s, r->cols * sizeof(char *));
		if (!r->names || !r->vals) {
			r->cols = 0;
		} else {
			for (size_t i = 0; i < r->cols; i++) {
				r->names[i] = xdup(s, jn_db_res_colname(res, i));
				r->vals[i] = xdup(s, jn_db_res_value(res, 0, i));
			}
		}
	}
	jn_suspend_set_local(s, &sql_last_key, r);
}

const char *sql_last_value(const sql_last_t *r, const jn_value_t *col)
{
	if (col->type == JN_T_INT) {
		if (col->i < 0 || (uint64_t)col->i >= r->cols)
			return SQL_NO_COLUMN;
		return r->vals[col->i];
	}
	if (col->type != JN_T_STR)
		return SQL_NO_COLUMN;
	for (size_t i = 0; i < r->cols; i++)
		if (r->names[i] && strcmp(r->names[i], col->s) == 0)
			return r->vals[i];
	return SQL_NO_COLUMN;
}

const char *sql_param_text(jn_call_t *c, const jn_value_t *v)
{
	char buf[32];
	const char *t;

	switch (v->type) {
	case JN_T_STR:
		return v->s;
	case JN_T_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, v->i);
		t = jn_call_strdup(c, buf, strlen(buf));
		return t ? t : SQL_PARAM_OOM;
	case JN_T_BOOL:
		/* both SQLite and PostgreSQL (boolean) read 1/0 */
		return v->i ? "1" : "0";
	default:
		return NULL;
	}
}
