/* control.c - call control from the script while media runs: the digits a
 * call receives (RFC 4733 telephone-events from its media session, SIP
 * INFO in its dialog) and the suspending functions that wait on them or on
 * a prompt: call.play(), call.say_digits(), call.collect(),
 * call.echo(until:).
 *
 * A call has at most one suspended script function at a time (struct
 * call_wait). It is resumed exactly once: when what it waits for happens,
 * when its timer fires, or with false when the call ends first (the caller
 * hung up). Resuming runs the script, so it is done from a 0 ms timer,
 * never from inside an nta or media callback of the call itself. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"

enum wait_kind { WAIT_PLAY = 1, WAIT_SAY, WAIT_COLLECT, WAIT_DIGIT };

#define SAY_MAX 64

struct call_wait {
	enum wait_kind kind;
	jn_suspend_t *susp;
	uint32_t play_id;  /* PLAY, SAY: the source playing now */
	char say[SAY_MAX]; /* SAY: digits still to speak */
	size_t say_pos;
	unsigned max;                /* COLLECT */
	unsigned first_ms, inter_ms; /* COLLECT */
	char term;                   /* COLLECT: terminator, DIGIT: the digit; 0 none */
	char got[CALL_DIGITS_MAX + 1];
	size_t ngot;
	jn_timer_t *timer;
};

int call_stopping;

/* ---- resuming ----------------------------------------------------------- */

struct resume {
	jn_suspend_t *susp;
	jn_result_t result;
};

static void resume_now(jn_timer_t *t, void *data)
{
	struct resume *r = data;
	jn_suspend_resume(r->susp, r->result);
	free(r);
}

static void resume_later(jn_suspend_t *s, jn_result_t result)
{
	struct resume *r = malloc(sizeof(*r));
	/* While the daemon stops no timer fires any more: resume at once. */
	if (r && !call_stopping) {
		r->susp = s;
		r->result = result;
		if (jn_timer_start(0, resume_now, r))
			return;
	}
	free(r);
	jn_suspend_resume(s, result);
}

/* Ends c's wait: str (may be NULL) becomes the value of the call. */
static void wait_finish(struct call *c, jn_result_t result, const char *str)
{
	struct call_wait *w = c->wait;
	if (!w)
		return;
	c->wait = NULL;
	if (w->timer)
		jn_timer_cancel(w->timer);
	if (str && result == JN_TRUE)
		jn_suspend_return_str(w->susp, str, strlen(str));
	resume_later(w->susp, result);
	free(w);
}

void call_wait_abort(struct call *c)
{
	if (!c->wait)
		return;
	jn_log_debug(call_self, "call %u: the script's wait ends with the call", c->id);
	struct call_wait *w = c->wait;
	if ((w->kind == WAIT_PLAY || w->kind == WAIT_SAY) && w->play_id && c->a.ms)
		call_media->stop(c->a.ms, w->play_id);
	wait_finish(c, JN_FALSE, NULL);
}

/* ---- digits ------------------------------------------------------------- */

static void collect_timeout(jn_timer_t *t, void *data);

/* Takes buffered digits into the wait; 1 when it is satisfied. */
static int wait_take_digits(struct call *c)
{
	struct call_wait *w = c->wait;
	size_t i = 0;
	int done = 0;
	for (; i < c->ndigits && !done; i++) {
		char d = c->digits[i];
		if (w->kind == WAIT_DIGIT) {
			done = d == w->term;
			continue;
		}
		if (w->term && d == w->term) {
			done = 1;
			continue;
		}
		w->got[w->ngot++] = d;
		w->got[w->ngot] = '\0';
		done = w->ngot >= w->max;
	}
	memmove(c->digits, c->digits + i, c->ndigits - i);
	c->ndigits -= i;
	return done;
}

static void wait_check_digits(struct call *c)
{
	struct call_wait *w = c->wait;
	if (!w || (w->kind != WAIT_COLLECT && w->kind != WAIT_DIGIT))
		return;
	size_t before = w->ngot;
	if (wait_take_digits(c)) {
		if (w->kind == WAIT_COLLECT)
			jn_log_info(call_self, "call %u: collected \"%s\"", c->id, w->got);
		wait_finish(c, JN_TRUE, w->kind == WAIT_COLLECT ? w->got : NULL);
		return;
	}
	if (w->kind == WAIT_COLLECT && w->ngot != before && w->inter_ms) {
		/* A digit came: the inter-digit timeout starts over. */
		if (w->timer)
			jn_timer_cancel(w->timer);
		w->timer = jn_timer_start(w->inter_ms, collect_timeout, c);
	}
}

