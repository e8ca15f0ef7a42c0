/* fork.c - the proxy transaction (RFC 3261 16.5-16.10): one server
 * transaction upstream, one client transaction per branch downstream,
 * parallel or serial (q-group) forking, the response context with best
 * response selection, failure / branch / reply routes, CANCEL and the
 * branch timers. */
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/sip_util.h>

#include "map.h"

struct pbranch {
	struct ptx *t;
	unsigned index;
	nta_outgoing_t *orq;
	jn_timer_t *timer;
	msg_t *req;       /* the branch's request while its branch route runs */
	char *dst_uri;
	msg_t *resp;      /* final 3xx-6xx response, kept for the selection */
	int status;       /* final status (0: none yet) */
	char *phrase;
	unsigned done : 1;        /* final response, local timeout or dropped */
	unsigned provisional : 1; /* a 1xx arrived */
	unsigned cancelled : 1;
	unsigned dropped : 1;     /* the branch route dropped it: no status */
	unsigned failed : 1;      /* could not be sent at all */
	/* RFC 3263 4.3: a next hop that is a domain name is resolved here
	 * (dns.c) and each of its targets tried in turn after a 503 or a
	 * timeout; tmpl is the request, resent as a copy to each. */
	struct pdns *dns;
	msg_t *tmpl;
	unsigned attempt;         /* targets tried so far */
	unsigned dns_wait : 1;    /* waiting for the resolver */
	unsigned sending : 1;     /* inside nta_outgoing_mcreate() */
	unsigned want_next : 1;   /* a failover asked for while sending */
};

struct ptx {
	unsigned refs;
	jn_msg_t *req;
	nta_incoming_t *irq;
	struct relay_opts o;
	struct pbranch **b;
	size_t nb, capb;
	struct ptarget *queue; /* serial forking: targets not started yet */
	size_t nqueue, qpos;
	unsigned preparing;    /* branch routes running */
	unsigned is_invite : 1;
	unsigned starting : 1;   /* inside ptx_relay: no completion checks */
	unsigned in_failure : 1; /* a failure route is running */
	unsigned final_sent : 1;
	unsigned got_6xx : 1;
	unsigned cancelled : 1;  /* CANCEL received (16.10) */
	unsigned finishing : 1;
};

/* request jn_msg_t -> struct ptx; branch route message -> struct pbranch */
static struct pmap by_req, by_branch_msg;

static void check_complete(struct ptx *t);
static int dns_failover(struct pbranch *b, msg_t *resp, int status, const char *phrase);

/* ---- lifetime --------------------------------------------------------- */

static int irq_noop(struct ptx *t, nta_incoming_t *irq, sip_t const *sip)
{
	return 0;
}

static void targets_free(struct ptarget *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].uri);
		free(v[i].dst_uri);
		free(v[i].path);
	}
	free(v);
}

static void opts_free(struct relay_opts *o)
{
	free(o->failure);
	free(o->branch);
	free(o->reply);
	o->failure = o->branch = o->reply = NULL;
}

static void ptx_free(struct ptx *t)
{
	pmap_del(&by_req, t->req);
	for (size_t i = 0; i < t->nb; i++) {
		struct pbranch *b = t->b[i];
		if (b->timer)
			jn_timer_cancel(b->timer);
		if (b->orq)
			nta_outgoing_destroy(b->orq);
		if (b->resp)
			msg_destroy(b->resp);
		if (b->req)
			msg_destroy(b->req);
		if (b->tmpl)
			msg_destroy(b->tmpl);
		pdns_free(b->dns);
		free(b->dst_uri);
		free(b->phrase);
		free(b);
	}
	free(t->b);
	targets_free(t->queue, t->nqueue);
	opts_free(&t->o);
	if (t->irq)
		nta_incoming_bind(t->irq, irq_noop, NULL);
	jn_msg_unref(t->req);
	free(t);
}

static void hold(struct ptx *t)
{
	t->refs++;
}

static void release(struct ptx *t)
{
	if (--t->refs == 0)
		ptx_free(t);
}

static int all_done(const struct ptx *t)
{
	if (t->preparing || t->in_failure)
		return 0;
	for (size_t i = 0; i < t->nb; i++)
		if (!t->b[i]->done)
			return 0;
	return 1;
}

