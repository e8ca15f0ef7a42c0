/* pg_conn.c - one PostgreSQL connection driven by the SIP loop with libpq's
 * non-blocking API: PQconnectStart/PQconnectPoll to connect,
 * PQsendQueryParams + PQflush to send (watching for writability while
 * PQflush returns 1), PQconsumeInput/PQisBusy/PQgetResult to read. Jobs
 * run one at a time in submission order; a transaction is a sequence of
 * steps BEGIN, statements, COMMIT (ROLLBACK after a failed statement).
 *
 * A lost connection fails the job in flight and every queued one at once
 * with "database connection lost, reconnecting", and so does every job
 * submitted until a new connection is up: callers get a quick, clear
 * error instead of a wait of unknown length. Reconnection attempts back
 * off from 0.5 s to 5 s. */
#include "db_postgres.h"

#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 5000
#define LOST_MSG "database connection lost, reconnecting"

enum state { ST_CONNECTING, ST_READY, ST_DOWN };

struct item {
	jn_db_job_t *job;
	struct item *next;
};

struct pgc {
	jn_module_t *user;
	char *url;
	const char *shown; /* for logs: never the password */
	PGconn *pg;
	enum state state;
	int failing; /* lost or never connected: refuse jobs until connected */
	jn_fd_watch_t *watch;
	int watch_fd, watch_ev;
	jn_timer_t *retry;
	unsigned backoff_ms;
	struct item *head, **tail;
	/* the job in flight */
	struct item *cur;
	size_t step, nsteps;
	int rolling_back;
	jn_db_res_t *res;
	long long affected;
	char *step_error;
	/* re-entrancy: a callback may close the handle */
	int depth, closed;
};

static void on_io(jn_fd_watch_t *w, int fd, int events, void *data);
static void connect_start(struct pgc *c);
static void pump(struct pgc *c);
static void finish_job(struct pgc *c);

static void set_watch(struct pgc *c, int fd, int events)
{
	if (c->watch && c->watch_fd == fd) {
		if (c->watch_ev != events)
			jn_fd_watch_events(c->watch, events);
		c->watch_ev = events;
		return;
	}
	if (c->watch)
		jn_fd_unwatch(c->watch);
	c->watch = fd >= 0 ? jn_fd_watch(fd, events, on_io, c) : NULL;
	c->watch_fd = c->watch ? fd : -1;
	c->watch_ev = events;
}

static void unwatch(struct pgc *c)
{
	if (c->watch)
		jn_fd_unwatch(c->watch);
	c->watch = NULL;
	c->watch_fd = -1;
}

static void fail_job(jn_db_job_t *job, const char *msg)
{
	jn_db_res_t *res = jn_db_res_new();

	jn_db_res_set_error(res, "%s", msg);
	jn_db_job_done(job, res);
}

/* Fails the job in flight and the queue. The list is detached first: the
 * callbacks may submit again. */
static void fail_all(struct pgc *c, const char *msg)
{
	struct item *all = c->head, *it;

	if (c->cur) {
		it = c->cur;
		c->cur->next = all;
		all = it;
		c->cur = NULL;
	}
	c->head = NULL;
	c->tail = &c->head;
	jn_db_res_free(c->res);
	c->res = NULL;
	free(c->step_error);
	c->step_error = NULL;
	while (all) {
		it = all;
		all = it->next;
		fail_job(it->job, msg);
		free(it);
	}
}

static void retry_fire(jn_timer_t *t, void *data)
{
	struct pgc *c = data;

	(void)t;
	c->retry = NULL;
	connect_start(c);
}

static void schedule_reconnect(struct pgc *c)
{
	unwatch(c);
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
	c->state = ST_DOWN;
	c->failing = 1;
	if (!c->retry)
		c->retry = jn_timer_start(c->backoff_ms, retry_fire, c);
	jn_log_debug(c->user, "%s: reconnecting in %u ms", c->shown, c->backoff_ms);
	c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
}

