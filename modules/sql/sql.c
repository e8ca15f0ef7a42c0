/*
 * sql - SQL queries from the routing script, through the database layer.
 *
 *   modules:
 *     - name: db_sqlite
 *     - name: sql
 *       params:
 *         connections:
 *           main: "sqlite:/var/lib/junction/junction.db"
 *
 *   if (!sql.query("main", "SELECT name FROM users WHERE ext = $1", ruri.user)) {
 *       reply(404, "Not Found"); exit;
 *   }
 *   reply(200, sql.value("name"));
 *
 * sql.query suspends the script while the query runs (the SIP thread goes
 * on); sql.value, sql.rows, sql.affected and sql.error read the result of
 * the last sql.query of the same execution. See README.md.
 */
#include "sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jn_module_t *self;

static const jn_param_def_t params[] = {
	{"connections", JN_PARAM_NODE, NULL, 0, 0,
	 "map of connection name -> database URL (sqlite:/file.db, postgres://...)"},
	{.name = NULL},
};

/* ---- sql.query(conn, sql, p1 .. p8) ------------------------------------- */

static int prepare_conn(jn_prepare_t *p)
{
	const jn_value_t *v = jn_prepare_value(p);

	if (jn_prepare_index(p) != 0)
		return 0;
	if (v->type != JN_T_STR || sql_conn_find(v->s) < 0)
		return jn_prepare_error(p, "sql: no connection named '%s' in the sql module's "
					   "connections",
					v->type == JN_T_STR ? v->s : "?");
	return 0;
}

static jn_result_t f_query(jn_call_t *c)
{
	const char *name = jn_call_arg_str(c, 0, NULL);
	const char *sqltext = jn_call_arg_str(c, 1, NULL);
	const char *p[SQL_MAX_PARAMS];
	size_t n = 0;
	int idx;

	if (!name || !sqltext)
		return jn_call_error(c, "sql.query: connection name and SQL are required");
	idx = sql_conn_find(name);
	if (idx < 0)
		return jn_call_error(c, "sql.query: no connection named '%s'", name);
	for (unsigned i = 0; i < SQL_MAX_PARAMS; i++) {
		if (jn_call_has_arg(c, 2 + i))
			n = i + 1;
	}
	for (size_t i = 0; i < n; i++) {
		p[i] = sql_param_text(c, jn_call_arg(c, 2 + (unsigned)i));
		if (p[i] == SQL_PARAM_OOM)
			return jn_call_error(c, "sql.query: out of memory");
	}
	/* a failed query leaves no stale row from an earlier one */
	jn_call_set_local(c, &sql_last_key, NULL);
	return jn_db_query_suspend(c, sql_conn_db(idx), sqltext, p, n, sql_keep_result, NULL);
}

static const jn_arg_def_t query_args[] = {
	{"conn", JN_ARG_STR, 0},
	{"sql", JN_ARG_STR, 0},
	{"p1", JN_ARG_ANY, JN_ARG_OPTIONAL},
	{"p2", JN_ARG_ANY, JN_ARG_OPTIONAL},
	{"p3", JN_ARG_ANY, JN_ARG_OPTIONAL},
	{"p4", JN_ARG_ANY, JN_ARG_OPTIONAL},
	{"p5", JN_ARG_ANY, JN_ARG_OPTIONAL},
	{"p6", JN_ARG_ANY, JN_ARG_OPTIONAL},
	{"p7", JN_ARG_ANY, JN_ARG_OPTIONAL},
	{"p8", JN_ARG_ANY, JN_ARG_OPTIONAL},
	{NULL, 0, 0},
};

/* ---- sql.tx(conn, stmt1, ..., stmt8) ------------------------------------ */

struct tx_wait {
	jn_suspend_t *s;
};

static void tx_done(jn_db_res_t *res, void *data)
{
	struct tx_wait *w = data;
	jn_result_t r = JN_TRUE;

	if (!jn_db_res_ok(res)) {
		jn_log_err(self, "transaction failed (rolled back): %s", jn_db_res_error(res));
		r = JN_ERROR;
	}
	sql_keep_result(w->s, res, NULL);
	jn_suspend_resume(w->s, r);
	free(w);
}

static jn_result_t f_tx(jn_call_t *c)
{
	const char *name = jn_call_arg_str(c, 0, NULL);
	jn_db_stmt_t st[SQL_MAX_PARAMS];
	struct tx_wait *w;
	size_t n = 0;
	int idx, rc;

	idx = name ? sql_conn_find(name) : -1;
	if (idx < 0)
		return jn_call_error(c, "sql.tx: no connection named '%s'", name ? name : "");
	for (unsigned i = 0; i < SQL_MAX_PARAMS; i++) {
		const char *sqltext = jn_call_arg_str(c, 1 + i, NULL);
		if (!sqltext)
			continue;
		st[n].sql = sqltext;
		st[n].params = NULL;
		st[n].nparams = 0;
		n++;
	}
	if (n == 0)
		return jn_call_error(c, "sql.tx: no statement");
	w = calloc(1, sizeof(*w));
	if (!w)
		return jn_call_error(c, "sql.tx: out of memory");
	w->s = jn_call_suspend(c);
	if (!w->s) {
		free(w);
		return jn_call_error(c, "sql.tx: cannot suspend here");
	}
	jn_call_set_local(c, &sql_last_key, NULL);
	rc = jn_db_tx(sql_conn_db(idx), st, n, tx_done, w);
	if (rc != 0) {
		jn_log_err(self, "sql.tx: cannot submit: %s", jn_strerror(rc));
		jn_suspend_resume(w->s, JN_ERROR);
		free(w);
	}
	return JN_SUSPEND;
}

