/* uas.c - answering an INVITE as a user agent server (RFC 3261 13.3):
 * the script's request becomes a call, its SDP offer is answered by a
 * media session (RFC 3264 6), the dialog is created as a sofia leg so that
 * ACK, BYE and re-INVITE reach call_leg_request(), and the 2xx carries our
 * Contact and the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/url.h>

#include "call.h"

#include <sofia-sip/nta_stateless.h>

/* CANCEL for the pending INVITE: nta has answered the CANCEL itself
 * (200); the INVITE gets its 487 here (RFC 3261 9.2). */
static int irq_event(struct call *c, nta_incoming_t *irq, sip_t const *sip)
{
	if (!sip || !sip->sip_request || sip->sip_request->rq_method != sip_method_cancel)
		return 0;
	if (c->final_sent || c->ended)
		return 0;
	if (c->has_b)
		call_bridge_cancel(c);
	else
		call_end(c, "caller cancelled", 487, sip_487_Request_terminated);
	return 0;
}

static char *url_text(const url_t *u)
{
	if (!u)
		return NULL;
	su_home_t home[1] = {SU_HOME_INIT(home)};
	char *s = url_as_string(home, u);
	char *r = s ? strdup(s) : NULL;
	su_home_deinit(home);
	return r;
}

static void ack_timeout(jn_timer_t *t, void *data)
{
	struct call *c = data;
	c->ack_timer = NULL;
	call_uas_stop_2xx(c);
	if (c->a.state != CALL_LEG_ANSWERED)
		return;
	/* RFC 3261 13.3.1.4: no ACK within 64*T1 - the session ends; a BYE
	 * is allowed now that the transaction is over (15). */
	c->a.state = CALL_LEG_CONFIRMED;
	if (c->a.bye_pending) {
		c->a.bye_pending = 0;
		call_leg_bye(&c->a);
		call_maybe_free(c);
		return;
	}
	call_end(c, "no ACK from the caller", 0, NULL);
}

void call_uas_stop_2xx(struct call *c)
{
	if (c->rexmit_timer) {
		jn_timer_cancel(c->rexmit_timer);
		c->rexmit_timer = NULL;
	}
	if (c->resp2xx) {
		msg_destroy(c->resp2xx);
		c->resp2xx = NULL;
	}
}

/* RFC 3261 13.3.1.4: the UAS core retransmits its 2xx, T1 doubling up to
 * T2, until the ACK arrives. nta does it only for an agent in UA mode;
 * the core's agent is a proxy (NTATAG_UA(0)), so the call module does it
 * and sends a copy statelessly along the caller's Via. */
static void rexmit_2xx(jn_timer_t *t, void *data)
{
	struct call *c = data;
	c->rexmit_timer = NULL;
	if (c->a.state != CALL_LEG_ANSWERED || !c->resp2xx)
		return;
	msg_t *copy = msg_dup(c->resp2xx);
	msg_t *req = msg_ref_create(jn_msg_sofia_msg(c->req));
	if (copy)
		nta_msg_mreply(call_agent(), copy, sip_object(copy), 200, sip_200_OK, req,
		               TAG_END());
	else
		msg_destroy(req);
	c->rexmit_ms = c->rexmit_ms * 2 > 4000 ? 4000 : c->rexmit_ms * 2;
	c->rexmit_timer = jn_timer_start(c->rexmit_ms, rexmit_2xx, c);
}

int call_uas_send_200(struct call *c)
{
	if (c->final_sent || !c->irq || !c->a.sdp_local)
		return JN_ESTATE;
	/* RFC 4028 9: the session interval and who refreshes it. */
	char se[48];
	int require = 0;
	call_session_uas(&c->a, jn_msg_sofia_sip(c->req), se, sizeof(se), &require);
	if (nta_incoming_treply(c->irq, SIP_200_OK, SIPTAG_CONTACT_STR(c->a.contact),
	                        TAG_IF(se[0], SIPTAG_SESSION_EXPIRES_STR(se)),
	                        TAG_IF(require, SIPTAG_REQUIRE_STR("timer")),
	                        SIPTAG_CONTENT_TYPE_STR("application/sdp"),
	                        SIPTAG_PAYLOAD_STR(c->a.sdp_local), TAG_END()) < 0) {
		call_end(c, "could not send 200", 500, sip_500_Internal_server_error);
		return JN_EIO;
	}
	jn_msg_note_status(c->req, 200);
	c->final_sent = 1;
	c->a.state = CALL_LEG_ANSWERED;
	c->state = CALL_ANSWERED;
	c->ack_timer = jn_timer_start(call_conf.ack_timeout_ms, ack_timeout, c);
	if (strcmp(jn_msg_proto(c->req), "udp") == 0) {
		c->resp2xx = nta_incoming_getresponse(c->irq);
		c->rexmit_ms = 500;
		c->rexmit_timer = jn_timer_start(c->rexmit_ms, rexmit_2xx, c);
	}
	jn_log_info(call_self, "call %u answered", c->id);
	return 0;
}

/* RFC 3261 8.2.2.3: option tags in Require that we do not support (we
 * support "timer", RFC 4028), comma-separated into out; 0 when none. */
size_t call_unsupported(sip_t const *sip, char *out, size_t size)
{
	size_t n = 0;
	out[0] = 0;
	for (sip_require_t const *r = sip->sip_require; r; r = r->k_next)
		for (int i = 0; r->k_items && r->k_items[i]; i++) {
			if (!strcasecmp(r->k_items[i], "timer"))
				continue;
			int w = snprintf(out + n, size - n, "%s%s", n ? ", " : "", r->k_items[i]);
			if (w < 0 || (size_t)w >= size - n)
				return n ? n : 1;
			n += (size_t)w;
		}
	return n;
}

