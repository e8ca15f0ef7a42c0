/* save.c - REGISTER processing, RFC 3261 section 10.3 step by step, with
 * Path (RFC 3327) and +sip.instance/reg-id (RFC 5626 section 6). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "registrar.h"

/* One Contact of the REGISTER after validation (pass 1). */
struct pending {
	sip_contact_t *m;
	const char *uri; /* as text, in the message's home */
	const char *instance;
	int reg_id;
	int q;
	int64_t expires;
	struct loc_binding *match; /* existing binding it updates, or NULL */
};

/* A growable text buffer for the response headers. */
struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) JN_PRINTF(2, 3);
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)n;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

int reg_aor_from_text(const char *text, char *buf, size_t size)
{
	if (!text)
		return JN_EINVAL;
	if (strncasecmp(text, "sip:", 4) == 0)
		text += 4;
	else if (strncasecmp(text, "sips:", 5) == 0)
		text += 5;
	const char *at = strchr(text, '@');
	if (!at || at == text)
		return JN_EINVAL;
	char user[REG_AOR_MAX];
	size_t ul = (size_t)(at - text);
	if (ul >= sizeof(user))
		return JN_ERANGE;
	memcpy(user, text, ul);
	user[ul] = '\0';
	/* The host ends at a port, parameter or header. */
	char host[REG_AOR_MAX];
	size_t hl = strcspn(at + 1, ":;?>");
	if (hl == 0 || hl >= sizeof(host))
		return JN_EINVAL;
	memcpy(host, at + 1, hl);
	host[hl] = '\0';
	return loc_make_aor(buf, size, user, reg.domain ? reg.domain : host);
}

int reg_msg_aor(jn_msg_t *msg, int use_to, char *buf, size_t size)
{
	sip_t *sip = jn_msg_sofia_sip(msg);
	const url_t *u = NULL;
	if (use_to)
		u = sip->sip_to ? sip->sip_to->a_url : NULL;
	else
		u = sip->sip_request ? sip->sip_request->rq_url : NULL;
	if (!u || (u->url_type != url_sip && u->url_type != url_sips) || !u->url_user ||
	    !*u->url_user || !u->url_host)
		return JN_EINVAL;
	return loc_make_aor(buf, size, u->url_user, reg.domain ? reg.domain : u->url_host);
}

/* ---- parsing helpers ----------------------------------------------------- */

static int parse_uint(const char *s, int64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v > 0xffffffffULL ? 0xffffffffLL : (int64_t)v;
	return 0;
}

/* "0.5" -> 500; -1 when malformed (RFC 3261 25.1 qvalue). */
static int parse_q(const char *s)
{
	if (!s)
		return 1000;
	if (s[0] == '1') {
		if (!s[1])
			return 1000;
		if (s[1] != '.')
			return -1;
		for (const char *p = s + 2; *p; p++)
			if (*p != '0' || p - s > 4)
				return -1;
		return 1000;
	}
	if (s[0] != '0')
		return -1;
	if (!s[1])
		return 0;
	if (s[1] != '.')
		return -1;
	int v = 0, digits = 0;
	for (const char *p = s + 2; *p; p++) {
		if (!isdigit((unsigned char)*p) || ++digits > 3)
			return -1;
		v = v * 10 + (*p - '0');
	}
	while (digits++ < 3)
		v *= 10;
	return v;
}

static int has_option(const msg_list_t *l, const char *opt)
{
	for (; l; l = l->k_next)
		for (msg_param_t const *p = l->k_items; p && *p; p++)
			if (strcasecmp(*p, opt) == 0)
				return 1;
	return 0;
}

/* RFC 3261 10.3 item 2 / 8.2.2.3: the first Require option we do not know. */
static const char *unsupported_require(const sip_t *sip)
{
	for (const msg_list_t *l = sip->sip_require; l; l = l->k_next)
		for (msg_param_t const *p = l->k_items; p && *p; p++)
			if (strcasecmp(*p, "path") != 0 && strcasecmp(*p, "outbound") != 0)
				return *p;
	return NULL;
}

