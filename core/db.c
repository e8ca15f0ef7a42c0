/* db.c - the database layer's core: URL scheme -> driver dispatch, query
 * and transaction jobs, results, and suspending a script on a query. The
 * drivers (modules db_sqlite, db_postgres) do the I/O. */
#include "db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct driver {
	jn_module_t *mod;
	const jn_db_driver_t *ops;
	struct driver *next;
};

struct jn_db {
	jn_module_t *owner;
	const jn_db_driver_t *ops; /* NULL once the driver is gone */
	void *conn;
	char *url, *shown;
	int closing;
	struct jn_db_job *deferred; /* finished inside submit(), callback pending */
	struct jn_db *next;
};

struct jn_db_job {
	jn_db_t *db;
	int tx;
	int in_submit; /* jn_db_job_done() must not call back yet */
	size_t n;
	jn_db_stmt_t *stmts;
	jn_db_cb cb;
	void *data;
	jn_db_res_t *res;  /* while deferred */
	jn_timer_t *timer; /* while deferred */
	struct jn_db_job *next;
};

struct jn_db_res {
	int failed;
	char *error; /* NULL when ok, or when failed without memory for a message */
	size_t ncols, nrows, cap;
	char **names;
	char **vals; /* nrows * ncols */
	long long affected;
};

static struct driver *drivers;
static jn_db_t *handles;
static int running;

void db_set_running(int r)
{
	running = r;
}

/* ---- results ------------------------------------------------------------ */

JN_API jn_db_res_t *jn_db_res_new(void)
{
	return calloc(1, sizeof(jn_db_res_t));
}

JN_API void jn_db_res_free(jn_db_res_t *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->ncols; i++)
		free(res->names[i]);
	for (size_t i = 0; i < res->nrows * res->ncols; i++)
		free(res->vals[i]);
	free(res->names);
	free(res->vals);
	free(res->error);
	free(res);
}

JN_API void jn_db_res_set_error(jn_db_res_t *res, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (!res)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(res->error);
	res->error = s; /* NULL reads as "out of memory" */
	res->failed = 1;
}

JN_API int jn_db_res_set_cols(jn_db_res_t *res, size_t ncols, const char *const *names)
{
	if (!res || res->ncols || res->nrows)
		return JN_ESTATE;
	if (!ncols)
		return 0;
	res->names = calloc(ncols, sizeof(char *));
	if (!res->names)
		return JN_ENOMEM;
	res->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		res->names[i] = strdup(names && names[i] ? names[i] : "");
		if (!res->names[i])
			return JN_ENOMEM;
	}
	return 0;
}

JN_API int jn_db_res_add_row(jn_db_res_t *res, const char *const *values)
{
	if (!res || !res->ncols)
		return JN_ESTATE;
	if (res->nrows == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 4;
		char **v = realloc(res->vals, cap * res->ncols * sizeof(char *));
		if (!v)
			return JN_ENOMEM;
		res->vals = v;
		res->cap = cap;
	}
	char **row = res->vals + res->nrows * res->ncols;
	for (size_t i = 0; i < res->ncols; i++) {
		row[i] = NULL;
		if (values[i] && !(row[i] = strdup(values[i]))) {
			while (i-- > 0)
				free(row[i]);
			return JN_ENOMEM;
		}
	}
	res->nrows++;
	return 0;
}

JN_API void jn_db_res_set_affected(jn_db_res_t *res, long long n)
{
	if (res)
		res->affected = n;
}

JN_API int jn_db_res_ok(const jn_db_res_t *res)
{
	return res && !res->failed;
}

JN_API const char *jn_db_res_error(const jn_db_res_t *res)
{
	if (!res)
		return "no result";
	if (!res->failed)
		return NULL;
	return res->error ? res->error : "out of memory";
}

JN_API size_t jn_db_res_rows(const jn_db_res_t *res)
{
	return res ? res->nrows : 0;
}

JN_API size_t jn_db_res_cols(const jn_db_res_t *res)
{
	return res ? res->ncols : 0;
}

JN_API const char *jn_db_res_colname(const jn_db_res_t *res, size_t col)
{
	return res && col < res->ncols ? res->names[col] : NULL;
}

