/* test_db_sqlite.c - the database layer's core (core/db.c) with the SQLite
 * driver on a real event loop: parameters, results, errors, ordering,
 * transactions (atomicity: a failing statement rolls back the ones before
 * it), the start-up-only synchronous call, close with queries pending,
 * URL dispatch, and the promise that no callback runs inside the call that
 * submitted the query. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "loop.h"
#include "db_sqlite.h"

static char dbpath[64];
static char url[96];

struct got {
	int calls;
	int ok;
	char err[256];
	size_t rows, cols;
	long long affected;
	char v[4][64];
	int isnull[4];
	int order;
};
static int seq;

static void got_cb(jn_db_res_t *res, void *data)
{
	struct got *g = data;

	g->calls++;
	g->order = ++seq;
	g->ok = jn_db_res_ok(res);
	snprintf(g->err, sizeof(g->err), "%s", g->ok ? "" : jn_db_res_error(res));
	g->rows = jn_db_res_rows(res);
	g->cols = jn_db_res_cols(res);
	g->affected = jn_db_res_affected(res);
	for (size_t i = 0; i < 4 && i < g->cols; i++) {
		const char *v = jn_db_res_value(res, 0, i);
		g->isnull[i] = v == NULL;
		snprintf(g->v[i], sizeof(g->v[i]), "%s", v ? v : "");
	}
}

static void timeout_cb(jn_timer_t *t, void *data)
{
	(void)t;
	*(int *)data = 1;
	loop_break();
}

static int *wait_flag;
static void poll_cb(jn_timer_t *t, void *data);

/* Runs the loop until *calls reaches want (or 5 s). */
static void wait_calls(int *calls, int want)
{
	int timed_out = 0;
	jn_timer_t *to = jn_timer_start(5000, timeout_cb, &timed_out);

	while (*calls < want && !timed_out) {
		wait_flag = calls;
		jn_timer_start(5, poll_cb, NULL);
		loop_run();
	}
	if (!timed_out)
		jn_timer_cancel(to);
	assert_int_equal(*calls, want);
}

static void poll_cb(jn_timer_t *t, void *data)
{
	(void)t;
	(void)data;
	loop_break();
}

static jn_db_t *open_db(void)
{
	jn_db_t *db = NULL;

	assert_int_equal(jn_db_open(NULL, url, &db), 0);
	assert_non_null(db);
	return db;
}

static int setup(void **state)
{
	jn_db_t *db;
	jn_db_res_t *res = NULL;

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "/tmp/jn-test-db-%d.db", (int)getpid());
	snprintf(url, sizeof(url), "sqlite:%s", dbpath);
	db = open_db();
	assert_int_equal(jn_db_query_sync(db, "CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, "
					      "v TEXT, n INTEGER)",
					  NULL, 0, &res),
			 0);
	assert_true(jn_db_res_ok(res));
	jn_db_res_free(res);
	jn_db_query_sync(db, "DELETE FROM kv", NULL, 0, &res);
	jn_db_res_free(res);
	jn_db_close(db);
	return 0;
}

/* $1..$n placeholders, a repeated placeholder, NULL = SQL NULL, values as text. */
static void test_params_and_values(void **state)
{
	jn_db_t *db = open_db();
	const char *p[] = {"alice", NULL, "7"};
	struct got g = {0};

	(void)state;
	assert_int_equal(jn_db_query(db, "INSERT INTO kv (k, v, n) VALUES ($1, $2, $3)", p, 3,
				     got_cb, &g),
			 0);
	assert_int_equal(g.calls, 0); /* never inside jn_db_query */
	wait_calls(&g.calls, 1);
	assert_true(g.ok);
	assert_int_equal(g.affected, 1);
	assert_int_equal(g.cols, 0);

	memset(&g, 0, sizeof(g));
	const char *q[] = {"alice"};
	jn_db_query(db, "SELECT k, v, n, $1 || '-' || $1 AS twice FROM kv WHERE k = $1", q, 1,
		    got_cb, &g);
	wait_calls(&g.calls, 1);
	assert_true(g.ok);
	assert_int_equal(g.rows, 1);
	assert_int_equal(g.cols, 4);
	assert_string_equal(g.v[0], "alice");
	assert_true(g.isnull[1]);
	assert_string_equal(g.v[2], "7");
	assert_string_equal(g.v[3], "alice-alice");

	/* no row: ok, with columns, zero rows */
	memset(&g, 0, sizeof(g));
	const char *r[] = {"nobody"};
	jn_db_query(db, "SELECT k FROM kv WHERE k = $1", r, 1, got_cb, &g);
	wait_calls(&g.calls, 1);
	assert_true(g.ok);
	assert_int_equal(g.rows, 0);
	assert_int_equal(g.cols, 1);
	jn_db_close(db);
}

