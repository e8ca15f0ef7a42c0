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

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>

#include "call.h"

enum wait_kind { WAIT_PLAY = 1, WAIT_SAY, WAIT_COLLECT, WAIT_DIGIT, WAIT_RECORD, WAIT_HOLD };

#define SAY_MAX 64

struct call_wait {
	enum wait_kind kind;
	jn_suspend_t *susp;
	uint32_t play_id;  /* PLAY, SAY: the source playing now */
	char say[SAY_MAX]; /* SAY: digits still to speak */
	size_t say_pos;
	unsigned max;                /* COLLECT */
	unsigned first_ms, inter_ms; /* COLLECT */
	char term;                   /* COLLECT, RECORD: terminator, DIGIT: the digit; 0 none */
	uint32_t rec_id;             /* RECORD: the recorder */
	int stopping;                /* RECORD: stop() sent, DONE to come */
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
	if (w->kind == WAIT_RECORD && w->rec_id && c->a.ms)
		call_media->stop(c->a.ms, w->rec_id);
	if (w->kind == WAIT_HOLD)
		c->a.on_modified = NULL;
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
	if (w && w->kind == WAIT_RECORD) {
		/* The terminator ends the recording (it is not recorded as a
		 * digit); the wait ends with the recorder's DONE. */
		for (size_t i = 0; i < c->ndigits && w->term && !w->stopping; i++)
			if (c->digits[i] == w->term) {
				w->stopping = 1;
				memmove(c->digits, c->digits + i + 1, c->ndigits - i - 1);
				c->ndigits -= i + 1;
				if (call_media->stop(c->a.ms, w->rec_id) < 0)
					wait_finish(c, JN_TRUE, NULL);
				return;
			}
		return;
	}
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

static int info_done(struct call_leg *l, nta_outgoing_t *orq, sip_t const *sip)
{
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 408;
	if (status < 200)
		return 0;
	struct call *c = l->call;
	if (status >= 300)
		jn_log_warn(call_self, "call %u: the %s answered our DTMF INFO with %d", c->id,
		            l->role == 'a' ? "caller" : "callee", status);
	nta_outgoing_destroy(orq);
	c->pending--;
	call_maybe_free(c);
	return 0;
}

/* A digit from one leg of a bridge goes on to the other leg the way that
 * leg can take it: telephone-events that both legs negotiated are relayed
 * by the media engine as packets; any other digit (an INFO) goes to a leg
 * that negotiated telephone-event as an RFC 4733 event the engine
 * generates in that leg's stream, and to a leg without it as an INFO with
 * application/dtmf-relay (the de facto format of SIP INFO DTMF; RFC 6086
 * defines the framework). A tone heard in the audio is not sent again: it
 * reaches the other leg in the audio it came in. */
static void relay_digit(struct call_leg *l, const dtmf_event_t *ev)
{
	struct call *c = l->call;
	if (!c->has_b || c->ended)
		return;
	struct call_leg *o = l->role == 'a' ? &c->b : &c->a;
	if (o->state != CALL_LEG_CONFIRMED || !o->leg || !o->ms || ev->source == DTMF_SRC_INBAND)
		return;
	media_stream_info_t si = {.size = sizeof(si)};
	if (call_media->stream_info(o->ms, &si) < 0)
		return;
	media_stream_info_t li = {.size = sizeof(li)};
	if (ev->source == DTMF_SRC_RFC4733 && si.te_pt >= 0 && l->ms &&
	    call_media->stream_info(l->ms, &li) == 0 && li.te_pt >= 0)
		return; /* relayed as RTP */
	dtmf_event_t out = *ev;
	if (!out.duration_ms)
		out.duration_ms = DTMF_DEFAULT_DURATION_MS;
	if (si.te_pt >= 0) {
		unsigned ms = out.duration_ms > 10000 ? 10000 : (unsigned)out.duration_ms;
		int r = call_media->send_dtmf(o->ms, ev->digit, ms);
		if (r == 0) {
			jn_log_info(call_self, "call %u: DTMF '%c' to the %s as RFC 4733", c->id,
			            ev->digit, o->role == 'a' ? "caller" : "callee");
			return;
		}
		jn_log_warn(call_self, "call %u: cannot send DTMF '%c' as RFC 4733 (%s): INFO",
		            c->id, ev->digit, jn_strerror(r));
	}
	char body[64];
	if (call_dtmf->info_build(DTMF_INFO_RELAY, &out, body, sizeof(body)) < 0)
		return;
	nta_outgoing_t *orq = nta_outgoing_tcreate(
	    o->leg, info_done, o, NULL, SIP_METHOD_INFO, NULL,
	    SIPTAG_CONTENT_TYPE_STR(call_dtmf->info_content_type(DTMF_INFO_RELAY)),
	    SIPTAG_PAYLOAD_STR(body), TAG_END());
	if (!orq) {
		jn_log_err(call_self, "call %u: could not send DTMF INFO", c->id);
		return;
	}
	c->pending++;
	jn_log_info(call_self, "call %u: DTMF '%c' to the %s as INFO", c->id, ev->digit,
	            o->role == 'a' ? "caller" : "callee");
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
	relay_digit(l, ev);
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

/* ---- recording and hold ---------------------------------------------------- */

void call_record_done(struct call *c, uint32_t id, int status)
{
	struct call_wait *w = c->wait;
	if (!w || w->kind != WAIT_RECORD || w->rec_id != id)
		return;
	w->rec_id = 0;
	jn_log_info(call_self, "call %u: recording ended%s", c->id, status ? " with an error" : "");
	wait_finish(c, status == 0 ? JN_TRUE : JN_FALSE, NULL);
}

jn_result_t call_f_record(jn_call_t *jc)
{
	jn_result_t res;
	struct call *c = control_call(jc, "record", &res);
	if (!c)
		return res;
	const char *path = jn_call_arg_str(jc, 0, "");
	int64_t max = jn_call_arg_int(jc, 1, 60);
	const char *term = jn_call_arg_str(jc, 2, "#");
	if (!*path)
		return jn_call_error(jc, "call.record: no file name");
	if (max < 1 || max > 86400)
		return jn_call_error(jc, "call.record: max is 1..86400 seconds");
	if (strlen(term) > 1 || (*term && !strchr("0123456789*#ABCD", *term)))
		return jn_call_error(jc, "call.record: the terminator is one digit or \"\"");
	struct call_wait *w = wait_new(c, jc, WAIT_RECORD);
	if (!w)
		return jn_call_error(jc, "call.record: out of memory");
	w->term = *term;
	/* Digits typed before the recording started are not a terminator. */
	c->ndigits = 0;
	int r = call_media->record(c->a.ms, path, (unsigned)max * 1000u, &w->rec_id);
	if (r < 0) {
		c->wait = NULL;
		free(w);
		jn_log_err(call_self, "call %u: cannot record to %s: %s", c->id, path,
		           jn_strerror(r));
		return JN_FALSE;
	}
	jn_log_info(call_self, "call %u: recording to %s (at most %u s)", c->id, path,
	            (unsigned)max);
	return wait_suspend(c, jc);
}

static void hold_done(struct call_leg *l, int status)
{
	struct call *c = l->call;
	struct call_wait *w = c->wait;
	if (!w || w->kind != WAIT_HOLD)
		return;
	wait_finish(c, status >= 200 && status < 300 ? JN_TRUE : JN_FALSE, NULL);
}

/* call.hold() / call.resume(): a re-INVITE to the caller stating sendonly
 * (RFC 3264 8.4: we still send, e.g. music, the caller does not) or
 * sendrecv; suspends until it is answered. */
static jn_result_t hold_or_resume(jn_call_t *jc, const char *fn, media_dir_t dir)
{
	jn_result_t res;
	struct call *c = control_call(jc, fn, &res);
	if (!c)
		return res;
	if (c->a.offered_dir == dir && !c->a.reinvite && c->a.queued_dir < 0)
		return JN_TRUE; /* already so */
	struct call_wait *w = wait_new(c, jc, WAIT_HOLD);
	if (!w)
		return jn_call_error(jc, "call.%s: out of memory", fn);
	c->a.on_modified = hold_done;
	int r = call_leg_reoffer(&c->a, dir);
	if (r < 0) {
		c->a.on_modified = NULL;
		c->wait = NULL;
		free(w);
		return jn_call_error(jc, "call.%s: %s", fn, jn_strerror(r));
	}
	return wait_suspend(c, jc);
}

jn_result_t call_f_hold(jn_call_t *jc)
{
	return hold_or_resume(jc, "hold", MEDIA_SENDONLY);
}

jn_result_t call_f_resume(jn_call_t *jc)
{
	return hold_or_resume(jc, "resume", MEDIA_SENDRECV);
}
