/* sip.c - the SIP core: an NTA agent on the SIP thread's su_root. Every
 * request that no transaction absorbs runs the script's request route;
 * responses that match no client transaction run the reply route and are
 * forwarded statelessly (RFC 3261 16.11). */
#include "sip.h"

#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/tport_tag.h>

#include "hooks.h"
#include "log.h"
#include "loop.h"
#include "msg.h"
#include "script/script.h"
#include "tls.h"

static struct {
	nta_agent_t *agent;
	char *user_agent;
	char *resolv_conf; /* what the agent's resolver reads; NULL: the system's */
	char *tls_dir;     /* TLS credentials for sofia (tls.c); NULL: no tls listener */
	char **listeners;
	size_t nlisteners;
	const jn_config_t *cfg;
	int shutting_down;
	size_t in_flight;
} S;

nta_agent_t *sipcore_agent(void)
{
	return S.agent;
}

const char *sipcore_resolv_conf(void)
{
	return S.resolv_conf;
}

const char *sipcore_user_agent(void)
{
	return S.user_agent ? S.user_agent : "Junction";
}

size_t sipcore_listener_count(void)
{
	return S.nlisteners;
}

const char *sipcore_listener(size_t i)
{
	return i < S.nlisteners ? S.listeners[i] : NULL;
}

size_t sipcore_in_flight(void)
{
	return S.in_flight;
}

void sipcore_begin_shutdown(void)
{
	S.shutting_down = 1;
}

/* ---- sanity checks: RFC 3261 8.2 / 16.3 ------------------------------ */

/* A reason phrase naming what is wrong with the request, or NULL. nta
 * itself answers requests that fail sip_sanity_check() (a missing Call-ID,
 * From, To, CSeq or Via) and those whose essential headers do not parse
 * ("Bad CSeq Header"); what reaches us may still carry a header that did
 * not parse, reported in the same style. */
