/* keepalive.c - keep NAT bindings open (RFC 5626 4.4): every interval, a
 * stateless OPTIONS to each binding the registrar marked as NATed, sent to
 * its received address (the NAT's public side), never to the private
 * Contact address. Answers come back as stray responses with only our Via
 * and are dropped by the core after the reply route. */
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "../registrar/registrar_api.h"
#include "nat.h"

static struct {
	jn_module_t *m;
	const registrar_api_t *reg;
	jn_timer_t *timer;
	unsigned interval_ms;
	unsigned long sent, failed;
	uint32_t cseq;
} K;

static int send_options(const registrar_binding_t *b, void *data)
{
	nta_agent_t *agent = jn_sip_agent();
	if (!b->nated || !agent)
		return 0;
	const char *target = b->received ? b->received : b->contact;
	msg_t *msg = nta_msg_create(agent, 0);
	if (!msg)
		return 0;
	sip_t *sip = sip_object(msg);
	su_home_t *home = msg_home(msg);
	url_t *dst = url_make(home, target);
	url_t *ruri = url_make(home, b->contact);
	sip_request_t *rq =
	    ruri ? sip_request_create(home, SIP_METHOD_OPTIONS, (url_string_t *)ruri, NULL) : NULL;
	char *from = su_sprintf(home, "<sip:keepalive@%s>;tag=jnka%lu",
	                        dst && dst->url_host ? dst->url_host : "invalid", K.sent);
	if (!dst || !rq || !from ||
	    sip_add_tl(msg, sip, SIPTAG_REQUEST(rq), SIPTAG_FROM_STR(from),
	               SIPTAG_TO_STR(b->contact), SIPTAG_CALL_ID(sip_call_id_create(home, NULL)),
	               SIPTAG_CSEQ(sip_cseq_create(home, ++K.cseq, SIP_METHOD_OPTIONS)),
	               SIPTAG_MAX_FORWARDS_STR("70"), SIPTAG_CONTENT_LENGTH_STR("0"),
	               TAG_END()) < 0) {
		msg_destroy(msg);
		K.failed++;
		return 0;
	}
	/* nta_msg_tsend takes the message and adds our Via. */
	if (nta_msg_tsend(agent, msg, (url_string_t *)dst, TAG_END()) < 0)
		K.failed++;
	else
		K.sent++;
	return 0;
}

static void tick(jn_timer_t *t, void *data)
{
	K.timer = NULL;
	K.reg->foreach (send_options, NULL);
	K.timer = jn_timer_start(K.interval_ms, tick, NULL);
}

int nat_keepalive_start(jn_module_t *m, unsigned interval_ms)
{
	K.m = m;
	K.interval_ms = interval_ms;
	K.reg = jn_api_get(m, REGISTRAR_API_NAME, REGISTRAR_API_VERSION);
	if (!K.reg || K.reg->size < sizeof(registrar_api_t))
		return JN_EVERSION;
	if (!interval_ms)
		return 0;
	K.timer = jn_timer_start(interval_ms, tick, NULL);
	return K.timer ? 0 : JN_ENOMEM;
}

void nat_keepalive_stop(void)
{
	if (K.timer)
		jn_timer_cancel(K.timer);
	K.timer = NULL;
}

unsigned long nat_keepalives_sent(void)
{
	return K.sent;
}

const registrar_api_t *nat_registrar(void);
const registrar_api_t *nat_registrar(void)
{
	return K.reg;
}
