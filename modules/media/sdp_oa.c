/* sdp_oa.c - RFC 3264 offer/answer for one audio stream. Parsing is
 * sofia-sip's (sdp_parse); our own SDP is written directly, because we
 * never forward the other side's description: each leg gets one made
 * from its own session (that is what anchors the media). */
#include "sdp_oa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include <junction/junction.h>

static int fail(char *err, size_t errlen, int code, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return code;
}

static media_dir_t reverse_dir(media_dir_t d)
{
	return (media_dir_t)(((d & 1) << 1) | ((d & 2) >> 1));
}

/* sofia's m_mode uses the same bits from the describer's side:
 * sdp_sendonly = 1, sdp_recvonly = 2. */
static media_dir_t mode_dir(unsigned mode)
{
	return (media_dir_t)(mode & 3);
}

static const char *dir_attr(media_dir_t d)
{
	switch (d) {
	case MEDIA_SENDONLY: return "sendonly";
	case MEDIA_RECVONLY: return "recvonly";
	case MEDIA_INACTIVE: return "inactive";
	default: return "sendrecv";
	}
}

static const char *ipver(int family)
{
	return family == AF_INET6 ? "IP6" : "IP4";
}

static sdp_connection_t *media_conn(const sdp_media_t *m)
{
	if (m->m_connections)
		return m->m_connections;
	return m->m_session ? m->m_session->sdp_connection : NULL;
}

/* RFC 4566 9: token-char. */
static int token_char(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d ||
	       c == 0x2e || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ||
	       (c >= 0x5e && c <= 0x7e);
}

/* RFC 4566 5.14, the value of an m= line (p..e, CR excluded):
 * media SP port ["/" integer] SP proto 1*(SP fmt), proto = token *("/" token). */
static int media_line_ok(const char *p, const char *e)
{
	const char *q;
	int field = 0;
	while (p < e) {
		q = p;
		if (field == 1) { /* port ["/" integer] */
			while (q < e && *q >= '0' && *q <= '9')
				q++;
			if (q == p)
				return 0;
			if (q < e && *q == '/') {
				const char *n = ++q;
				while (q < e && *q >= '0' && *q <= '9')
					q++;
				if (q == n)
					return 0;
			}
		} else {
			/* tokens, "/"-separated in proto only */
			for (;;) {
				const char *tk = q;
				while (q < e && token_char((unsigned char)*q))
					q++;
				if (q == tk)
					return 0;
				if (field != 2 || q == e || *q != '/')
					break;
				q++;
			}
		}
		field++;
		if (q == e)
			break;
		if (*q != ' ' || q + 1 == e)
			return 0;
		p = q + 1;
	}
	return field >= 4;
}

/* sofia's SDP scanner can loop allocating list items until memory runs
 * out on an m= line that breaks the grammar (found by fuzz_sdp:
 * "m=audio 4000 x;= 0", "m=audio 4000 RTP/\xac\xbeVP 0", "m=audio 4000X
 * /e/8000", "m=audio 4o\x01\x1a00"). So m= lines are held to the RFC
 * 4566 5.14 grammar, every line must start "x=", and control characters
 * and bytes >= 0x80 are let
 * through only where RFC 4566 allows free text: s=, i=, and attribute
 * values (after a=NAME:). */
static int text_ok(const char *t, size_t len)
{
	int line_start = 1, free_text = 0;
	char type = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		/* sofia ends a line at CR, LF or CRLF alike. */
		if (c == '\n' || c == '\r') {
			line_start = 1;
			continue;
		}
		if (line_start) {
			/* RFC 4566 5: <type>=<value>, type one letter, no
			 * whitespace (sofia would skip it and read a line we
			 * did not check). */
			if (c < 'a' || c > 'z' || i + 1 >= len || t[i + 1] != '=')
				return 0;
			type = (char)c;
			free_text = type == 's' || type == 'i';
			line_start = 0;
			if (type == 'm') {
				const char *e = t + i;
				while (e < t + len && *e != '\r' && *e != '\n')
					e++;
				if (!media_line_ok(t + i + 2, e))
					return 0;
			}
		} else if (type == 'a' && c == ':') {
			free_text = 1;
		}
		int odd = c >= 0x7f || (c < 0x20 && c != '\t');
		if (odd && !free_text)
			return 0;
	}
	return 1;
}