/* Refuses the offer: 488 with a Warning naming what was wrong. */
static int refuse(struct call *c, int r, const char *why)
{
	call_reply_error(c, 488, sip_488_Not_acceptable, r == JN_EPARSE ? 399 : 305, why);
	char reason[96];
	snprintf(reason, sizeof(reason), "488 %s", why);
	call_end(c, reason, 0, NULL);
	return r;
}

int call_uas_start(jn_msg_t *msg, struct call **out)
{
	sip_t *sip = jn_msg_sofia_sip(msg);
	if (!jn_msg_is_request(msg) || !sip || sip->sip_request->rq_method != sip_method_invite)
		return JN_EINVAL;
	if ((sip->sip_to && sip->sip_to->a_tag) || jn_msg_status_sent(msg) >= 200)
		return JN_ESTATE;
	nta_incoming_t *irq = jn_msg_sofia_irq(msg);
	if (!irq)
		return JN_ENOMEM;
	struct call *c = call_new();
	if (!c)
		return JN_ENOMEM;
	jn_msg_take(msg);
	c->req = jn_msg_ref(msg);
	c->irq = irq;
	nta_incoming_bind(irq, irq_event, c);
	int r;
	struct call_leg *a = &c->a;
	a->state = CALL_LEG_EARLY;
	char unsup[128];
	if (call_unsupported(sip, unsup, sizeof(unsup))) {
		/* RFC 3261 8.2.2.3: 420 with Unsupported (100rel, RFC 3262,
		 * among others). */
		nta_incoming_treply(irq, 420, sip_420_Bad_extension, SIPTAG_UNSUPPORTED_STR(unsup),
		                    TAG_END());
		jn_msg_note_status(msg, 420);
		c->final_sent = 1;
		a->state = CALL_LEG_ENDED;
		char reason[160];
		snprintf(reason, sizeof(reason), "420 unsupported: %s", unsup);
		call_end(c, reason, 0, NULL);
		return JN_ENOTSUP;
	}
	if (call_session_check(irq, sip)) {
		/* RFC 4028 6: 422 sent, with our Min-SE. */
		jn_msg_note_status(msg, 422);
		c->final_sent = 1;
		a->state = CALL_LEG_ENDED;
		call_end(c, "422 session interval too small", 0, NULL);
		return JN_ERANGE;
	}
	a->remote_uri = url_text(sip->sip_from->a_url);
	a->call_id = strdup(sip->sip_call_id->i_id);
	a->contact = call_contact_for(sip->sip_request->rq_url, jn_msg_proto(msg));
	if (!a->remote_uri || !a->call_id || !a->contact) {
		r = JN_ENOMEM;
		goto fail;
	}

	size_t len = 0;
	const char *body = jn_msg_body(msg, &len);
	if (body && len && sip->sip_content_type && sip->sip_content_type->c_type &&
	    strcasecmp(sip->sip_content_type->c_type, "application/sdp") != 0)
		return refuse(c, JN_ENOTSUP, "the body is not application/sdp");
	if (!body || !len) {
		/* No offer (RFC 3261 13.2.1): ours goes in the 2xx, the
		 * answer comes in the ACK; the family is the caller's. */
		const char *host = sip->sip_contact ? sip->sip_contact->m_url->url_host : NULL;
		int family = host && strchr(host, ':') ? AF_INET6 : AF_INET;
		if ((r = call_media_create(a, family, NULL, NULL)) < 0 ||
		    (r = call_media->sdp_offer(a->ms, &a->sdp_local)) < 0) {
			jn_log_err(call_self, "call %u: no media session: %s", c->id, jn_strerror(r));
			goto fail;
		}
		a->await_answer = 1;
	} else {
		int family = call_media->sdp_family(body, len);
		if (family < 0)
			return refuse(c, JN_EPARSE, "malformed SDP");
		if ((r = call_media_create(a, family, NULL, NULL)) < 0) {
			jn_log_err(call_self, "call %u: no media session: %s", c->id,
			           jn_strerror(r));
			goto fail;
		}
		char err[128] = "";
		if ((r = call_media->sdp_answer(a->ms, body, len, &a->sdp_local, err,
		                                sizeof(err))) < 0) {
			if (r == JN_EPARSE || r == JN_ENOTSUP)
				return refuse(c, r, err[0] ? err : jn_strerror(r));
			goto fail;
		}
	}

	/* The dialog (RFC 3261 12.1.1): local = To with our tag, remote =
	 * From, route set from Record-Route, remote target from Contact. */
	a->leg =
	    nta_leg_tcreate(call_agent(), call_leg_request, a, SIPTAG_CALL_ID(sip->sip_call_id),
	                    SIPTAG_FROM(sip->sip_to), SIPTAG_TO(sip->sip_from),
	                    NTATAG_REMOTE_CSEQ(sip->sip_cseq->cs_seq), TAG_END());
	if (!a->leg || !nta_leg_tag(a->leg, NULL) ||
	    nta_leg_server_route(a->leg, sip->sip_record_route, sip->sip_contact) < 0) {
		r = JN_ENOMEM;
		goto fail;
	}
	nta_incoming_tag(irq, nta_leg_get_tag(a->leg));
	*out = c;
	return 0;
fail:
	call_reply_error(c, r == JN_EAGAIN ? 503 : 500,
	                 r == JN_EAGAIN ? sip_503_Service_unavailable
	                                : sip_500_Internal_server_error,
	                 399, jn_strerror(r));
	call_end(c, "could not answer", 0, NULL);
	return r;
}
