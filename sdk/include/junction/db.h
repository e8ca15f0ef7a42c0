/*
 * junction/db.h - the database layer: connections opened from a URL,
 * asynchronous parameterised queries and transactions, results.
 *
 * The core holds no database code of its own: driver modules (db_sqlite,
 * db_postgres) register themselves for URL schemes and the core hands each
 * jn_db_open() to the driver of the URL's scheme. A module that stores
 * something opens a handle once and keeps it:
 *
 *     static jn_db_t *db;
 *
 *     static void saved(jn_db_res_t *res, void *data)
 *     {
 *         if (!jn_db_res_ok(res))
 *             jn_log_err(self, "save failed: %s", jn_db_res_error(res));
 *     }
 *
 *     start():  jn_db_open(m, "sqlite:/var/lib/junction/junction.db", &db);
 *     later:    const char *p[] = { aor, contact };
 *               jn_db_query(db, "DELETE FROM location WHERE aor = $1 AND contact = $2",
 *                           p, 2, saved, NULL);
 *     stop():   jn_db_close(db);
 *
 * URLs:
 *   sqlite:/abs/path/file.db        an SQLite file (created if missing)
 *   sqlite:relative/file.db         relative to the daemon's working directory
 *   sqlite::memory:                 a private in-memory database
 *   postgres://user:pass@host:port/dbname
 *   postgresql:///dbname?host=/run/postgresql&port=5432
 *                                   PostgreSQL; the URL goes to libpq as is
 *
 * SQL text uses $1 .. $n placeholders with every driver. Parameters and
 * values are text: a parameter is a NUL-terminated string (NULL = SQL NULL)
 * that the server converts to the column's type; a value read from a result
 * is text too (NULL = SQL NULL). Blobs are not supported.
 *
 * Threads: every function here is called on the SIP thread, and callbacks
 * run there. Nothing blocks it: queries run on a worker thread (SQLite) or
 * on non-blocking sockets watched by the loop (PostgreSQL). The only
 * exception is jn_db_query_sync(), allowed only in load() and start().
 *
 * Ordering: the queries of one handle run one after another in the order
 * they were submitted, so a DELETE followed by an INSERT on the same handle
 * is applied in that order.
 *
 * Errors: a query that cannot run (syntax, constraint, lost connection)
 * still gets its callback, with jn_db_res_ok() false and a message from
 * jn_db_res_error(). While a PostgreSQL connection is down, queries fail at
 * once with "database connection lost, reconnecting" and the driver
 * reconnects in the background.
 */
#ifndef JUNCTION_DB_H
#define JUNCTION_DB_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jn_db jn_db_t;         /* an open connection (or a driver's pool) */
typedef struct jn_db_res jn_db_res_t; /* the result of one query or transaction */

/* One statement of a transaction. */
typedef struct jn_db_stmt {
	const char *sql;
	const char *const *params; /* nparams strings (NULL entries = SQL NULL) */
	size_t nparams;
} jn_db_stmt_t;

/* Called once per query on the SIP thread. res is owned by the core and
 * freed after the callback returns: copy what you keep. */
typedef void (*jn_db_cb)(jn_db_res_t *res, void *data);

/* ---- connections --------------------------------------------------------
 * Opens a handle for url on behalf of module m (used in log messages).
 * Returns 0 and *out, or:
 *   JN_EINVAL  the URL has no scheme
 *   JN_ENOENT  no loaded driver for the scheme (logged, naming the module
 *              to load: db_sqlite, db_postgres)
 *   JN_EIO     the driver could not open it (logged with the reason)
 * For PostgreSQL the handle is returned at once and connects in the
 * background; queries submitted meanwhile wait for the connection.
 * Open in start() (all modules are loaded then), or in load() when the
 * driver module is listed in .depends. */
JN_API int jn_db_open(jn_module_t *m, const char *url, jn_db_t **out);
/* Closes the handle. Queries still pending get their callback at once with
 * an error ("database closed") before this returns. NULL is ignored. */
JN_API void jn_db_close(jn_db_t *db);
/* The URL the handle was opened with, password hidden ("postgres://u:***@h/db"). */
JN_API const char *jn_db_url(const jn_db_t *db);
/* Non-zero while the driver believes the connection usable (SQLite: always;
 * PostgreSQL: connected and not reconnecting). */
JN_API int jn_db_connected(const jn_db_t *db);

/* ---- queries ------------------------------------------------------------
 * Runs sql with nparams text parameters ($1..$n) asynchronously; cb(res,
 * data) runs on the SIP thread when it is done, never before this function
 * has returned. sql and params are copied. Returns 0 (cb will be called
 * exactly once) or JN_EINVAL / JN_ENOMEM (cb is not called). cb may be
 * NULL for fire-and-forget writes (failures are then logged). */
JN_API int jn_db_query(jn_db_t *db, const char *sql, const char *const *params,
		       size_t nparams, jn_db_cb cb, void *data);

/* Runs n statements atomically: BEGIN, each statement, COMMIT; on the first
 * failing statement ROLLBACK, and the result is that statement's error
 * prefixed with its index ("statement 2: ..."). On success the result
 * holds the rows of the last statement and, as affected, the sum of all
 * statements' affected rows. Same return and callback rules as
 * jn_db_query(). */
JN_API int jn_db_tx(jn_db_t *db, const jn_db_stmt_t *stmts, size_t n, jn_db_cb cb,
		    void *data);

/* Blocks until the query is done and returns its result in *out (always
 * set on return 0, even when the query failed: check jn_db_res_ok()); the
 * caller frees it with jn_db_res_free(). ONLY for module load() and
 * start(), e.g. to load persisted state: on the running SIP thread it
 * would stall every call, so it returns JN_ESTATE after start-up. */
