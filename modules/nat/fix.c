/* fix.c - read the addresses of a request for the NAT tests, and rewrite
 * the Contact to the address the request came from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "nat.h"

static unsigned port_of(const char *s)
{
	if (!s || !*s)
		return 0;
	long v = strtol(s, NULL, 10);
	return v > 0 && v < 65536 ? (unsigned)v : 0;
}

int nat_probe_from_msg(jn_msg_t *msg, struct nat_probe *p)
{
	sip_t *sip = jn_msg_sofia_sip(msg);
	memset(p, 0, sizeof(*p));
	p->src_ip = jn_msg_src_ip(msg);
	p->src_port = jn_msg_src_port(msg);
	p->default_port = strcmp(jn_msg_proto(msg), "tls") == 0 ? 5061 : 5060;
	if (!p->src_ip || !*p->src_ip)
		return JN_EINVAL;
	if (sip->sip_via) {
		p->via_host = sip->sip_via->v_host;
		p->via_port = port_of(sip->sip_via->v_port);
	}
	const sip_contact_t *m = sip->sip_contact;
	if (m && m->m_url->url_type != url_any && m->m_url->url_host) {
		p->contact_host = m->m_url->url_host;
		p->contact_port = port_of(m->m_url->url_port);
		if (m->m_url->url_type == url_sips)
			p->default_port = 5061;
	}
	return 0;
}

int nat_fix_contact(jn_msg_t *msg)
{
	msg_t *m = jn_msg_sofia_msg(msg);
	sip_t *sip = jn_msg_sofia_sip(msg);
	su_home_t *home = msg_home(m);
	sip_contact_t *c = sip ? sip->sip_contact : NULL;
	const char *ip = jn_msg_src_ip(msg), *proto = jn_msg_proto(msg);
	char port[8];

	if (!c || c->m_url->url_type == url_any || !c->m_url->url_host || !ip || !*ip)
		return 0;
	snprintf(port, sizeof(port), "%u", jn_msg_src_port(msg));
	const char *host = strchr(ip, ':') ? su_sprintf(home, "[%s]", ip) : ip;
	int is_udp = strcmp(proto, "udp") == 0;
	int has_tp = url_has_param(c->m_url, "transport");
	if (strcasecmp(c->m_url->url_host, host) == 0 && c->m_url->url_port &&
	    strcmp(c->m_url->url_port, port) == 0 && (is_udp ? !has_tp : has_tp))
		return 0;

	sip_contact_t *nc = sip_contact_dup(home, c);
	if (!nc)
		return JN_ENOMEM;
	nc->m_next = NULL;
	nc->m_url->url_host = host;
	nc->m_url->url_port = su_strdup(home, port);
	/* The transport is the one the request came over. */
	if (nc->m_url->url_params) {
		char *params = su_strdup(home, nc->m_url->url_params);
		if (!params)
			return JN_ENOMEM;
		url_strip_param_string(params, "transport");
		nc->m_url->url_params = *params ? params : NULL;
	}
	if (!is_udp) {
		char *tparam = su_sprintf(home, "transport=%s", proto);
		if (!tparam || url_param_add(home, nc->m_url, tparam) < 0)
			return JN_ENOMEM;
	}
	/* Keep any further Contact headers after the rewritten first one. */
	nc->m_next = c->m_next;
	if (msg_header_replace(m, (msg_pub_t *)sip, (msg_header_t *)c, (msg_header_t *)nc) < 0)
		return JN_ENOMEM;
	return 1;
}
