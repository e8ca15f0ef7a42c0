/* modify.c - changing an established session: offers inside a dialog in
 * both directions (re-INVITE, UPDATE), hold and resume carried from one
 * leg of a bridge to the other, and session timers.
 *
 * Media stays anchored in Junction, so each leg negotiates with its own
 * media session: a re-offer from one leg is answered at once by that leg's
 * session (a new address, a codec change, a refresh), and only a change of
 * direction is carried to the other leg, with an offer of our own (RFC
 * 3264 8.4: sendonly/inactive put the peer on hold, sendrecv resumes).
 * Codec changes need no second offer: the engine relays or transcodes
 * whatever the two legs have agreed on.
 *
 * Session timers (RFC 4028): a leg with a session interval is refreshed by
 * the side named refresher. When we are the refresher we send a re-INVITE
 * at half the interval (10); when the peer is, the session ends (BYE on
 * both legs) if no refresh came by interval - min(32, interval / 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>

#include "call.h"

static const char *dir_name(media_dir_t d)
{
	switch (d) {
	case MEDIA_INACTIVE:
		return "inactive";
	case MEDIA_SENDONLY:
		return "sendonly";
	case MEDIA_RECVONLY:
		return "recvonly";
	case MEDIA_SENDRECV:
		return "sendrecv";
	}
	return "?";
}

static struct call_leg *other_leg(struct call_leg *l)
{
	struct call *c = l->call;
	if (!c->has_b)
		return NULL;
	return l->role == 'a' ? &c->b : &c->a;
}

/* ---- session timers (RFC 4028) ---------------------------------------- */

static void se_fire(jn_timer_t *t, void *data);

static void se_arm(struct call_leg *l)
{
	if (l->se_timer) {
		jn_timer_cancel(l->se_timer);
		l->se_timer = NULL;
	}
	if (!l->se_secs || l->call->ended)
		return;
	uint64_t ms;
	if (l->se_refresher) {
		ms = (uint64_t)l->se_secs * 1000 / 2; /* 10: half the interval */
	} else {
		unsigned margin = l->se_secs / 3 < 32 ? l->se_secs / 3 : 32;
		ms = (uint64_t)(l->se_secs - margin) * 1000;
	}
	l->se_timer = jn_timer_start(ms ? ms : 1, se_fire, l);
}

static void se_fire(jn_timer_t *t, void *data)
{
	struct call_leg *l = data;
	struct call *c = l->call;
	l->se_timer = NULL;
	if (c->ended || l->state != CALL_LEG_CONFIRMED)
		return;
	if (!l->se_refresher) {
		jn_log_warn(call_self, "call %u: the %s did not refresh the session (%u s)", c->id,
		            l->role == 'a' ? "caller" : "callee", l->se_secs);
		call_end(c, l->role == 'a' ? "session timer expired (caller)"
		                           : "session timer expired (callee)",
		         0, NULL);
		return;
	}
	/* A refresh is an offer like any other; a failure ends the session
	 * (modified()). Re-armed when the refresh is answered. */
	if (call_leg_reoffer(l, (media_dir_t)l->offered_dir) < 0)
		call_end(c, "session refresh failed", 0, NULL);
}

void call_session_timer(struct call_leg *l, sip_t const *sip, int we_are_uac)
{
	sip_session_expires_t const *x = sip ? sip->sip_session_expires : NULL;
	if (!x || !x->x_delta) {
		/* RFC 4028 7.4/9: no Session-Expires in the 2xx, no timer. */
		if (we_are_uac)
			l->se_secs = 0;
		se_arm(l);
		return;
	}
	l->se_secs = (unsigned)(x->x_delta > 86400 ? 86400 : x->x_delta);
	int uac_refreshes = !x->x_refresher || !strcasecmp(x->x_refresher, "uac");
	l->se_refresher = we_are_uac ? uac_refreshes : !uac_refreshes;
	se_arm(l);
}

int call_session_check(nta_incoming_t *irq, sip_t const *sip)
{
	sip_session_expires_t const *x = sip->sip_session_expires;
	if (!call_conf.session_expires || !x)
		return 0;
	if (x->x_delta < call_conf.min_se) {
		/* RFC 4028 8.1/6: too small - 422 with our Min-SE. */
		char minse[16];
		snprintf(minse, sizeof(minse), "%u", call_conf.min_se);
		nta_incoming_treply(irq, 422, "Session Interval Too Small", SIPTAG_MIN_SE_STR(minse),
		                    TAG_END());
		return 422;
	}
	return 0;
}