/* Path header values joined with ", " (in home). NULL when none. */
static char *join_path(su_home_t *home, const sip_t *sip)
{
	char *out = NULL;
	for (const sip_path_t *p = sip->sip_path; p; p = p->r_next) {
		char *one = sip_header_as_string(home, (const sip_header_t *)p);
		if (!one)
			return NULL;
		out = out ? su_sprintf(home, "%s, %s", out, one) : one;
	}
	return out;
}

/* "sip:1.2.3.4:5060;transport=tcp" for the message's source. */
static char *source_uri(su_home_t *home, jn_msg_t *msg)
{
	const char *ip = jn_msg_src_ip(msg), *proto = jn_msg_proto(msg);
	if (!ip || !*ip)
		return NULL;
	int v6 = strchr(ip, ':') != NULL;
	return su_sprintf(home, "sip:%s%s%s:%u%s%s", v6 ? "[" : "", ip, v6 ? "]" : "",
	                  jn_msg_src_port(msg), strcmp(proto, "udp") ? ";transport=" : "",
	                  strcmp(proto, "udp") ? proto : "");
}

/* Whether the Contact points where the REGISTER came from. */
static int contact_is_source(const url_t *u, jn_msg_t *msg)
{
	const char *ip = jn_msg_src_ip(msg);
	const char *h = u->url_host;
	char buf[64];
	if (h && h[0] == '[') {
		size_t n = strcspn(h + 1, "]");
		if (n >= sizeof(buf))
			return 0;
		memcpy(buf, h + 1, n);
		buf[n] = '\0';
		h = buf;
	}
	if (!h || strcasecmp(h, ip) != 0)
		return 0;
	unsigned port =
	    u->url_port ? (unsigned)atoi(u->url_port) : (u->url_type == url_sips ? 5061 : 5060);
	return port == jn_msg_src_port(msg);
}

static int proto_of(jn_msg_t *msg)
{
	const char *p = jn_msg_proto(msg);
	return strcmp(p, "tcp") == 0 ? LOC_TCP : strcmp(p, "tls") == 0 ? LOC_TLS : LOC_UDP;
}

static struct loc_binding *find_match(su_home_t *home, struct loc_aor *a, const url_t *u,
                                      const char *instance, int reg_id)
{
	if (!a)
		return NULL;
	for (struct loc_binding *b = a->bindings; b; b = b->next) {
		if (instance) {
			/* RFC 5626 6: the flow is identified by instance + reg-id. */
			if (b->instance && strcmp(b->instance, instance) == 0 &&
			    b->reg_id == reg_id)
				return b;
			continue;
		}
		if (b->instance && b->reg_id)
			continue;
		url_t *bu = url_make(home, b->contact);
		if (bu && url_cmp(bu, u) == 0)
			return b;
	}
	return NULL;
}