JN_API int jn_db_res_colindex(const jn_db_res_t *res, const char *name)
{
	if (!res || !name)
		return -1;
	for (size_t i = 0; i < res->ncols; i++)
		if (strcmp(res->names[i], name) == 0)
			return (int)i;
	return -1;
}

JN_API const char *jn_db_res_value(const jn_db_res_t *res, size_t row, size_t col)
{
	if (!res || row >= res->nrows || col >= res->ncols)
		return NULL;
	return res->vals[row * res->ncols + col];
}

JN_API long long jn_db_res_affected(const jn_db_res_t *res)
{
	return res ? res->affected : 0;
}

/* ---- drivers ------------------------------------------------------------ */

static const struct driver *driver_for(const char *scheme, size_t len)
{
	for (const struct driver *d = drivers; d; d = d->next)
		for (const char *const *s = d->ops->schemes; s && *s; s++)
			if (strlen(*s) == len && strncasecmp(*s, scheme, len) == 0)
				return d;
	return NULL;
}

JN_API int jn_db_driver_register(jn_module_t *m, const jn_db_driver_t *ops)
{
	struct driver *d;

	if (!ops || ops->size < sizeof(jn_db_driver_t) || !ops->name || !ops->schemes ||
	    !ops->open || !ops->close || !ops->submit || !ops->run_sync)
		return JN_EINVAL;
	for (const char *const *s = ops->schemes; *s; s++)
		if (driver_for(*s, strlen(*s)))
			return JN_EEXIST;
	d = calloc(1, sizeof(*d));
	if (!d)
		return JN_ENOMEM;
	d->mod = m;
	d->ops = ops;
	d->next = drivers;
	drivers = d;
	return 0;
}

void db_remove_module(jn_module_t *m)
{
	struct driver **pp = &drivers;

	while (*pp) {
		struct driver *d = *pp;
		if (d->mod != m) {
			pp = &d->next;
			continue;
		}
		/* The handles outlive the driver: their owners close them later.
		 * Closing the connections now fails their pending queries. */
		for (jn_db_t *db = handles; db; db = db->next) {
			if (db->ops != d->ops)
				continue;
			const jn_db_driver_t *ops = db->ops;
			void *conn = db->conn;
			db->ops = NULL;
			db->conn = NULL;
			ops->close(conn);
		}
		*pp = d->next;
		free(d);
	}
}

/* ---- handles -------------------------------------------------------------- */

/* "postgres://user:secret@host/db" -> "postgres://user:***@host/db" */
static char *url_hide_password(const char *url)
{
	const char *p = strstr(url, "://"), *at, *colon;
	char *s;

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

JN_API int jn_db_open(jn_module_t *m, const char *url, jn_db_t **out)
{
	const struct driver *d;
	jn_db_t *db = NULL;
	size_t slen;
	int rc;

	if (!url || !out)
		return JN_EINVAL;
	*out = NULL;
	slen = strcspn(url, ":");
	if (!url[slen] || slen == 0) {
		jn_log_err(m, "database URL '%s' has no scheme (sqlite:FILE, postgres://...)", url);
		return JN_EINVAL;
	}
	d = driver_for(url, slen);
	if (!d) {
		const char *need = strncasecmp(url, "sqlite", slen) == 0 ? "db_sqlite"
				   : strncasecmp(url, "postgres", 8) == 0 ? "db_postgres"
									  : NULL;
		if (need)
			jn_log_err(m, "no database driver for '%.*s:' URLs: load the module %s",
				   (int)slen, url, need);
		else
			jn_log_err(m, "no database driver for '%.*s:' URLs (known: sqlite, postgres)",
				   (int)slen, url);
		return JN_ENOENT;
	}
	db = calloc(1, sizeof(*db));
	if (!db)
		return JN_ENOMEM;
	db->owner = m;
	db->ops = d->ops;
	db->url = strdup(url);
	db->shown = url_hide_password(url);
	if (!db->url || !db->shown) {
		rc = JN_ENOMEM;
		goto out;
	}
	rc = d->ops->open(m, url, &db->conn);
	if (rc != 0)
		goto out;
	db->next = handles;
	handles = db;
	*out = db;
	return 0;
out:
	free(db->url);
	free(db->shown);
	free(db);
	return rc;
}

JN_API const char *jn_db_url(const jn_db_t *db)
{
	return db ? db->shown : NULL;
}

JN_API int jn_db_connected(const jn_db_t *db)
{
	if (!db || !db->ops)
		return 0;
	return db->ops->connected ? db->ops->connected(db->conn) : 1;
}

static void job_free(struct jn_db_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->n; i++) {
		free((char *)job->stmts[i].sql);
		for (size_t k = 0; k < job->stmts[i].nparams; k++)
			free((char *)job->stmts[i].params[k]);
		free((char **)job->stmts[i].params);
	}
	free(job->stmts);
	free(job);
}