static void connection_lost(struct pgc *c, const char *why)
{
	if (c->state == ST_READY)
		jn_log_err(c->user, "%s: connection lost (%s); reconnecting", c->shown, why);
	schedule_reconnect(c);
	fail_all(c, LOST_MSG);
}

/* ---- connecting ------------------------------------------------------------ */

static void connect_poll(struct pgc *c, PostgresPollingStatusType st)
{
	if (st == PGRES_POLLING_OK) {
		if (PQsetnonblocking(c->pg, 1) != 0) {
			connection_lost(c, PQerrorMessage(c->pg));
			return;
		}
		jn_log_info(c->user, "%s: connected (server %d)", c->shown,
			    PQserverVersion(c->pg));
		c->state = ST_READY;
		c->failing = 0;
		c->backoff_ms = BACKOFF_MIN_MS;
		set_watch(c, PQsocket(c->pg), JN_FD_IN);
		pump(c);
		return;
	}
	if (st == PGRES_POLLING_FAILED) {
		char msg[256];
		size_t n;
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c->pg));
		n = strlen(msg);
		while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		/* log the first failure of a series, not every retry */
		if (!c->failing || c->backoff_ms == BACKOFF_MIN_MS)
			jn_log_err(c->user, "%s: cannot connect: %s", c->shown, msg);
		schedule_reconnect(c);
		fail_all(c, LOST_MSG);
		return;
	}
	set_watch(c, PQsocket(c->pg), st == PGRES_POLLING_READING ? JN_FD_IN : JN_FD_OUT);
}

static void connect_start(struct pgc *c)
{
	c->state = ST_CONNECTING;
	c->pg = PQconnectStart(c->url);
	if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
		connect_poll(c, PGRES_POLLING_FAILED);
		return;
	}
	/* libpq: after PQconnectStart, behave as if PQconnectPoll had
	 * returned PGRES_POLLING_WRITING */
	set_watch(c, PQsocket(c->pg), JN_FD_OUT);
}

/* ---- running jobs ------------------------------------------------------------ */

/* Step s of the job in flight: its SQL and parameters. */
static const char *step_sql(struct pgc *c, const jn_db_stmt_t **stmt)
{
	jn_db_job_t *job = c->cur->job;

	*stmt = NULL;
	if (c->rolling_back)
		return "ROLLBACK";
	if (!jn_db_job_is_tx(job)) {
		*stmt = jn_db_job_stmt(job, c->step);
		return (*stmt)->sql;
	}
	if (c->step == 0)
		return "BEGIN";
	if (c->step == c->nsteps - 1)
		return "COMMIT";
	*stmt = jn_db_job_stmt(job, c->step - 1);
	return (*stmt)->sql;
}

static int user_step(struct pgc *c, size_t *index)
{
	jn_db_job_t *job = c->cur->job;

	if (c->rolling_back)
		return 0;
	if (!jn_db_job_is_tx(job)) {
		*index = c->step;
		return 1;
	}
	if (c->step == 0 || c->step == c->nsteps - 1)
		return 0;
	*index = c->step - 1;
	return 1;
}

static void send_step(struct pgc *c)
{
	const jn_db_stmt_t *st;
	const char *sql = step_sql(c, &st);
	int r;

	r = PQsendQueryParams(c->pg, sql, st ? (int)st->nparams : 0, NULL,
			      st ? st->params : NULL, NULL, NULL, 0);
	if (!r) {
		if (PQstatus(c->pg) == CONNECTION_BAD) {
			connection_lost(c, PQerrorMessage(c->pg));
			return;
		}
		/* refused before the server saw it: fail just this job, and
		 * end a transaction already begun */
		if (!c->step_error)
			c->step_error = strdup(PQerrorMessage(c->pg));
		if (jn_db_job_is_tx(c->cur->job) && c->step > 0 && !c->rolling_back) {
			c->rolling_back = 1;
			send_step(c);
			return;
		}
		finish_job(c);
		return;
	}
	r = PQflush(c->pg);
	if (r < 0) {
		connection_lost(c, PQerrorMessage(c->pg));
		return;
	}
	set_watch(c, PQsocket(c->pg), r == 1 ? JN_FD_IN | JN_FD_OUT : JN_FD_IN);
}

