/* builtins.c - what every script has without loading a module: message
 * fields as variables, and reply/forward/log/header functions. */
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

#include "log.h"
#include "msg.h"
#include "registry.h"

#define MSG_OR_NULL(c, out) \
	jn_msg_t *msg = jn_call_msg(c); \
	if (!msg) { \
		(out)->type = JN_T_NULL; \
		return 0; \
	}


/* ---- fields -------------------------------------------------------- */

enum field {
	F_METHOD, F_RURI, F_RURI_USER, F_RURI_HOST, F_RURI_PORT, F_FROM_URI, F_FROM_USER,
	F_FROM_TAG, F_TO_URI, F_TO_USER, F_TO_TAG, F_CALL_ID, F_CSEQ, F_STATUS, F_REASON,
	F_SRC_IP, F_SRC_PORT, F_SRC_PROTO, F_MAX_FORWARDS, F_BODY, F_DST_URI,
};

static int get_field(jn_call_t *c, jn_value_t *out)
{
	MSG_OR_NULL(c, out);
	sip_t *sip = msg->sip;
	su_home_t *home = msg_home(msg->msg);
	const url_t *ru = sip->sip_request ? sip->sip_request->rq_url : NULL;
	switch ((enum field)(intptr_t)jn_call_data(c)) {
	case F_METHOD: jn_value_set_str(out, jn_msg_method(msg)); break;
	case F_RURI: jn_value_set_str(out, jn_msg_ruri(msg)); break;
	case F_RURI_USER: jn_value_set_str(out, ru ? ru->url_user : NULL); break;
	case F_RURI_HOST: jn_value_set_str(out, ru ? ru->url_host : NULL); break;
	case F_RURI_PORT:
		if (ru && ru->url_port)
			jn_value_set_int(out, atoi(ru->url_port));
		else
			out->type = JN_T_NULL;
		break;
	case F_FROM_URI:
		jn_value_set_str(out, sip->sip_from ? url_as_string(home, sip->sip_from->a_url) : NULL);
		break;
	case F_FROM_USER: jn_value_set_str(out, sip->sip_from ? sip->sip_from->a_url->url_user : NULL); break;
	case F_FROM_TAG: jn_value_set_str(out, sip->sip_from ? sip->sip_from->a_tag : NULL); break;
	case F_TO_URI: jn_value_set_str(out, sip->sip_to ? url_as_string(home, sip->sip_to->a_url) : NULL); break;
	case F_TO_USER: jn_value_set_str(out, sip->sip_to ? sip->sip_to->a_url->url_user : NULL); break;
	case F_TO_TAG: jn_value_set_str(out, sip->sip_to ? sip->sip_to->a_tag : NULL); break;
	case F_CALL_ID: jn_value_set_str(out, jn_msg_call_id(msg)); break;
	case F_CSEQ: jn_value_set_int(out, jn_msg_cseq(msg)); break;
	case F_STATUS:
		if (sip->sip_status)
			jn_value_set_int(out, sip->sip_status->st_status);
		else if (msg->reply_status)
			jn_value_set_int(out, msg->reply_status);
		else
			out->type = JN_T_NULL;
		break;
	case F_REASON:
		jn_value_set_str(out, sip->sip_status ? jn_msg_reason(msg) : msg->reply_reason);
		break;
	case F_SRC_IP: jn_value_set_str(out, msg->src_ip[0] ? msg->src_ip : NULL); break;
	case F_SRC_PORT: jn_value_set_int(out, msg->src_port); break;
	case F_SRC_PROTO: jn_value_set_str(out, msg->proto); break;
	case F_MAX_FORWARDS:
		if (sip->sip_max_forwards)
			jn_value_set_int(out, (int64_t)sip->sip_max_forwards->mf_count);
		else
			out->type = JN_T_NULL;
		break;
	case F_DST_URI: jn_value_set_str(out, jn_msg_dst_uri(msg)); break;
	case F_BODY: {
		size_t len;
		const char *b = jn_msg_body(msg, &len);
		if (!b) {
			out->type = JN_T_NULL;
			break;
		}
		out->type = JN_T_STR;
		out->s = jn_call_strdup(c, b, len);
		out->len = len;
		break;
	}
	}
	return 0;
}

