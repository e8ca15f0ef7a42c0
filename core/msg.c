/* msg.c - the SDK's view of a SIP message (jn_msg_*), on sofia-sip. */
#include "msg.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/url.h>

#include "log.h"
#include "loop.h"
#include "script/script.h"
#include "sip.h"

/* TLS arrives as TCP in msg_addrinfo(); the transport that delivered
 * the message (known while it is being delivered) tells them apart. */
static int msg_is_tls(msg_t *m)
{
	nta_agent_t *agent = sipcore_agent();
	tport_t *tp = agent ? nta_incoming_transport(agent, NULL, m) : NULL;
	int tls = tp && tport_has_tls(tp);
	tport_unref(tp);
	return tls;
}

jn_msg_t *jnmsg_wrap(msg_t *m, sip_t *sip)
{
	jn_msg_t *jm = calloc(1, sizeof(*jm));
	if (!jm)
		return NULL;
	jm->refs = 1;
	jm->msg = m;
	jm->sip = sip;
	jm->is_request = sip->sip_request != NULL;
	jm->proto = "udp";
	su_addrinfo_t *ai = msg_addrinfo(m);
	if (ai && ai->ai_addr) {
		if (ai->ai_protocol == IPPROTO_TCP)
			jm->proto = msg_is_tls(m) ? "tls" : "tcp";
		if (ai->ai_addr->sa_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)ai->ai_addr;
			inet_ntop(AF_INET, &a->sin_addr, jm->src_ip, sizeof(jm->src_ip));
			jm->src_port = ntohs(a->sin_port);
		} else if (ai->ai_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)ai->ai_addr;
			inet_ntop(AF_INET6, &a->sin6_addr, jm->src_ip, sizeof(jm->src_ip));
			jm->src_port = ntohs(a->sin6_port);
		}
	}
	return jm;
}

JN_API jn_msg_t *jn_msg_ref(jn_msg_t *msg)
{
	if (msg)
		msg->refs++;
	return msg;
}

/* One module's pointer on a message (jn_msg_set_data). */
struct jnmsg_data {
	struct jnmsg_data *next;
	const void *key;
	void *value;
	void (*free_fn)(void *value);
};

JN_API int jn_msg_set_data(jn_msg_t *msg, const void *key, void *value,
			   void (*free_fn)(void *value))
{
	if (!msg || !key)
		return JN_EINVAL;
	struct jnmsg_data **pp = &msg->data;
	while (*pp && (*pp)->key != key)
		pp = &(*pp)->next;
	struct jnmsg_data *d = *pp;
	if (d) {
		if (d->free_fn && d->value && d->value != value)
			d->free_fn(d->value);
		if (!value) {
			*pp = d->next;
			free(d);
			return 0;
		}
	} else {
		if (!value)
			return 0;
		d = calloc(1, sizeof(*d));
		if (!d)
			return JN_ENOMEM;
		d->key = key;
		*pp = d;
	}
	d->value = value;
	d->free_fn = free_fn;
	return 0;
}

JN_API void *jn_msg_data(const jn_msg_t *msg, const void *key)
{
	for (const struct jnmsg_data *d = msg ? msg->data : NULL; d; d = d->next)
		if (d->key == key)
			return d->value;
	return NULL;
}

JN_API void jn_msg_unref(jn_msg_t *msg)
{
	if (!msg || --msg->refs > 0)
		return;
	while (msg->data) {
		/* First, while the message is still whole: a free_fn may read it. */
		struct jnmsg_data *d = msg->data;
		msg->data = d->next;
		if (d->free_fn && d->value)
			d->free_fn(d->value);
		free(d);
	}
	if (msg->irq)
		nta_incoming_destroy(msg->irq);
	if (msg->script)
		script_unref(msg->script);
	free(msg->branches);
	msg_destroy(msg->msg);
	free(msg);
}

