/* probe.c - OPTIONS health probing of every destination (as Kamailio's
 * ds_ping_interval): one stateful client transaction per destination and
 * round, given up after probe_timeout; probe_threshold failures in a row
 * make a destination inactive, as many successes make it active again. */
#include <stdlib.h>
#include <string.h>

#include "dispatcher.h"

#define NTA_OUTGOING_MAGIC_T struct ds_probe
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>

struct ds_probe_cfg ds_probe_cfg = {10000, 2000, 3, NULL};

struct ds_probe {
	struct ds_dst *d;
	nta_outgoing_t *orq;
	jn_timer_t *timer; /* probe_timeout */
};

static jn_timer_t *tick;
static int running;

int ds_probe_alive(int status)
{
	/* Anything that answers with a 2xx or a 4xx is up: a server may
	 * refuse OPTIONS (405) or want credentials (401/407) and still take
	 * calls. 408 is our own timeout or a downstream one; 3xx, 5xx and
	 * 6xx mean it does not serve. */
	return (status >= 200 && status < 300) || (status >= 400 && status < 500 && status != 408);
}

void ds_probe_result(struct ds_dst *d, int status, uint64_t now)
{
	unsigned th = ds_probe_cfg.threshold ? ds_probe_cfg.threshold : 1;
	d->last_code = status;
	d->last_probe_ms = now;
	if (ds_probe_alive(status)) {
		d->fails = 0;
		d->oks++;
		if (d->state == DS_INACTIVE && d->oks >= th) {
			d->state = DS_ACTIVE;
			d->cur_weight = 0;
			if (ds_self)
				jn_log_notice(ds_self,
				              "destination %s is active again (%u probe(s) "
				              "answered)",
				              d->uri, d->oks);
		}
	} else {
		d->oks = 0;
		d->fails++;
		if (d->state == DS_ACTIVE && d->fails >= th) {
			d->state = DS_INACTIVE;
			if (ds_self)
				jn_log_warn(ds_self,
				            "destination %s is inactive: %u probe(s) failed, "
				            "last %d",
				            d->uri, d->fails, status);
		}
	}
}

static void probe_free(struct ds_probe *p)
{
	if (p->timer)
		jn_timer_cancel(p->timer);
	if (p->orq)
		nta_outgoing_destroy(p->orq);
	if (p->d && p->d->probe == p)
		p->d->probe = NULL;
	free(p);
}

static int probe_answer(struct ds_probe *p, nta_outgoing_t *orq, const sip_t *sip)
{
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 408;
	if (status < 200)
		return 0;
	ds_probe_result(p->d, status, jn_now_ms());
	probe_free(p);
	return 0;
}

static void probe_timeout(jn_timer_t *t, void *data)
{
	struct ds_probe *p = data;
	p->timer = NULL; /* freed by the core after this callback */
	ds_probe_result(p->d, 408, jn_now_ms());
	probe_free(p);
}

/* The OPTIONS for one destination, in a message of its own. */
static msg_t *probe_request(nta_agent_t *agent, const struct ds_dst *d)
{
	static uint32_t cseq;
	msg_t *msg = nta_msg_create(agent, 0);
	if (!msg)
		return NULL;
	sip_t *sip = sip_object(msg);
	su_home_t *home = msg_home(msg);
	url_t *ruri = url_make(home, d->uri);
	sip_request_t *rq =
	    ruri ? sip_request_create(home, SIP_METHOD_OPTIONS, (url_string_t *)ruri, NULL) : NULL;
	char *from = su_sprintf(home, "<%s>;tag=jnds%u", ds_probe_cfg.from, ++cseq);
	if (!rq || !from ||
	    sip_add_tl(msg, sip, SIPTAG_REQUEST(rq), SIPTAG_FROM_STR(from), SIPTAG_TO_STR(d->uri),
	               SIPTAG_CALL_ID(sip_call_id_create(home, NULL)),
	               SIPTAG_CSEQ(sip_cseq_create(home, cseq, SIP_METHOD_OPTIONS)),
	               SIPTAG_MAX_FORWARDS_STR("70"), SIPTAG_CONTENT_LENGTH_STR("0"),
	               TAG_END()) < 0) {
		msg_destroy(msg);
		return NULL;
	}
	return msg;
}

static void probe_send(struct ds_dst *d)
{
	nta_agent_t *agent = jn_sip_agent();
	struct ds_probe *p = calloc(1, sizeof(*p));
	msg_t *msg = agent && p ? probe_request(agent, d) : NULL;
	if (!msg) {
		free(p);
		return;
	}
	p->d = d;
	/* nta takes one reference (kept or released by it), ours goes below. */
	p->orq = nta_outgoing_mcreate(agent, probe_answer, p, NULL, msg_ref_create(msg), TAG_END());
	msg_destroy(msg);
	if (!p->orq) {
		/* Cannot even be sent (an unresolvable host): a failure. */
		free(p);
		ds_probe_result(d, 503, jn_now_ms());
		return;
	}
	p->timer = jn_timer_start(ds_probe_cfg.timeout_ms, probe_timeout, p);
	if (!p->timer) {
		probe_free(p);
		return;
	}
	d->probe = p;
}

static void probe_tick(jn_timer_t *t, void *data)
{
	tick = NULL;
	if (!running)
		return;
	for (size_t i = 0; i < ds_nsets; i++)
		for (size_t j = 0; j < ds_sets[i].n; j++)
			if (!ds_sets[i].d[j].probe) /* still waiting: no second one */
				probe_send(&ds_sets[i].d[j]);
	tick = jn_timer_start(ds_probe_cfg.interval_ms, probe_tick, NULL);
}

int ds_probe_start(jn_module_t *m)
{
	if (!ds_probe_cfg.interval_ms || !ds_nsets)
		return 0;
	running = 1;
	/* The first round soon after start, so a dead destination is known
	 * before the first interval has passed. */
	tick = jn_timer_start(ds_probe_cfg.interval_ms < 200 ? ds_probe_cfg.interval_ms : 200,
	                      probe_tick, NULL);
	return tick ? 0 : JN_ENOMEM;
}

void ds_probe_stop(void)
{
	running = 0;
	if (tick)
		jn_timer_cancel(tick);
	tick = NULL;
	for (size_t i = 0; i < ds_nsets; i++)
		for (size_t j = 0; j < ds_sets[i].n; j++)
			if (ds_sets[i].d[j].probe)
				probe_free(ds_sets[i].d[j].probe);
}