void call_session_uas(struct call_leg *l, sip_t const *sip, char *se, size_t selen, int *require)
{
	se[0] = 0;
	*require = 0;
	if (!call_conf.session_expires)
		return;
	sip_session_expires_t const *x = sip->sip_session_expires;
	int supported = sip_has_feature(sip->sip_supported, "timer") ||
	                sip_has_feature(sip->sip_require, "timer");
	unsigned secs = x && x->x_delta ? (unsigned)x->x_delta : call_conf.session_expires;
	if (secs > 86400)
		secs = 86400;
	/* RFC 4028 9: the UAS may pick the refresher when the request left it
	 * open; the UAC refreshes when it can (it sent the offer and knows its
	 * own session best), else we do. */
	const char *ref = x && x->x_refresher ? x->x_refresher : supported ? "uac" : "uas";
	if (strcasecmp(ref, "uac") && strcasecmp(ref, "uas"))
		ref = supported ? "uac" : "uas";
	if (!supported)
		ref = "uas";
	l->se_secs = secs;
	l->se_refresher = !strcasecmp(ref, "uas");
	snprintf(se, selen, "%u;refresher=%s", secs, strcasecmp(ref, "uas") ? "uac" : "uas");
	*require = !strcasecmp(ref, "uac");
}

void call_session_start(struct call_leg *l)
{
	se_arm(l);
}

/* ---- our offers in a dialog ---------------------------------------------- */

static void retry_fire(jn_timer_t *t, void *data)
{
	struct call_leg *l = data;
	l->retry_timer = NULL;
	if (!l->call->ended && l->queued_dir >= 0) {
		media_dir_t d = (media_dir_t)l->queued_dir;
		l->queued_dir = -1;
		call_leg_reoffer(l, d);
	}
}

static void notify(struct call_leg *l, int status)
{
	void (*cb)(struct call_leg *, int) = l->on_modified;
	l->on_modified = NULL;
	if (cb)
		cb(l, status);
}

static int modified(struct call_leg *l, nta_outgoing_t *orq, sip_t const *sip)
{
	struct call *c = l->call;
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 408;
	if (status < 200)
		return 0;
	if (l->reinvite == orq)
		l->reinvite = NULL;
	if (status < 300 && sip) {
		/* RFC 3261 13.2.2.4: every 2xx of the INVITE is ACKed. */
		nta_outgoing_t *ack = nta_outgoing_tcreate(l->leg, NULL, NULL, NULL, SIP_METHOD_ACK,
		                                           NULL, SIPTAG_CSEQ(sip->sip_cseq),
		                                           TAG_END());
		if (ack)
			nta_outgoing_destroy(ack);
	}
	nta_outgoing_destroy(orq);
	if (c->ended) {
		notify(l, status);
		return 0;
	}
	if (status < 300) {
		char err[128] = "";
		int r = JN_EPARSE;
		if (sip->sip_payload && sip->sip_payload->pl_len)
			r = call_media->sdp_apply_answer(l->ms, sip->sip_payload->pl_data,
			                                 sip->sip_payload->pl_len, err, sizeof(err));
		if (r < 0) {
			/* RFC 3261 14.2 leaves no way back after an ACK: the
			 * session cannot go on with an answer we cannot use. */
			jn_log_warn(call_self, "call %u: the %s's answer to our re-INVITE: %s", c->id,
			            l->role == 'a' ? "caller" : "callee",
			            err[0] ? err : "no SDP");
			notify(l, 488);
			call_end(c, "bad answer to a re-INVITE", 0, NULL);
			return 0;
		}
		call_session_timer(l, sip, 1);
		jn_log_info(call_self, "call %u: %s now %s", c->id,
		            l->role == 'a' ? "caller" : "callee", dir_name(l->offered_dir));
	} else if (status == 491) {
		/* RFC 3261 14.1: glare - try again after 2.1-4 s (we own the
		 * Call-ID of B legs) or 0-2 s. */
		if (l->queued_dir < 0)
			l->queued_dir = l->offered_dir;
		unsigned ms = l->role == 'b' ? 2100 + (unsigned)(random() % 1900)
		                             : (unsigned)(random() % 2000);
		if (!l->retry_timer)
			l->retry_timer = jn_timer_start(ms, retry_fire, l);
		return 0;
	} else if (status == 408 || status == 481) {
		/* RFC 3261 14.1 / 12.2.1.2: the dialog is gone. */
		notify(l, status);
		call_end(c, "re-INVITE failed: the dialog is gone", 0, NULL);
		return 0;
	} else {
		/* The old session stays as it was (RFC 3261 14.1). */
		jn_log_warn(call_self, "call %u: the %s refused our re-INVITE (%d)", c->id,
		            l->role == 'a' ? "caller" : "callee", status);
		if (l->se_secs && l->se_refresher) {
			call_end(c, "session refresh refused", 0, NULL);
			notify(l, status);
			return 0;
		}
	}
	notify(l, status);
	if (!c->ended && l->queued_dir >= 0 && !l->reinvite) {
		media_dir_t d = (media_dir_t)l->queued_dir;
		l->queued_dir = -1;
		call_leg_reoffer(l, d);
	}
	return 0;
}