static void finish_job(struct pgc *c)
{
	struct item *it = c->cur;
	jn_db_res_t *res = c->res;

	c->cur = NULL;
	c->res = NULL;
	if (!res)
		res = jn_db_res_new();
	if (c->step_error) {
		size_t n = strlen(c->step_error);
		while (n && (c->step_error[n - 1] == '\n' || c->step_error[n - 1] == ' '))
			c->step_error[--n] = '\0';
		jn_db_res_set_error(res, "%s", c->step_error);
		free(c->step_error);
		c->step_error = NULL;
	} else {
		jn_db_res_set_affected(res, c->affected);
	}
	jn_db_job_done(it->job, res);
	free(it);
}

/* Starts the next job when none is in flight. */
static void pump(struct pgc *c)
{
	while (!c->cur && c->head && c->state == ST_READY && !c->closed) {
		struct item *it = c->head;
		c->head = it->next;
		if (!c->head)
			c->tail = &c->head;
		it->next = NULL;
		c->cur = it;
		c->step = 0;
		c->rolling_back = 0;
		c->affected = 0;
		c->nsteps = jn_db_job_nstmts(it->job) + (jn_db_job_is_tx(it->job) ? 2 : 0);
		c->res = jn_db_res_new();
		send_step(c);
	}
}

/* One PGresult of the step in flight. */
static void take_result(struct pgc *c, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	size_t idx = 0;
	int user = user_step(c, &idx);

	if (st == PGRES_TUPLES_OK && user && idx + 1 == jn_db_job_nstmts(c->cur->job)) {
		int nc = PQnfields(r), nr = PQntuples(r);
		const char **v = calloc(nc ? (size_t)nc : 1, sizeof(char *));
		if (!v) {
			c->step_error = strdup("out of memory");
			return;
		}
		for (int i = 0; i < nc; i++)
			v[i] = PQfname(r, i);
		jn_db_res_set_cols(c->res, (size_t)nc, v);
		for (int row = 0; row < nr; row++) {
			for (int i = 0; i < nc; i++)
				v[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
			if (jn_db_res_add_row(c->res, v) != 0) {
				c->step_error = strdup("out of memory");
				break;
			}
		}
		free(v);
	} else if (st == PGRES_COMMAND_OK && user) {
		c->affected += atoll(PQcmdTuples(r));
	} else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK &&
		   st != PGRES_EMPTY_QUERY && !c->step_error && !c->rolling_back) {
		const char *msg = PQresultErrorMessage(r);
		if (jn_db_job_is_tx(c->cur->job) && user) {
			char *s = NULL;
			if (asprintf(&s, "statement %zu: %s", idx + 1, msg) < 0)
				s = NULL;
			c->step_error = s;
		} else {
			c->step_error = strdup(msg && *msg ? msg : PQresStatus(st));
		}
		if (!c->step_error)
			c->step_error = strdup("query failed");
	}
}

/* The step's results are complete: next step, rollback, or done. */
static void step_done(struct pgc *c)
{
	if (c->rolling_back) {
		finish_job(c);
		return;
	}
	if (c->step_error) {
		if (jn_db_job_is_tx(c->cur->job) && c->step > 0 && c->step < c->nsteps - 1) {
			c->rolling_back = 1;
			send_step(c);
			return;
		}
		finish_job(c);
		return;
	}
	if (++c->step >= c->nsteps) {
		finish_job(c);
		return;
	}
	send_step(c);
}