/* Drops the transaction's own reference once the answer went upstream
 * and no branch is pending any more (cancelled branches still get their
 * 487, late 2xx are still relayed until then). */
static void finish(struct ptx *t)
{
	if (t->finishing || !t->final_sent || !all_done(t))
		return;
	t->finishing = 1;
	release(t);
}

struct ptx *ptx_find(jn_msg_t *req)
{
	return pmap_get(&by_req, req);
}

size_t ptx_branch_count(const struct ptx *t)
{
	return t ? t->nb : 0;
}

int ptx_branch_index_of(jn_msg_t *msg)
{
	struct pbranch *b = pmap_get(&by_branch_msg, msg);
	return b ? (int)b->index : -1;
}

/* ---- upstream ----------------------------------------------------------- */

static void reply_local(struct ptx *t, int status, const char *phrase)
{
	if (status > 100 && !nta_incoming_gettag(t->irq))
		nta_incoming_tag(t->irq, NULL);
	nta_incoming_treply(t->irq, status, phrase, TAG_END());
	jn_msg_note_status(t->req, status);
	if (status >= 200)
		t->final_sent = 1;
}

/* Relays a response of a branch upstream (RFC 3261 16.7 item 9); takes
 * the reference resp. */
static void send_upstream(struct ptx *t, msg_t *resp)
{
	sip_t *rs = sip_object(resp);
	int status = rs->sip_status->st_status;

	if (t->final_sent) {
		/* 16.7 item 5: every 2xx to an INVITE goes upstream, also
		 * after the first; the server transaction is done, so they go
		 * statelessly along the Via (nta pops ours). */
		if (t->is_invite && status < 300 && rs->sip_via && rs->sip_via->v_next)
			nta_msg_tsend(jn_sip_agent(), resp, NULL, TAG_END());
		else
			msg_destroy(resp);
		return;
	}
	sip_via_remove(resp, rs);
	if (!rs->sip_via) {
		/* A response built from the hop-by-hop CANCEL carries only our
		 * Via; nta would answer 500 for it: answer in its name. */
		char *phrase = su_strdup(NULL, rs->sip_status->st_phrase);
		msg_destroy(resp);
		reply_local(t, status, phrase ? phrase : "");
		su_free(NULL, phrase);
		return;
	}
	nta_incoming_mreply(t->irq, resp);
	jn_msg_note_status(t->req, status);
	if (status >= 200)
		t->final_sent = 1;
}

/* RFC 3261 16.7 item 7: a 401/407 carries the challenges of every branch
 * that answered 401 or 407. */
static void aggregate_challenges(struct ptx *t, msg_t *resp, const struct pbranch *best)
{
	sip_t *rs = sip_object(resp);
	for (size_t i = 0; i < t->nb; i++) {
		const struct pbranch *b = t->b[i];
		if (b == best || !b->resp || (b->status != 401 && b->status != 407))
			continue;
		sip_t *o = sip_object(b->resp);
		for (sip_www_authenticate_t *w = o->sip_www_authenticate; w; w = w->au_next)
			msg_header_add_dup_as(resp, (msg_pub_t *)rs, sip_www_authenticate_class,
					      (msg_header_t *)w);
		for (sip_proxy_authenticate_t *p = o->sip_proxy_authenticate; p; p = p->au_next)
			msg_header_add_dup_as(resp, (msg_pub_t *)rs, sip_proxy_authenticate_class,
					      (msg_header_t *)p);
	}
}

static struct pbranch *best_branch(struct ptx *t)
{
	struct pbranch *best = NULL;
	for (size_t i = 0; i < t->nb; i++) {
		struct pbranch *b = t->b[i];
		if (b->status >= 300 && (!best || pselect_better(b->status, best->status)))
			best = b;
	}
	return best;
}

static void send_best(struct ptx *t, struct pbranch *best, int status, const char *phrase)
{
	if (best && best->resp && status != 503) {
		msg_t *resp = best->resp;
		best->resp = NULL;
		if (status == 401 || status == 407)
			aggregate_challenges(t, resp, best);
		send_upstream(t, resp);
	} else if (status == 503) {
		/* 16.7 item 6: a 503 means "this proxy is overloaded", which
		 * is not what the downstream 503 said. */
		reply_local(t, 500, "Server Internal Error");
	} else {
		reply_local(t, status, phrase);
	}
}