static const jn_arg_def_t tx_args[] = {
	{"conn", JN_ARG_STR, 0},
	{"s1", JN_ARG_STR, 0},
	{"s2", JN_ARG_STR, JN_ARG_OPTIONAL},
	{"s3", JN_ARG_STR, JN_ARG_OPTIONAL},
	{"s4", JN_ARG_STR, JN_ARG_OPTIONAL},
	{"s5", JN_ARG_STR, JN_ARG_OPTIONAL},
	{"s6", JN_ARG_STR, JN_ARG_OPTIONAL},
	{"s7", JN_ARG_STR, JN_ARG_OPTIONAL},
	{"s8", JN_ARG_STR, JN_ARG_OPTIONAL},
	{NULL, 0, 0},
};

/* ---- sql.value(column) ---------------------------------------------------- */

static jn_result_t f_value(jn_call_t *c)
{
	const sql_last_t *r = jn_call_local(c, &sql_last_key);
	const jn_value_t *col = jn_call_arg(c, 0);
	const char *v;

	if (!r || r->rows == 0) {
		jn_call_return_null(c);
		return JN_FALSE;
	}
	v = sql_last_value(r, col);
	if (v == SQL_NO_COLUMN)
		return jn_call_error(c, "sql.value: the last query has no column %s%s",
				     col->type == JN_T_STR ? col->s : "#",
				     col->type == JN_T_STR ? "" : "(index out of range)");
	if (!v) {
		jn_call_return_null(c);
		return JN_FALSE;
	}
	jn_call_return_str(c, v, strlen(v));
	return JN_TRUE;
}

static const jn_arg_def_t value_args[] = {
	{"column", JN_ARG_STR | JN_ARG_INT, 0},
	{NULL, 0, 0},
};

/* ---- variables ------------------------------------------------------------ */

static int v_rows(jn_call_t *c, jn_value_t *out)
{
	const sql_last_t *r = jn_call_local(c, &sql_last_key);

	out->type = JN_T_INT;
	out->i = r ? (int64_t)r->rows : 0;
	return 0;
}

static int v_affected(jn_call_t *c, jn_value_t *out)
{
	const sql_last_t *r = jn_call_local(c, &sql_last_key);

	out->type = JN_T_INT;
	out->i = r ? r->affected : 0;
	return 0;
}

static int v_error(jn_call_t *c, jn_value_t *out)
{
	const sql_last_t *r = jn_call_local(c, &sql_last_key);

	if (!r || !r->error) {
		/* "" rather than null, so a script can test sql.error == "" */
		out->type = JN_T_STR;
		out->s = "";
		out->len = 0;
		return 0;
	}
	out->type = JN_T_STR;
	out->s = r->error;
	out->len = strlen(r->error);
	return 0;
}

/* ---- lifecycle ------------------------------------------------------------ */

static int sql_load(jn_module_t *m)
{
	static const jn_func_def_t funcs[] = {
		{.name = "query",
		 .fn = f_query,
		 .args = query_args,
		 .returns = JN_T_BOOL,
		 .prepare = prepare_conn,
		 .doc = "run SQL with $1..$8 parameters, suspending the script; true when "
			"it returned a row or a command succeeded, false for no row"},
		{.name = "tx",
		 .fn = f_tx,
		 .args = tx_args,
		 .returns = JN_T_BOOL,
		 .prepare = prepare_conn,
		 .doc = "run up to 8 statements (no parameters) atomically, suspending "
			"the script; true when committed, false (rolled back) otherwise"},
		{.name = "value",
		 .fn = f_value,
		 .args = value_args,
		 .returns = JN_T_STR,
		 .doc = "column (name, or 0-based index) of the first row of the last "
			"sql.query of this execution; null when absent"},
	};
	static const jn_var_def_t vars[] = {
		{.name = "rows", .type = JN_T_INT, .get = v_rows,
		 .doc = "rows returned by the last sql.query of this execution"},
		{.name = "affected", .type = JN_T_INT, .get = v_affected,
		 .doc = "rows changed by the last sql.query of this execution"},
		{.name = "error", .type = JN_T_STR, .get = v_error,
		 .doc = "error of the last sql.query / sql.tx of this execution, \"\" when none"},
	};
	int rc;

	self = m;
	rc = sql_conn_configure(m, jn_param_node(m, "connections"));
	for (size_t i = 0; rc == 0 && i < sizeof(funcs) / sizeof(funcs[0]); i++)
		rc = jn_func_register(m, &funcs[i]);
	for (size_t i = 0; rc == 0 && i < sizeof(vars) / sizeof(vars[0]); i++)
		rc = jn_var_register(m, &vars[i]);
	return rc;
}

static int sql_start(jn_module_t *m)
{
	return sql_conn_open_all(m);
}

static void sql_stop(jn_module_t *m)
{
	(void)m;
	sql_conn_close_all();
}

static void sql_unload(jn_module_t *m)
{
	(void)m;
	sql_conn_free_all();
}

JN_MODULE(.name = "sql", .version = "1.0.0",
	  .description = "SQL queries from the routing script (suspending)", .params = params,
	  .load = sql_load, .start = sql_start, .stop = sql_stop, .unload = sql_unload);