static void job_finish(struct jn_db_job *job, jn_db_res_t *res)
{
	/* the callback still gets a result: an error that says why */
	jn_db_res_t oom = {.failed = 1};
	jn_db_res_t *r = res ? res : &oom;

	if (job->cb)
		job->cb(r, job->data);
	else if (!jn_db_res_ok(r))
		jn_log_err(job->db ? job->db->owner : NULL, "database query failed: %s",
			   jn_db_res_error(r));
	jn_db_res_free(res);
	job_free(job);
}

static void deferred_unlink(struct jn_db_job *job)
{
	jn_db_t *db = job->db;
	struct jn_db_job **pp = &db->deferred;

	while (*pp && *pp != job)
		pp = &(*pp)->next;
	if (*pp)
		*pp = job->next;
}

static void deferred_fire(jn_timer_t *t, void *data)
{
	struct jn_db_job *job = data;

	(void)t;
	deferred_unlink(job);
	job_finish(job, job->res);
}

JN_API void jn_db_job_done(jn_db_job_t *job, jn_db_res_t *res)
{
	if (!job)
		return;
	if (job->in_submit) {
		/* jn_db_query() promises not to call back before it returns */
		job->res = res;
		job->timer = jn_timer_start(0, deferred_fire, job);
		if (job->timer) {
			job->next = job->db->deferred;
			job->db->deferred = job;
			return;
		}
		/* no timer: the caller sees a failed submission instead */
		job->in_submit = 2;
		jn_db_res_free(res);
		return;
	}
	job_finish(job, res);
}

JN_API size_t jn_db_job_nstmts(const jn_db_job_t *job)
{
	return job ? job->n : 0;
}

JN_API const jn_db_stmt_t *jn_db_job_stmt(const jn_db_job_t *job, size_t i)
{
	return job && i < job->n ? &job->stmts[i] : NULL;
}

JN_API int jn_db_job_is_tx(const jn_db_job_t *job)
{
	return job ? job->tx : 0;
}

static struct jn_db_job *job_new(jn_db_t *db, const jn_db_stmt_t *stmts, size_t n, int tx,
				 jn_db_cb cb, void *data)
{
	struct jn_db_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->db = db;
	job->tx = tx;
	job->cb = cb;
	job->data = data;
	job->stmts = calloc(n, sizeof(jn_db_stmt_t));
	if (!job->stmts)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		jn_db_stmt_t *st = &job->stmts[i];
		char **p = NULL;
		job->n = i + 1;
		if (!(st->sql = strdup(stmts[i].sql)))
			goto fail;
		if (stmts[i].nparams) {
			p = calloc(stmts[i].nparams, sizeof(char *));
			if (!p)
				goto fail;
			st->params = (const char *const *)p;
			st->nparams = stmts[i].nparams;
			for (size_t k = 0; k < stmts[i].nparams; k++) {
				const char *v = stmts[i].params[k];
				if (v && !(p[k] = strdup(v)))
					goto fail;
			}
		}
	}
	return job;
fail:
	job_free(job);
	return NULL;
}

static int stmts_valid(const jn_db_stmt_t *stmts, size_t n)
{
	if (!stmts || n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!stmts[i].sql || (stmts[i].nparams && !stmts[i].params))
			return 0;
	return 1;
}

static int submit(jn_db_t *db, const jn_db_stmt_t *stmts, size_t n, int tx, jn_db_cb cb,
		  void *data)
{
	struct jn_db_job *job;
	int rc;

	if (!db || !stmts_valid(stmts, n))
		return JN_EINVAL;
	if (db->closing)
		return JN_ESTATE;
	job = job_new(db, stmts, n, tx, cb, data);
	if (!job)
		return JN_ENOMEM;
	job->in_submit = 1;
	if (!db->ops) {
		jn_db_res_t *res = jn_db_res_new();
		jn_db_res_set_error(res, "database driver unloaded");
		jn_db_job_done(job, res);
	} else {
		rc = db->ops->submit(db->conn, job);
		if (rc != 0) {
			job_free(job);
			return rc;
		}
	}
	if (job->in_submit == 2) {
		job_free(job);
		return JN_ENOMEM;
	}
	job->in_submit = 0;
	return 0;
}