int jnmsg_ensure_irq(jn_msg_t *jm)
{
	if (jm->irq)
		return 0;
	if (!jm->is_request)
		return -1;
	/* nta_incoming_create takes a reference of its own. */
	msg_t *m = msg_ref_create(jm->msg);
	jm->irq = nta_incoming_create(sipcore_agent(), NULL, m, jm->sip, TAG_END());
	if (!jm->irq) {
		msg_destroy(m);
		return -1;
	}
	return 0;
}

JN_API int jn_msg_is_request(const jn_msg_t *msg)
{
	return msg->is_request;
}

JN_API const char *jn_msg_method(const jn_msg_t *msg)
{
	if (msg->sip->sip_request)
		return msg->sip->sip_request->rq_method_name;
	return msg->sip->sip_cseq ? msg->sip->sip_cseq->cs_method_name : NULL;
}

JN_API int jn_msg_status(const jn_msg_t *msg)
{
	return msg->sip->sip_status ? msg->sip->sip_status->st_status : 0;
}

JN_API const char *jn_msg_reason(const jn_msg_t *msg)
{
	return msg->sip->sip_status ? msg->sip->sip_status->st_phrase : NULL;
}

JN_API const char *jn_msg_call_id(const jn_msg_t *msg)
{
	return msg->sip->sip_call_id ? msg->sip->sip_call_id->i_id : NULL;
}

JN_API uint32_t jn_msg_cseq(const jn_msg_t *msg)
{
	return msg->sip->sip_cseq ? msg->sip->sip_cseq->cs_seq : 0;
}

JN_API const char *jn_msg_ruri(jn_msg_t *msg)
{
	if (!msg->sip->sip_request)
		return NULL;
	if (!msg->ruri_text)
		msg->ruri_text = url_as_string(msg_home(msg->msg), msg->sip->sip_request->rq_url);
	return msg->ruri_text;
}

static int set_request_url(jn_msg_t *msg, const url_t *url)
{
	sip_request_t *rq = msg->sip->sip_request;
	sip_request_t *nrq = sip_request_create(msg_home(msg->msg), rq->rq_method,
						rq->rq_method_name, (url_string_t const *)url, NULL);
	if (!nrq)
		return JN_ENOMEM;
	if (msg_header_insert(msg->msg, (msg_pub_t *)msg->sip, (msg_header_t *)nrq) < 0)
		return JN_ENOMEM;
	msg->ruri_text = NULL;
	return 0;
}

static url_t *parse_uri(jn_msg_t *msg, const char *uri)
{
	/* url_make, not URL_STRING_MAKE(uri)->us_url: the latter reads a
	 * union through a pointer that need not be aligned for it. */
	url_t *u = url_make(msg_home(msg->msg), uri);
	if (!u || u->url_type == url_invalid || u->url_type == url_unknown || !u->url_host)
		return NULL;
	return u;
}

JN_API int jn_msg_set_ruri(jn_msg_t *msg, const char *uri)
{
	if (!msg->sip->sip_request)
		return JN_ESTATE;
	url_t *u = parse_uri(msg, uri);
	if (!u)
		return JN_EINVAL;
	return set_request_url(msg, u);
}

/* The name a header goes by in the chain, or NULL for the request/status
 * line, separator and payload. */
static const char *hdr_name(const msg_header_t *h, const char **shortname)
{
	const msg_hclass_t *hc = h->sh_class;
	*shortname = NULL;
	if (hc->hc_hash == msg_unknown_hash)
		return h->sh_unknown->un_name;
	if (hc->hc_hash < 0 || !hc->hc_name || !hc->hc_name[0])
		return NULL;
	*shortname = hc->hc_short;
	return hc->hc_name;
}

static int hdr_match(const msg_header_t *h, const char *name)
{
	const char *sn;
	const char *n = hdr_name(h, &sn);
	if (!n)
		return 0;
	if (strcasecmp(n, name) == 0)
		return 1;
	return sn && sn[0] && !sn[1] && !name[1] && (sn[0] | 0x20) == (name[0] | 0x20);
}