/* Errors reach the callback as a message, the connection stays usable. */
static void test_errors(void **state)
{
	jn_db_t *db = open_db();
	struct got g1 = {0}, g2 = {0}, g3 = {0};
	const char *p[] = {"x"};

	(void)state;
	jn_db_query(db, "SELEKT 1", NULL, 0, got_cb, &g1);
	jn_db_query(db, "SELECT $1, $2", p, 1, got_cb, &g2); /* $2 without a value */
	jn_db_query(db, "SELECT 1 AS one", NULL, 0, got_cb, &g3);
	wait_calls(&g3.calls, 1);
	assert_int_equal(g1.calls, 1);
	assert_false(g1.ok);
	assert_non_null(strstr(g1.err, "syntax error"));
	assert_false(g2.ok);
	assert_non_null(strstr(g2.err, "$2"));
	assert_true(g3.ok);
	assert_string_equal(g3.v[0], "1");
	/* bad arguments are refused up front, no callback */
	assert_int_equal(jn_db_query(db, NULL, NULL, 0, got_cb, &g1), JN_EINVAL);
	assert_int_equal(jn_db_query(db, "SELECT $1", NULL, 1, got_cb, &g1), JN_EINVAL);
	jn_db_close(db);
}

/* One handle runs its jobs in submission order. */
static void test_order(void **state)
{
	jn_db_t *db = open_db();
	struct got g[3];
	const char *p[] = {"o", "first"};
	const char *p2[] = {"o", "second"};
	const char *p3[] = {"o"};

	(void)state;
	memset(g, 0, sizeof(g));
	seq = 0;
	jn_db_query(db, "INSERT OR REPLACE INTO kv (k, v) VALUES ($1, $2)", p, 2, got_cb, &g[0]);
	jn_db_query(db, "INSERT OR REPLACE INTO kv (k, v) VALUES ($1, $2)", p2, 2, got_cb, &g[1]);
	jn_db_query(db, "SELECT v FROM kv WHERE k = $1", p3, 1, got_cb, &g[2]);
	wait_calls(&g[2].calls, 1);
	assert_int_equal(g[0].order, 1);
	assert_int_equal(g[1].order, 2);
	assert_int_equal(g[2].order, 3);
	assert_string_equal(g[2].v[0], "second");
	jn_db_close(db);
}

/* jn_db_tx: all or nothing. */
static void test_transaction(void **state)
{
	jn_db_t *db = open_db();
	struct got g = {0};
	const char *a[] = {"t1"}, *b[] = {"t2"};
	jn_db_stmt_t bad[] = {
		{"INSERT INTO kv (k) VALUES ($1)", a, 1},
		{"INSERT INTO kv (k) VALUES ($1)", b, 1},
		{"INSERT INTO kv (k) VALUES ($1)", a, 1}, /* duplicate key */
	};
	jn_db_stmt_t good[] = {
		{"INSERT INTO kv (k) VALUES ($1)", a, 1},
		{"INSERT INTO kv (k) VALUES ($1)", b, 1},
		{"SELECT count(*) FROM kv WHERE k IN ('t1', 't2')", NULL, 0},
	};

	(void)state;
	assert_int_equal(jn_db_tx(db, bad, 3, got_cb, &g), 0);
	wait_calls(&g.calls, 1);
	assert_false(g.ok);
	assert_non_null(strstr(g.err, "statement 3"));
	assert_non_null(strstr(g.err, "UNIQUE"));

	memset(&g, 0, sizeof(g));
	jn_db_query(db, "SELECT count(*) FROM kv WHERE k IN ('t1', 't2')", NULL, 0, got_cb, &g);
	wait_calls(&g.calls, 1);
	assert_string_equal(g.v[0], "0"); /* statements 1 and 2 were rolled back */

	memset(&g, 0, sizeof(g));
	jn_db_tx(db, good, 3, got_cb, &g);
	wait_calls(&g.calls, 1);
	assert_true(g.ok);
	assert_int_equal(g.affected, 2);
	assert_string_equal(g.v[0], "2"); /* rows of the last statement */
	jn_db_close(db);
}

/* Closing fails what is still queued, and nothing runs afterwards. */
static void test_close_pending(void **state)
{
	jn_db_t *db = open_db();
	struct got g[20];
	int total = 0;

	(void)state;
	memset(g, 0, sizeof(g));
	for (int i = 0; i < 20; i++)
		jn_db_query(db, "SELECT count(*) FROM kv", NULL, 0, got_cb, &g[i]);
	jn_db_close(db);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(g[i].calls, 1);
		total += g[i].ok;
		if (!g[i].ok)
			assert_string_equal(g[i].err, "database closed");
	}
	/* the worker may have finished some before close: those succeeded */
	assert_true(total >= 0 && total <= 20);
}

