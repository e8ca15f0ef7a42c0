/* bridge.c - the B2BUA's outbound leg: a new dialog towards the callee
 * with an offer from a second media session on the caller's worker,
 * provisional responses relayed to the caller, the callee's 2xx ACKed and
 * answered towards the caller, media connected (relay), failures relayed
 * (RFC 3261 13.2, 17.1; RFC 3264 5, 6). */
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

/* At most this many codecs in a bridge's offer (media's OA_MAX_CODECS). */
#define OA_CODECS_MAX 8

static int sdp_body(sip_t const *sip, const char **body, size_t *len)
{
	if (!sip->sip_payload || !sip->sip_payload->pl_len)
		return 0;
	if (sip->sip_content_type && sip->sip_content_type->c_type &&
	    strcasecmp(sip->sip_content_type->c_type, "application/sdp") != 0)
		return 0;
	*body = sip->sip_payload->pl_data;
	*len = sip->sip_payload->pl_len;
	return 1;
}

/* RFC 3261 13.2.2.4: the ACK for a 2xx is a request of the dialog with
 * the INVITE's CSeq number. */
static void send_ack(struct call_leg *l, sip_t const *sip)
{
	nta_outgoing_t *ack = nta_outgoing_tcreate(l->leg, NULL, NULL, NULL, SIP_METHOD_ACK, NULL,
	                                           SIPTAG_CSEQ(sip->sip_cseq), TAG_END());
	if (ack)
		nta_outgoing_destroy(ack);
	else
		jn_log_err(call_self, "call %u: could not ACK the callee's 2xx", l->call->id);
}

/* Applies the callee's SDP answer once (a 183 with SDP and the 2xx carry
 * the same answer, RFC 3264 / RFC 3261 13.2.1) and connects the legs.
 * 0, or a JN_E* with a reason in err. */
static int take_answer(struct call *c, sip_t const *sip, char *err, size_t errlen)
{
	const char *body = NULL;
	size_t len = 0;
	if (!c->b.answer_applied) {
		if (!sdp_body(sip, &body, &len)) {
			snprintf(err, errlen, "the callee answered without SDP");
			return JN_ENOTSUP;
		}
		int r = call_media->sdp_apply_answer(c->b.ms, body, len, err, errlen);
		if (r < 0)
			return r;
		c->b.answer_applied = 1;
	}
	int r = call_media->connect(c->a.ms, c->b.ms);
	if (r == JN_ENOTSUP) {
		media_stream_info_t ia = {.size = sizeof(ia)}, ib = {.size = sizeof(ib)};
		call_media->stream_info(c->a.ms, &ia);
		call_media->stream_info(c->b.ms, &ib);
		snprintf(err, errlen, "codecs differ (caller %s/%u, callee %s/%u) and cannot be "
		         "transcoded", ia.codec, ia.clock_rate, ib.codec, ib.clock_rate);
	} else if (r < 0) {
		snprintf(err, errlen, "media connect failed: %s", jn_strerror(r));
	}
	return r;
}