static int set_field(jn_call_t *c, const jn_value_t *v)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg || !msg->sip->sip_request)
		return JN_ESTATE;
	enum field f = (enum field)(intptr_t)jn_call_data(c);
	su_home_t *home = msg_home(msg->msg);
	char num[24];
	const char *text = v->s;
	if (v->type == JN_T_INT) {
		snprintf(num, sizeof(num), "%lld", (long long)v->i);
		text = num;
	} else if (v->type != JN_T_STR &&
		   !((f == F_RURI_USER || f == F_DST_URI) && v->type == JN_T_NULL)) {
		return JN_ETYPE;
	}
	if (f == F_RURI)
		return jn_msg_set_ruri(msg, text);
	if (f == F_DST_URI)
		return jn_msg_set_dst_uri(msg, v->type == JN_T_NULL ? NULL : text);
	if (f == F_MAX_FORWARDS) {
		char *end;
		long long n = strtoll(text, &end, 10);
		if (*end || n < 0 || n > 255)
			return JN_ERANGE;
		sip_max_forwards_t *mf = msg->sip->sip_max_forwards;
		if (mf) {
			mf->mf_count = (unsigned long)n;
			msg_fragment_clear(mf->mf_common);
			return 0;
		}
		return sip_add_tl(msg->msg, msg->sip, SIPTAG_MAX_FORWARDS_STR(text), TAG_END()) < 0
			       ? JN_EINVAL
			       : 0;
	}
	url_t *u = url_hdup(home, msg->sip->sip_request->rq_url);
	if (!u)
		return JN_ENOMEM;
	if (f == F_RURI_USER) {
		u->url_user = v->type == JN_T_NULL ? NULL : su_strdup(home, text);
	} else if (f == F_RURI_HOST) {
		if (!*text || strpbrk(text, " ;?@<>"))
			return JN_EINVAL;
		u->url_host = su_strdup(home, text);
	} else if (f == F_RURI_PORT) {
		char *end;
		long p = strtol(text, &end, 10);
		if (*end || p < 1 || p > 65535)
			return JN_ERANGE;
		u->url_port = su_strdup(home, text);
	} else {
		return JN_EINVAL;
	}
	sip_request_t *rq = msg->sip->sip_request;
	sip_request_t *nrq = sip_request_create(home, rq->rq_method, rq->rq_method_name,
						(url_string_t const *)u, NULL);
	if (!nrq || msg_header_insert(msg->msg, (msg_pub_t *)msg->sip, (msg_header_t *)nrq) < 0)
		return JN_ENOMEM;
	msg->ruri_text = NULL;
	return 0;
}

static const struct {
	const char *name;
	jn_type_t type;
	enum field f;
	int writable;
	unsigned routes;
	const char *doc;
} fields[] = {
	{"method", JN_T_STR, F_METHOD, 0, 0, "request method (CSeq method in replies)"},
	{"ruri", JN_T_STR, F_RURI, 1, 0, "Request-URI"},
	{"ruri.user", JN_T_STR, F_RURI_USER, 1, 0, "user part of the Request-URI"},
	{"ruri.host", JN_T_STR, F_RURI_HOST, 1, 0, "host part of the Request-URI"},
	{"ruri.port", JN_T_INT, F_RURI_PORT, 1, 0, "port of the Request-URI, null if absent"},
	{"from.uri", JN_T_STR, F_FROM_URI, 0, 0, "From URI"},
	{"from.user", JN_T_STR, F_FROM_USER, 0, 0, "user part of the From URI"},
	{"from.tag", JN_T_STR, F_FROM_TAG, 0, 0, "From tag"},
	{"to.uri", JN_T_STR, F_TO_URI, 0, 0, "To URI"},
	{"to.user", JN_T_STR, F_TO_USER, 0, 0, "user part of the To URI"},
	{"to.tag", JN_T_STR, F_TO_TAG, 0, 0, "To tag, null if absent"},
	{"call_id", JN_T_STR, F_CALL_ID, 0, 0, "Call-ID"},
	{"cseq", JN_T_INT, F_CSEQ, 0, 0, "CSeq number"},
	{"status", JN_T_INT, F_STATUS, 0, JN_ROUTE_REPLY | JN_ROUTE_FAILURE, "response status code"},
	{"reason", JN_T_STR, F_REASON, 0, JN_ROUTE_REPLY | JN_ROUTE_FAILURE, "response reason phrase"},
	{"src.ip", JN_T_STR, F_SRC_IP, 0, 0, "source IP address"},
	{"src.port", JN_T_INT, F_SRC_PORT, 0, 0, "source port"},
	{"src.proto", JN_T_STR, F_SRC_PROTO, 0, 0, "transport: udp, tcp, tls"},
	{"max_forwards", JN_T_INT, F_MAX_FORWARDS, 1, 0, "Max-Forwards, null if absent"},
	{"body", JN_T_STR, F_BODY, 0, 0, "message body, null if none"},
	{"dst_uri", JN_T_STR, F_DST_URI, 1, JN_ROUTE_REQUEST | JN_ROUTE_FAILURE | JN_ROUTE_BRANCH,
	 "next hop when it differs from the Request-URI (outbound proxy, NAT), null if none"},
};

/* ---- functions ------------------------------------------------------- */

static jn_result_t fn_reply(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	int64_t code = jn_call_arg_int(c, 0, 0);
	if (code < 100 || code > 699)
		return jn_call_error(c, "reply: status %lld is not between 100 and 699",
				     (long long)code);
	int r = jn_msg_reply(msg, (int)code, jn_call_arg_str(c, 1, NULL), jn_call_arg_str(c, 2, NULL));
	if (r == JN_ESTATE)
		return jn_call_error(c, "reply: the request was already answered or forwarded");
	if (r < 0)
		return jn_call_error(c, "reply: %s", jn_strerror(r));
	return JN_TRUE;
}