static int parse(su_home_t *home, const char *text, size_t len, sdp_session_t **out, char *err,
		 size_t errlen)
{
	if (!text || !len || len > 65536)
		return fail(err, errlen, JN_EPARSE, "empty or oversized SDP");
	if (!text_ok(text, len))
		return fail(err, errlen, JN_EPARSE,
			    "malformed SDP: an m= line or a token breaks RFC 4566");
	/* sdp_f_mode_0000: "c=IN IP4 0.0.0.0" is old-style hold
	 * (RFC 3264 8.4, RFC 2543) and folds into sendonly. */
	sdp_parser_t *p = sdp_parse(home, text, (issize_t)len, sdp_f_mode_0000);
	sdp_session_t *s = sdp_session(p);
	if (!s) {
		const char *why = sdp_parsing_error(p);
		if (err && errlen)
			snprintf(err, errlen, "malformed SDP: %s", why ? why : "?");
		return JN_EPARSE;
	}
	*out = s;
	return 0;
}

int oa_family(const char *sdp, size_t len)
{
	su_home_t *home = su_home_new(sizeof(su_home_t));
	if (!home)
		return JN_ENOMEM;
	sdp_session_t *s;
	int r = parse(home, sdp, len, &s, NULL, 0);
	if (r == 0) {
		r = JN_EPARSE;
		for (sdp_media_t *m = s->sdp_media; m; m = m->m_next) {
			if (m->m_type != sdp_media_audio)
				continue;
			sdp_connection_t *c = media_conn(m);
			if (c)
				r = c->c_addrtype == sdp_addr_ip6 ? AF_INET6 : AF_INET;
			break;
		}
	}
	su_home_unref(home);
	return r;
}

/* The remote's address and ports for a stream (RFC 3605 a=rtcp). */
static int remote_addr(const sdp_media_t *m, struct oa_result *res, char *err, size_t errlen)
{
	sdp_connection_t *c = media_conn(m);
	if (!c || !c->c_address)
		return fail(err, errlen, JN_EPARSE, "no c= line for the audio stream");
	if (c->c_nettype != sdp_net_in)
		return fail(err, errlen, JN_ENOTSUP, "network type is not IN");
	res->family = c->c_addrtype == sdp_addr_ip6 ? AF_INET6 : AF_INET;
	unsigned char bin[16];
	if (inet_pton(res->family, c->c_address, bin) != 1)
		return fail(err, errlen, JN_ENOTSUP, "c= address is not a numeric IP address");
	int unspec = res->family == AF_INET ? !memcmp(bin, "\0\0\0\0", 4)
					    : !memcmp(bin, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	res->remote_addr[0] = 0;
	if (!unspec)
		snprintf(res->remote_addr, sizeof(res->remote_addr), "%s", c->c_address);
	if (m->m_port > 65535)
		return fail(err, errlen, JN_EPARSE, "bad port");
	res->remote_port = (unsigned)m->m_port;
	res->remote_rtcp_port = res->remote_port + 1;
	sdp_attribute_t *a = sdp_attribute_find(m->m_attributes, "rtcp");
	if (a && a->a_value) {
		unsigned long p = strtoul(a->a_value, NULL, 10);
		if (p > 0 && p < 65536)
			res->remote_rtcp_port = (unsigned)p;
	}
	return 0;
}

static unsigned attr_ptime(const sdp_media_t *m, unsigned def)
{
	sdp_attribute_t *a = sdp_attribute_find(m->m_attributes, "ptime");
	if (a && a->a_value) {
		unsigned long v = strtoul(a->a_value, NULL, 10);
		if (v >= 10 && v <= 200)
			return (unsigned)v;
	}
	return def;
}

static int is_te(const sdp_rtpmap_t *rm)
{
	return rm->rm_encoding && !strcasecmp(rm->rm_encoding, "telephone-event");
}

/* The telephone-event map for the chosen codec's clock (RFC 4733 7.1.1:
 * same clock as the audio), else any. */
/* The telephone-event PT (RFC 4733 7.1.1) of m, the one at rate preferred;
 * *te_rate gets its clock rate. */
static int pick_te(const sdp_media_t *m, unsigned rate, unsigned *te_rate)
{
	int any = -1;
	*te_rate = 0;
	for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm; rm = rm->rm_next) {
		if (!is_te(rm))
			continue;
		if (rm->rm_rate == rate) {
			*te_rate = (unsigned)rm->rm_rate;
			return rm->rm_pt;
		}
		if (any < 0) {
			any = rm->rm_pt;
			*te_rate = rm->rm_rate ? (unsigned)rm->rm_rate : 8000u;
		}
	}
	return any;
}