/* ---- downstream ---------------------------------------------------------- */

static void cancel_pending(struct ptx *t, const struct pbranch *except)
{
	/* No new branches after a 2xx, a 6xx or a CANCEL (16.7 item 5, 16.10). */
	t->qpos = t->nqueue;
	if (!t->is_invite)
		return;
	for (size_t i = 0; i < t->nb; i++) {
		struct pbranch *b = t->b[i];
		if (b != except && b->dns_wait && !b->done) {
			/* Nothing sent yet: the branch just ends. */
			b->done = 1;
			b->status = 487;
			free(b->phrase);
			b->phrase = strdup("Request Terminated");
			continue;
		}
		if (b == except || b->done || b->cancelled || !b->orq)
			continue;
		b->cancelled = 1;
		nta_outgoing_tcancel(b->orq, NULL, NULL, TAG_END());
	}
}

static void fr_timeout(jn_timer_t *tm, void *data)
{
	struct pbranch *b = data;
	struct ptx *t = b->t;

	b->timer = NULL;
	if (b->done)
		return;
	hold(t);
	/* RFC 3263 4.3: no answer at all from this target - the next one. */
	if (!b->provisional && !b->dns_wait && dns_failover(b, NULL, 408, "Request Timeout")) {
		if (b->done)
			check_complete(t);
		release(t);
		return;
	}
	/* RFC 3261 16.8: the branch counts as a 408; an INVITE is also
	 * cancelled downstream. */
	b->done = 1;
	b->status = 408;
	b->phrase = strdup("Request Timeout");
	if (t->is_invite && b->orq && !b->cancelled) {
		b->cancelled = 1;
		nta_outgoing_tcancel(b->orq, NULL, NULL, TAG_END());
	}
	check_complete(t);
	release(t);
}

static void arm_timer(struct pbranch *b, unsigned ms)
{
	if (b->timer)
		jn_timer_cancel(b->timer);
	b->timer = ms ? jn_timer_start(ms, fr_timeout, b) : NULL;
}

/* What happens with one response of a branch, after its reply route.
 * Takes the reference resp (NULL for nta's own 408/503). */
static void on_response(struct pbranch *b, msg_t *resp, int status, const char *phrase,
			int dropped)
{
	struct ptx *t = b->t;

	if (status < 200) {
		if (!b->provisional && t->is_invite && !b->done)
			arm_timer(b, t->o.timeout_ms); /* fr_inv from now on */
		b->provisional = 1;
		if (resp && status > 100 && !dropped && !t->final_sent && !b->done)
			send_upstream(t, resp);
		else if (resp)
			msg_destroy(resp);
		return;
	}
	if (b->done) {
		/* After our timer or a CANCEL: only a 2xx still matters. */
		if (resp && status < 300 && t->is_invite)
			send_upstream(t, resp);
		else if (resp)
			msg_destroy(resp);
		return;
	}
	/* RFC 3263 4.3: a 503 or a timeout (nta's own 408, or its 503 for
	 * a transport error) moves a resolved branch on to its next target. */
	if ((status == 503 || (status == 408 && !resp && !b->provisional)) &&
	    dns_failover(b, resp, status, phrase)) {
		if (b->done)
			check_complete(t);
		return;
	}
	b->done = 1;
	b->status = status;
	free(b->phrase);
	b->phrase = strdup(phrase ? phrase : "");
	if (b->timer) {
		jn_timer_cancel(b->timer);
		b->timer = NULL;
	}
	if (status < 300) {
		if (t->is_invite)
			cancel_pending(t, b); /* 16.7 item 10 */
		if (resp)
			send_upstream(t, resp);
		else
			reply_local(t, status, b->phrase);
	} else {
		if (status >= 600 && t->is_invite) {
			t->got_6xx = 1;
			cancel_pending(t, b); /* 16.7 item 5 */
		}
		b->resp = resp;
	}
	check_complete(t);
}

struct reply_ctx {
	struct pbranch *b;
	msg_t *resp;
	int status;
};

