/* request.c - the request of one branch (RFC 3261 16.6): a copy of the
 * request with the target's Request-URI, its Path as Route, Max-Forwards
 * decremented and a Via branch that lets us recognise the request when it
 * loops back (16.3 item 4). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proxy.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/url.h>


/* Our branches: the magic cookie, "jx", a 16-hex-digit hash of the request
 * as this proxy relays it, "." and the branch number. */
#define BRANCH_PREFIX "z9hG4bKjx"
#define HASH_HEX 16

static uint64_t fnv(uint64_t h, const char *s)
{
	if (!s)
		s = "";
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	/* A separator, so that ("ab","c") and ("a","bc") differ. */
	h ^= 0xff;
	h *= 0x100000001b3ULL;
	return h;
}

static uint64_t fnv_header(uint64_t h, const sip_header_t *hdr)
{
	char buf[512];
	for (; hdr; hdr = (const sip_header_t *)hdr->sh_next) {
		if (sip_header_e(buf, sizeof(buf), hdr, 0) > 0)
			h = fnv(h, buf);
	}
	return h;
}

/* RFC 3261 16.6 item 8: the branch covers To tag, From tag, Call-ID,
 * CSeq number, Request-URI, the topmost Via as received, Proxy-Require and
 * Proxy-Authorization. The Request-URI is taken as the script leaves it at
 * relay time: a request that comes back and is routed the same way again
 * has looped, one that the script routes elsewhere (a registrar lookup
 * after an alias) spirals. below is the Via that was on top when the
 * request reached us. */
static uint64_t request_hash(sip_t *sip, const sip_via_t *below)
{
	char buf[1024];
	char num[16];
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, sip->sip_to ? sip->sip_to->a_tag : NULL);
	h = fnv(h, sip->sip_from ? sip->sip_from->a_tag : NULL);
	h = fnv(h, sip->sip_call_id ? sip->sip_call_id->i_id : NULL);
	snprintf(num, sizeof(num), "%u", sip->sip_cseq ? (unsigned)sip->sip_cseq->cs_seq : 0);
	h = fnv(h, num);
	if (url_e(buf, sizeof(buf), sip->sip_request->rq_url) > 0)
		h = fnv(h, buf);
	if (below) {
		h = fnv(h, below->v_host);
		h = fnv(h, below->v_port);
		h = fnv(h, below->v_branch);
	}
	h = fnv_header(h, (const sip_header_t *)sip->sip_proxy_require);
	h = fnv_header(h, (const sip_header_t *)sip->sip_proxy_authorization);
	return h;
}

void preq_branch_key(sip_t *sip, unsigned n, char *buf, size_t size)
{
	snprintf(buf, size, "branch=" BRANCH_PREFIX "%016llx.%u",
		 (unsigned long long)request_hash(sip, sip->sip_via), n);
}

int preq_is_loop(sip_t *sip)
{
	const size_t plen = sizeof(BRANCH_PREFIX) - 1;
	for (const sip_via_t *v = sip->sip_via; v; v = v->v_next) {
		if (!v->v_branch || strncasecmp(v->v_branch, BRANCH_PREFIX, plen) != 0)
			continue;
		if (!jn_sip_is_local(v->v_host, v->v_port))
			continue;
		char want[HASH_HEX + 1];
		snprintf(want, sizeof(want), "%016llx",
			 (unsigned long long)request_hash(sip, v->v_next));
		if (strncasecmp(v->v_branch + plen, want, HASH_HEX) == 0)
			return 1;
	}
	return 0;
}

static int set_ruri(msg_t *m, sip_t *sip, const char *uri)
{
	su_home_t *home = msg_home(m);
	url_t *u = url_hdup(home, URL_STRING_MAKE(uri)->us_url);
	if (!u || u->url_type == url_invalid || u->url_type == url_unknown || !u->url_host)
		return JN_EINVAL;
	sip_request_t *rq = sip->sip_request;
	sip_request_t *nrq = sip_request_create(home, rq->rq_method, rq->rq_method_name,
						(url_string_t const *)u, NULL);
	if (!nrq || msg_header_insert(m, (msg_pub_t *)sip, (msg_header_t *)nrq) < 0)
		return JN_ENOMEM;
	return 0;
}