void call_digit(struct call_leg *l, const dtmf_event_t *ev)
{
	struct call *c = l->call;
	const char *who = l->role == 'a' ? "caller" : "callee";
	jn_log_info(call_self, "call %u: DTMF '%c' from the %s (%s, %u ms)", c->id, ev->digit, who,
	            call_dtmf->source_name(ev->source), (unsigned)ev->duration_ms);
	char leg[24];
	snprintf(leg, sizeof(leg), "%u/%c", c->id, l->role);
	call_dtmf->dispatch(leg, ev);
	if (c->ended || l->role != 'a')
		return;
	/* Kept until a collect takes them, digits typed during a prompt
	 * included; the oldest go when the buffer is full. */
	if (c->ndigits == CALL_DIGITS_MAX) {
		memmove(c->digits, c->digits + 1, CALL_DIGITS_MAX - 1);
		c->ndigits--;
	}
	c->digits[c->ndigits++] = ev->digit;
	wait_check_digits(c);
}

static void collect_timeout(jn_timer_t *t, void *data)
{
	struct call *c = data;
	struct call_wait *w = c->wait;
	if (!w)
		return;
	w->timer = NULL;
	jn_log_info(call_self, "call %u: collected \"%s\" (%s timeout)", c->id, w->got,
	            w->ngot ? "inter-digit" : "first-digit");
	wait_finish(c, JN_TRUE, w->got);
}

/* ---- prompts ------------------------------------------------------------ */

/* A prompt name ([a-z0-9_-]) is prompt_dir/NAME.wav; anything with a '/'
 * or a '.' is a file path. */
static int prompt_path(const char *what, char *out, size_t size)
{
	int name = *what != '\0';
	for (const char *p = what; *p; p++)
		if (*p == '/' || *p == '.')
			name = 0;
	int n = name ? snprintf(out, size, "%s/%s.wav", call_conf.prompt_dir, what)
	             : snprintf(out, size, "%s", what);
	return n > 0 && (size_t)n < size ? 0 : JN_ERANGE;
}

static int play_prompt(struct call *c, const char *what, uint32_t *id)
{
	char path[PATH_MAX];
	int r = prompt_path(what, path, sizeof(path));
	if (r == 0)
		r = call_media->play_file(c->a.ms, path, 1, id);
	if (r < 0)
		jn_log_err(call_self, "call %u: cannot play %s: %s", c->id, path, jn_strerror(r));
	return r;
}