static void reply_route_done(jn_msg_t *w, jn_route_status_t st, void *data)
{
	struct reply_ctx *rc = data;
	struct ptx *t = rc->b->t;
	on_response(rc->b, rc->resp, rc->status, sip_object(rc->resp)->sip_status->st_phrase,
		    st == JN_ROUTE_DROPPED);
	free(rc);
	release(t);
}

static int response_cb(struct pbranch *b, nta_outgoing_t *orq, sip_t const *sip)
{
	struct ptx *t = b->t;
	if (!b->orq)
		b->orq = orq; /* nta may answer inside nta_outgoing_mcreate() */
	if (!sip || !sip->sip_status)
		return 0;
	int status = sip->sip_status->st_status;
	hold(t);
	if (nta_sip_is_internal(sip)) {
		/* nta's own 408 (timer B/F) or 503 (no transport, ICMP). */
		on_response(b, NULL, status, sip->sip_status->st_phrase, 0);
		goto out;
	}
	msg_t *resp = nta_outgoing_getresponse(orq);
	if (!resp)
		goto out;
	if (t->o.reply && status > 100) {
		struct reply_ctx *rc = malloc(sizeof(*rc));
		jn_msg_t *w = rc ? jn_msg_wrap_sofia(msg_ref_create(resp), t->req) : NULL;
		if (w) {
			rc->b = b;
			rc->resp = resp;
			rc->status = status;
			hold(t);
			if (jn_route_run(JN_ROUTE_REPLY, t->o.reply, w, reply_route_done, rc) != 0)
				reply_route_done(w, JN_ROUTE_DONE, rc);
			jn_msg_unref(w);
			goto out;
		}
		free(rc);
	}
	on_response(b, resp, status, sip->sip_status->st_phrase, 0);
out:
	release(t);
	return 0;
}

/* Sends m (taken) to hop (NULL: the Request-URI) as the branch's current
 * client transaction. */
static void send_to(struct pbranch *b, msg_t *m, url_string_t *hop)
{
	struct ptx *t = b->t;
	char key[64];
	/* Each target tried is a new client transaction: a new branch. */
	unsigned n = b->index | ((b->attempt ? b->attempt - 1 : 0) << 16);

	preq_branch_key(jn_msg_sofia_sip(t->req), n, key, sizeof(key));
	/* One reference for nta (kept or released by it), ours dropped below. */
	b->sending = 1;
	nta_outgoing_t *orq = nta_outgoing_mcreate(jn_sip_agent(), response_cb, b, hop,
						   msg_ref_create(m), NTATAG_BRANCH_KEY(key),
						   TAG_END());
	b->sending = 0;
	msg_destroy(m);
	if (b->want_next)
		return; /* failed inside mcreate; dns_failover() retired orq */
	if (!orq) {
		jn_log_warn(proxy_self, "branch %u: cannot send the request", b->index);
		if (!b->done) {
			b->done = 1;
			b->status = 500;
			b->phrase = strdup("Branch Failed");
			b->failed = 1;
		}
		return;
	}
	if (!b->orq)
		b->orq = orq;
	if (!b->done && !b->provisional)
		arm_timer(b, t->o.branch_timeout_ms);
}

/* Sends the branch to the next target of its RFC 3263 list, waits for the
 * resolver, or ends the branch when no target is left (the caller runs
 * check_complete() when b->done). */
static void next_target(struct pbranch *b)
{
	struct ptx *t = b->t;
	char hop[128];

	do {
		b->want_next = 0;
		b->dns_wait = 0;
		if (t->final_sent || t->cancelled || t->got_6xx) {
			b->done = 1;
			if (!b->status) {
				b->status = 487;
				b->phrase = strdup("Request Terminated");
			}
			return;
		}
		int r = pdns_next(b->dns, hop, sizeof(hop));
		if (r == 0) {
			/* The branch timer bounds the wait for the resolver too. */
			b->dns_wait = 1;
			if (!b->timer)
				arm_timer(b, t->o.branch_timeout_ms);
			return;
		}
		if (r < 0) {
			if (!b->attempt) {
				int nf = pdns_not_found(b->dns);
				jn_log_notice(proxy_self, "branch %u: %s", b->index,
					      nf ? "the domain has no SIP server (DNS)"
						 : "DNS resolution failed");
				b->status = nf ? 404 : 503;
				free(b->phrase);
				b->phrase = strdup(nf ? "Domain Not Found" : "DNS Error");
			}
			b->done = 1;
			if (b->timer) {
				jn_timer_cancel(b->timer);
				b->timer = NULL;
			}
			return;
		}
		msg_t *m = msg_dup(b->tmpl);
		if (!m) {
			b->done = 1;
			b->status = 500;
			free(b->phrase);
			b->phrase = strdup("Branch Failed");
			return;
		}
		b->attempt++;
		jn_log_info(proxy_self, "branch %u: target %u is %s", b->index, b->attempt, hop);
		send_to(b, m, (url_string_t *)hop);
	} while (b->want_next);
}

