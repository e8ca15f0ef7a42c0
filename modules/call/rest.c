/* rest.c - GET /api/v1/calls (the calls in progress with their legs,
 * codecs and per-leg media statistics), GET /api/v1/calls/{id} (one of
 * them) and DELETE /api/v1/calls/{id} (hang up). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "call.h"
#include "stats.h"

static json_t *leg_json(const struct call_leg *l)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "role", json_string(l->role == 'a' ? "caller" : "callee"));
	json_object_set_new(o, "state", json_string(call_leg_state_name(l->state)));
	json_object_set_new(o, "remote_uri",
	                    l->remote_uri ? json_string(l->remote_uri) : json_null());
	json_object_set_new(o, "call_id", l->call_id ? json_string(l->call_id) : json_null());
	if (!l->ms)
		return o;
	media_stream_info_t info = {.size = sizeof(info)};
	if (call_media->stream_info(l->ms, &info) == 0 && info.negotiated) {
		json_object_set_new(o, "codec", json_string(info.codec));
		json_object_set_new(o, "clock_rate", json_integer(info.clock_rate));
		json_object_set_new(o, "ptime", json_integer(info.ptime));
		/* SDES suite (RFC 4568), "" for plain RTP */
		json_object_set_new(o, "srtp", json_string(info.srtp_suite));
		json_object_set_new(o, "local_rtp",
		                    json_sprintf("%s:%u", info.local_addr, info.local_port));
		json_object_set_new(o, "remote_rtp",
		                    json_sprintf("%s:%u", info.remote_addr, info.remote_port));
		json_object_set_new(o, "latched", json_boolean(info.latched));
	}
	struct call_leg_stats st;
	if (call_leg_stats(l, &st) == 0) {
		/* Counters, then RFC 3550 receive statistics of what the leg
		 * sends us, the RTCP round trip, the leg's own report about
		 * what we send it (remote_*), and the E-model MOS. */
		json_t *s = json_object();
		json_object_set_new(s, "rx_packets", json_integer((json_int_t)st.rx_packets));
		json_object_set_new(s, "rx_bytes", json_integer((json_int_t)st.rx_bytes));
		json_object_set_new(s, "tx_packets", json_integer((json_int_t)st.tx_packets));
		json_object_set_new(s, "tx_bytes", json_integer((json_int_t)st.tx_bytes));
		json_object_set_new(s, "rx_dropped", json_integer((json_int_t)st.rx_dropped));
		json_object_set_new(s, "rtcp_rx", json_integer((json_int_t)st.rtcp_rx));
		json_object_set_new(s, "rtcp_tx", json_integer((json_int_t)st.rtcp_tx));
		json_object_set_new(s, "expected", json_integer(st.expected));
		json_object_set_new(s, "lost", json_integer(st.lost));
		json_object_set_new(s, "loss_pct", json_real(st.loss_x100 / 100.0));
		json_object_set_new(s, "jitter_ms", json_integer(st.jitter_ms));
		json_object_set_new(s, "rtt_ms", json_integer(st.rtt_ms));
		json_object_set_new(s, "mos", st.mos_x100 ? json_real(st.mos_x100 / 100.0)
							   : json_null());
		json_object_set_new(s, "remote_lost", json_integer(st.remote_lost));
		json_object_set_new(s, "remote_loss_pct",
				    json_real(st.remote_fraction_x100 / 100.0));
		json_object_set_new(s, "remote_jitter_ms", json_integer(st.remote_jitter_ms));
		json_object_set_new(o, "stats", s);
	}
	return o;
}

static json_t *call_json(const struct call *c)
{
	json_t *o = json_object(), *legs = json_array();
	if (!o || !legs) {
		json_decref(o);
		json_decref(legs);
		return NULL;
	}
	char ts[32];
	struct tm tm;
	gmtime_r(&c->started, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "state", json_string(call_state_name(c)));
	json_object_set_new(o, "start", json_string(ts));
	json_object_set_new(o, "duration_ms",
	                    json_integer((json_int_t)(jn_now_ms() - c->started_ms)));
	json_object_set_new(o, "bridged", json_boolean(c->has_b));
	if (c->ended)
		json_object_set_new(o, "reason", json_string(c->reason));
	json_array_append_new(legs, leg_json(&c->a));
	if (c->has_b)
		json_array_append_new(legs, leg_json(&c->b));
	json_object_set_new(o, "legs", legs);
	return o;
}

static int reply_json(jn_admin_req_t *req, unsigned status, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text)
		return JN_ENOMEM;
	int r = jn_admin_reply_json(req, status, text);
	free(text);
	return r;
}

static int get_calls(jn_admin_req_t *req, void *data)
{
	json_t *arr = json_array();
	if (!arr)
		return JN_ENOMEM;
	/* Calls that ended and only wait for a BYE's answer are left out. */
	for (struct call *c = call_first(); c; c = c->next)
		if (!c->ended)
			json_array_append_new(arr, call_json(c));
	return reply_json(req, 200, arr);
}

/* The call named by the {id} path parameter, or a 400/404 reply sent. */
static struct call *path_call(jn_admin_req_t *req, int *r)
{
	const char *id = jn_admin_path_param(req, "id");
	char *end = NULL;
	errno = 0;
	unsigned long n = id ? strtoul(id, &end, 10) : 0;
	if (!id || !*id || *end || errno || n == 0 || n > 0xffffffffUL) {
		*r = jn_admin_reply_error(req, 400, "bad call id '%s'", id ? id : "");
		return NULL;
	}
	struct call *c = call_by_id((unsigned)n);
	if (!c || c->ended) {
		*r = jn_admin_reply_error(req, 404, "no call %lu", n);
		return NULL;
	}
	return c;
}

static int get_call(jn_admin_req_t *req, void *data)
{
	int r = 0;
	struct call *c = path_call(req, &r);
	if (!c)
		return r;
	return reply_json(req, 200, call_json(c));
}

static int delete_call(jn_admin_req_t *req, void *data)
{
	int r = 0;
	struct call *c = path_call(req, &r);
	if (!c)
		return r;
	json_t *doc = call_json(c);
	call_end(c, "hung up over REST", 480, "Temporarily Unavailable");
	return reply_json(req, 200, doc);
}

int call_rest_register(jn_module_t *m)
{
	static const jn_admin_def_t routes[] = {
	    {"GET", "/calls", get_calls, NULL,
	     "Calls in progress: legs, remote URIs, codecs, media statistics (packets, loss, "
	     "jitter, RTT, MOS)", NULL},
	    {"GET", "/calls/{id}", get_call, NULL,
	     "One call in progress, as in GET /calls", NULL},
	    {"DELETE", "/calls/{id}", delete_call, NULL,
	     "Hang up a call (both legs): BYE, CANCEL or 480 as each leg's state needs", NULL},
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (jn_admin_register(m, &routes[i]) < 0)
			return -1;
	return 0;
}