static const char *digit_prompt(char d)
{
	static const char *const names[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
	if (d >= '0' && d <= '9')
		return names[d - '0'];
	return d == '*' ? "star" : d == '#' ? "pound" : NULL;
}

/* The next digit of a say_digits(); 0 when it plays, 1 when all are said. */
static int say_next(struct call *c)
{
	struct call_wait *w = c->wait;
	while (w->say[w->say_pos]) {
		const char *name = digit_prompt(w->say[w->say_pos++]);
		if (name && play_prompt(c, name, &w->play_id) == 0)
			return 0;
	}
	w->play_id = 0;
	return 1;
}

void call_playback_done(struct call *c, uint32_t id, int status)
{
	struct call_wait *w = c->wait;
	if (!w || (w->kind != WAIT_PLAY && w->kind != WAIT_SAY) || w->play_id != id)
		return;
	if (w->kind == WAIT_SAY && status == 0 && !say_next(c))
		return;
	w->play_id = 0;
	wait_finish(c, status == 0 ? JN_TRUE : JN_FALSE, NULL);
}

/* ---- script functions --------------------------------------------------- */

/* The answered call of this INVITE that the script may wait on. */
static struct call *control_call(jn_call_t *jc, const char *fn, jn_result_t *res)
{
	jn_msg_t *msg = jn_call_msg(jc);
	*res = JN_FALSE;
	if (!msg || !jn_msg_is_request(msg) || strcmp(jn_msg_method(msg), "INVITE") != 0) {
		*res = jn_call_error(jc, "call.%s: needs an INVITE", fn);
		return NULL;
	}
	struct call *c = call_by_req(msg);
	if (!c)
		return NULL; /* never answered, or the caller hung up: false */
	if (c->has_b || !c->a.ms || !c->final_sent) {
		*res = jn_call_error(jc, "call.%s: the call is not answered by call.answer()", fn);
		return NULL;
	}
	if (c->wait) {
		*res = jn_call_error(jc, "call.%s: the call is waiting already", fn);
		return NULL;
	}
	return c;
}

static struct call_wait *wait_new(struct call *c, jn_call_t *jc, enum wait_kind kind)
{
	struct call_wait *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->kind = kind;
	c->wait = w;
	return w;
}

static jn_result_t wait_suspend(struct call *c, jn_call_t *jc)
{
	c->wait->susp = jn_call_suspend(jc);
	if (!c->wait->susp) {
		struct call_wait *w = c->wait;
		c->wait = NULL;
		if (w->timer)
			jn_timer_cancel(w->timer);
		free(w);
		return jn_call_error(jc, "call: the script cannot suspend here");
	}
	return JN_SUSPEND;
}

jn_result_t call_f_play(jn_call_t *jc)
{
	jn_result_t res;
	struct call *c = control_call(jc, "play", &res);
	if (!c)
		return res;
	const char *what = jn_call_arg_str(jc, 0, "");
	struct call_wait *w = wait_new(c, jc, WAIT_PLAY);
	if (!w)
		return jn_call_error(jc, "call.play: out of memory");
	if (play_prompt(c, what, &w->play_id) < 0) {
		c->wait = NULL;
		free(w);
		return jn_call_error(jc, "call.play: cannot play \"%s\"", what);
	}
	return wait_suspend(c, jc);
}

jn_result_t call_f_say_digits(jn_call_t *jc)
{
	jn_result_t res;
	struct call *c = control_call(jc, "say_digits", &res);
	if (!c)
		return res;
	const char *digits = jn_call_arg_str(jc, 0, "");
	if (strlen(digits) >= SAY_MAX)
		return jn_call_error(jc, "call.say_digits: more than %d digits", SAY_MAX - 1);
	struct call_wait *w = wait_new(c, jc, WAIT_SAY);
	if (!w)
		return jn_call_error(jc, "call.say_digits: out of memory");
	snprintf(w->say, sizeof(w->say), "%s", digits);
	if (say_next(c)) {
		/* Nothing to say (empty, or no prompt could play). */
		c->wait = NULL;
		free(w);
		return JN_TRUE;
	}
	return wait_suspend(c, jc);
}

jn_result_t call_f_collect(jn_call_t *jc)
{
	jn_result_t res;
	struct call *c = control_call(jc, "collect", &res);
	if (!c)
		return res;
	int64_t max = jn_call_arg_int(jc, 0, 16);
	int64_t first = jn_call_arg_int(jc, 1, 5000);
	int64_t inter = jn_call_arg_int(jc, 2, 3000);
	const char *term = jn_call_arg_str(jc, 3, "#");
	if (max < 1 || max > CALL_DIGITS_MAX)
		return jn_call_error(jc, "call.collect: max must be 1..%d", CALL_DIGITS_MAX);
	if (first < 0 || inter < 0 || first > 3600000 || inter > 3600000)
		return jn_call_error(jc, "call.collect: timeouts are 0..3600000 ms");
	if (strlen(term) > 1 || (*term && !strchr("0123456789*#ABCD", *term)))
		return jn_call_error(jc, "call.collect: the terminator is one digit or \"\"");
	struct call_wait *w = wait_new(c, jc, WAIT_COLLECT);
	if (!w)
		return jn_call_error(jc, "call.collect: out of memory");
	w->max = (unsigned)max;
	w->first_ms = (unsigned)first;
	w->inter_ms = (unsigned)inter;
	w->term = *term;
	if (wait_take_digits(c)) {
		/* Typed ahead (during a prompt): done without waiting. */
		jn_log_info(call_self, "call %u: collected \"%s\"", c->id, w->got);
		jn_call_return_str(jc, w->got, w->ngot);
		c->wait = NULL;
		free(w);
		return JN_TRUE;
	}
	unsigned ms = w->ngot ? w->inter_ms : w->first_ms;
	if (ms)
		w->timer = jn_timer_start(ms, collect_timeout, c);
	return wait_suspend(c, jc);
}

jn_result_t call_echo_until(jn_call_t *jc, struct call *c, const char *until)
{
	if (strlen(until) != 1 || !strchr("0123456789*#ABCD", *until))
		return jn_call_error(jc, "call.echo: until is one digit");
	if (c->wait)
		return jn_call_error(jc, "call.echo: the call is waiting already");
	struct call_wait *w = wait_new(c, jc, WAIT_DIGIT);
	if (!w)
		return jn_call_error(jc, "call.echo: out of memory");
	w->term = *until;
	if (wait_take_digits(c)) {
		c->wait = NULL;
		free(w);
		return JN_TRUE;
	}
	return wait_suspend(c, jc);
}