static void dns_ready(void *arg)
{
	struct pbranch *b = arg;
	struct ptx *t = b->t;
	if (!b->dns_wait || b->done)
		return;
	hold(t);
	next_target(b);
	if (b->done)
		check_complete(t);
	release(t);
}

/* RFC 3263 4.3: the current target failed (503, no answer, transport
 * error): retire its client transaction and try the next target. The
 * failure is kept as the branch's status should none be left. 1 when the
 * branch was resolved by the proxy (and so went on or ended), else 0. */
static int dns_failover(struct pbranch *b, msg_t *resp, int status, const char *phrase)
{
	struct ptx *t = b->t;
	if (!b->dns || t->final_sent || t->cancelled || t->got_6xx)
		return 0;
	b->status = status;
	free(b->phrase);
	b->phrase = strdup(phrase ? phrase : "");
	if (b->resp)
		msg_destroy(b->resp);
	b->resp = resp;
	if (b->timer) {
		jn_timer_cancel(b->timer);
		b->timer = NULL;
	}
	if (b->orq) {
		if (t->is_invite && !resp && !b->cancelled)
			nta_outgoing_tcancel(b->orq, NULL, NULL, TAG_END());
		nta_outgoing_destroy(b->orq);
		b->orq = NULL;
	}
	b->cancelled = 0;
	b->provisional = 0;
	if (b->sending) {
		b->want_next = 1; /* send_to()'s loop goes on */
		return 1;
	}
	jn_log_info(proxy_self, "branch %u: target %u failed (%d); trying the next", b->index,
		    b->attempt, status);
	next_target(b);
	return 1;
}

static void send_branch(struct pbranch *b, msg_t *m)
{
	sip_t *sip = sip_object(m);
	url_string_t *hop = preq_next_hop(m, sip, b->dst_uri);
	const url_t *target = hop ? hop->us_url : sip->sip_request->rq_url;

	if (pdns_is_name(target)) {
		b->dns = pdns_start(target, dns_ready, b);
		if (b->dns) {
			b->tmpl = m;
			next_target(b);
			return;
		}
		/* No resolver of our own: nta resolves, without 503 failover. */
	}
	send_to(b, m, hop);
}

static void branch_route_done(jn_msg_t *w, jn_route_status_t st, void *data)
{
	struct pbranch *b = data;
	struct ptx *t = b->t;
	msg_t *m = b->req;

	pmap_del(&by_branch_msg, w);
	b->req = NULL;
	t->preparing--;
	if (st == JN_ROUTE_DROPPED || st == JN_ROUTE_FAILED || t->final_sent || t->cancelled ||
	    t->got_6xx) {
		if (st == JN_ROUTE_FAILED)
			jn_log_warn(proxy_self, "branch %u: the branch route failed; not sent",
				    b->index);
		b->done = 1;
		b->dropped = 1;
		msg_destroy(m);
	} else {
		send_branch(b, m);
	}
	if (!t->starting)
		check_complete(t);
	release(t);
}

