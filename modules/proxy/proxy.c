/*
 * proxy.c - the transaction-stateful proxy module (RFC 3261 section 16):
 * the descriptor, its parameters and the script wrappers. The work is in
 * fork.c (the transaction), request.c (a branch's request), route.c
 * (loose routing), select.c (best response, q groups), redirect.c.
 *
 *   request {
 *       if (proxy.loose_route()) { proxy.relay(); exit; }
 *       proxy.record_route();
 *       proxy.relay(failure: "busy", timeout: 30);
 *   }
 */
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>


jn_module_t *proxy_self;
struct proxy_defaults proxy_def;

static const jn_param_def_t proxy_params[] = {
	{"timeout", JN_PARAM_INT, "120", 1, 3600,
	 "seconds an INVITE branch waits for a final response after a provisional one "
	 "(fr_inv_timer)"},
	{"branch_timeout", JN_PARAM_INT, "30", 1, 3600,
	 "seconds a branch waits for its first response (fr_timer); then it counts as 408"},
	{"serial", JN_PARAM_BOOL, "false", 0, 0,
	 "fork serially by q-value groups instead of to all branches at once"},
	{"record_route", JN_PARAM_BOOL, "false", 0, 0,
	 "add Record-Route to every relayed request, as if proxy.record_route() was called"},
	{NULL, 0, NULL, 0, 0, NULL},
};

/* ---- proxy.relay(...) ----------------------------------------------------- */

enum { A_FAILURE, A_BRANCH, A_REPLY, A_TIMEOUT, A_BRANCH_TIMEOUT, A_SERIAL };

static const jn_arg_def_t relay_args[] = {
	{"failure", JN_ARG_STR, JN_ARG_OPTIONAL | JN_ARG_CONST},
	{"branch", JN_ARG_STR, JN_ARG_OPTIONAL | JN_ARG_CONST},
	{"reply", JN_ARG_STR, JN_ARG_OPTIONAL | JN_ARG_CONST},
	{"timeout", JN_ARG_INT, JN_ARG_OPTIONAL},
	{"branch_timeout", JN_ARG_INT, JN_ARG_OPTIONAL},
	{"serial", JN_ARG_BOOL, JN_ARG_OPTIONAL},
	{NULL, 0, 0},
};

/* A route named in proxy.relay() must exist: refuse the script at load. */
static int relay_prepare(jn_prepare_t *p)
{
	static const jn_route_kind_t kinds[] = {JN_ROUTE_FAILURE, JN_ROUTE_BRANCH, JN_ROUTE_REPLY};
	static const char *const what[] = {"failure", "branch", "reply"};
	unsigned i = jn_prepare_index(p);
	const jn_value_t *v = jn_prepare_value(p);
	if (i > A_REPLY || v->type != JN_T_STR)
		return 0;
	if (!v->len)
		return jn_prepare_error(p, "proxy.relay: empty %s route name", what[i]);
	if (!jn_prepare_has_route(p, kinds[i], v->s))
		return jn_prepare_error(p, "proxy.relay: the script has no `%s %s` block", what[i],
					v->s);
	return 0;
}

static unsigned seconds_arg(jn_call_t *c, unsigned i, unsigned def_ms)
{
	if (!jn_call_has_arg(c, i))
		return def_ms;
	int64_t s = jn_call_arg_int(c, i, 0);
	if (s < 1)
		s = 1;
	if (s > 3600)
		s = 3600;
	return (unsigned)s * 1000u;
}

