/*
 * junction/loop.h - timers, file descriptors and cross-thread posts on the
 * SIP thread's event loop.
 *
 * Callbacks run on the SIP thread. Nothing on that thread may block.
 */
#ifndef JUNCTION_LOOP_H
#define JUNCTION_LOOP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jn_timer jn_timer_t;
typedef void (*jn_timer_cb)(jn_timer_t *t, void *data);

/* One-shot timer firing after ms milliseconds. The handle stays valid until
 * the callback has returned or jn_timer_cancel() was called; it is freed by
 * the core after either. NULL on allocation failure. */
JN_API jn_timer_t *jn_timer_start(unsigned ms, jn_timer_cb cb, void *data);
/* Cancel a pending timer: its callback will not run. */
JN_API void jn_timer_cancel(jn_timer_t *t);

/* Watch a file descriptor. events is a mask of JN_FD_*; the callback gets
 * the events that occurred. */
enum { JN_FD_IN = 1, JN_FD_OUT = 4, JN_FD_ERR = 8, JN_FD_HUP = 16 };
typedef struct jn_fd_watch jn_fd_watch_t;
typedef void (*jn_fd_cb)(jn_fd_watch_t *w, int fd, int events, void *data);
JN_API jn_fd_watch_t *jn_fd_watch(int fd, int events, jn_fd_cb cb, void *data);
JN_API int jn_fd_watch_events(jn_fd_watch_t *w, int events);
JN_API void jn_fd_unwatch(jn_fd_watch_t *w);

/* Run fn(data) on the SIP thread soon. Thread-safe: this is how worker
 * threads hand results back. Returns 0 or JN_ENOMEM. */
JN_API int jn_loop_post(void (*fn)(void *data), void *data);

/* Milliseconds of a monotonic clock. */
JN_API uint64_t jn_now_ms(void);

#ifdef __cplusplus
}
#endif
#endif
