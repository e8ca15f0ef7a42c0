/* loop.c - timers, fd watches and cross-thread posts on the su_root of the
 * SIP thread. sofia-sip is not thread-safe: everything here except
 * jn_loop_post() must run on that thread. */
#include "loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <junction/junction.h>
#include <sofia-sip/su.h>

#include "log.h"

struct jn_timer {
	su_timer_t *st;
	jn_timer_cb cb;
	void *data;
	int armed;
	struct jn_timer *next_free;
};

struct jn_fd_watch {
	su_wait_t wait;
	int index;
	int fd;
	jn_fd_cb cb;
	void *data;
};

struct post {
	void (*fn)(void *);
	void *data;
	struct post *next;
};

static struct {
	su_root_t *root;
	/* Timers are recycled rather than destroyed, so a callback may cancel
	 * or start timers (including itself) safely. */
	struct jn_timer *free_timers;
	int post_fd;
	jn_fd_watch_t *post_watch;
	pthread_mutex_t post_lock;
	struct post *post_head, **post_tail;
} L = {.post_fd = -1, .post_lock = PTHREAD_MUTEX_INITIALIZER};

static void post_drain(jn_fd_watch_t *w, int fd, int events, void *data);

int loop_init(void)
{
	if (su_init() != 0)
		return -1;
	L.root = su_root_create(NULL);
	if (!L.root)
		return -1;
	L.post_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (L.post_fd < 0)
		return -1;
	L.post_tail = &L.post_head;
	L.post_watch = jn_fd_watch(L.post_fd, JN_FD_IN, post_drain, NULL);
	return L.post_watch ? 0 : -1;
}

void loop_deinit(void)
{
	if (L.post_watch)
		jn_fd_unwatch(L.post_watch);
	L.post_watch = NULL;
	if (L.post_fd >= 0)
		close(L.post_fd);
	L.post_fd = -1;
	while (L.free_timers) {
		struct jn_timer *t = L.free_timers;
		L.free_timers = t->next_free;
		su_timer_destroy(t->st);
		free(t);
	}
	if (L.root)
		su_root_destroy(L.root);
	L.root = NULL;
	su_deinit();
}

su_root_t *loop_root(void)
{
	return L.root;
}

void loop_run(void)
{
	su_root_run(L.root);
}

void loop_break(void)
{
	su_root_break(L.root);
}

JN_API uint64_t jn_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- timers ---------------------------------------------------------- */

static void timer_release(struct jn_timer *t)
{
	t->armed = 0;
	t->cb = NULL;
	t->data = NULL;
	t->next_free = L.free_timers;
	L.free_timers = t;
}

static void timer_fire(su_root_magic_t *magic, su_timer_t *st, su_timer_arg_t *arg)
{
	struct jn_timer *t = (struct jn_timer *)arg;
	if (!t->armed)
		return;
	jn_timer_cb cb = t->cb;
	void *data = t->data;
	timer_release(t);
	cb(t, data);
}

JN_API jn_timer_t *jn_timer_start(unsigned ms, jn_timer_cb cb, void *data)
{
	struct jn_timer *t = L.free_timers;
	if (t) {
		L.free_timers = t->next_free;
	} else {
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		t->st = su_timer_create(su_root_task(L.root), 0);
		if (!t->st) {
			free(t);
			return NULL;
		}
	}
	t->cb = cb;
	t->data = data;
	t->armed = 1;
	t->next_free = NULL;
	if (su_timer_set_interval(t->st, timer_fire, (su_timer_arg_t *)t, (su_duration_t)ms) < 0) {
		timer_release(t);
		return NULL;
	}
	return t;
}

JN_API void jn_timer_cancel(jn_timer_t *t)
{
	if (!t || !t->armed)
		return;
	su_timer_reset(t->st);
	timer_release(t);
}

/* ---- fd watches ------------------------------------------------------ */

static int fd_ready(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	jn_fd_watch_t *fw = (jn_fd_watch_t *)arg;
	int ev = su_wait_events(w, fw->fd);
	fw->cb(fw, fw->fd, ev, fw->data);
	return 0;
}

JN_API jn_fd_watch_t *jn_fd_watch(int fd, int events, jn_fd_cb cb, void *data)
{
	jn_fd_watch_t *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = fd;
	w->cb = cb;
	w->data = data;
	if (su_wait_create(&w->wait, fd, events) < 0) {
		free(w);
		return NULL;
	}
	w->index = su_root_register(L.root, &w->wait, fd_ready, (su_wakeup_arg_t *)w, 0);
	if (w->index <= 0) {
		su_wait_destroy(&w->wait);
		free(w);
		return NULL;
	}
	return w;
}

JN_API int jn_fd_watch_events(jn_fd_watch_t *w, int events)
{
	return su_root_eventmask(L.root, w->index, w->fd, events) < 0 ? JN_EINVAL : 0;
}

JN_API void jn_fd_unwatch(jn_fd_watch_t *w)
{
	if (!w)
		return;
	/* su_root_deregister also destroys the wait object. */
	su_root_deregister(L.root, w->index);
	free(w);
}

/* ---- cross-thread posts ---------------------------------------------- */

JN_API int jn_loop_post(void (*fn)(void *data), void *data)
{
	struct post *p = malloc(sizeof(*p));
	if (!p)
		return JN_ENOMEM;
	p->fn = fn;
	p->data = data;
	p->next = NULL;
	pthread_mutex_lock(&L.post_lock);
	*L.post_tail = p;
	L.post_tail = &p->next;
	pthread_mutex_unlock(&L.post_lock);
	uint64_t one = 1;
	while (write(L.post_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	return 0;
}

static void post_drain(jn_fd_watch_t *w, int fd, int events, void *data)
{
	uint64_t n;
	while (read(fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&L.post_lock);
	struct post *p = L.post_head;
	L.post_head = NULL;
	L.post_tail = &L.post_head;
	pthread_mutex_unlock(&L.post_lock);
	while (p) {
		struct post *next = p->next;
		p->fn(p->data);
		free(p);
		p = next;
	}
}
