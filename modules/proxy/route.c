/* route.c - loose routing (RFC 3261 16.4, 16.12): recognise the Route and
 * Record-Route entries this proxy put there and take them off. */
#include <string.h>

#include "proxy.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>


int proute_is_local_url(const url_t *u)
{
	if (!u || !u->url_host)
		return 0;
	const char *port = u->url_port;
	if (!port || !*port)
		port = u->url_type == url_sips ? "5061" : "5060";
	return jn_sip_is_local(u->url_host, port);
}

/* A Request-URI that we could have put in a Record-Route: our address,
 * no user part (RFC 3261 16.4: the previous hop was a strict router). */
static int ruri_is_our_rr(const url_t *u)
{
	return !u->url_user && proute_is_local_url(u);
}

int proute_loose(jn_msg_t *req)
{
	msg_t *m = jn_msg_sofia_msg(req);
	sip_t *sip = jn_msg_sofia_sip(req);
	if (!sip->sip_request || !sip->sip_route)
		return 0;
	if (ruri_is_our_rr(sip->sip_request->rq_url)) {
		/* RFC 3261 16.4: replace the Request-URI with the last Route
		 * value and remove that value. */
		sip_route_t *last = sip->sip_route;
		while (last->r_next)
			last = last->r_next;
		char *uri = url_as_string(msg_home(m), last->r_url);
		if (!uri)
			return JN_ENOMEM;
		msg_header_remove(m, (msg_pub_t *)sip, (msg_header_t *)last);
		int r = jn_msg_set_ruri(req, uri);
		if (r < 0)
			return r;
	}
	/* RFC 3261 16.4: if the first Route is ours, remove it. Two of ours
	 * in a row come from double record-routing (two transports). */
	for (int i = 0; i < 2 && sip->sip_route && proute_is_local_url(sip->sip_route->r_url); i++)
		msg_header_remove(m, (msg_pub_t *)sip, (msg_header_t *)sip->sip_route);
	return 1;
}