static jn_result_t proxy_relay(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg || !jn_msg_is_request(msg))
		return jn_call_error(c, "proxy.relay: no request");
	sip_t *sip = jn_msg_sofia_sip(msg);
	sip_method_t method = sip->sip_request->rq_method;

	if (method == sip_method_ack) {
		/* An ACK for a 2xx is its own transaction-less request: along
		 * the Route set or to the Request-URI (RFC 3261 16.11). */
		int r = preq_forward_stateless(msg);
		if (r == JN_ERANGE || r == JN_ESTATE)
			return JN_FALSE;
		if (r < 0)
			return jn_call_error(c, "proxy.relay: ACK: %s", jn_strerror(r));
		return JN_TRUE;
	}
	if (method == sip_method_cancel) {
		/* nta answers a CANCEL that matches a transaction of ours; one
		 * that reaches the script matches nothing (RFC 3261 16.10). */
		jn_msg_reply(msg, 481, "Call/Transaction Does Not Exist", NULL);
		return JN_FALSE;
	}
	if (!ptx_find(msg)) {
		/* RFC 3261 16.3 item 3 */
		if (sip->sip_max_forwards && sip->sip_max_forwards->mf_count == 0) {
			jn_msg_reply(msg, 483, "Too Many Hops", NULL);
			return JN_FALSE;
		}
		/* RFC 3261 16.3 item 4 */
		if (preq_is_loop(sip)) {
			jn_msg_reply(msg, 482, "Loop Detected", NULL);
			return JN_FALSE;
		}
		if (proxy_def.record_route && preq_record_route(msg) != 0)
			jn_log_warn(proxy_self, "cannot add Record-Route");
	}
	struct relay_opts o = {
		.failure = (char *)jn_call_arg_str(c, A_FAILURE, NULL),
		.branch = (char *)jn_call_arg_str(c, A_BRANCH, NULL),
		.reply = (char *)jn_call_arg_str(c, A_REPLY, NULL),
		.timeout_ms = seconds_arg(c, A_TIMEOUT, proxy_def.timeout_ms),
		.branch_timeout_ms = seconds_arg(c, A_BRANCH_TIMEOUT, proxy_def.branch_timeout_ms),
		.serial = jn_call_has_arg(c, A_SERIAL) ? (int)jn_call_arg_int(c, A_SERIAL, 0)
						       : proxy_def.serial,
	};
	int r = ptx_relay(msg, &o);
	if (r == JN_ENOENT)
		return JN_FALSE;
	if (r == JN_ESTATE)
		return jn_call_error(c, "proxy.relay: the request was already answered or cancelled");
	if (r < 0)
		return jn_call_error(c, "proxy.relay: %s", jn_strerror(r));
	return JN_TRUE;
}

/* ---- small functions ------------------------------------------------------ */

static jn_result_t proxy_record_route(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	int r = msg ? preq_record_route(msg) : JN_ESTATE;
	if (r < 0)
		return jn_call_error(c, "proxy.record_route: %s", jn_strerror(r));
	return JN_TRUE;
}

static jn_result_t proxy_loose_route(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	int r = msg ? proute_loose(msg) : JN_ESTATE;
	if (r < 0)
		return jn_call_error(c, "proxy.loose_route: %s", jn_strerror(r));
	return r ? JN_TRUE : JN_FALSE;
}

static jn_result_t proxy_redirect(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	int r = msg ? predirect(msg) : JN_ESTATE;
	if (r < 0)
		return jn_call_error(c, "proxy.redirect: %s", jn_strerror(r));
	return JN_TRUE;
}

/* RFC 3261 20.10 qvalue: "0", "1", "0.5", "1.000". -1 when malformed. */
static int parse_q(const char *s)
{
	if (!s || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000, scale = 100;
	if (s[1] == '\0')
		return q;
	if (s[1] != '.')
		return -1;
	for (const char *p = s + 2; *p; p++) {
		if (*p < '0' || *p > '9' || scale == 0)
			return -1;
		q += (*p - '0') * scale;
		scale /= 10;
	}
	return q > 1000 ? -1 : q;
}

static const jn_arg_def_t add_branch_args[] = {
	{"uri", JN_ARG_STR, 0},
	{"q", JN_ARG_STR, JN_ARG_OPTIONAL},
	{"dst", JN_ARG_STR, JN_ARG_OPTIONAL},
	{NULL, 0, 0},
};

static jn_result_t proxy_add_branch(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg)
		return jn_call_error(c, "proxy.add_branch: no request");
	const char *qs = jn_call_arg_str(c, 1, "1");
	int q = parse_q(qs);
	if (q < 0)
		return jn_call_error(c, "proxy.add_branch: '%s' is not a q-value (0 to 1)", qs);
	jn_branch_t b = {
		.size = sizeof(b),
		.uri = jn_call_arg_str(c, 0, NULL),
		.dst_uri = jn_call_arg_str(c, 2, NULL),
		.q = q,
	};
	url_t *u = url_hdup(NULL, URL_STRING_MAKE(b.uri)->us_url);
	int ok = u && u->url_host && (u->url_type == url_sip || u->url_type == url_sips);
	su_free(NULL, u);
	if (!ok)
		return jn_call_error(c, "proxy.add_branch: '%s' is not a SIP URI", b.uri);
	int r = jn_msg_branch_add(msg, &b);
	if (r < 0)
		return jn_call_error(c, "proxy.add_branch: %s", jn_strerror(r));
	return JN_TRUE;
}