static void provisional(struct call *c, sip_t const *sip)
{
	int status = sip->sip_status->st_status;
	if (status == 100 || c->ended || c->final_sent)
		return;
	/* Early media: the callee's answer in a 18x is applied now and the
	 * caller gets our answer with the relayed status. */
	const char *body;
	size_t len;
	int early = 0;
	char err[160] = "";
	/* A caller that sent no offer gets ours in the 2xx only (an offer
	 * in an unreliable 18x would not be one, RFC 3261 13.2.1). */
	if (!c->a.await_answer && sdp_body(sip, &body, &len)) {
		if (take_answer(c, sip, err, sizeof(err)) == 0)
			early = 1;
		else
			jn_log_warn(call_self, "call %u: early SDP of the callee ignored: %s",
			            c->id, err);
	}
	nta_incoming_treply(c->irq, status, sip->sip_status->st_phrase,
	                    SIPTAG_CONTACT_STR(c->a.contact),
	                    TAG_IF(early, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	                    TAG_IF(early, SIPTAG_PAYLOAD_STR(c->a.sdp_local)), TAG_END());
	jn_msg_note_status(c->req, status);
}

static void answered(struct call *c, sip_t const *sip)
{
	struct call_leg *b = &c->b;
	if (b->state != CALL_LEG_EARLY) {
		/* A retransmitted 2xx: our ACK was lost (13.2.2.4). A 2xx of
		 * another fork would need its own ACK and BYE: not yet. */
		if (b->leg && sip->sip_to->a_tag && nta_leg_get_rtag(b->leg) &&
		    !strcasecmp(sip->sip_to->a_tag, nta_leg_get_rtag(b->leg)))
			send_ack(b, sip);
		return;
	}
	nta_leg_rtag(b->leg, sip->sip_to->a_tag);
	nta_leg_client_route(b->leg, sip->sip_record_route, sip->sip_contact);
	send_ack(b, sip);
	b->state = CALL_LEG_CONFIRMED;
	call_session_timer(b, sip, 1);
	if (c->ended) {
		/* Answered after our CANCEL crossed it (9.1): hang up. */
		call_leg_bye(b);
		return;
	}
	char err[160] = "";
	int r = take_answer(c, sip, err, sizeof(err));
	if (r < 0) {
		jn_log_warn(call_self, "call %u: %s", c->id, err);
		call_reply_error(c, 488, sip_488_Not_acceptable, r == JN_EPARSE ? 399 : 305, err);
		char reason[200];
		snprintf(reason, sizeof(reason), "488 %s", err);
		call_end(c, reason, 0, NULL);
		return;
	}
	call_uas_send_200(c);
}

static int b_response(struct call_leg *l, nta_outgoing_t *orq, sip_t const *sip);

/* The INVITE towards the callee: our offer, a session timer of se_secs
 * (0: none) and its Min-SE (RFC 4028 7.1: the callee picks the refresher). */
static nta_outgoing_t *send_invite(struct call *c, unsigned se_secs, unsigned min_se)
{
	struct call_leg *b = &c->b;
	char mfbuf[16], se[16] = "", minse[16];
	snprintf(mfbuf, sizeof(mfbuf), "%u", b->max_forwards);
	if (se_secs)
		snprintf(se, sizeof(se), "%u", se_secs);
	snprintf(minse, sizeof(minse), "%u", min_se);
	return nta_outgoing_tcreate(
	    b->leg, b_response, b, b->dst_uri ? URL_STRING_MAKE(b->dst_uri) : NULL,
	    SIP_METHOD_INVITE, URL_STRING_MAKE(b->remote_uri), SIPTAG_CONTACT_STR(b->contact),
	    SIPTAG_MAX_FORWARDS_STR(mfbuf), SIPTAG_SUPPORTED_STR("timer"),
	    TAG_IF(se[0], SIPTAG_SESSION_EXPIRES_STR(se)), TAG_IF(se[0], SIPTAG_MIN_SE_STR(minse)),
	    SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(b->sdp_local), TAG_END());
}

/* RFC 4028 6: a 422 names the callee's Min-SE; the INVITE goes once more
 * with that interval (the caller never sees the 422). 1 when sent. */
static int retry_422(struct call *c, sip_t const *sip)
{
	struct call_leg *b = &c->b;
	if (c->ended || b->se_retried || !sip || !sip->sip_min_se ||
	    !sip->sip_min_se->min_delta || sip->sip_min_se->min_delta > 86400)
		return 0;
	unsigned want = (unsigned)sip->sip_min_se->min_delta;
	if (call_conf.session_expires && want <= call_conf.session_expires)
		return 0; /* we asked for that much already: something else is wrong */
	nta_outgoing_t *orq = send_invite(c, want, want);
	if (!orq)
		return 0;
	b->se_retried = 1;
	b->invite = orq;
	jn_log_info(call_self, "call %u: the callee wants a session interval of %u s at least "
	            "(422): INVITE again", c->id, want);
	return 1;
}

static void failed(struct call *c, sip_t const *sip)
{
	int status = sip ? sip->sip_status->st_status : 408;
	const char *phrase = sip ? sip->sip_status->st_phrase : sip_408_Request_timeout;
	c->b.state = CALL_LEG_ENDED;
	if (c->ended)
		return;
	char reason[96];
	if (status == 408 || status == 480)
		snprintf(reason, sizeof(reason), "no answer (%d %s)", status, phrase);
	else
		snprintf(reason, sizeof(reason), "callee refused (%d %s)", status, phrase);
	/* RFC 3261 16.7-like relay of the final answer to the caller. */
	call_end(c, reason, status, phrase);
}

static int b_response(struct call_leg *l, nta_outgoing_t *orq, sip_t const *sip)
{
	struct call *c = l->call;
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 408;
	if (status < 200) {
		provisional(c, sip);
		return 0;
	}
	if (status < 300) {
		answered(c, sip);
	} else if (status == 422 && retry_422(c, sip)) {
		nta_outgoing_destroy(orq); /* b->invite is the new one */
		return 0;
	} else {
		failed(c, sip);
	}
	if (l->invite == orq) {
		l->invite = NULL;
		nta_outgoing_destroy(orq);
	}
	call_maybe_free(c);
	return 0;
}

static void ring_timeout(jn_timer_t *t, void *data)
{
	struct call *c = data;
	c->ring_timer = NULL;
	if (c->b.state == CALL_LEG_EARLY)
		call_end(c, "no answer (ring timeout)", 480, "No Answer");
}

void call_bridge_cancel(struct call *c)
{
	call_end(c, "caller cancelled", 487, sip_487_Request_terminated);
}

/* The B leg's codec preference into codecs[] (NULL-terminated, strings in
 * names): the caller's negotiated codec first, unless list (the script's
 * "PCMU,opus" or NULL) leaves it out, then list or the media module's
 * defaults. */
static int bridge_codecs(struct call *c, const char *list, char names[][48],
                         const char **codecs, char *err, size_t errlen)
{
	size_t n = 0;
	media_stream_info_t ia = {.size = sizeof(ia)};
	int r = call_media->stream_info(c->a.ms, &ia);
	if (r < 0)
		return r;
	const media_codec_def_t *caller = call_media->codec_find(ia.codec);
	const media_codec_def_t *defs[OA_CODECS_MAX];
	size_t ndefs = 0;
	if (list) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", list);
		for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t;
		     t = strtok_r(NULL, ", ", &save)) {
			const media_codec_def_t *d = call_media->codec_find(t);
			if (!d) {
				snprintf(err, errlen, "codecs: unknown codec %s", t);
				return JN_ENOENT;
			}
			if (ndefs < OA_CODECS_MAX)
				defs[ndefs++] = d;
		}
		if (!ndefs) {
			snprintf(err, errlen, "codecs: empty list");
			return JN_EINVAL;
		}
		/* The caller's codec is first only when the list allows it. */
		int allowed = 0;
		for (size_t i = 0; i < ndefs; i++)
			allowed |= defs[i] == caller;
		if (!allowed)
			caller = NULL;
	} else {
		ndefs = call_media->codec_defaults(defs, OA_CODECS_MAX);
	}
	if (caller)
		snprintf(names[n++], 48, "%s/%u", caller->name, caller->clock_rate);
	for (size_t i = 0; i < ndefs && n < OA_CODECS_MAX; i++)
		if (defs[i] != caller)
			snprintf(names[n++], 48, "%s/%u", defs[i]->name, defs[i]->clock_rate);
	for (size_t i = 0; i < n; i++)
		codecs[i] = names[i];
	codecs[n] = NULL;
	return 0;
}