static jn_result_t fn_forward(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	int r = jn_msg_forward(msg, jn_call_arg_str(c, 0, NULL));
	if (r == JN_ERANGE) {
		/* RFC 3261 16.3 item 2: Max-Forwards 0 must not be forwarded. */
		jn_msg_reply(msg, 483, "Too Many Hops", NULL);
		return JN_FALSE;
	}
	if (r == JN_EINVAL)
		return jn_call_error(c, "forward: '%s' is not a valid SIP URI",
				     jn_call_arg_str(c, 0, ""));
	if (r < 0)
		return jn_call_error(c, "forward: %s", jn_strerror(r));
	return JN_TRUE;
}

static jn_result_t fn_log(jn_call_t *c)
{
	const char *lvl = jn_call_arg_str(c, 1, "info");
	jn_log_level_t level;
	if (log_level_parse(lvl, &level) != 0)
		level = JN_LOG_INFO;
	jn_log(NULL, level, "script: %s", jn_call_arg_str(c, 0, ""));
	return JN_TRUE;
}

static int prepare_log_level(jn_prepare_t *p)
{
	jn_log_level_t level;
	if (jn_prepare_index(p) == 1 && log_level_parse(jn_prepare_value(p)->s, &level) != 0)
		return jn_prepare_error(p, "unknown log level '%s' (err, warn, notice, info, debug)",
					jn_prepare_value(p)->s);
	return 0;
}

static jn_result_t fn_header(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg) {
		jn_call_return_null(c);
		return JN_FALSE;
	}
	int64_t idx = jn_call_arg_int(c, 1, 0);
	const char *v = idx >= 0 ? jn_msg_header(msg, jn_call_arg_str(c, 0, ""), (unsigned)idx) : NULL;
	if (!v) {
		jn_call_return_null(c);
		return JN_FALSE;
	}
	jn_call_return_str(c, v, strlen(v));
	return JN_TRUE;
}

static jn_result_t fn_header_add(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg)
		return JN_FALSE;
	int r = jn_msg_header_add(msg, jn_call_arg_str(c, 0, ""), jn_call_arg_str(c, 1, ""));
	if (r < 0)
		return jn_call_error(c, "header_add: %s", jn_strerror(r));
	return JN_TRUE;
}

static jn_result_t fn_header_remove(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg)
		return JN_FALSE;
	int n = jn_msg_header_remove(msg, jn_call_arg_str(c, 0, ""));
	jn_call_return_int(c, n);
	return n > 0 ? JN_TRUE : JN_FALSE;
}

static const jn_arg_def_t reply_args[] = {
	{"code", JN_ARG_INT, 0}, {"reason", JN_ARG_STR, JN_ARG_OPTIONAL},
	{"headers", JN_ARG_STR, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
static const jn_arg_def_t forward_args[] = {{"dest", JN_ARG_STR, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
static const jn_arg_def_t log_args[] = {
	{"text", JN_ARG_ANY, 0}, {"level", JN_ARG_STR, JN_ARG_OPTIONAL | JN_ARG_CONST}, {NULL, 0, 0}};
static const jn_arg_def_t header_args[] = {
	{"name", JN_ARG_STR, 0}, {"index", JN_ARG_INT, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
static const jn_arg_def_t header_add_args[] = {
	{"name", JN_ARG_STR, 0}, {"value", JN_ARG_STR, 0}, {NULL, 0, 0}};
static const jn_arg_def_t header_remove_args[] = {{"name", JN_ARG_STR, 0}, {NULL, 0, 0}};

static const jn_func_def_t funcs[] = {
	{"reply", fn_reply, reply_args, JN_ROUTE_REQUEST | JN_ROUTE_FAILURE | JN_ROUTE_EVENT,
	 JN_T_BOOL, NULL, NULL, "answer the request statefully: reply(404, \"Not Found\")"},
	{"forward", fn_forward, forward_args, JN_ROUTE_REQUEST, JN_T_BOOL, NULL, NULL,
	 "forward statelessly to dest or the Request-URI (RFC 3261 16.11)"},
	{"log", fn_log, log_args, 0, JN_T_BOOL, prepare_log_level, NULL,
	 "write text to the log: log(\"x\", level: \"warn\")"},
	{"header", fn_header, header_args, 0, JN_T_STR, NULL, NULL,
	 "value of a header (index-th occurrence), null when absent"},
	{"header_add", fn_header_add, header_add_args, 0, JN_T_BOOL, NULL, NULL,
	 "append a header"},
	{"header_remove", fn_header_remove, header_remove_args, 0, JN_T_INT, NULL, NULL,
	 "remove every occurrence of a header; the count removed"},
};

int jnmsg_register_builtins(void)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		jn_var_def_t d = {
			.name = fields[i].name,
			.type = fields[i].type,
			.get = get_field,
			.set = fields[i].writable ? set_field : NULL,
			.routes = fields[i].routes,
			.data = (void *)(intptr_t)fields[i].f,
			.doc = fields[i].doc,
		};
		if (registry_add_var(NULL, &d) != 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (registry_add_func(NULL, &funcs[i]) != 0)
			return -1;
	return 0;
}