msg_t *preq_build(jn_msg_t *req, const struct ptarget *tg)
{
	msg_t *m = msg_copy(jn_msg_sofia_msg(req));
	if (!m)
		return NULL;
	sip_t *sip = sip_object(m);
	const char *ruri = jn_msg_ruri(req);

	if (tg->uri && (!ruri || strcmp(tg->uri, ruri) != 0) && set_ruri(m, sip, tg->uri) != 0)
		goto fail;
	if (tg->path && *tg->path) {
		/* RFC 3327 5.3: the Path values become the first Route entries. */
		sip_route_t *r = sip_route_make(msg_home(m), tg->path);
		if (!r || msg_header_insert(m, (msg_pub_t *)sip, (msg_header_t *)r) < 0)
			goto fail;
	}
	/* RFC 3261 16.6 item 3; nta does not do it. */
	if (sip->sip_max_forwards) {
		if (sip->sip_max_forwards->mf_count > 0)
			sip->sip_max_forwards->mf_count--;
		msg_fragment_clear(sip->sip_max_forwards->mf_common);
	} else if (sip_add_tl(m, sip, SIPTAG_MAX_FORWARDS_STR("70"), TAG_END()) < 0) {
		goto fail;
	}
	return m;
fail:
	msg_destroy(m);
	return NULL;
}

url_string_t *preq_next_hop(msg_t *m, sip_t *sip, const char *dst_uri)
{
	su_home_t *home = msg_home(m);
	if (dst_uri && *dst_uri) {
		url_t *u = url_hdup(home, URL_STRING_MAKE(dst_uri)->us_url);
		if (u && u->url_host)
			return (url_string_t *)u;
	}
	/* RFC 3261 16.6 item 7: a loose-routing next hop is the first Route. */
	if (sip->sip_route && sip->sip_route->r_url->url_host)
		return (url_string_t *)url_hdup(home, sip->sip_route->r_url);
	return NULL;
}

int preq_record_route(jn_msg_t *req)
{
	msg_t *m = jn_msg_sofia_msg(req);
	sip_t *sip = jn_msg_sofia_sip(req);
	nta_agent_t *agent = jn_sip_agent();
	char host[80] = "", port[8] = "5060";

	/* Once is enough: several calls (or the parameter) must not stack
	 * entries for the same hop. */
	if (sip->sip_record_route && proute_is_local_url(sip->sip_record_route->r_url))
		return 0;
	tport_t *tp = nta_incoming_transport(agent, NULL, m);
	/* Over TCP/TLS that is the connection, named by the peer's address:
	 * the Record-Route must name the listener it belongs to. */
	tport_t *listener = tp ? tport_parent(tp) : NULL;
	const tp_name_t *tpn = listener ? tport_name(listener) : tp ? tport_name(tp) : NULL;
	if (tpn && tpn->tpn_host && strcmp(tpn->tpn_host, "*") != 0) {
		snprintf(host, sizeof(host), "%s", tpn->tpn_host);
		if (tpn->tpn_port)
			snprintf(port, sizeof(port), "%s", tpn->tpn_port);
	}
	if (tp)
		tport_unref(tp);
	if (!host[0]) {
		sip_contact_t *c = nta_agent_contact(agent);
		if (!c || !c->m_url->url_host)
			return JN_ESTATE;
		snprintf(host, sizeof(host), "%s", c->m_url->url_host);
		if (c->m_url->url_port)
			snprintf(port, sizeof(port), "%s", c->m_url->url_port);
	}
	int v6 = strchr(host, ':') && host[0] != '[';
	const char *proto = jn_msg_proto(req);
	char *text = su_sprintf(msg_home(m), "<sip:%s%s%s:%s;lr%s%s>", v6 ? "[" : "", host,
				v6 ? "]" : "", port, strcmp(proto, "udp") ? ";transport=" : "",
				strcmp(proto, "udp") ? proto : "");
	sip_record_route_t *rr = text ? sip_record_route_make(msg_home(m), text) : NULL;
	/* msg_header_insert puts it first: ours must be the topmost entry
	 * (RFC 3261 16.6 item 4). */
	if (!rr || msg_header_insert(m, (msg_pub_t *)sip, (msg_header_t *)rr) < 0)
		return JN_ENOMEM;
	return 0;
}

int preq_forward_stateless(jn_msg_t *req)
{
	msg_t *m = jn_msg_sofia_msg(req);
	sip_t *sip = jn_msg_sofia_sip(req);
	url_string_t *hop = preq_next_hop(m, sip, jn_msg_dst_uri(req));
	char *dest = hop ? url_as_string(msg_home(m), hop->us_url) : NULL;
	return jn_msg_forward(req, dest);
}
