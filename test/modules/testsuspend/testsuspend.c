/*
 * testsuspend - a test-only module that exercises script suspension.
 *
 * Script API:
 *   testsuspend.wait([ms])   suspend the execution for ms milliseconds
 *                            (default: the "delay" parameter) and resume it
 *                            from a loop timer; evaluates to true.
 *   testsuspend.pending      number of executions waiting right now (int).
 *
 * On stop() the waits still pending are resumed at once with false.
 *
 * REST: GET /api/v1/testsuspend -> {"pending": N, "started": N, "resumed": N}
 * so a test can observe that many requests are suspended at once and that
 * every one of them was resumed.
 *
 * Used by test/integration/t_suspend.sh and t_sigterm.sh.
 */
#include <junction/junction.h>

#include <stdio.h>
#include <stdlib.h>

static jn_module_t *self;
static long long n_pending, n_started, n_resumed;

/* Pending waits, so that stop() can resume them: the SDK requires every
 * suspension to be resumed exactly once. */
struct waiter {
	jn_suspend_t *susp;
	jn_timer_t *timer;
	struct waiter *prev, *next;
};
static struct waiter *waiters;

static void waiter_unlink(struct waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
}

static void waiter_finish(struct waiter *w, jn_result_t result)
{
	jn_suspend_t *s = w->susp;

	waiter_unlink(w);
	free(w);
	n_pending--;
	n_resumed++;
	jn_suspend_resume(s, result);
}

static void wait_done(jn_timer_t *t, void *data)
{
	(void)t;
	waiter_finish(data, JN_TRUE);
}

static jn_result_t f_wait(jn_call_t *c)
{
	int64_t ms = jn_call_arg_int(c, 0, jn_param_int(self, "delay"));
	struct waiter *w;
	jn_timer_t *t;

	if (ms < 0 || ms > 600000)
		return jn_call_error(c, "testsuspend.wait: %lld ms is out of range 0..600000",
				     (long long)ms);
	w = calloc(1, sizeof(*w));
	if (!w)
		return jn_call_error(c, "testsuspend.wait: out of memory");
	/* The timer cannot fire before we return to the loop, so it is safe
	 * to start it before suspending: this way a failure to start it needs
	 * no resume. */
	t = jn_timer_start((unsigned)ms, wait_done, w);
	if (!t) {
		free(w);
		return jn_call_error(c, "testsuspend.wait: cannot start a timer");
	}
	w->susp = jn_call_suspend(c);
	if (!w->susp) {
		jn_timer_cancel(t);
		free(w);
		return jn_call_error(c, "testsuspend.wait: cannot suspend here");
	}
	w->timer = t;
	w->next = waiters;
	if (waiters)
		waiters->prev = w;
	waiters = w;
	n_pending++;
	n_started++;
	return JN_SUSPEND;
}

static int v_pending(jn_call_t *c, jn_value_t *out)
{
	(void)c;
	out->type = JN_T_INT;
	out->i = n_pending;
	return 0;
}

static int admin_state(jn_admin_req_t *req, void *data)
{
	char buf[160];

	(void)data;
	snprintf(buf, sizeof(buf), "{\"pending\": %lld, \"started\": %lld, \"resumed\": %lld}",
		 n_pending, n_started, n_resumed);
	return jn_admin_reply_json(req, 200, buf);
}

static const jn_arg_def_t wait_args[] = {
	{"ms", JN_ARG_INT, JN_ARG_OPTIONAL},
	{NULL, 0, 0},
};

static int ts_load(jn_module_t *m)
{
	static const jn_func_def_t wait_def = {
		.name = "wait",
		.fn = f_wait,
		.args = wait_args,
		.returns = JN_T_BOOL,
		.doc = "Suspend the script for ms milliseconds (default: delay).",
	};
	static const jn_var_def_t pending_def = {
		.name = "pending",
		.type = JN_T_INT,
		.get = v_pending,
		.doc = "Executions suspended in testsuspend.wait() right now.",
	};
	static const jn_admin_def_t state_def = {
		.method = "GET",
		.path = "/testsuspend",
		.handler = admin_state,
		.summary = "Counters of the testsuspend test module.",
	};
	int rc;

	self = m;
	if ((rc = jn_func_register(m, &wait_def)) < 0 || (rc = jn_var_register(m, &pending_def)) < 0 ||
	    (rc = jn_admin_register(m, &state_def)) < 0) {
		jn_log_err(m, "registration failed: %s", jn_strerror(rc));
		return -1;
	}
	jn_log_info(m, "loaded, default delay %lld ms", jn_param_int(m, "delay"));
	return 0;
}

/* The daemon is stopping: waits still pending are cut short, as a module
 * doing real asynchronous work would fail its outstanding operations. The
 * script continues with the call evaluating to false. */
static void ts_stop(jn_module_t *m)
{
	jn_log_info(m, "stopping with %lld suspended executions (%lld started, %lld resumed)",
		    n_pending, n_started, n_resumed);
	while (waiters) {
		struct waiter *w = waiters;

		jn_timer_cancel(w->timer);
		waiter_finish(w, JN_FALSE);
	}
}

static const jn_param_def_t ts_params[] = {
	{"delay", JN_PARAM_INT, "100", 0, 600000, "default wait in milliseconds"},
	{NULL, 0, NULL, 0, 0, NULL},
};

JN_MODULE(.name = "testsuspend", .version = "1.0", .description = "suspension test helper",
	  .params = ts_params, .load = ts_load, .stop = ts_stop);