int call_bridge_start(struct call *c, const char *uri, const char *dst_uri, unsigned timeout_ms,
                      const char *codec_list)
{
	sip_t *sip = jn_msg_sofia_sip(c->req);
	struct call_leg *b = &c->b;
	su_home_t home[1] = {SU_HOME_INIT(home)};
	char err[160] = "";
	int r = JN_ENOMEM;
	c->has_b = 1;
	url_t *target = url_hdup(home, (url_t const *)URL_STRING_MAKE(uri)->us_url);
	if (!target || !target->url_host ||
	    (target->url_type != url_sip && target->url_type != url_sips)) {
		r = JN_EINVAL;
		snprintf(err, sizeof(err), "bad target %s", uri);
		goto fail;
	}
	unsigned mf = sip->sip_max_forwards ? sip->sip_max_forwards->mf_count : 70;
	if (mf == 0) {
		call_reply_error(c, 483, sip_483_Too_many_hops, 399, "Max-Forwards exhausted");
		call_end(c, "483 too many hops", 0, NULL);
		su_home_deinit(home);
		return JN_ERANGE;
	}

	/* Offer the callee the codec the caller got first, so that the legs
	 * can be relayed without transcoding, then the others we can
	 * transcode to (the media module's preference, or the script's
	 * codecs: list) for a callee that lacks it. */
	char names[OA_CODECS_MAX + 1][48];
	const char *codecs[OA_CODECS_MAX + 2];
	if ((r = bridge_codecs(c, codec_list, names, codecs, err, sizeof(err))) < 0)
		goto fail;
	int family = target->url_host[0] == '[' ? AF_INET6 : AF_INET;
	if ((r = call_media_create(b, family, codecs, c->a.ms)) < 0 ||
	    (r = call_media->sdp_offer(b->ms, &b->sdp_local)) < 0) {
		snprintf(err, sizeof(err), "media: %s", jn_strerror(r));
		goto fail;
	}

	const char *tp = NULL;
	char tbuf[8] = "";
	if (url_param(target->url_params, "transport", tbuf, sizeof(tbuf)) > 0)
		tp = tbuf;
	b->contact = call_contact_for(NULL, tp);
	b->remote_uri = strdup(uri);
	sip_from_t *from = sip_from_create(home, (url_string_t const *)sip->sip_from->a_url);
	sip_to_t *to = sip_to_create(home, (url_string_t const *)target);
	if (!b->contact || !b->remote_uri || !from || !to) {
		r = JN_ENOMEM;
		goto fail;
	}
	if (sip->sip_from->a_display)
		from->a_display = su_strdup(home, sip->sip_from->a_display);
	/* A new dialog with a new Call-ID (the leg makes one). */
	b->leg = nta_leg_tcreate(call_agent(), call_leg_request, b, SIPTAG_FROM(from),
	                         SIPTAG_TO(to), TAG_END());
	if (!b->leg || !nta_leg_tag(b->leg, NULL)) {
		r = JN_ENOMEM;
		goto fail;
	}
	sip_call_id_t const *cid = NULL;
	b->max_forwards = mf - 1;
	if (dst_uri && !(b->dst_uri = strdup(dst_uri))) {
		r = JN_ENOMEM;
		goto fail;
	}
	b->invite = send_invite(c, call_conf.session_expires, call_conf.min_se);
	if (!b->invite) {
		r = JN_EIO;
		snprintf(err, sizeof(err), "could not send the INVITE to %s", uri);
		goto fail;
	}
	msg_t *req = nta_outgoing_getrequest(b->invite);
	if (req) {
		cid = sip_object(req)->sip_call_id;
		b->call_id = cid ? strdup(cid->i_id) : NULL;
		msg_destroy(req);
	}
	b->state = CALL_LEG_EARLY;
	c->state = CALL_RINGING;
	nta_incoming_treply(c->irq, SIP_100_TRYING, TAG_END());
	if (timeout_ms)
		c->ring_timer = jn_timer_start(timeout_ms, ring_timeout, c);
	jn_log_info(call_self, "call %u: bridging %s to %s", c->id, c->a.remote_uri, uri);
	su_home_deinit(home);
	return 0;
fail:
	jn_log_err(call_self, "call %u: bridge failed: %s", c->id, err[0] ? err : jn_strerror(r));
	call_reply_error(c, r == JN_EAGAIN ? 503 : 500,
	                 r == JN_EAGAIN ? sip_503_Service_unavailable
	                                : sip_500_Internal_server_error,
	                 399, err[0] ? err : jn_strerror(r));
	call_end(c, "bridge failed", 0, NULL);
	su_home_deinit(home);
	return r;
}