int call_leg_reoffer(struct call_leg *l, media_dir_t dir)
{
	struct call *c = l->call;
	if (c->ended || !l->leg || !l->ms ||
	    (l->state != CALL_LEG_CONFIRMED && l->state != CALL_LEG_ANSWERED))
		return JN_ESTATE;
	if (l->reinvite || l->retry_timer || l->state == CALL_LEG_ANSWERED) {
		/* One INVITE transaction at a time (RFC 3261 14.1), and none
		 * before the ACK of our 2xx: sent from the ACK. */
		l->queued_dir = (int)dir;
		return 0;
	}
	char *offer = NULL;
	int r = call_media->set_direction(l->ms, dir);
	if (r < 0 || (r = call_media->sdp_offer(l->ms, &offer)) < 0)
		return r;
	char se[48] = "";
	if (l->se_secs)
		snprintf(se, sizeof(se), "%u;refresher=uac", l->se_secs);
	l->reinvite = nta_outgoing_tcreate(
	    l->leg, modified, l, NULL, SIP_METHOD_INVITE, NULL, SIPTAG_CONTACT_STR(l->contact),
	    TAG_IF(se[0], SIPTAG_SUPPORTED_STR("timer")), TAG_IF(se[0], SIPTAG_SESSION_EXPIRES_STR(se)),
	    SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(offer), TAG_END());
	free(offer);
	if (!l->reinvite) {
		jn_log_err(call_self, "call %u: could not send a re-INVITE", c->id);
		return JN_EIO;
	}
	l->offered_dir = dir;
	return 0;
}

void call_leg_confirmed(struct call_leg *l)
{
	call_session_start(l);
	if (l->queued_dir >= 0 && !l->reinvite && !l->retry_timer) {
		media_dir_t d = (media_dir_t)l->queued_dir;
		l->queued_dir = -1;
		call_leg_reoffer(l, d);
	}
}

void call_modify_release(struct call_leg *l)
{
	if (l->reinvite) {
		nta_outgoing_destroy(l->reinvite);
		l->reinvite = NULL;
	}
	if (l->retry_timer) {
		jn_timer_cancel(l->retry_timer);
		l->retry_timer = NULL;
	}
	if (l->se_timer) {
		jn_timer_cancel(l->se_timer);
		l->se_timer = NULL;
	}
	l->queued_dir = -1;
	notify(l, 487);
}

/* ---- offers from the peer ------------------------------------------------ */

static void reply_warning(nta_incoming_t *irq, int r, const char *err)
{
	char warn[200];
	call_warning(warn, sizeof(warn), r == JN_EPARSE ? 399 : 305, err[0] ? err : jn_strerror(r));
	nta_incoming_treply(irq, SIP_488_NOT_ACCEPTABLE, SIPTAG_WARNING_STR(warn), TAG_END());
	nta_incoming_destroy(irq);
}

