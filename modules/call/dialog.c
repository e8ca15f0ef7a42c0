/* dialog.c - what happens inside a dialog once it exists: requests from
 * the peer (ACK, BYE, re-INVITE, INFO, OPTIONS) arrive at the leg callback
 * because nta matches them to the leg (Call-ID and tags) before the
 * agent's message callback; BYE from us; media events; our Contact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>

#include "call.h"

nta_agent_t *call_agent(void)
{
	return jn_sip_agent();
}

char *call_contact_for(const url_t *ruri, const char *proto)
{
	const char *host = NULL, *port = NULL;
	if (ruri && ruri->url_host && jn_sip_is_local(ruri->url_host, ruri->url_port)) {
		host = ruri->url_host;
		port = ruri->url_port;
	} else {
		sip_contact_t const *m = nta_agent_contact(call_agent());
		if (!m || !m->m_url->url_host)
			return NULL;
		host = m->m_url->url_host;
		port = m->m_url->url_port;
	}
	const char *tp = "";
	if (proto && !strcmp(proto, "tcp"))
		tp = ";transport=tcp";
	else if (proto && !strcmp(proto, "tls"))
		tp = ";transport=tls";
	char *s = NULL;
	if (asprintf(&s, "<sip:%s%s%s%s>", host, port && *port ? ":" : "", port ? port : "", tp) <
	    0)
		return NULL;
	return s;
}

/* Quotes are not allowed inside a Warning's quoted text: keep it printable. */
static void warning_text(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	for (; src && *src && n + 1 < size; src++) {
		unsigned char ch = (unsigned char)*src;
		dst[n++] = (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') ? '\'' : (char)ch;
	}
	dst[n] = '\0';
}

void call_warning(char *dst, size_t size, int code, const char *text)
{
	char t[160];
	warning_text(t, sizeof(t), text);
	/* RFC 3261 20.43: warn-code SP warn-agent SP "warn-text" */
	snprintf(dst, size, "%d junction \"%s\"", code, t);
}

void call_reply_error(struct call *c, int status, const char *phrase, int warn_code,
                      const char *warn_text)
{
	if (c->final_sent || !c->irq)
		return;
	char warn[200];
	call_warning(warn, sizeof(warn), warn_code, warn_text);
	nta_incoming_treply(c->irq, status, phrase,
	                    TAG_IF(warn_text && *warn_text, SIPTAG_WARNING_STR(warn)), TAG_END());
	jn_msg_note_status(c->req, status);
	c->final_sent = 1;
	c->a.state = CALL_LEG_ENDED;
}

/* ---- BYE ------------------------------------------------------------- */

static int bye_done(struct call_leg *l, nta_outgoing_t *orq, sip_t const *sip)
{
	if (sip && sip->sip_status && sip->sip_status->st_status < 200)
		return 0;
	struct call *c = l->call;
	jn_log_debug(call_self, "call %u: BYE to the %s answered %d", c->id,
	             l->role == 'a' ? "caller" : "callee",
	             sip && sip->sip_status ? sip->sip_status->st_status : 408);
	nta_outgoing_destroy(orq);
	c->pending--;
	call_maybe_free(c);
	return 0;
}

int call_leg_bye(struct call_leg *l)
{
	struct call *c = l->call;
	l->state = CALL_LEG_ENDED;
	if (!l->leg)
		return JN_ESTATE;
	nta_outgoing_t *orq =
	    nta_outgoing_tcreate(l->leg, bye_done, l, NULL, SIP_METHOD_BYE, NULL, TAG_END());
	if (!orq) {
		jn_log_err(call_self, "call %u: could not send BYE to the %s", c->id,
		           l->role == 'a' ? "caller" : "callee");
		return JN_EIO;
	}
	c->pending++;
	return 0;
}

/* ---- requests in the dialog ----------------------------------------- */

/* INFO in the dialog: a DTMF digit as application/dtmf-relay or
 * application/dtmf (the dtmf module parses both). An INFO without a body
 * is answered 200 (RFC 6086 4.2.2: legacy use); another type gets 415
 * with Accept (RFC 3261 21.4.13), a malformed digit body 400. */
static int info(struct call_leg *l, nta_incoming_t *irq, sip_t const *sip)
{
	const char *ct = sip->sip_content_type ? sip->sip_content_type->c_type : NULL;
	size_t len = sip->sip_payload ? sip->sip_payload->pl_len : 0;
	if (!ct && !len)
		return 200;
	dtmf_event_t ev;
	int r = call_dtmf->info_parse(ct ? ct : "", len ? sip->sip_payload->pl_data : "", len,
	                              &ev);
	if (r == JN_ENOTSUP) {
		nta_incoming_treply(irq, SIP_415_UNSUPPORTED_MEDIA,
		                    SIPTAG_ACCEPT_STR("application/dtmf-relay, application/dtmf"),
		                    TAG_END());
		/* Answered here: the transaction is ours to let go of. */
		nta_incoming_destroy(irq);
		return 0;
	}
	if (r < 0)
		return 400;
	call_digit(l, &ev);
	return 200;
}

int call_leg_request(struct call_leg *l, nta_leg_t *leg, nta_incoming_t *irq, sip_t const *sip)
{
	struct call *c = l->call;
	const char *who = l->role == 'a' ? "caller" : "callee";
	char unsup[128];
	if (sip->sip_request->rq_method != sip_method_ack &&
	    call_unsupported(sip, unsup, sizeof(unsup))) {
		/* RFC 3261 8.2.2.3: an extension we do not have. */
		nta_incoming_treply(irq, 420, sip_420_Bad_extension, SIPTAG_UNSUPPORTED_STR(unsup),
		                    TAG_END());
		nta_incoming_destroy(irq);
		return 0;
	}
	switch (sip->sip_request->rq_method) {
	case sip_method_ack: {
		/* nta made a transaction of the ACK for us; nothing answers
		 * it, so it is ours to destroy (else it lives as long as the
		 * agent). */
		int first = l->state == CALL_LEG_ANSWERED;
		int bad = l->await_answer && call_leg_answer_in_ack(l, sip) < 0;
		nta_incoming_destroy(irq);
		if (bad && !first)
			jn_log_warn(call_self, "call %u: the %s keeps the session it had", c->id, who);
		if (l->state == CALL_LEG_ANSWERED) {
			l->state = CALL_LEG_CONFIRMED;
			if (c->ack_timer) {
				jn_timer_cancel(c->ack_timer);
				c->ack_timer = NULL;
			}
			call_uas_stop_2xx(c);
			call_leg_confirmed(l);
			jn_log_debug(call_self, "call %u: ACK from the %s", c->id, who);
			if (l->bye_pending) {
				l->bye_pending = 0;
				call_leg_bye(l);
				call_maybe_free(c);
				return 0;
			}
		}
		/* Our offer in the 2xx of the INVITE went unanswered: there is
		 * no session to go on with (RFC 3261 13.2.1). */
		if (bad && first && !c->ended)
			call_end(c, "no usable answer in the ACK", 0, NULL);
		return 0;
	}
	case sip_method_bye:
		if (l->state == CALL_LEG_ENDED)
			return 200;
		if (l->bye_pending) {
			/* We were waiting for the ACK to say goodbye ourselves. */
			l->bye_pending = 0;
			l->state = CALL_LEG_ENDED;
			call_maybe_free(c);
			return 200;
		}
		l->state = CALL_LEG_ENDED;
		call_end(c, l->role == 'a' ? "caller hung up" : "callee hung up", 0, NULL);
		return 200;
	case sip_method_invite:
		if (c->ended || l->state != CALL_LEG_CONFIRMED)
			return c->ended ? 481 : 491;
		return call_leg_offer_in(l, irq, sip, 0);
	case sip_method_update:
		/* RFC 3311 5.2: an offer or a session refresh (RFC 4028). */
		if (c->ended)
			return 481;
		return call_leg_offer_in(l, irq, sip, 1);
	case sip_method_info:
		return c->ended ? 481 : info(l, irq, sip);
	case sip_method_options:
		return 200;
	default:
		return 501;
	}
}

/* ---- media ------------------------------------------------------------ */

void call_media_event(const media_event_t *ev, void *data)
{
	struct call_leg *l = data;
	struct call *c = l->call;
	const char *who = l->role == 'a' ? "caller" : "callee";
	switch (ev->type) {
	case MEDIA_EV_RTP_TIMEOUT:
		jn_log_warn(call_self, "call %u: no RTP from the %s: hanging up", c->id, who);
		call_end(c, l->role == 'a' ? "rtp timeout (caller)" : "rtp timeout (callee)", 0,
		         NULL);
		break;
	case MEDIA_EV_DTMF: {
		dtmf_event_t de;
		memset(&de, 0, sizeof(de));
		de.size = sizeof(de);
		de.digit = ev->digit;
		de.source = ev->dtmf_inband ? DTMF_SRC_INBAND : DTMF_SRC_RFC4733;
		de.duration_ms = ev->duration_ms;
		de.volume = DTMF_VOLUME_UNKNOWN;
		call_digit(l, &de);
		break;
	}
	case MEDIA_EV_PLAYBACK_DONE:
		if (l->role == 'a')
			call_playback_done(c, ev->id, ev->status);
		break;
	case MEDIA_EV_RECORD_DONE:
		if (l->role == 'a')
			call_record_done(c, ev->id, ev->status);
		break;
	case MEDIA_EV_LATCHED:
		jn_log_debug(call_self, "call %u: RTP from the %s latched to %s:%u", c->id, who,
		             ev->addr, ev->port);
		break;
	default:
		break;
	}
}

int call_media_create(struct call_leg *l, int family, const char *const *codecs,
                      media_session_t *near)
{
	media_session_opts_t o;
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.family = family;
	o.codecs = codecs;
	o.telephone_event = 1;
	o.srtp = l->role == 'b' ? call_conf.bridge_srtp : call_conf.srtp;
	o.rtp_timeout_ms = call_conf.rtp_timeout_ms;
	o.near = near;
	o.on_event = call_media_event;
	o.data = l;
	o.dtmf = call_dtmf;
	o.inband_dtmf = call_conf.inband_dtmf;
	return call_media->session_create(&o, &l->ms);
}