static const media_codec_def_t *rtpmap_codec(const sdp_rtpmap_t *rm)
{
	if (!rm->rm_encoding || !*rm->rm_encoding)
		return NULL;
	const media_codec_def_t *d = media_codec_find_rate(rm->rm_encoding, (unsigned)rm->rm_rate);
	return d;
}

static void fmt_list(FILE *f, const sdp_media_t *m)
{
	int any = 0;
	for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm; rm = rm->rm_next, any = 1)
		fprintf(f, " %u", rm->rm_pt);
	if (!any) {
		for (const sdp_list_t *l = m->m_format; l; l = l->l_next, any = 1)
			fprintf(f, " %s", l->l_text);
	}
	if (!any)
		fprintf(f, " 0");
}

static void session_head(FILE *f, const struct oa_local *l)
{
	fprintf(f, "v=0\r\no=junction %llu %llu IN %s %s\r\ns=junction\r\nc=IN %s %s\r\nt=0 0\r\n",
		(unsigned long long)l->sess_id, (unsigned long long)l->sess_ver, ipver(l->family),
		l->addr, ipver(l->family), l->addr);
}

static void codec_lines(FILE *f, const media_codec_def_t *d, int pt, const char *fmtp)
{
	if (d->sdp_channels > 1)
		fprintf(f, "a=rtpmap:%d %s/%u/%u\r\n", pt, d->name, d->clock_rate, d->sdp_channels);
	else
		fprintf(f, "a=rtpmap:%d %s/%u\r\n", pt, d->name, d->clock_rate);
	if (fmtp && *fmtp)
		fprintf(f, "a=fmtp:%d %s\r\n", pt, fmtp);
}

static int close_text(FILE *f, char **buf, char **out)
{
	if (fclose(f) != 0) {
		free(*buf);
		return JN_ENOMEM;
	}
	*out = *buf;
	return 0;
}

/* ---- SDES (RFC 4568) ---- */

/* The first a=crypto line of m that parses and that accept() takes, into
 * *cr; 1, or 0 when none. *seen counts the crypto lines present. */
static int find_crypto(const sdp_media_t *m, const struct oa_local *l,
		       int (*accept)(const struct oa_local *, const struct msrtp_crypto *),
		       struct msrtp_crypto *cr, int *seen)
{
	*seen = 0;
	for (const sdp_attribute_t *a = m->m_attributes; a; a = a->a_next) {
		if (!a->a_name || strcasecmp(a->a_name, "crypto") != 0 || !a->a_value)
			continue;
		++*seen;
		/* RFC 4568 7.1.2: lines we cannot use (syntax, suite, MKI,
		 * session parameters) are skipped, not fatal. */
		if (msrtp_crypto_parse(a->a_value, cr) == 0 && accept(l, cr))
			return 1;
	}
	memset(cr, 0, sizeof(*cr));
	return 0;
}

static int any_suite(const struct oa_local *l, const struct msrtp_crypto *cr)
{
	(void)l;
	return cr->suite != MSRTP_NONE;
}

/* An answer must pick one of the lines we offered: tag N carried suite N. */
static int offered_suite(const struct oa_local *l, const struct msrtp_crypto *cr)
{
	(void)l;
	return cr->suite != MSRTP_NONE && cr->tag == (unsigned long)cr->suite;
}

