/* dns.c - RFC 3263 target lists for branches whose next hop is a domain
 * name. nta resolves names by itself (NAPTR -> SRV -> A/AAAA) but tries the
 * next SRV target only after a transport error or its own timer B/F; a 503
 * (RFC 3263 4.3) or the proxy's shorter branch timer would end the branch
 * at the first target. So the proxy resolves such a hop itself with
 * sofia's sres_sip (the same RFC 3263 rules, on a resolver that reads the
 * agent's resolv.conf) and sends each attempt to one numeric address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#define SRES_SIP_MAGIC_T struct pdns

#include <sofia-sip/hostdomain.h>
#include <sofia-sip/sres_sip.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/su.h>

#define PDNS_MAX_TRIED 16

struct pdns {
	sres_sip_t *srs;
	pdns_cb cb;
	void *arg;
	su_sockaddr_t tried[PDNS_MAX_TRIED];
	unsigned ntried;
	unsigned complete : 1;
};

static sres_resolver_t *resolver;

int pdns_is_name(const url_t *u)
{
	if (!u || !u->url_host || (u->url_type != url_sip && u->url_type != url_sips))
		return 0;
	/* A maddr is the target when present (RFC 3263 4); keep it simple:
	 * those go to nta as they are. */
	if (url_has_param(u, "maddr"))
		return 0;
	return !host_is_ip_address(u->url_host);
}

static void srs_notify(struct pdns *d, sres_sip_t *srs, int final)
{
	if (final)
		d->complete = 1;
	d->cb(d->arg);
}

struct pdns *pdns_start(const url_t *u, pdns_cb cb, void *arg)
{
	if (!resolver) {
		resolver = sres_resolver_create(jn_sip_root(), jn_sip_resolv_conf(), TAG_END());
		if (!resolver) {
			jn_log_err(proxy_self, "cannot create the DNS resolver");
			return NULL;
		}
	}
	struct pdns *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cb = cb;
	d->arg = arg;
	d->srs = sres_sip_new(resolver, (const url_string_t *)u, NULL, 1, 1, srs_notify, d);
	if (!d->srs) {
		free(d);
		return NULL;
	}
	return d;
}

static int seen(struct pdns *d, const su_sockaddr_t *su)
{
	for (unsigned i = 0; i < d->ntried; i++) {
		const su_sockaddr_t *o = &d->tried[i];
		if (o->su_family == su->su_family && o->su_port == su->su_port &&
		    memcmp(SU_ADDR(o), SU_ADDR(su), su->su_family == AF_INET ? 4 : 16) == 0)
			return 1;
	}
	return 0;
}

static const char *proto_name(int p)
{
	switch (p) {
	case TPPROTO_UDP:
		return "udp";
	case TPPROTO_TCP:
		return "tcp";
	case TPPROTO_TLS:
		return "tls";
	default:
		return NULL; /* SCTP and the like: not ours */
	}
}

int pdns_next(struct pdns *d, char *buf, size_t size)
{
	for (;;) {
		const su_addrinfo_t *ai = sres_sip_next(d->srs);
		if (!ai) {
			/* Drives cached answers on; 0 when nothing is left to ask. */
			if (d->complete || sres_sip_next_step(d->srs) == 0) {
				d->complete = 1;
				if ((ai = sres_sip_next(d->srs)) == NULL)
					return -1;
			} else {
				return 0;
			}
		}
		const su_sockaddr_t *su = (const su_sockaddr_t *)ai->ai_addr;
		const char *proto = proto_name(ai->ai_protocol);
		char addr[SU_ADDRSIZE];
		/* Without NAPTR/SRV sres_sip lists each address once per
		 * transport; after a failure the same host:port over another
		 * transport is no new target. */
		if (!proto || (su->su_family != AF_INET && su->su_family != AF_INET6) ||
		    seen(d, su))
			continue;
		if (d->ntried < PDNS_MAX_TRIED && ai->ai_addrlen <= sizeof(d->tried[0])) {
			/* ai_addr is only as long as its family's sockaddr. */
			memset(&d->tried[d->ntried], 0, sizeof(d->tried[0]));
			memcpy(&d->tried[d->ntried++], su, ai->ai_addrlen);
		}
		su_inet_ntop(su->su_family, SU_ADDR(su), addr, sizeof(addr));
		snprintf(buf, size, "sip:%s%s%s:%u;transport=%s", su->su_family == AF_INET6 ? "[" : "",
			 addr, su->su_family == AF_INET6 ? "]" : "", ntohs(su->su_port), proto);
		return 1;
	}
}

int pdns_not_found(const struct pdns *d)
{
	int e = sres_sip_error(d->srs);
	return e == SRES_SIP_ERR_NO_NAME || e == SRES_SIP_ERR_NO_DATA || e == SRES_SIP_ERR_NO_TPORT;
}

void pdns_free(struct pdns *d)
{
	if (!d)
		return;
	/* The last reference: its destructor unbinds the pending queries. */
	sres_sip_unref(d->srs);
	free(d);
}

void pdns_shutdown(void)
{
	if (resolver)
		sres_resolver_destroy(resolver);
	resolver = NULL;
}