/* The synchronous call is for start-up only. */
static void test_sync_only_at_startup(void **state)
{
	jn_db_t *db = open_db();
	jn_db_res_t *res = NULL;

	(void)state;
	assert_int_equal(jn_db_query_sync(db, "SELECT 1", NULL, 0, &res), 0);
	assert_true(jn_db_res_ok(res));
	assert_string_equal(jn_db_res_value(res, 0, 0), "1");
	assert_string_equal(jn_db_res_colname(res, 0), "1");
	assert_int_equal(jn_db_res_colindex(res, "1"), 0);
	assert_int_equal(jn_db_res_colindex(res, "nope"), -1);
	assert_null(jn_db_res_value(res, 1, 0));
	jn_db_res_free(res);
	db_set_running(1);
	assert_int_equal(jn_db_query_sync(db, "SELECT 1", NULL, 0, &res), JN_ESTATE);
	assert_null(res);
	db_set_running(0);
	jn_db_close(db);
}

/* URL dispatch: unknown schemes and missing drivers are named. */
static void test_urls(void **state)
{
	jn_db_t *db = NULL;

	(void)state;
	assert_int_equal(jn_db_open(NULL, "postgres://u:secret@h/db", &db), JN_ENOENT);
	assert_int_equal(jn_db_open(NULL, "mysql://h/db", &db), JN_ENOENT);
	assert_int_equal(jn_db_open(NULL, "no-scheme", &db), JN_EINVAL);
	assert_int_equal(jn_db_open(NULL, "sqlite:", &db), JN_EINVAL);
	assert_null(db);
	assert_int_equal(jn_db_open(NULL, "sqlite::memory:", &db), 0);
	assert_string_equal(jn_db_url(db), "sqlite::memory:");
	assert_true(jn_db_connected(db));
	jn_db_close(db);
	assert_int_equal(jn_db_driver_register(NULL, &sqlite_driver), JN_EEXIST);
}

/* A driver that answers inside submit(): the core must still not call back
 * before jn_db_query() returns. */
static int fake_open(jn_module_t *u, const char *url_, void **c)
{
	(void)u;
	(void)url_;
	*c = NULL;
	return 0;
}
static void fake_close(void *c)
{
	(void)c;
}
static int fake_submit(void *c, jn_db_job_t *job)
{
	jn_db_res_t *res = jn_db_res_new();

	(void)c;
	jn_db_res_set_error(res, "refused %s", jn_db_job_stmt(job, 0)->sql);
	jn_db_job_done(job, res);
	return 0;
}
static jn_db_res_t *fake_sync(void *c, jn_db_job_t *job)
{
	(void)c;
	(void)job;
	return jn_db_res_new();
}
static const char *const fake_schemes[] = {"fake", NULL};
static const jn_db_driver_t fake_driver = {
	.size = sizeof(jn_db_driver_t),
	.name = "fake",
	.schemes = fake_schemes,
	.open = fake_open,
	.close = fake_close,
	.submit = fake_submit,
	.run_sync = fake_sync,
};

static void test_no_callback_inside_submit(void **state)
{
	jn_db_t *db = NULL;
	struct got g = {0}, g2 = {0};

	(void)state;
	assert_int_equal(jn_db_open(NULL, "fake://user:pw@host/x", &db), 0);
	assert_string_equal(jn_db_url(db), "fake://user:***@host/x");
	assert_int_equal(jn_db_query(db, "Q1", NULL, 0, got_cb, &g), 0);
	assert_int_equal(g.calls, 0);
	wait_calls(&g.calls, 1);
	assert_string_equal(g.err, "refused Q1");
	/* deferred answers still pending at close are delivered by close */
	jn_db_query(db, "Q2", NULL, 0, got_cb, &g2);
	assert_int_equal(g2.calls, 0);
	jn_db_close(db);
	assert_int_equal(g2.calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_params_and_values, setup),
		cmocka_unit_test_setup(test_errors, setup),
		cmocka_unit_test_setup(test_order, setup),
		cmocka_unit_test_setup(test_transaction, setup),
		cmocka_unit_test_setup(test_close_pending, setup),
		cmocka_unit_test_setup(test_sync_only_at_startup, setup),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_no_callback_inside_submit),
	};
	int rc;
	char p[96];

	if (loop_init() != 0)
		return 1;
	if (jn_db_driver_register(NULL, &sqlite_driver) != 0 ||
	    jn_db_driver_register(NULL, &fake_driver) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	db_remove_module(NULL);
	loop_deinit();
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return rc;
}