/* The peer's direction, carried to the other leg of a bridge. */
static void carry_direction(struct call_leg *l)
{
	struct call_leg *o = other_leg(l);
	if (!o || o->state != CALL_LEG_CONFIRMED || !o->ms)
		return;
	media_stream_info_t si = {.size = sizeof(si)};
	if (call_media->stream_info(l->ms, &si) < 0 || !si.negotiated)
		return;
	/* What this leg's peer does is what we state to the other one:
	 * sendonly (music on hold flows one way), inactive, or sendrecv. */
	media_dir_t want = si.remote_dir;
	int pending = o->queued_dir >= 0 ? o->queued_dir : (int)o->offered_dir;
	if ((int)want == pending)
		return;
	jn_log_info(call_self, "call %u: the %s is %s: telling the %s", l->call->id,
	            l->role == 'a' ? "caller" : "callee", dir_name(want),
	            o->role == 'a' ? "caller" : "callee");
	if (call_leg_reoffer(o, want) < 0)
		jn_log_warn(call_self, "call %u: could not pass %s on", l->call->id, dir_name(want));
}

int call_leg_offer_in(struct call_leg *l, nta_incoming_t *irq, sip_t const *sip, int update)
{
	struct call *c = l->call;
	/* RFC 3261 14.2 / RFC 3311 5.2: an offer while ours is pending. */
	if (l->reinvite && (!update || (sip->sip_payload && sip->sip_payload->pl_len)))
		return 491;
	if (call_session_check(irq, sip)) {
		nta_incoming_destroy(irq);
		return 0;
	}
	char se[48] = "";
	int require = 0;
	if (l->se_secs || sip->sip_session_expires) {
		/* A refresh (RFC 4028 10): the request's sender is the uac. */
		call_session_uas(l, sip, se, sizeof(se), &require);
	}
	char *body = NULL; /* our answer, or our offer */
	int offer = 0;
	if (sip->sip_payload && sip->sip_payload->pl_len) {
		char err[128] = "";
		if (!l->ms)
			return 488;
		int r = call_media->sdp_answer(l->ms, sip->sip_payload->pl_data,
		                               sip->sip_payload->pl_len, &body, err, sizeof(err));
		if (r < 0) {
			reply_warning(irq, r, err);
			return 0;
		}
	} else if (!update) {
		/* A re-INVITE without an offer (often a session refresh) gets
		 * ours in the 2xx; the answer comes in the ACK (RFC 3261 14.2). */
		if (!l->ms || call_media->sdp_offer(l->ms, &body) < 0)
			return 500;
		offer = 1;
	}
	nta_incoming_treply(irq, SIP_200_OK, SIPTAG_CONTACT_STR(l->contact),
	                    TAG_IF(se[0], SIPTAG_SESSION_EXPIRES_STR(se)),
	                    TAG_IF(require, SIPTAG_REQUIRE_STR("timer")),
	                    TAG_IF(body, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	                    TAG_IF(body, SIPTAG_PAYLOAD_STR(body)), TAG_END());
	/* Answered here: the transaction is ours to let go of (nta keeps it
	 * for retransmissions of the request). */
	nta_incoming_destroy(irq);
	free(body);
	l->await_answer = offer;
	if (se[0])
		se_arm(l);
	if (!c->ended && !offer)
		carry_direction(l);
	return 0;
}

int call_leg_answer_in_ack(struct call_leg *l, sip_t const *sip)
{
	struct call *c = l->call;
	const char *who = l->role == 'a' ? "caller" : "callee";
	l->await_answer = 0;
	char err[128] = "no SDP";
	int r = JN_ENOTSUP;
	sip_content_type_t const *ct = sip->sip_content_type;
	if (sip->sip_payload && sip->sip_payload->pl_len &&
	    (!ct || !ct->c_type || !strcasecmp(ct->c_type, "application/sdp")))
		r = call_media->sdp_apply_answer(l->ms, sip->sip_payload->pl_data,
		                                 sip->sip_payload->pl_len, err, sizeof(err));
	if (r < 0) {
		jn_log_warn(call_self, "call %u: the %s's ACK carries no usable answer to our offer: %s",
		            c->id, who, err);
		return r;
	}
	media_stream_info_t si = {.size = sizeof(si)};
	call_media->stream_info(l->ms, &si);
	jn_log_info(call_self, "call %u: the %s answered our offer in its ACK (%s/%u, %s)", c->id,
	            who, si.codec, si.clock_rate, dir_name(si.remote_dir));
	if (l->state == CALL_LEG_CONFIRMED && !c->ended)
		carry_direction(l); /* a re-INVITE's answer may hold or resume */
	return 0;
}