JN_API int jn_db_query_sync(jn_db_t *db, const char *sql, const char *const *params,
			    size_t nparams, jn_db_res_t **out);

/* ---- results ------------------------------------------------------------
 * Strings returned live as long as the result. */
JN_API int jn_db_res_ok(const jn_db_res_t *res);
/* The error message, or NULL when jn_db_res_ok(). */
JN_API const char *jn_db_res_error(const jn_db_res_t *res);
JN_API size_t jn_db_res_rows(const jn_db_res_t *res);
JN_API size_t jn_db_res_cols(const jn_db_res_t *res);
/* Column name, NULL when col is out of range. */
JN_API const char *jn_db_res_colname(const jn_db_res_t *res, size_t col);
/* Index of the column named name (case-sensitive), or -1. */
JN_API int jn_db_res_colindex(const jn_db_res_t *res, const char *name);
/* Value as text; NULL for SQL NULL or when out of range. */
JN_API const char *jn_db_res_value(const jn_db_res_t *res, size_t row, size_t col);
/* Rows changed by INSERT/UPDATE/DELETE (0 for other statements). */
JN_API long long jn_db_res_affected(const jn_db_res_t *res);
/* Frees a result of jn_db_query_sync() (never one passed to a callback). */
JN_API void jn_db_res_free(jn_db_res_t *res);

/* ---- the script: suspend while a query runs ------------------------------
 * From a script function: runs the query and suspends the execution (the
 * function returns what this returns). The execution resumes with
 *   JN_TRUE   at least one row, or a statement without rows that succeeded
 *   JN_FALSE  a SELECT that found no row
 *   JN_ERROR  the query failed (the error is logged)
 * If the result is wanted, pass res_cb: it is called with the result on the
 * SIP thread just before the execution resumes, with the suspension handle
 * so values can be kept for later calls of the same execution
 * (jn_suspend_alloc() + jn_suspend_set_local(), see script.h). Returns JN_SUSPEND, or JN_ERROR (logged) when the query could
 * not be submitted or the call cannot suspend. */
typedef void (*jn_db_res_keep_cb)(jn_suspend_t *s, jn_db_res_t *res, void *data);
JN_API jn_result_t jn_db_query_suspend(jn_call_t *c, jn_db_t *db, const char *sql,
				       const char *const *params, size_t nparams,
				       jn_db_res_keep_cb res_cb, void *data);

/* ---- drivers --------------------------------------------------------------
 * What a driver module registers in load(). The core owns jn_db_t and the
 * job objects; the driver owns its connection state (conn).
 *
 * A job is one query or one transaction. The driver reads its statements
 * with jn_db_job_stmt() and finishes it exactly once with jn_db_job_done()
 * ON THE SIP THREAD (a worker thread hands it back with jn_loop_post() or
 * its own eventfd), passing a result built with the jn_db_res_new /
 * _set_* / _add_row functions below, which are thread-safe (they only
 * allocate). Jobs are submitted in order; the driver runs them in order. */
typedef struct jn_db_job jn_db_job_t;

typedef struct jn_db_driver {
	uint32_t size;              /* sizeof(jn_db_driver_t) */
	const char *name;           /* "sqlite" */
	const char *const *schemes; /* NULL-terminated URL schemes ("sqlite") */
	/* Opens url; stores the driver's state in *conn. May return before
	 * the connection is up (jobs then wait). 0 or JN_E* (log why). */
	int (*open)(jn_module_t *user, const char *url, void **conn);
	/* Fails every job still pending with jn_db_job_done() (an error
	 * result) before it returns, then frees conn. */
	void (*close)(void *conn);
	/* Queues the job. 0, or JN_E* when it was not taken. */
	int (*submit)(void *conn, jn_db_job_t *job);
	/* Runs the job on the calling thread, blocking; returns the result
	 * (never NULL unless out of memory). Only used during start-up. */
	jn_db_res_t *(*run_sync)(void *conn, jn_db_job_t *job);
	/* Non-zero when usable right now; NULL means always. */
	int (*connected)(void *conn);
} jn_db_driver_t;

/* The table must outlive the driver module's registration; m unregisters
 * it automatically when unloaded (handles still open then fail their
 * queries with "database driver unloaded"). JN_EEXIST if a scheme is
 * taken. */
JN_API int jn_db_driver_register(jn_module_t *m, const jn_db_driver_t *ops);

/* Inside a driver: the job's statements (1 for a query, n for a tx). */
JN_API size_t jn_db_job_nstmts(const jn_db_job_t *job);
JN_API const jn_db_stmt_t *jn_db_job_stmt(const jn_db_job_t *job, size_t i);
/* Non-zero for jn_db_tx(): the driver wraps the statements in a transaction. */
JN_API int jn_db_job_is_tx(const jn_db_job_t *job);
/* Finishes the job: runs its callback, then frees res and the job. SIP
 * thread only. res NULL means out of memory (reported as an error). */
JN_API void jn_db_job_done(jn_db_job_t *job, jn_db_res_t *res);

/* Building results (thread-safe). A result starts as ok with no rows. */
JN_API jn_db_res_t *jn_db_res_new(void);
/* Sets the error (copied; printf format); the result is no longer ok. */
JN_API void jn_db_res_set_error(jn_db_res_t *res, const char *fmt, ...) JN_PRINTF(2, 3);
/* Declares the columns (names copied). Call once, before the rows. */
JN_API int jn_db_res_set_cols(jn_db_res_t *res, size_t ncols, const char *const *names);
/* Appends a row of ncols values (copied; NULL entries = SQL NULL). */
JN_API int jn_db_res_add_row(jn_db_res_t *res, const char *const *values);
JN_API void jn_db_res_set_affected(jn_db_res_t *res, long long n);

#ifdef __cplusplus
}
#endif
#endif