/* The value of a parsed header as text. sofia's sip_header_as_string()
 * loses the last parameter of long list headers (an Authorization of
 * more than 256 bytes ends in ", "), so encode into a buffer sized from
 * what the encoder asks for. */
static const char *header_value(jn_msg_t *msg, const msg_header_t *h)
{
	char small[512];
	issize_t n = msg_header_field_e(small, sizeof(small), h, 0);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(small))
		return su_strndup(msg_home(msg->msg), small, (isize_t)n);
	char *big = su_alloc(msg_home(msg->msg), (isize_t)n + 1);
	if (!big || msg_header_field_e(big, n + 1, h, 0) != n)
		return NULL;
	big[n] = 0;
	return big;
}

JN_API const char *jn_msg_header(jn_msg_t *msg, const char *name, unsigned index)
{
	msg_header_t **head = msg_chain_head(msg->msg);
	if (!head || !name || !*name)
		return NULL;
	for (msg_header_t *h = *head; h; h = h->sh_succ) {
		if (!hdr_match(h, name))
			continue;
		if (index-- > 0)
			continue;
		if (h->sh_class->hc_hash == msg_unknown_hash)
			return h->sh_unknown->un_value;
		return header_value(msg, h);
	}
	return NULL;
}

JN_API int jn_msg_header_add(jn_msg_t *msg, const char *name, const char *value)
{
	if (!name || !*name || !value || strpbrk(name, ": \t\r\n") || strpbrk(value, "\r\n"))
		return JN_EINVAL;
	char *line = su_sprintf(msg_home(msg->msg), "%s: %s", name, value);
	if (!line)
		return JN_ENOMEM;
	if (sip_add_tl(msg->msg, msg->sip, SIPTAG_HEADER_STR(line), TAG_END()) < 0)
		return JN_EINVAL;
	return 0;
}

JN_API int jn_msg_header_remove(jn_msg_t *msg, const char *name)
{
	msg_header_t **head = msg_chain_head(msg->msg);
	int removed = 0;
	if (!head || !name)
		return 0;
	for (;;) {
		msg_header_t *h;
		for (h = *head; h; h = h->sh_succ)
			if (hdr_match(h, name))
				break;
		if (!h)
			break;
		if (msg_header_remove(msg->msg, (msg_pub_t *)msg->sip, h) < 0)
			break;
		removed++;
	}
	return removed;
}

JN_API const char *jn_msg_body(const jn_msg_t *msg, size_t *len)
{
	sip_payload_t *pl = msg->sip->sip_payload;
	if (len)
		*len = pl ? pl->pl_len : 0;
	return pl ? pl->pl_data : NULL;
}

JN_API const char *jn_msg_src_ip(const jn_msg_t *msg)
{
	return msg->src_ip;
}

JN_API unsigned jn_msg_src_port(const jn_msg_t *msg)
{
	return msg->src_port;
}

JN_API const char *jn_msg_proto(const jn_msg_t *msg)
{
	return msg->proto;
}

JN_API void *jn_msg_sofia_msg(jn_msg_t *msg)
{
	return msg->msg;
}

JN_API void *jn_msg_sofia_sip(jn_msg_t *msg)
{
	return msg->sip;
}

JN_API void *jn_sip_agent(void)
{
	return sipcore_agent();
}

JN_API void *jn_sip_root(void)
{
	return loop_root();
}

JN_API const char *jn_sip_resolv_conf(void)
{
	return sipcore_resolv_conf();
}

JN_API jn_msg_t *jn_msg_wrap_sofia(void *sofia_msg, jn_msg_t *origin)
{
	msg_t *m = sofia_msg;
	sip_t *sip = m ? sip_object(m) : NULL;
	if (!sip || (!sip->sip_request && !sip->sip_status)) {
		msg_destroy(m);
		return NULL;
	}
	jn_msg_t *jm = jnmsg_wrap(m, sip);
	if (!jm) {
		msg_destroy(m);
		return NULL;
	}
	if (origin) {
		if (!jm->src_ip[0]) {
			memcpy(jm->src_ip, origin->src_ip, sizeof(jm->src_ip));
			jm->src_port = origin->src_port;
			jm->proto = origin->proto;
		}
		if (origin->script) {
			jm->script = origin->script;
			script_ref(jm->script);
		}
	}
	return jm;
}