/* How we, the answerer, can take offered stream m under our policy
 * (RFC 4568 7.1.2, RFC 3264 6): 1 with SDES (*cr the offerer's first usable
 * line, in its order of preference), 0 as plain RTP, -1 not at all. */
static int offer_crypto(const struct oa_local *l, const sdp_media_t *m, struct msrtp_crypto *cr,
			const char **why)
{
	int savp = m->m_proto == sdp_proto_srtp, seen;
	if (m->m_proto != sdp_proto_rtp && !savp) {
		/* RTP/SAVPF, UDP/TLS/RTP/SAVP (DTLS-SRTP) and the rest. */
		*why = "transport not supported (RTP/AVP or RTP/SAVP with SDES only)";
		return -1;
	}
	if (savp && l->srtp == MEDIA_SRTP_OFF) {
		*why = "RTP/SAVP offered but SRTP is off here";
		return -1;
	}
	if (l->srtp != MEDIA_SRTP_OFF && find_crypto(m, l, any_suite, cr, &seen))
		return 1;
	/* RTP/AVP with a=crypto lines we cannot use is still plain RTP to
	 * an offerer that made SRTP optional. */
	if (savp || l->srtp == MEDIA_SRTP_REQUIRE) {
		*why = "SRTP required but no usable a=crypto line (RFC 4568 7.1.2)";
		return -1;
	}
	return 0;
}

/* The answer to our offer: 1 SDES (*cr the line it chose), 0 plain, -1
 * unacceptable (RFC 4568 7.1.3, RFC 3264 6.1: same transport). */
static int answer_crypto(const struct oa_local *l, const sdp_media_t *m, struct msrtp_crypto *cr,
			 const char **why)
{
	int savp = m->m_proto == sdp_proto_srtp, seen = 0;
	sdp_proto_e want = l->srtp == MEDIA_SRTP_REQUIRE ? sdp_proto_srtp : sdp_proto_rtp;
	/* Lenient with a best-effort offer: an answerer that switched to
	 * RTP/SAVP but chose one of our lines is understood. */
	if (m->m_proto != want && !(l->srtp == MEDIA_SRTP_OFFER && savp)) {
		*why = "answer changed the transport";
		return -1;
	}
	if (l->srtp == MEDIA_SRTP_OFF)
		return 0;
	if (find_crypto(m, l, offered_suite, cr, &seen))
		return 1;
	if (seen || savp) {
		*why = seen ? "answer's a=crypto matches no line we offered"
			    : "RTP/SAVP answer without a=crypto";
		return -1;
	}
	return 0;
}

static void set_keys(const struct oa_local *l, const struct msrtp_crypto *cr,
		     struct oa_result *res)
{
	res->srtp.suite = cr->suite;
	memcpy(res->srtp.tx, l->srtp_key[cr->suite - 1], MSRTP_KEY_LEN);
	memcpy(res->srtp.rx, cr->key, MSRTP_KEY_LEN);
	res->srtp_tag = cr->tag;
}

/* a=crypto:TAG SUITE inline:KEY with our key for suite. */
static void crypto_line(FILE *f, const struct oa_local *l, unsigned long tag, msrtp_suite_t suite)
{
	struct msrtp_crypto c = {.tag = tag, .suite = suite};
	char line[128];
	memcpy(c.key, l->srtp_key[suite - 1], MSRTP_KEY_LEN);
	if (msrtp_crypto_format(&c, line, sizeof(line)) == 0)
		fprintf(f, "a=crypto:%s\r\n", line);
	explicit_bzero(&c, sizeof(c));
	explicit_bzero(line, sizeof(line));
}

