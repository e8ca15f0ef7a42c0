/* sqlite_conn.c - one SQLite connection = one worker thread. SQLite calls
 * block (disk, locks, long queries), so the SIP thread only queues jobs;
 * the worker runs them in order and hands each result back through a done
 * queue and an eventfd the SIP loop watches. An eventfd of our own (rather
 * than jn_loop_post) lets close() collect answers still in flight, so no
 * callback can run after its handle is gone. */
#include "db_sqlite.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int sqlite_busy_timeout_ms = 5000;

struct item {
	jn_db_job_t *job;
	jn_db_res_t *res;
	struct item *next;
};

struct queue {
	struct item *head, **tail;
};

struct conn {
	sqlite3 *db;
	jn_module_t *user;
	pthread_t thread;
	int thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stopping;
	struct queue todo; /* SIP thread -> worker */
	struct queue done; /* worker -> SIP thread */
	int efd;
	jn_fd_watch_t *watch;
};

static void q_init(struct queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
}

static void q_push(struct queue *q, struct item *it)
{
	it->next = NULL;
	*q->tail = it;
	q->tail = &it->next;
}

static struct item *q_take_all(struct queue *q)
{
	struct item *all = q->head;

	q_init(q);
	return all;
}

static void *worker(void *arg)
{
	struct conn *c = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->todo.head && !c->stopping)
			pthread_cond_wait(&c->cond, &c->lock);
		if (c->stopping)
			break;
		struct item *it = c->todo.head;
		c->todo.head = it->next;
		if (!c->todo.head)
			c->todo.tail = &c->todo.head;
		pthread_mutex_unlock(&c->lock);

		it->res = sqlite_run_job(c->db, it->job);

		pthread_mutex_lock(&c->lock);
		q_push(&c->done, it);
		while (write(c->efd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* SIP thread: deliver finished jobs. */
static void drain_done(struct conn *c)
{
	struct item *it;

	pthread_mutex_lock(&c->lock);
	it = q_take_all(&c->done);
	pthread_mutex_unlock(&c->lock);
	while (it) {
		struct item *next = it->next;
		jn_db_job_done(it->job, it->res);
		free(it);
		it = next;
	}
}

static void on_done(jn_fd_watch_t *w, int fd, int events, void *data)
{
	uint64_t v;

	(void)w;
	(void)events;
	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	drain_done(data);
}

int sqlite_open_file(const char *path, sqlite3 **out, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX |
		    SQLITE_OPEN_URI;
	int rc = sqlite3_open_v2(path, &db, flags, NULL);

	*out = NULL;
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return JN_EIO;
	}
	sqlite3_busy_timeout(db, sqlite_busy_timeout_ms);
	/* WAL: readers never wait for the writer, and another process (the
	 * operator's sqlite3 shell, a second node's tool) can read meanwhile.
	 * NORMAL sync is durable across a daemon crash, which is what a
	 * registration needs; only a power cut may lose the last commits. */
	if (strcmp(path, ":memory:") != 0) {
		char *e = NULL;
		if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", NULL,
				 NULL, &e) != SQLITE_OK) {
			snprintf(err, errlen, "%s", e ? e : sqlite3_errmsg(db));
			sqlite3_free(e);
			sqlite3_close(db);
			return JN_EIO;
		}
	}
	sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	*out = db;
	return 0;
}

/* "sqlite:/abs/file.db", "sqlite:///abs/file.db", "sqlite:rel.db",
 * "sqlite::memory:" -> the file name SQLite wants. */
static const char *url_path(const char *url)
{
	const char *p = strchr(url, ':');

	if (!p)
		return NULL;
	p++;
	if (strncmp(p, "//", 2) == 0)
		p += 2;
	return *p ? p : NULL;
}

static void conn_free(struct conn *c)
{
	if (c->watch)
		jn_fd_unwatch(c->watch);
	if (c->efd >= 0)
		close(c->efd);
	sqlite3_close(c->db);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int drv_open(jn_module_t *user, const char *url, void **out)
{
	const char *path = url_path(url);
	char err[256];
	struct conn *c;
	int rc;

	if (!path) {
		jn_log_err(user, "database URL '%s': no file name (sqlite:/path/file.db)", url);
		return JN_EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return JN_ENOMEM;
	c->user = user;
	c->efd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	q_init(&c->todo);
	q_init(&c->done);
	rc = sqlite_open_file(path, &c->db, err, sizeof(err));
	if (rc != 0) {
		jn_log_err(user, "cannot open SQLite database %s: %s", path, err);
		goto fail;
	}
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->efd < 0) {
		jn_log_errno(user, JN_LOG_ERR, "eventfd");
		rc = JN_EIO;
		goto fail;
	}
	c->watch = jn_fd_watch(c->efd, JN_FD_IN, on_done, c);
	if (!c->watch) {
		rc = JN_ENOMEM;
		goto fail;
	}
	if (pthread_create(&c->thread, NULL, worker, c) != 0) {
		jn_log_err(user, "cannot start the SQLite worker thread");
		rc = JN_EIO;
		goto fail;
	}
	c->thread_started = 1;
	*out = c;
	return 0;
fail:
	conn_free(c);
	return rc;
}

static void drv_close(void *conn)
{
	struct conn *c = conn;
	struct item *it;

	pthread_mutex_lock(&c->lock);
	c->stopping = 1;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	/* a query in progress ends at once with "interrupted" rather than
	 * holding up the shutdown for as long as it runs */
	sqlite3_interrupt(c->db);
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	drain_done(c);
	it = q_take_all(&c->todo);
	while (it) {
		struct item *next = it->next;
		jn_db_res_t *res = jn_db_res_new();
		jn_db_res_set_error(res, "database closed");
		jn_db_job_done(it->job, res);
		free(it);
		it = next;
	}
	conn_free(c);
}

static int drv_submit(void *conn, jn_db_job_t *job)
{
	struct conn *c = conn;
	struct item *it = calloc(1, sizeof(*it));

	if (!it)
		return JN_ENOMEM;
	it->job = job;
	pthread_mutex_lock(&c->lock);
	q_push(&c->todo, it);
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* Start-up only. The handle is opened FULLMUTEX, so running here while the
 * worker is busy is safe; the two just take turns. */
static jn_db_res_t *drv_run_sync(void *conn, jn_db_job_t *job)
{
	struct conn *c = conn;

	return sqlite_run_job(c->db, job);
}

static const char *const schemes[] = {"sqlite", "sqlite3", NULL};

const jn_db_driver_t sqlite_driver = {
	.size = sizeof(jn_db_driver_t),
	.name = "sqlite",
	.schemes = schemes,
	.open = drv_open,
	.close = drv_close,
	.submit = drv_submit,
	.run_sync = drv_run_sync,
	.connected = NULL,
};