JN_API int jn_msg_reply(jn_msg_t *msg, int status, const char *reason, const char *extra)
{
	if (!msg->is_request)
		return JN_ESTATE;
	if (status < 100 || status > 699)
		return JN_ERANGE;
	if (msg->sip->sip_request->rq_method == sip_method_ack)
		return JN_ESTATE; /* an ACK is never answered */
	if (msg->status_sent >= 200 || msg->forwarded)
		return JN_ESTATE;
	if (jnmsg_ensure_irq(msg) != 0)
		return JN_ENOMEM;
	if (!reason || !*reason)
		reason = sip_status_phrase(status);
	if (!reason)
		reason = status < 200 ? "Progress" : "Unknown";
	if (status > 100 && !(msg->sip->sip_to && msg->sip->sip_to->a_tag))
		nta_incoming_tag(msg->irq, NULL);
	int r = nta_incoming_treply(msg->irq, status, reason,
				    TAG_IF(extra && *extra, SIPTAG_HEADER_STR(extra)),
				    SIPTAG_SERVER_STR(sipcore_user_agent()), TAG_END());
	if (r < 0)
		return JN_EINVAL;
	if (status > msg->status_sent)
		msg->status_sent = status;
	return 0;
}

JN_API int jn_msg_reply_stateless(jn_msg_t *msg, int status, const char *reason,
				  const char *extra)
{
	if (msg->irq)
		return jn_msg_reply(msg, status, reason, extra);
	if (!msg->is_request || msg->sip->sip_request->rq_method == sip_method_ack)
		return JN_ESTATE;
	if (status < 100 || status > 699)
		return JN_ERANGE;
	if (msg->status_sent >= 200 || msg->forwarded)
		return JN_ESTATE;
	if (!reason || !*reason)
		reason = sip_status_phrase(status);
	if (!reason)
		reason = status < 200 ? "Progress" : "Unknown";
	/* A To tag derived from the request, so a retransmission gets the same
	 * one (RFC 3261 8.2.6.2). */
	char tag[24] = "";
	if (status > 100 && !(msg->sip->sip_to && msg->sip->sip_to->a_tag)) {
		const char *b = msg->sip->sip_via ? msg->sip->sip_via->v_branch : NULL;
		uint32_t h = 2166136261u;
		for (const char *p = b ? b : jn_msg_call_id(msg); p && *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		snprintf(tag, sizeof(tag), "jn%08x", h);
	}
	sip_to_t *to = NULL;
	if (tag[0]) {
		to = sip_to_dup(msg_home(msg->msg), msg->sip->sip_to);
		if (!to || sip_to_tag(msg_home(msg->msg), to, tag) < 0)
			return JN_ENOMEM;
	}
	msg_t *m = msg_ref_create(msg->msg);
	int r = nta_msg_treply(sipcore_agent(), m, status, reason, TAG_IF(to, SIPTAG_TO(to)),
			       TAG_IF(extra && *extra, SIPTAG_HEADER_STR(extra)),
			       SIPTAG_SERVER_STR(sipcore_user_agent()), TAG_END());
	if (r < 0)
		return JN_EIO;
	if (status > msg->status_sent)
		msg->status_sent = status;
	return 0;
}

JN_API int jn_msg_forward(jn_msg_t *msg, const char *dest)
{
	if (msg->status_sent >= 200 || msg->forwarded)
		return JN_ESTATE;
	url_string_t *route = NULL;
	/* Without an explicit destination, a next hop set by a module (the
	 * registrar's received address of a NATed contact) wins over the
	 * Request-URI. */
	if (!dest && msg->is_request)
		dest = msg->dst_uri;
	if (dest) {
		url_t *u = parse_uri(msg, dest);
		if (!u)
			return JN_EINVAL;
		route = (url_string_t *)u;
	}
	sip_t *sip = msg->sip;
	if (msg->is_request) {
		if (sip->sip_max_forwards) {
			if (sip->sip_max_forwards->mf_count == 0)
				return JN_ERANGE;
			sip->sip_max_forwards->mf_count--;
			msg_fragment_clear(sip->sip_max_forwards->mf_common);
		} else {
			sip_add_tl(msg->msg, sip, SIPTAG_MAX_FORWARDS_STR("70"), TAG_END());
		}
	}
	msg_t *m = msg_ref_create(msg->msg);
	if (nta_msg_tsend(sipcore_agent(), m, route, TAG_END()) < 0)
		return JN_EIO;
	msg->forwarded = 1;
	return 0;
}

/* ---- destination set ------------------------------------------------- */

static char *home_dup(jn_msg_t *msg, const char *s)
{
	return s ? su_strdup(msg_home(msg->msg), s) : NULL;
}

JN_API int jn_msg_branch_add(jn_msg_t *msg, const jn_branch_t *b)
{
	if (!b || b->size < sizeof(jn_branch_t) || !b->uri)
		return JN_EINVAL;
	if (msg->nbranches == msg->capbranches) {
		size_t cap = msg->capbranches ? msg->capbranches * 2 : 4;
		jn_branch_t *v = realloc(msg->branches, cap * sizeof(*v));
		if (!v)
			return JN_ENOMEM;
		msg->branches = v;
		msg->capbranches = cap;
	}
	jn_branch_t *x = &msg->branches[msg->nbranches];
	x->size = sizeof(*x);
	x->uri = home_dup(msg, b->uri);
	x->dst_uri = home_dup(msg, b->dst_uri);
	x->path = home_dup(msg, b->path);
	x->instance = home_dup(msg, b->instance);
	x->q = b->q;
	if (!x->uri)
		return JN_ENOMEM;
	msg->nbranches++;
	return 0;
}

JN_API size_t jn_msg_branch_count(const jn_msg_t *msg)
{
	return msg->nbranches;
}

JN_API const jn_branch_t *jn_msg_branch_at(const jn_msg_t *msg, size_t i)
{
	return i < msg->nbranches ? &msg->branches[i] : NULL;
}

JN_API void jn_msg_branch_clear(jn_msg_t *msg)
{
	msg->nbranches = 0;
}

JN_API int jn_msg_set_dst_uri(jn_msg_t *msg, const char *uri)
{
	if (uri && !parse_uri(msg, uri))
		return JN_EINVAL;
	msg->dst_uri = home_dup(msg, uri);
	return uri && !msg->dst_uri ? JN_ENOMEM : 0;
}

JN_API const char *jn_msg_dst_uri(const jn_msg_t *msg)
{
	return msg->dst_uri;
}

JN_API int jn_msg_set_path(jn_msg_t *msg, const char *path)
{
	msg->path = home_dup(msg, path);
	return path && !msg->path ? JN_ENOMEM : 0;
}

JN_API const char *jn_msg_path(const jn_msg_t *msg)
{
	return msg->path;
}

/* ---- modules that answer or relay themselves ------------------------- */

JN_API void *jn_msg_sofia_irq(jn_msg_t *msg)
{
	return jnmsg_ensure_irq(msg) == 0 ? msg->irq : NULL;
}

JN_API void jn_msg_take(jn_msg_t *msg)
{
	msg->taken = 1;
}

JN_API int jn_msg_taken(const jn_msg_t *msg)
{
	return msg->taken;
}

JN_API int jn_msg_status_sent(const jn_msg_t *msg)
{
	return msg->status_sent;
}

JN_API void jn_msg_note_status(jn_msg_t *msg, int status)
{
	if (status > msg->status_sent)
		msg->status_sent = status;
}

JN_API void jn_msg_set_reply_status(jn_msg_t *msg, int status, const char *reason)
{
	msg->reply_status = status;
	msg->reply_reason = home_dup(msg, reason);
}