static int start_target(struct ptx *t, const struct ptarget *tg)
{
	if (t->nb == t->capb) {
		size_t cap = t->capb ? t->capb * 2 : 4;
		struct pbranch **v = realloc(t->b, cap * sizeof(*v));
		if (!v)
			return JN_ENOMEM;
		t->b = v;
		t->capb = cap;
	}
	struct pbranch *b = calloc(1, sizeof(*b));
	if (!b)
		return JN_ENOMEM;
	b->t = t;
	b->index = (unsigned)t->nb;
	if (tg->dst_uri && !(b->dst_uri = strdup(tg->dst_uri))) {
		free(b);
		return JN_ENOMEM;
	}
	msg_t *m = preq_build(t->req, tg);
	if (!m) {
		jn_log_warn(proxy_self, "cannot build the request for %s", tg->uri);
		free(b->dst_uri);
		free(b);
		return JN_EINVAL;
	}
	t->b[t->nb++] = b;
	if (!t->o.branch) {
		send_branch(b, m);
		return 0;
	}
	/* The branch route sees (and may change or drop) exactly the
	 * message this branch sends. */
	jn_msg_t *w = jn_msg_wrap_sofia(msg_ref_create(m), t->req);
	if (!w || pmap_put(&by_branch_msg, w, b) != 0) {
		jn_msg_unref(w);
		send_branch(b, m);
		return 0;
	}
	b->req = m;
	t->preparing++;
	hold(t);
	if (jn_route_run(JN_ROUTE_BRANCH, t->o.branch, w, branch_route_done, b) != 0)
		branch_route_done(w, JN_ROUTE_DONE, b);
	jn_msg_unref(w);
	return 0;
}

/* Starts the next q group of the queue (all of it when parallel). */
static void start_group(struct ptx *t)
{
	size_t n = t->nqueue - t->qpos;
	if (n == 0)
		return;
	if (t->o.serial)
		n = pselect_group_len(t->queue + t->qpos, n);
	size_t end = t->qpos + n;
	while (t->qpos < end)
		start_target(t, &t->queue[t->qpos++]);
}

static int pending(const struct ptx *t)
{
	if (t->preparing)
		return 1;
	for (size_t i = 0; i < t->nb; i++)
		if (!t->b[i]->done)
			return 1;
	return 0;
}

static void failure_route_done(jn_msg_t *req, jn_route_status_t st, void *data)
{
	struct ptx *t = data;
	t->in_failure = 0;
	if (jn_msg_status_sent(req) >= 200)
		t->final_sent = 1; /* reply() in the failure route */
	check_complete(t);
	release(t);
}

/* Called whenever a branch ends: next serial group, failure route, or the
 * best response upstream (RFC 3261 16.7 item 4-6). */
static void check_complete(struct ptx *t)
{
	if (t->starting || t->in_failure || pending(t))
		return;
	if (t->final_sent) {
		finish(t);
		return;
	}
	while (!t->got_6xx && !t->cancelled && t->qpos < t->nqueue) {
		t->starting = 1;
		start_group(t);
		t->starting = 0;
		if (pending(t))
			return;
	}
	struct pbranch *best = best_branch(t);
	/* 16.7 item 6: no final response at all -> 408. */
	int status = best ? best->status : 408;
	const char *phrase = best ? best->phrase : "Request Timeout";
	if (t->o.failure && !t->cancelled) {
		char *name = t->o.failure;
		t->o.failure = NULL; /* armed once per relay, as in Kamailio */
		jn_msg_set_reply_status(t->req, status, phrase);
		t->in_failure = 1;
		hold(t);
		int r = jn_route_run(JN_ROUTE_FAILURE, name, t->req, failure_route_done, t);
		free(name);
		if (r == 0)
			return;
		t->in_failure = 0;
		release(t);
	}
	send_best(t, best, status, phrase);
	finish(t);
}

/* ---- CANCEL (16.10) -------------------------------------------------- */

static int irq_cb(struct ptx *t, nta_incoming_t *irq, sip_t const *sip)
{
	if (!t || !sip || !sip->sip_request || sip->sip_request->rq_method != sip_method_cancel)
		return 0;
	hold(t);
	t->cancelled = 1;
	cancel_pending(t, NULL);
	check_complete(t);
	release(t);
	return 0;
}

/* ---- relay ------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int add_target(struct ptarget **v, size_t *n, const char *uri, const char *dst,
		      const char *path, int q)
{
	struct ptarget *x = realloc(*v, (*n + 1) * sizeof(**v));
	if (!x)
		return JN_ENOMEM;
	*v = x;
	x += *n;
	x->uri = dup_or_null(uri);
	x->dst_uri = dup_or_null(dst);
	x->path = dup_or_null(path);
	x->q = q;
	(*n)++;
	return x->uri ? 0 : JN_ENOMEM;
}

/* The destination set: the Request-URI first, then the branches. The
 * Request-URI has no q of its own; it ranks with the best branch (the
 * registrar puts its highest-q contact there), or 1.0 alone. */