static void format_date(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* The 200's headers: every live binding with its expires (10.3 item 8). */
static void list_bindings(struct sbuf *sb, struct loc_aor *a, int64_t now)
{
	for (struct loc_binding *b = a ? a->bindings : NULL; b; b = b->next) {
		int64_t left = (b->expires_ms - now + 999) / 1000;
		if (left <= 0)
			continue;
		sb_printf(sb, "Contact: <%s>;expires=%lld", b->contact, (long long)left);
		if (b->q != 1000)
			sb_printf(sb, ";q=%d.%03d", b->q / 1000, b->q % 1000);
		if (b->instance)
			sb_printf(sb, ";+sip.instance=%s", b->instance);
		if (b->reg_id)
			sb_printf(sb, ";reg-id=%d", b->reg_id);
		sb_printf(sb, "\r\n");
	}
}

int reg_save(jn_msg_t *msg, int *status, const char **reason, char **headers)
{
	sip_t *sip = jn_msg_sofia_sip(msg);
	su_home_t *home = msg_home((msg_t *)jn_msg_sofia_msg(msg));
	struct sbuf sb = {0};
	struct pending *pend = NULL;
	char aor_name[REG_AOR_MAX] = "";
	struct loc_aor *aor = NULL;
	int64_t now = (int64_t)jn_now_ms();
	int rc = 0;

	*headers = NULL;
	*status = 500;
	*reason = NULL;
	if (!sip->sip_request || sip->sip_request->rq_method != sip_method_register) {
		*status = 400;
		*reason = "Not A REGISTER";
		goto out;
	}
	/* 10.3 item 2: unknown Require options. */
	const char *unk = unsupported_require(sip);
	if (unk) {
		*status = 420;
		sb_printf(&sb, "Unsupported: %s\r\n", unk);
		goto out;
	}
	/* 10.3 item 3: the To header holds the address-of-record. */
	if (!sip->sip_to || !sip->sip_call_id || !sip->sip_cseq) {
		*status = 400;
		*reason = "Missing To, Call-ID or CSeq";
		goto out;
	}
	const url_t *to = sip->sip_to->a_url;
	if (to->url_type != url_sip && to->url_type != url_sips) {
		*status = 400;
		*reason = "Bad To URI";
		goto out;
	}
	if (reg_msg_aor(msg, 1, aor_name, sizeof(aor_name)) < 0) {
		*status = 404;
		*reason = "Not Found";
		goto out;
	}
	aor = loc_aor_find(aor_name);
	const char *call_id = sip->sip_call_id->i_id;
	uint32_t cseq = sip->sip_cseq->cs_seq;

	/* 10.3 item 6: Contact: * */
	int wildcard = 0, ncontacts = 0;
	for (sip_contact_t *m = sip->sip_contact; m; m = m->m_next) {
		if (m->m_url->url_type == url_any)
			wildcard = 1;
		ncontacts++;
	}
	if (wildcard) {
		if (ncontacts != 1 || !sip->sip_expires || sip->sip_expires->ex_delta != 0) {
			*status = 400;
			*reason = "Wildcard Contact Needs Expires 0";
			goto out;
		}
		/* Same Call-ID with a lower CSeq aborts the whole request
		 * (10.3 item 6). An equal one cannot be: the bindings it
		 * names were removed by its first copy. */
		for (struct loc_binding *b = aor ? aor->bindings : NULL; b; b = b->next) {
			if (strcmp(b->call_id, call_id) == 0 && cseq < b->cseq) {
				*status = 500;
				*reason = "Out Of Order";
				goto out;
			}
		}
		if (aor)
			loc_aor_clear(aor);
		reg.saved++;
		*status = 200;
		char date[64];
		format_date(date, sizeof(date));
		sb_printf(&sb, "Date: %s\r\n", date);
		goto out;
	}

	/* Pass 1 (10.3 items 5 and 7): validate every contact before changing
	 * anything, so the update is all or nothing. */
	if (ncontacts) {
		pend = calloc((size_t)ncontacts, sizeof(*pend));
		if (!pend) {
			rc = JN_ENOMEM;
			goto out;
		}
	}
	int64_t hdr_expires =
	    sip->sip_expires ? (int64_t)sip->sip_expires->ex_delta : reg.default_expires;
	int n = 0, adds = 0, removes = 0;
	for (sip_contact_t *m = sip->sip_contact; m; m = m->m_next, n++) {
		struct pending *p = &pend[n];
		p->m = m;
		if ((m->m_url->url_type != url_sip && m->m_url->url_type != url_sips &&
		     m->m_url->url_type != url_tel) ||
		    (m->m_url->url_type != url_tel && !m->m_url->url_host)) {
			*status = 400;
			*reason = "Bad Contact URI";
			goto out;
		}
		p->expires = hdr_expires;
		if (m->m_expires && parse_uint(m->m_expires, &p->expires) < 0) {
			*status = 400;
			*reason = "Bad Contact Expires";
			goto out;
		}
		if (p->expires != 0 && p->expires < reg.min_expires) {
			*status = 423;
			sb_printf(&sb, "Min-Expires: %lld\r\n", (long long)reg.min_expires);
			goto out;
		}
		if (p->expires > reg.max_expires)
			p->expires = reg.max_expires;
		p->q = parse_q(m->m_q);
		if (p->q < 0) {
			*status = 400;
			*reason = "Bad Contact q-value";
			goto out;
		}
		p->instance = msg_params_find(m->m_params, "+sip.instance=");
		const char *rid = msg_params_find(m->m_params, "reg-id=");
		int64_t rv = 0;
		if (rid && (parse_uint(rid, &rv) < 0 || rv < 1 || rv > 0x7fffffff)) {
			*status = 400;
			*reason = "Bad reg-id";
			goto out;
		}
		p->reg_id = (int)rv;
		if (p->reg_id && !p->instance) {
			*status = 400;
			*reason = "reg-id Without +sip.instance";
			goto out;
		}
		p->uri = url_as_string(home, m->m_url);
		if (!p->uri) {
			rc = JN_ENOMEM;
			goto out;
		}
		p->match = find_match(home, aor, m->m_url, p->instance, p->reg_id);
		/* Two contacts of this REGISTER naming the same binding: the
		 * later one wins. */
		for (int j = 0; j < n; j++) {
			int same =
			    p->instance
			        ? (pend[j].instance && strcmp(pend[j].instance, p->instance) == 0 &&
			           pend[j].reg_id == p->reg_id)
			        : (!pend[j].instance && url_cmp(pend[j].m->m_url, m->m_url) == 0);
			if (same)
				pend[j].expires = -1;
		}
		if (p->match && strcmp(p->match->call_id, call_id) == 0 && cseq <= p->match->cseq) {
			if (cseq == p->match->cseq) {
				/* A retransmission of the REGISTER that made this
				 * binding (the answer is stateless): leave it as it
				 * is and answer again. */
				p->expires = -1;
				continue;
			}
			*status = 500;
			*reason = "Out Of Order";
			goto out;
		}
	}
	for (int i = 0; i < n; i++) {
		if (pend[i].expires < 0)
			continue;
		if (pend[i].expires == 0)
			removes += pend[i].match != NULL;
		else if (!pend[i].match)
			adds++;
	}
	if (reg.max_contacts > 0 && n > 0 &&
	    (int64_t)(aor ? aor->nbind : 0) - removes + adds > reg.max_contacts) {
		*status = 403;
		*reason = "Too Many Registered Contacts";
		goto out;
	}

	/* Pass 2: commit, additions and refreshes first so that the AOR is not
	 * freed under them by a removal. */
	if (n > 0 && !aor && adds > 0) {
		aor = loc_aor_get(aor_name);
		if (!aor) {
			rc = JN_ENOMEM;
			goto out;
		}
	}
	const char *path = join_path(home, sip);
	int nated = reg_is_nated(msg);
	const char *src = NULL;
	for (int i = 0; i < n; i++) {
		struct pending *p = &pend[i];
		if (p->expires <= 0)
			continue;
		const char *received = NULL;
		if (nated || (reg.use_received && !contact_is_source(p->m->m_url, msg))) {
			if (!src)
				src = source_uri(home, msg);
			received = src;
		}
		struct loc_info in = {
		    .contact = p->uri,
		    .call_id = call_id,
		    .path = path,
		    .received = received,
		    .instance = p->instance,
		    .user_agent = sip->sip_user_agent ? sip->sip_user_agent->g_string : NULL,
		    .cseq = cseq,
		    .q = p->q,
		    .reg_id = p->reg_id,
		    .proto = proto_of(msg),
		    .nated = nated,
		    .expires_ms = now + p->expires * 1000,
		    .updated_ms = now,
		};
		struct loc_binding *b = loc_binding_new(&in);
		if (!b) {
			rc = JN_ENOMEM;
			goto out;
		}
		loc_binding_link(aor, b, p->match);
	}
	for (int i = 0; i < n; i++)
		if (pend[i].expires == 0 && pend[i].match)
			loc_binding_remove(pend[i].match);
	aor = loc_aor_find(aor_name);
	reg.saved++;

	/* 10.3 item 8: 200 with every current binding, Date, and Path echoed
	 * when the UA supports it (RFC 3327 5.3). */
	*status = 200;
	list_bindings(&sb, aor, now);
	if (path && has_option(sip->sip_supported, "path"))
		sb_printf(&sb, "Path: %s\r\n", path);
	char date[64];
	format_date(date, sizeof(date));
	sb_printf(&sb, "Date: %s\r\n", date);
out:
	if (aor_name[0] && (aor = loc_aor_find(aor_name)) && !aor->bindings)
		loc_aor_release(aor);
	free(pend);
	if (sb.oom) {
		free(sb.s);
		return JN_ENOMEM;
	}
	if (rc < 0) {
		free(sb.s);
		return rc;
	}
	*headers = sb.s;
	return 0;
}