int oa_answer(const struct oa_local *l, const char *offer, size_t len, struct oa_result *res,
	      char **answer, char *err, size_t errlen)
{
	su_home_t *home = su_home_new(sizeof(su_home_t));
	if (!home)
		return JN_ENOMEM;
	sdp_session_t *s;
	int r = parse(home, offer, len, &s, err, errlen);
	if (r)
		goto out;

	/* Pick the stream: the first audio one with a port, a transport our
	 * SRTP policy takes (offer_crypto) and a codec of ours; the codec by
	 * OUR preference order. */
	const sdp_media_t *chosen = NULL;
	const sdp_rtpmap_t *chosen_rm = NULL;
	struct msrtp_crypto cr;
	int sec = 0;
	const char *why = "no audio stream";
	for (const sdp_media_t *m = s->sdp_media; m && !chosen; m = m->m_next) {
		if (m->m_type != sdp_media_audio || m->m_port == 0)
			continue;
		sec = offer_crypto(l, m, &cr, &why);
		if (sec < 0)
			continue;
		why = "no common codec";
		for (size_t i = 0; i < l->ncodecs && !chosen; i++)
			for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm; rm = rm->rm_next)
				if (rtpmap_codec(rm) == l->codecs[i]) {
					chosen = m;
					chosen_rm = rm;
					break;
				}
	}
	if (!chosen) {
		r = fail(err, errlen, JN_ENOTSUP, why);
		goto out;
	}
	memset(res, 0, sizeof(*res));
	r = remote_addr(chosen, res, err, errlen);
	if (r)
		goto out;
	if (res->family != l->family) {
		r = fail(err, errlen, JN_ENOTSUP, "address family differs from the session's");
		goto out;
	}
	res->codec = rtpmap_codec(chosen_rm);
	res->pt = chosen_rm->rm_pt;
	if (sec)
		set_keys(l, &cr, res);
	snprintf(res->fmtp, sizeof(res->fmtp), "%s", chosen_rm->rm_fmtp ? chosen_rm->rm_fmtp : "");
	res->te_pt =
	    l->telephone_event ? pick_te(chosen, res->codec->clock_rate, &res->te_rate) : -1;
	res->ptime = attr_ptime(chosen, l->ptime);
	res->remote_dir = mode_dir(chosen->m_mode);
	/* RFC 3264 6.1: sendonly is answered recvonly (or inactive), recvonly
	 * sendonly, inactive inactive; and we never promise more than our own
	 * direction. */
	res->local_dir = (media_dir_t)(reverse_dir(res->remote_dir) & l->dir);
	if (!res->remote_addr[0])
		res->remote_dir = (media_dir_t)(res->remote_dir & MEDIA_SENDONLY);

	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	if (!f) {
		r = JN_ENOMEM;
		goto out;
	}
	session_head(f, l);
	for (const sdp_media_t *m = s->sdp_media; m; m = m->m_next) {
		if (m != chosen) {
			/* RFC 3264 6: a rejected stream keeps its place, port 0. */
			fprintf(f, "m=%s 0 %s", m->m_type_name ? m->m_type_name : "audio",
				m->m_proto_name ? m->m_proto_name : "RTP/AVP");
			fmt_list(f, m);
			fprintf(f, "\r\n");
			continue;
		}
		/* RFC 4568 7.1.2: the offer's transport, one crypto line with
		 * the tag and suite we took and our own key. */
		fprintf(f, "m=audio %u %s %d", l->port,
			m->m_proto == sdp_proto_srtp ? "RTP/SAVP" : "RTP/AVP", res->pt);
		if (res->te_pt >= 0)
			fprintf(f, " %d", res->te_pt);
		fprintf(f, "\r\n");
		codec_lines(f, res->codec, res->pt, res->codec->fmtp);
		if (res->te_pt >= 0) {
			const sdp_rtpmap_t *te = NULL;
			for (te = m->m_rtpmaps; te && (int)te->rm_pt != res->te_pt; te = te->rm_next)
				;
			fprintf(f, "a=rtpmap:%d telephone-event/%lu\r\na=fmtp:%d 0-16\r\n", res->te_pt,
				te ? te->rm_rate : 8000ul, res->te_pt);
		}
		if (sec)
			crypto_line(f, l, cr.tag, cr.suite);
		fprintf(f, "a=ptime:%u\r\na=%s\r\n", l->ptime, dir_attr(res->local_dir));
	}
	r = close_text(f, &buf, answer);
out:
	explicit_bzero(&cr, sizeof(cr));
	su_home_unref(home);
	return r;
}