static void read_results(struct pgc *c)
{
	if (!PQconsumeInput(c->pg)) {
		connection_lost(c, PQerrorMessage(c->pg));
		return;
	}
	while (c->cur && c->state == ST_READY) {
		PGresult *r;
		if (PQisBusy(c->pg))
			return;
		r = PQgetResult(c->pg);
		if (!r) {
			step_done(c);
			continue;
		}
		take_result(c, r);
		PQclear(r);
		if (PQstatus(c->pg) == CONNECTION_BAD) {
			connection_lost(c, "server closed the connection");
			return;
		}
	}
	if (c->state == ST_READY && PQstatus(c->pg) == CONNECTION_BAD)
		connection_lost(c, "server closed the connection");
}

static void conn_free(struct pgc *c);

static void on_io(jn_fd_watch_t *w, int fd, int events, void *data)
{
	struct pgc *c = data;

	(void)w;
	(void)fd;
	c->depth++;
	if (c->state == ST_CONNECTING) {
		connect_poll(c, PQconnectPoll(c->pg));
	} else if (c->state == ST_READY) {
		if (events & JN_FD_OUT) {
			int r = PQflush(c->pg);
			if (r < 0)
				connection_lost(c, PQerrorMessage(c->pg));
			else if (r == 0)
				set_watch(c, PQsocket(c->pg), JN_FD_IN);
		}
		if (c->state == ST_READY && (events & (JN_FD_IN | JN_FD_ERR | JN_FD_HUP)))
			read_results(c);
		if (c->state == ST_READY)
			pump(c);
	}
	if (--c->depth == 0 && c->closed)
		conn_free(c);
}

/* ---- driver operations -------------------------------------------------------- */

static void conn_free(struct pgc *c)
{
	unwatch(c);
	if (c->retry)
		jn_timer_cancel(c->retry);
	if (c->pg)
		PQfinish(c->pg);
	jn_db_res_free(c->res);
	free(c->step_error);
	free(c->url);
	free((char *)c->shown);
	free(c);
}

int pg_open(jn_module_t *user, const char *url, void **out)
{
	struct pgc *c = calloc(1, sizeof(*c));
	char *err = NULL;
	PQconninfoOption *opts;

	if (!c)
		return JN_ENOMEM;
	/* reject a malformed URL now rather than retrying it forever */
	opts = PQconninfoParse(url, &err);
	if (!opts) {
		jn_log_err(user, "bad PostgreSQL URL: %s", err ? err : "out of memory");
		PQfreemem(err);
		free(c);
		return JN_EINVAL;
	}
	PQconninfoFree(opts);
	c->user = user;
	c->url = strdup(url);
	c->shown = pg_url_shown(url);
	c->watch_fd = -1;
	c->backoff_ms = BACKOFF_MIN_MS;
	c->tail = &c->head;
	if (!c->url || !c->shown) {
		conn_free(c);
		return JN_ENOMEM;
	}
	connect_start(c);
	/* the first attempt has not failed yet: queue jobs meanwhile */
	if (c->state == ST_CONNECTING)
		c->failing = 0;
	*out = c;
	return 0;
}

void pg_close(void *conn)
{
	struct pgc *c = conn;

	c->closed = 1;
	unwatch(c);
	if (c->retry)
		jn_timer_cancel(c->retry);
	c->retry = NULL;
	c->state = ST_DOWN;
	fail_all(c, "database closed");
	if (c->depth == 0)
		conn_free(c);
}

int pg_submit(void *conn, jn_db_job_t *job)
{
	struct pgc *c = conn;
	struct item *it;

	if (c->closed)
		return JN_ESTATE;
	if (c->failing) {
		fail_job(job, LOST_MSG);
		return 0;
	}
	it = calloc(1, sizeof(*it));
	if (!it)
		return JN_ENOMEM;
	it->job = job;
	*c->tail = it;
	c->tail = &it->next;
	c->depth++;
	pump(c);
	if (--c->depth == 0 && c->closed)
		conn_free(c);
	return 0;
}

int pg_connected(void *conn)
{
	const struct pgc *c = conn;

	return c->state == ST_READY;
}

const char *pg_conn_url(void *conn)
{
	return ((struct pgc *)conn)->url;
}
