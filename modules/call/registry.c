/* registry.c - the calls in progress and how they end: a call is ended
 * once (call_end), which answers, cancels or hangs up what is still open,
 * and freed when its last transaction is over (call_maybe_free). */
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>

#include "call.h"

static struct call *calls;
static size_t ncalls;
static unsigned next_id = 1;

struct call *call_new(void)
{
	struct call *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = next_id++;
	if (next_id == 0)
		next_id = 1;
	c->a.call = c->b.call = c;
	c->a.role = 'a';
	c->b.role = 'b';
	c->a.offered_dir = c->b.offered_dir = MEDIA_SENDRECV;
	c->a.queued_dir = c->b.queued_dir = -1;
	c->started = time(NULL);
	c->started_ms = jn_now_ms();
	c->next = calls;
	calls = c;
	ncalls++;
	return c;
}

struct call *call_by_id(unsigned id)
{
	for (struct call *c = calls; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

struct call *call_by_req(jn_msg_t *req)
{
	for (struct call *c = calls; c; c = c->next)
		if (c->req == req && !c->ended)
			return c;
	return NULL;
}

struct call *call_first(void)
{
	return calls;
}

size_t call_count(void)
{
	return ncalls;
}

const char *call_leg_state_name(call_leg_state_t s)
{
	switch (s) {
	case CALL_LEG_IDLE:
		return "idle";
	case CALL_LEG_EARLY:
		return "early";
	case CALL_LEG_ANSWERED:
		return "answered";
	case CALL_LEG_CONFIRMED:
		return "confirmed";
	case CALL_LEG_ENDED:
		return "ended";
	}
	return "?";
}

const char *call_state_name(const struct call *c)
{
	if (c->ended)
		return "ending";
	switch (c->state) {
	case CALL_NEW:
		return "new";
	case CALL_RINGING:
		return "ringing";
	case CALL_ANSWERED:
		return c->a.state == CALL_LEG_CONFIRMED ? "confirmed" : "answered";
	case CALL_ENDING:
		return "ending";
	}
	return "?";
}

static void leg_release(struct call_leg *l)
{
	call_modify_release(l);
	if (l->invite) {
		nta_outgoing_destroy(l->invite);
		l->invite = NULL;
	}
	if (l->leg) {
		nta_leg_destroy(l->leg);
		l->leg = NULL;
	}
	if (l->ms) {
		call_media->session_destroy(l->ms);
		l->ms = NULL;
	}
	free(l->remote_uri);
	free(l->call_id);
	free(l->contact);
	free(l->sdp_local);
	free(l->dst_uri);
	l->remote_uri = l->call_id = l->contact = l->sdp_local = l->dst_uri = NULL;
}

static void call_free(struct call *c)
{
	for (struct call **p = &calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			ncalls--;
			break;
		}
	if (c->ring_timer)
		jn_timer_cancel(c->ring_timer);
	if (c->ack_timer)
		jn_timer_cancel(c->ack_timer);
	if (c->free_timer)
		jn_timer_cancel(c->free_timer);
	call_uas_stop_2xx(c);
	if (c->irq)
		nta_incoming_bind(c->irq, NULL, NULL);
	leg_release(&c->a);
	leg_release(&c->b);
	if (c->req)
		jn_msg_unref(c->req);
	free(c);
}

static int call_done(const struct call *c)
{
	return c->ended && !c->pending && !c->b.invite && !c->a.bye_pending;
}

/* From a timer: the call may end inside one of its own nta callbacks (a
 * BYE on its leg), where destroying the leg would pull it from under nta. */
static void free_later(jn_timer_t *t, void *data)
{
	struct call *c = data;
	c->free_timer = NULL;
	if (call_done(c))
		call_free(c);
}

void call_maybe_free(struct call *c)
{
	if (call_done(c) && !c->free_timer)
		c->free_timer = jn_timer_start(0, free_later, c);
}

void call_end(struct call *c, const char *reason, int code, const char *phrase)
{
	if (c->ended)
		return;
	c->ended = 1;
	c->state = CALL_ENDING;
	call_wait_abort(c);
	call_modify_release(&c->a);
	call_modify_release(&c->b);
	snprintf(c->reason, sizeof(c->reason), "%s", reason ? reason : "ended");
	jn_log_notice(call_self, "call %u ended: %s (%.1f s)", c->id, c->reason,
	              (double)(jn_now_ms() - c->started_ms) / 1000.0);
	if (c->ring_timer) {
		jn_timer_cancel(c->ring_timer);
		c->ring_timer = NULL;
	}
	/* The caller: a final answer if it has none, else BYE - but not before
	 * our 2xx was acknowledged (RFC 3261 15): the ACK timer stays armed
	 * and the BYE follows the ACK. */
	if (!c->final_sent && c->irq) {
		nta_incoming_treply(c->irq, code ? code : 480,
		                    phrase ? phrase : sip_480_Temporarily_unavailable, TAG_END());
		jn_msg_note_status(c->req, code ? code : 480);
		c->final_sent = 1;
		c->a.state = CALL_LEG_ENDED;
	} else if (c->a.state == CALL_LEG_ANSWERED) {
		c->a.bye_pending = 1;
	} else if (c->a.state == CALL_LEG_CONFIRMED) {
		call_leg_bye(&c->a);
	}
	if (c->has_b) {
		if (c->b.state == CALL_LEG_EARLY && c->b.invite && !c->b.cancelled) {
			/* RFC 3261 9.1: the 487 for the INVITE comes back on it. */
			nta_outgoing_tcancel(c->b.invite, NULL, NULL, TAG_END());
			c->b.cancelled = 1;
		} else if (c->b.state == CALL_LEG_CONFIRMED) {
			call_leg_bye(&c->b);
		}
	}
	if (c->a.ms) {
		call_media->session_destroy(c->a.ms);
		c->a.ms = NULL;
	}
	if (c->b.ms) {
		call_media->session_destroy(c->b.ms);
		c->b.ms = NULL;
	}
	call_maybe_free(c);
}

void call_shutdown(void)
{
	call_stopping = 1;
	while (calls) {
		struct call *c = calls;
		if (!c->ended)
			call_end(c, "shutdown", 503, sip_503_Service_unavailable);
		/* Whatever is still pending dies with the agent. */
		if (calls == c) {
			c->pending = 0;
			c->a.bye_pending = 0;
			call_free(c);
		}
	}
}