/* ---- variables ---------------------------------------------------------- */

static int branches_get(jn_call_t *c, jn_value_t *out)
{
	jn_msg_t *msg = jn_call_msg(c);
	out->type = JN_T_INT;
	out->i = msg ? (int64_t)ptx_branch_count(ptx_find(msg)) : 0;
	return 0;
}

static int branch_index_get(jn_call_t *c, jn_value_t *out)
{
	jn_msg_t *msg = jn_call_msg(c);
	int i = msg ? ptx_branch_index_of(msg) : -1;
	if (i < 0) {
		out->type = JN_T_NULL;
		return 0;
	}
	out->type = JN_T_INT;
	out->i = i;
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

static int proxy_load(jn_module_t *m)
{
	static const jn_func_def_t funcs[] = {
		{"relay", proxy_relay, relay_args, JN_ROUTE_REQUEST | JN_ROUTE_FAILURE, JN_T_BOOL,
		 relay_prepare, NULL,
		 "relay statefully to the destination set (RFC 3261 16): "
		 "relay(failure:, branch:, reply:, timeout:, branch_timeout:, serial:)"},
		{"record_route", proxy_record_route, NULL, JN_ROUTE_REQUEST, JN_T_BOOL, NULL, NULL,
		 "add this proxy's Record-Route (with lr) to the request (RFC 3261 16.6 item 4)"},
		{"loose_route", proxy_loose_route, NULL, JN_ROUTE_REQUEST, JN_T_BOOL, NULL, NULL,
		 "RFC 3261 16.4 route processing; true when the request carried a Route set"},
		{"redirect", proxy_redirect, NULL, JN_ROUTE_REQUEST | JN_ROUTE_FAILURE, JN_T_BOOL,
		 NULL, NULL, "answer 302 with the destination set as Contact headers"},
		{"add_branch", proxy_add_branch, add_branch_args, JN_ROUTE_REQUEST | JN_ROUTE_FAILURE,
		 JN_T_BOOL, NULL, NULL, "add a target to the destination set: add_branch(uri, q:, dst:)"},
	};
	static const jn_var_def_t vars[] = {
		{"branches", JN_T_INT, branches_get, NULL, 0, NULL,
		 "number of branches the proxy created for this request"},
		{"branch_index", JN_T_INT, branch_index_get, NULL, JN_ROUTE_BRANCH, NULL,
		 "index (from 0) of the branch a branch route runs for"},
	};
	proxy_self = m;
	proxy_def.timeout_ms = (unsigned)jn_param_int(m, "timeout") * 1000u;
	proxy_def.branch_timeout_ms = (unsigned)jn_param_int(m, "branch_timeout") * 1000u;
	proxy_def.serial = jn_param_bool(m, "serial");
	proxy_def.record_route = jn_param_bool(m, "record_route");
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		int r = jn_func_register(m, &funcs[i]);
		if (r < 0) {
			jn_log_err(m, "cannot register proxy.%s: %s", funcs[i].name, jn_strerror(r));
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		int r = jn_var_register(m, &vars[i]);
		if (r < 0) {
			jn_log_err(m, "cannot register proxy.%s: %s", vars[i].name, jn_strerror(r));
			return -1;
		}
	}
	return 0;
}

static void proxy_stop(jn_module_t *m)
{
	ptx_shutdown();
	pdns_shutdown();
}

JN_MODULE(.name = "proxy", .version = "1.0",
	  .description = "transaction-stateful forking proxy and redirect server (RFC 3261 16)",
	  .params = proxy_params, .load = proxy_load, .stop = proxy_stop);