int oa_offer(const struct oa_local *l, char **offer)
{
	if (!l->ncodecs)
		return JN_EINVAL;
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	if (!f)
		return JN_ENOMEM;
	session_head(f, l);
	/* REQUIRE: RTP/SAVP (RFC 4568 3.1); OFFER: best-effort SRTP, RTP/AVP
	 * with a=crypto, which an answerer without SRTP answers plain. */
	fprintf(f, "m=audio %u %s", l->port,
		l->srtp == MEDIA_SRTP_REQUIRE ? "RTP/SAVP" : "RTP/AVP");
	for (size_t i = 0; i < l->ncodecs; i++)
		fprintf(f, " %d", l->codecs[i]->default_pt);
	if (l->telephone_event)
		fprintf(f, " %d", OA_TE_PT);
	fprintf(f, "\r\n");
	for (size_t i = 0; i < l->ncodecs; i++)
		codec_lines(f, l->codecs[i], l->codecs[i]->default_pt, l->codecs[i]->fmtp);
	if (l->telephone_event)
		fprintf(f, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n", OA_TE_PT,
			OA_TE_PT);
	/* Every suite we have, best first; tag N carries suite N. */
	for (int i = 1; l->srtp != MEDIA_SRTP_OFF && i <= MSRTP_NSUITES; i++)
		crypto_line(f, l, (unsigned long)i, (msrtp_suite_t)i);
	fprintf(f, "a=ptime:%u\r\na=%s\r\n", l->ptime, dir_attr(l->dir));
	return close_text(f, &buf, offer);
}

int oa_apply_answer(const struct oa_local *l, const char *answer, size_t len,
		    struct oa_result *res, char *err, size_t errlen)
{
	su_home_t *home = su_home_new(sizeof(su_home_t));
	if (!home)
		return JN_ENOMEM;
	sdp_session_t *s;
	int r = parse(home, answer, len, &s, err, errlen);
	if (r)
		goto out;
	/* Our offer has exactly one m= line (RFC 3264 6: same count). */
	const sdp_media_t *m = s->sdp_media;
	if (!m || m->m_next) {
		r = fail(err, errlen, JN_EPARSE, "answer must have exactly one m= line");
		goto out;
	}
	if (m->m_type != sdp_media_audio || m->m_port == 0) {
		r = fail(err, errlen, JN_ENOTSUP, "audio stream rejected");
		goto out;
	}
	struct msrtp_crypto cr;
	const char *why = "";
	int sec = answer_crypto(l, m, &cr, &why);
	if (sec < 0) {
		r = fail(err, errlen, JN_ENOTSUP, why);
		goto out;
	}
	/* RFC 3264 6.1: the first format of the answer that we offered. */
	const sdp_rtpmap_t *pick = NULL;
	for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm && !pick; rm = rm->rm_next) {
		const media_codec_def_t *d = rtpmap_codec(rm);
		for (size_t i = 0; d && i < l->ncodecs; i++)
			if (l->codecs[i] == d)
				pick = rm;
	}
	if (!pick) {
		r = fail(err, errlen, JN_ENOTSUP, "answer has no codec we offered");
		goto out;
	}
	memset(res, 0, sizeof(*res));
	r = remote_addr(m, res, err, errlen);
	if (r)
		goto out;
	if (res->family != l->family) {
		r = fail(err, errlen, JN_ENOTSUP, "address family differs from the session's");
		goto out;
	}
	res->codec = rtpmap_codec(pick);
	res->pt = pick->rm_pt;
	snprintf(res->fmtp, sizeof(res->fmtp), "%s", pick->rm_fmtp ? pick->rm_fmtp : "");
	res->te_pt = l->telephone_event ? pick_te(m, res->codec->clock_rate, &res->te_rate) : -1;
	res->ptime = attr_ptime(m, l->ptime);
	res->remote_dir = mode_dir(m->m_mode);
	if (!res->remote_addr[0])
		res->remote_dir = (media_dir_t)(res->remote_dir & MEDIA_SENDONLY);
	res->local_dir = (media_dir_t)(reverse_dir(res->remote_dir) & l->dir);
	if (sec)
		set_keys(l, &cr, res);
	explicit_bzero(&cr, sizeof(cr));
out:
	su_home_unref(home);
	return r;
}