static const char *request_problem(msg_t *msg, sip_t *sip)
{
	if (sip->sip_error) {
		static char buf[96];
		const char *name = sip->sip_error->er_name;
		snprintf(buf, sizeof(buf), "Bad %s Header",
			 name && *name ? name : "Unknown");
		/* The header name comes from the wire: keep the phrase printable. */
		for (char *p = buf; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				*p = '?';
		return buf;
	}
	if (!sip->sip_call_id)
		return "Missing Call-ID Header";
	if (!sip->sip_cseq)
		return "Missing or Bad CSeq Header";
	if (!sip->sip_from)
		return "Missing or Bad From Header";
	if (!sip->sip_to)
		return "Missing or Bad To Header";
	if (sip->sip_cseq->cs_method != sip->sip_request->rq_method ||
	    (sip->sip_request->rq_method == sip_method_unknown &&
	     strcmp(sip->sip_cseq->cs_method_name, sip->sip_request->rq_method_name) != 0))
		return "CSeq Method Does Not Match Request";
	if (sip->sip_flags & MSG_FLG_TRUNC)
		return "Truncated Message";
	return NULL;
}

/* ---- requests ---------------------------------------------------------- */

static void request_finish(jn_msg_t *jm, script_status_t st)
{
	int is_ack = jm->sip->sip_request->rq_method == sip_method_ack;
	log_set_context(jn_msg_call_id(jm));
	if (!is_ack && st != SCRIPT_DROP && jm->status_sent < 200 && !jm->forwarded &&
	    !(jm->taken && st != SCRIPT_FAILED)) {
		if (st == SCRIPT_FAILED)
			log_err("%s: the request route failed; answering 500",
				jm->sip->sip_request->rq_method_name);
		else
			log_warn("%s: the request route ended without answering or forwarding; "
				 "answering 500",
				 jm->sip->sip_request->rq_method_name);
		jn_msg_reply(jm, 500, "Server Internal Error", NULL);
	}
	jm->in_flight = 0;
	S.in_flight--;
	log_set_context(NULL);
}

static void request_done(jn_msg_t *jm, script_status_t st, void *data)
{
	request_finish(jm, st);
}

static void handle_request(msg_t *msg, sip_t *sip)
{
	sip_request_t *rq = sip->sip_request;
	if (strcmp(rq->rq_version, SIP_VERSION_CURRENT) != 0) {
		nta_msg_treply(S.agent, msg, 505, "Version Not Supported",
			       SIPTAG_SERVER_STR(sipcore_user_agent()), TAG_END());
		return;
	}
	const char *problem = request_problem(msg, sip);
	if (problem) {
		log_notice("%s request from %s refused: %s", rq->rq_method_name,
			   sip->sip_via ? sip->sip_via->v_host : "?", problem);
		if (rq->rq_method == sip_method_ack || !sip->sip_via)
			msg_destroy(msg);
		else
			nta_msg_treply(S.agent, msg, 400, problem, SIPTAG_SERVER_STR(sipcore_user_agent()),
				       TAG_END());
		return;
	}
	if (S.shutting_down) {
		if (rq->rq_method == sip_method_ack)
			msg_destroy(msg);
		else
			nta_msg_treply(S.agent, msg, 503, "Shutting Down", SIPTAG_RETRY_AFTER_STR("5"),
				       SIPTAG_SERVER_STR(sipcore_user_agent()), TAG_END());
		return;
	}
	jn_msg_t *jm = jnmsg_wrap(msg, sip);
	if (!jm) {
		msg_destroy(msg);
		return;
	}
	log_set_context(jn_msg_call_id(jm));
	jm->in_flight = 1;
	S.in_flight++;
	/* Routes run later for this request (failure, branch, reply NAME) use
	 * the script it started on. */
	jm->script = script_active();
	if (jm->script)
		script_ref(jm->script);
	switch (hooks_run(JN_PHASE_REQUEST_IN, jm)) {
	case JN_HOOK_AGAIN:
		jm->forwarded = 1; /* taken over by the hook */
		request_finish(jm, SCRIPT_DONE);
		goto out;
	case JN_HOOK_ERROR:
		request_finish(jm, SCRIPT_FAILED);
		goto out;
	default:
		break;
	}
	script_status_t st = script_run(script_active(), JN_ROUTE_REQUEST, NULL, jm, request_done, NULL);
	if (st == SCRIPT_SUSPENDED) {
		/* Absorb retransmissions while the script waits (RFC 3261 17.2). */
		if (jm->status_sent < 200 && !jm->forwarded && jnmsg_ensure_irq(jm) == 0 &&
		    rq->rq_method == sip_method_invite && jm->status_sent < 100) {
			nta_incoming_treply(jm->irq, SIP_100_TRYING, TAG_END());
			jm->status_sent = 100;
		}
	} else {
		request_finish(jm, st);
	}
out:
	jn_msg_unref(jm);
	log_set_context(NULL);
}

/* ---- responses --------------------------------------------------------- */

JN_API int jn_sip_is_local(const char *host, const char *port)
{
	if (!host || !S.cfg)
		return 0;
	if (!port)
		port = "5060";
	for (size_t i = 0; i < S.cfg->nlisteners; i++) {
		const conf_listener_t *l = &S.cfg->listeners[i];
		char p[8];
		snprintf(p, sizeof(p), "%u", l->port);
		const char *h = host;
		size_t hl = strlen(h);
		if (hl > 2 && h[0] == '[' && h[hl - 1] == ']') {
			if (strlen(l->host) == hl - 2 && strncasecmp(h + 1, l->host, hl - 2) == 0 &&
			    strcmp(port, p) == 0)
				return 1;
		} else if (strcasecmp(h, l->host) == 0 && strcmp(port, p) == 0) {
			return 1;
		}
	}
	return 0;
}

static int via_is_ours(const sip_via_t *v)
{
	return v && v->v_host && jn_sip_is_local(v->v_host, v->v_port);
}

static void response_relay(jn_msg_t *jm)
{
	sip_t *sip = jm->sip;
	if (!sip->sip_via || !sip->sip_via->v_next)
		return; /* nowhere to send it */
	nta_msg_tsend(S.agent, msg_ref_create(jm->msg), NULL, TAG_END());
}

static void response_done(jn_msg_t *jm, script_status_t st, void *data)
{
	if (st != SCRIPT_DROP)
		response_relay(jm);
}

static void handle_response(msg_t *msg, sip_t *sip)
{
	if (!via_is_ours(sip->sip_via)) {
		/* RFC 3261 16.11 / 18.1.2: not for us - discard. */
		log_debug("discarding a response whose top Via is not ours");
		msg_destroy(msg);
		return;
	}
	jn_msg_t *jm = jnmsg_wrap(msg, sip);
	if (!jm) {
		msg_destroy(msg);
		return;
	}
	log_set_context(jn_msg_call_id(jm));
	jn_hook_result_t h = hooks_run(JN_PHASE_REPLY_IN, jm);
	if (h == JN_HOOK_AGAIN || h == JN_HOOK_ERROR)
		goto out;
	script_status_t st = script_run(script_active(), JN_ROUTE_REPLY, NULL, jm, response_done, NULL);
	if (st != SCRIPT_SUSPENDED)
		response_done(jm, st, NULL);
out:
	jn_msg_unref(jm);
	log_set_context(NULL);
}

static int message_cb(nta_agent_magic_t *ctx, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	if (!sip) {
		msg_destroy(msg);
		return 0;
	}
	if (sip->sip_request)
		handle_request(msg, sip);
	else if (sip->sip_status)
		handle_response(msg, sip);
	else
		msg_destroy(msg);
	return 0;
}

/* ---- setup ----------------------------------------------------------- */

/* TLS binds through a sips: URL: nta offers "tls" only for sips. */
static char *listener_url(const conf_listener_t *l)
{
	char *s = NULL;
	int v6 = strchr(l->host, ':') != NULL;
	int tls = !strcmp(l->proto, "tls");
	if (asprintf(&s, "%s:%s%s%s:%u;transport=%s", tls ? "sips" : "sip", v6 ? "[" : "", l->host,
		     v6 ? "]" : "", l->port, l->proto) < 0)
		return NULL;
	return s;
}

/* Why a listener could not be bound: sofia-sip leaves errno clobbered
 * by its own clean-up, so bind the address once more ourselves. Returns
 * the errno of that bind, or 0 when it works (sofia refused for another
 * reason). */
static int bind_probe(const conf_listener_t *l)
{
	struct addrinfo hints = {0}, *ai = NULL;
	char port[8];
	int err = 0;
	hints.ai_socktype = strcmp(l->proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	snprintf(port, sizeof(port), "%u", l->port);
	if (getaddrinfo(l->host, port, &hints, &ai) != 0 || !ai)
		return EADDRNOTAVAIL;
	int fd = socket(ai->ai_family, ai->ai_socktype, 0);
	if (fd < 0) {
		err = errno;
	} else {
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
			err = errno;
		close(fd);
	}
	freeaddrinfo(ai);
	return err;
}

int sipcore_start(const jn_config_t *cfg, jn_errlist_t *errs)
{
	S.cfg = cfg;
	S.user_agent = strdup(cfg->sip.user_agent ? cfg->sip.user_agent : "Junction");
	S.listeners = calloc(cfg->nlisteners + 1, sizeof(char *));
	if (!S.user_agent || !S.listeners)
		return -1;
	if (cfg->sip.resolv_conf && !(S.resolv_conf = strdup(cfg->sip.resolv_conf)))
		return -1;
	for (size_t i = 0; i < cfg->nlisteners && !S.tls_dir; i++)
		if (!strcmp(cfg->listeners[i].proto, "tls") && tls_dir_create(cfg, &S.tls_dir, errs) < 0)
			return -1;
	/* A client certificate is required only when asked for: phones rarely
	 * have one. Servers we connect to are not verified (no CA for them). */
	unsigned tls_policy = cfg->tls.verify_client ? TPTLS_VERIFY_IN : TPTLS_VERIFY_NONE;
	for (size_t i = 0; i < cfg->nlisteners; i++) {
		const conf_listener_t *l = &cfg->listeners[i];
		char *url = listener_url(l);
		if (!url)
			return -1;
		int ok;
		if (!S.agent) {
			S.agent = nta_agent_create(loop_root(), URL_STRING_MAKE(url), message_cb, NULL,
						   NTATAG_UA(0), NTATAG_CANCEL_487(0),
						   NTATAG_SERVER_RPORT(1), NTATAG_CLIENT_RPORT(1),
						   NTATAG_MERGE_482(0),
						   /* RFC 3263: NAPTR -> SRV -> A/AAAA for names */
						   NTATAG_USE_NAPTR(1), NTATAG_USE_SRV(1),
						   TAG_IF(S.resolv_conf,
							  SRESTAG_RESOLV_CONF(S.resolv_conf)),
						   TPTAG_UDP_RMEM(cfg->sip.udp_buffer),
						   TPTAG_UDP_WMEM(cfg->sip.udp_buffer),
						   TPTAG_STUN_SERVER(0),
						   /* RFC 5626 4.4.1: CRLF pings keep NATed
						    * TCP/TLS connections open */
						   TPTAG_KEEPALIVE(cfg->sip.tcp_keepalive * 1000u),
						   TAG_IF(S.tls_dir, TPTAG_CERTIFICATE(S.tls_dir)),
						   TAG_IF(S.tls_dir, TPTAG_TLS_VERIFY_POLICY(tls_policy)),
						   TAG_END());
			ok = S.agent != NULL;
		} else {
			ok = nta_agent_add_tport(S.agent, URL_STRING_MAKE(url),
						 TPTAG_UDP_RMEM(cfg->sip.udp_buffer),
						 TPTAG_UDP_WMEM(cfg->sip.udp_buffer),
						 TPTAG_STUN_SERVER(0),
						 TPTAG_KEEPALIVE(cfg->sip.tcp_keepalive * 1000u),
						 TAG_IF(S.tls_dir, TPTAG_CERTIFICATE(S.tls_dir)),
						 TAG_IF(S.tls_dir, TPTAG_TLS_VERIFY_POLICY(tls_policy)),
						 TAG_END()) == 0;
		}
		free(url);
		if (!ok) {
			int err = bind_probe(l);
			errlist_add(errs, NULL, 0, 0, "%s: cannot listen on %s: %s", l->where, l->text,
				    err ? strerror(err) : "refused by the SIP stack");
			return -1;
		}
		S.listeners[S.nlisteners++] = strdup(l->text);
		log_info("listening on %s", l->text);
	}
	if (!S.agent) {
		errlist_add(errs, NULL, 0, 0, "no SIP listener configured");
		return -1;
	}
	return 0;
}

void sipcore_stop(void)
{
	if (S.agent)
		nta_agent_destroy(S.agent);
	S.agent = NULL;
	for (size_t i = 0; i < S.nlisteners; i++)
		free(S.listeners[i]);
	free(S.listeners);
	free(S.user_agent);
	free(S.resolv_conf);
	tls_dir_remove(S.tls_dir);
	memset(&S, 0, sizeof(S));
}