JN_API int jn_db_query(jn_db_t *db, const char *sql, const char *const *params,
		       size_t nparams, jn_db_cb cb, void *data)
{
	jn_db_stmt_t st = {sql, params, nparams};

	return submit(db, &st, 1, 0, cb, data);
}

JN_API int jn_db_tx(jn_db_t *db, const jn_db_stmt_t *stmts, size_t n, jn_db_cb cb, void *data)
{
	return submit(db, stmts, n, 1, cb, data);
}

JN_API int jn_db_query_sync(jn_db_t *db, const char *sql, const char *const *params,
			    size_t nparams, jn_db_res_t **out)
{
	jn_db_stmt_t st = {sql, params, nparams};
	struct jn_db_job *job;

	if (!out)
		return JN_EINVAL;
	*out = NULL;
	if (!db || !stmts_valid(&st, 1))
		return JN_EINVAL;
	if (running) {
		jn_log_err(db->owner, "jn_db_query_sync() is only allowed in load() and start()");
		return JN_ESTATE;
	}
	if (!db->ops)
		return JN_ESTATE;
	job = job_new(db, &st, 1, 0, NULL, NULL);
	if (!job)
		return JN_ENOMEM;
	*out = db->ops->run_sync(db->conn, job);
	job_free(job);
	return *out ? 0 : JN_ENOMEM;
}

JN_API void jn_db_close(jn_db_t *db)
{
	jn_db_t **pp;

	if (!db)
		return;
	db->closing = 1;
	if (db->ops)
		db->ops->close(db->conn);
	db->ops = NULL;
	db->conn = NULL;
	/* answers that were waiting for their turn on the loop */
	while (db->deferred) {
		struct jn_db_job *job = db->deferred;
		db->deferred = job->next;
		jn_timer_cancel(job->timer);
		job_finish(job, job->res);
	}
	for (pp = &handles; *pp && *pp != db; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = db->next;
	free(db->url);
	free(db->shown);
	free(db);
}

/* ---- suspending a script on a query ------------------------------------- */

struct suspended_query {
	jn_suspend_t *s;
	jn_module_t *owner;
	jn_db_res_keep_cb keep;
	void *data;
};

static void suspended_done(jn_db_res_t *res, void *data)
{
	struct suspended_query *q = data;
	jn_result_t r;

	if (!jn_db_res_ok(res)) {
		jn_log_err(q->owner, "database query failed: %s", jn_db_res_error(res));
		r = JN_ERROR;
	} else if (jn_db_res_cols(res) > 0) {
		r = jn_db_res_rows(res) > 0 ? JN_TRUE : JN_FALSE;
	} else {
		r = JN_TRUE;
	}
	if (q->keep)
		q->keep(q->s, res, q->data);
	jn_suspend_resume(q->s, r);
	free(q);
}

JN_API jn_result_t jn_db_query_suspend(jn_call_t *c, jn_db_t *db, const char *sql,
				       const char *const *params, size_t nparams,
				       jn_db_res_keep_cb res_cb, void *data)
{
	struct suspended_query *q;
	int rc;

	if (!db)
		return jn_call_error(c, "no database handle");
	q = calloc(1, sizeof(*q));
	if (!q)
		return jn_call_error(c, "out of memory");
	q->s = jn_call_suspend(c);
	if (!q->s) {
		free(q);
		return jn_call_error(c, "a database query cannot suspend here");
	}
	q->owner = db->owner;
	q->keep = res_cb;
	q->data = data;
	rc = jn_db_query(db, sql, params, nparams, suspended_done, q);
	if (rc != 0) {
		jn_log_err(db->owner, "cannot submit a query to %s: %s", db->shown,
			   jn_strerror(rc));
		/* resuming inside the call completes it synchronously */
		jn_suspend_resume(q->s, JN_ERROR);
		free(q);
	}
	return JN_SUSPEND;
}
