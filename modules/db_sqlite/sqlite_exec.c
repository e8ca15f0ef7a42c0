/* sqlite_exec.c - running one job (a query or a transaction) on an open
 * sqlite3 handle and turning what it returns into a jn_db_res_t. Blocking:
 * called on the connection's worker thread (or at start-up for
 * jn_db_query_sync), never on the running SIP thread. */
#include "db_sqlite.h"

#include <stdlib.h>
#include <string.h>

/* Binds the text parameters. SQLite itself understands "$1" as a named
 * parameter, so the SQL needs no rewriting: look each name up. A
 * placeholder beyond nparams is an error, as PostgreSQL makes it. */
static int bind_params(sqlite3_stmt *st, const jn_db_stmt_t *s, jn_db_res_t *res)
{
	int n = sqlite3_bind_parameter_count(st);

	for (int i = 1; i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		char *end;
		long k;

		if (!name || name[0] != '$') {
			jn_db_res_set_error(res, "placeholder %s: use $1..$n", name ? name : "?");
			return -1;
		}
		k = strtol(name + 1, &end, 10);
		if (*end || k < 1 || (size_t)k > s->nparams) {
			jn_db_res_set_error(res, "there is no parameter %s (%zu given)", name,
					    s->nparams);
			return -1;
		}
		const char *v = s->params[k - 1];
		int rc = v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
		if (rc != SQLITE_OK) {
			jn_db_res_set_error(res, "binding %s: %s", name, sqlite3_errstr(rc));
			return -1;
		}
	}
	return 0;
}

/* Steps st to the end; rows go into res only when keep is set (the last
 * statement of a job). Returns 0 or -1 with the error set. */
static int step_all(sqlite3 *db, sqlite3_stmt *st, jn_db_res_t *res, int keep)
{
	int ncols = sqlite3_column_count(st);
	const char **vals = NULL;
	int rc, ret = -1;

	if (keep && ncols > 0) {
		const char **names = calloc((size_t)ncols, sizeof(char *));
		vals = calloc((size_t)ncols, sizeof(char *));
		if (!names || !vals) {
			free(names);
			jn_db_res_set_error(res, "out of memory");
			goto out;
		}
		for (int i = 0; i < ncols; i++)
			names[i] = sqlite3_column_name(st, i);
		rc = jn_db_res_set_cols(res, (size_t)ncols, names);
		free(names);
		if (rc != 0) {
			jn_db_res_set_error(res, "out of memory");
			goto out;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!vals)
			continue;
		for (int i = 0; i < ncols; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (jn_db_res_add_row(res, vals) != 0) {
			jn_db_res_set_error(res, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		jn_db_res_set_error(res, "%s", sqlite3_errmsg(db));
		goto out;
	}
	ret = 0;
out:
	free(vals);
	return ret;
}

/* Runs every statement of one SQL text (the tail after the first too, so a
 * script of several statements works). *affected gets the changes. */
static int run_stmt(sqlite3 *db, const jn_db_stmt_t *s, jn_db_res_t *res, int keep,
		    long long *affected)
{
	const char *sql = s->sql, *tail = NULL;

	*affected = 0;
	while (sql && *sql) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
		if (rc != SQLITE_OK) {
			jn_db_res_set_error(res, "%s", sqlite3_errmsg(db));
			return -1;
		}
		if (!st) /* whitespace or a comment */
			break;
		int last = !tail || tail[strspn(tail, " \t\r\n;")] == '\0';
		rc = bind_params(st, s, res);
		if (rc == 0)
			rc = step_all(db, st, res, keep && last);
		if (rc == 0 && sqlite3_column_count(st) == 0 && !sqlite3_stmt_readonly(st))
			*affected += sqlite3_changes(db);
		sqlite3_finalize(st);
		if (rc != 0)
			return -1;
		sql = tail;
	}
	return 0;
}

static void exec_simple(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		sqlite3_free(err);
}

jn_db_res_t *sqlite_run_job(sqlite3 *db, jn_db_job_t *job)
{
	jn_db_res_t *res = jn_db_res_new();
	size_t n = jn_db_job_nstmts(job);
	int tx = jn_db_job_is_tx(job);
	long long total = 0, affected;

	if (!res)
		return NULL;
	if (tx) {
		char *err = NULL;
		/* IMMEDIATE takes the write lock now, so a busy database fails
		 * here (after busy_timeout) rather than half-way through */
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK) {
			jn_db_res_set_error(res, "BEGIN: %s", err ? err : sqlite3_errmsg(db));
			sqlite3_free(err);
			return res;
		}
	}
	for (size_t i = 0; i < n; i++) {
		jn_db_res_t *tmp = res;
		if (run_stmt(db, jn_db_job_stmt(job, i), tmp, i + 1 == n, &affected) != 0) {
			if (tx) {
				/* name the statement that failed */
				char *msg = strdup(jn_db_res_error(res));
				jn_db_res_set_error(res, "statement %zu: %s", i + 1,
						    msg ? msg : "failed");
				free(msg);
				exec_simple(db, "ROLLBACK");
			}
			return res;
		}
		total += affected;
	}
	if (tx && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		jn_db_res_set_error(res, "COMMIT: %s", sqlite3_errmsg(db));
		exec_simple(db, "ROLLBACK");
		return res;
	}
	jn_db_res_set_affected(res, total);
	return res;
}