static int collect_targets(jn_msg_t *req, struct ptarget **v, size_t *n)
{
	size_t nb = jn_msg_branch_count(req);
	int rq = nb ? 0 : 1000;
	int r;
	for (size_t i = 0; i < nb; i++)
		if (jn_msg_branch_at(req, i)->q > rq)
			rq = jn_msg_branch_at(req, i)->q;
	r = add_target(v, n, jn_msg_ruri(req), jn_msg_dst_uri(req), jn_msg_path(req), rq);
	for (size_t i = 0; r == 0 && i < nb; i++) {
		const jn_branch_t *b = jn_msg_branch_at(req, i);
		r = add_target(v, n, b->uri, b->dst_uri, b->path, b->q);
	}
	/* The set is consumed: a failure route that relays again starts
	 * from the Request-URI and the branches it adds itself. */
	jn_msg_branch_clear(req);
	return r;
}

int ptx_relay(jn_msg_t *req, const struct relay_opts *o)
{
	struct ptx *t = ptx_find(req);
	int fresh = 0, r;

	if (t && (t->final_sent || t->cancelled || t->got_6xx))
		return JN_ESTATE;
	if (!t) {
		nta_incoming_t *irq = jn_msg_sofia_irq(req);
		if (!irq)
			return JN_ENOMEM;
		t = calloc(1, sizeof(*t));
		if (!t)
			return JN_ENOMEM;
		t->refs = 1;
		t->req = jn_msg_ref(req);
		t->irq = irq;
		t->is_invite = sip_object(jn_msg_sofia_msg(req))->sip_request->rq_method ==
			       sip_method_invite;
		if (pmap_put(&by_req, req, t) != 0) {
			jn_msg_unref(req);
			free(t);
			return JN_ENOMEM;
		}
		nta_incoming_bind(irq, irq_cb, t);
		fresh = 1;
	}
	hold(t);
	opts_free(&t->o);
	t->o = *o;
	t->o.failure = dup_or_null(o->failure);
	t->o.branch = dup_or_null(o->branch);
	t->o.reply = dup_or_null(o->reply);

	struct ptarget *v = NULL;
	size_t n = 0;
	r = collect_targets(req, &v, &n);
	if (r != 0) {
		targets_free(v, n);
		goto out;
	}
	if (o->serial)
		pselect_sort_targets(v, n);
	targets_free(t->queue, t->nqueue);
	t->queue = v;
	t->nqueue = n;
	t->qpos = 0;

	size_t before = t->nb;
	t->starting = 1;
	start_group(t);
	/* A serial group whose every branch failed at once: the next. */
	while (!pending(t) && t->qpos < t->nqueue)
		start_group(t);
	t->starting = 0;
	int started = 0;
	for (size_t i = before; i < t->nb; i++)
		if (!t->b[i]->dropped && !t->b[i]->failed)
			started = 1;
	if (!started && !t->preparing) {
		r = JN_ENOENT;
		if (fresh) {
			/* Nothing went out: the script decides what to answer. */
			t->final_sent = 1; /* lets finish() drop it */
			t->finishing = 1;
			nta_incoming_bind(t->irq, irq_noop, NULL);
			release(t); /* the transaction's own reference */
		}
		goto out;
	}
	if (fresh) {
		jn_msg_take(req);
		if (t->is_invite && jn_msg_status_sent(req) < 100) {
			/* RFC 3261 16.2: a stateful proxy answers 100 itself. */
			nta_incoming_treply(t->irq, SIP_100_TRYING, TAG_END());
			jn_msg_note_status(req, 100);
		}
	}
	if (!t->in_failure)
		check_complete(t);
	r = 0;
out:
	release(t);
	return r;
}

void ptx_shutdown(void)
{
	struct ptx *t;
	while ((t = pmap_any(&by_req)) != NULL) {
		/* Whatever still holds a reference (a suspended route) keeps
		 * the memory; the table must not point at it any more. */
		pmap_del(&by_req, t->req);
		if (!t->final_sent && t->irq)
			reply_local(t, 503, "Shutting Down");
		if (!t->finishing) {
			t->finishing = 1;
			release(t);
		}
	}
}
