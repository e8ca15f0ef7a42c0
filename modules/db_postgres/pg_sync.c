/* pg_sync.c - jn_db_query_sync() for PostgreSQL: a blocking connection of
 * its own, opened for the one query and closed after it. Only used while
 * modules start (loading persisted state), when blocking is allowed and
 * the asynchronous connection may not be up yet. Also the URL helper. */
#include "db_postgres.h"

#include <stdlib.h>
#include <string.h>

static void set_error(jn_db_res_t *res, const char *prefix, const char *msg)
{
	size_t n = strlen(msg);

	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	jn_db_res_set_error(res, "%s%.*s", prefix, (int)n, msg);
}

/* 0, or -1 with the error in res. Rows are kept when keep is set. */
static int exec_one(PGconn *pg, const char *sql, const jn_db_stmt_t *st, jn_db_res_t *res,
		    int keep, long long *affected, const char *prefix)
{
	PGresult *r = PQexecParams(pg, sql, st ? (int)st->nparams : 0, NULL,
				   st ? st->params : NULL, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;

	if (s == PGRES_TUPLES_OK && keep) {
		int nc = PQnfields(r), nr = PQntuples(r);
		const char **v = calloc(nc ? (size_t)nc : 1, sizeof(char *));
		if (!v) {
			jn_db_res_set_error(res, "out of memory");
			rc = -1;
			goto out;
		}
		for (int i = 0; i < nc; i++)
			v[i] = PQfname(r, i);
		jn_db_res_set_cols(res, (size_t)nc, v);
		for (int row = 0; row < nr && rc == 0; row++) {
			for (int i = 0; i < nc; i++)
				v[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
			if (jn_db_res_add_row(res, v) != 0) {
				jn_db_res_set_error(res, "out of memory");
				rc = -1;
			}
		}
		free(v);
	} else if (s == PGRES_COMMAND_OK) {
		*affected += atoll(PQcmdTuples(r));
	} else if (s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
		set_error(res, prefix, r ? PQresultErrorMessage(r) : PQerrorMessage(pg));
		rc = -1;
	}
out:
	PQclear(r);
	return rc;
}

jn_db_res_t *pg_run_sync(void *conn, jn_db_job_t *job)
{
	jn_db_res_t *res = jn_db_res_new();
	size_t n = jn_db_job_nstmts(job);
	int tx = jn_db_job_is_tx(job);
	long long affected = 0;
	PGconn *pg;

	if (!res)
		return NULL;
	pg = PQconnectdb(pg_conn_url(conn));
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		set_error(res, "cannot connect: ", pg ? PQerrorMessage(pg) : "out of memory");
		goto out;
	}
	if (tx && exec_one(pg, "BEGIN", NULL, res, 0, &affected, "BEGIN: ") != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const jn_db_stmt_t *st = jn_db_job_stmt(job, i);
		char prefix[48] = "";
		if (tx)
			snprintf(prefix, sizeof(prefix), "statement %zu: ", i + 1);
		if (exec_one(pg, st->sql, st, res, i + 1 == n, &affected, prefix) != 0) {
			if (tx) {
				long long dummy = 0;
				jn_db_res_t *tmp = jn_db_res_new();
				exec_one(pg, "ROLLBACK", NULL, tmp, 0, &dummy, "");
				jn_db_res_free(tmp);
			}
			goto out;
		}
	}
	if (tx && exec_one(pg, "COMMIT", NULL, res, 0, &affected, "COMMIT: ") != 0)
		goto out;
	jn_db_res_set_affected(res, affected);
out:
	PQfinish(pg);
	return res;
}

char *pg_url_shown(const char *url)
{
	const char *p = strstr(url, "://"), *at, *colon;
	char *s = NULL;

	if (!p)
		return strdup(url);
	p += 3;
	at = p + strcspn(p, "@/?");
	colon = memchr(p, ':', (size_t)(at - p));
	if (*at != '@' || !colon)
		return strdup(url);
	if (asprintf(&s, "%.*s***%s", (int)(colon + 1 - url), url, at) < 0)
		return NULL;
	return s;
}
