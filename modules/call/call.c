/* call.c - the call module's descriptor and script functions:
 *
 *   call.answer()                 answer the INVITE with media (200 + SDP)
 *   call.echo()                   answer and loop the caller's RTP back
 *   call.bridge(target, timeout:) B2BUA: a second leg to target (or the R-URI)
 *   call.hangup()                 end the call this request started
 *   call.play(prompt)             play a prompt or WAV file (suspends)
 *   call.say_digits(digits)       speak digits with the digit prompts (suspends)
 *   call.collect(max:, first_timeout:, inter_timeout:, terminator:)
 *                                 the digits the caller types (suspends)
 *   call.echo(until:)             with until: echo until that digit (suspends)
 *   call.id                       the id of that call (REST /calls/{id})
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

#include "call.h"
#include "stats.h"

jn_module_t *call_self;
const media_api_t *call_media;
const dtmf_api_t *call_dtmf;
struct call_conf call_conf;

static const jn_param_def_t call_params[] = {
    {"rtp_timeout", JN_PARAM_INT, "0", 0, 3600,
     "seconds without RTP before a call is hung up; 0: the media module's rtp_timeout"},
    {"ring_timeout", JN_PARAM_INT, "60", 1, 3600,
     "call.bridge(): seconds the callee may ring before the call ends as \"no answer\""},
    {"ack_timeout", JN_PARAM_INT, "32", 1, 300,
     "seconds to wait for the ACK of our 2xx (RFC 3261 13.3.1.4: 64*T1)"},
    {"session_expires", JN_PARAM_INT, "1800", 0, 86400,
     "RFC 4028 session interval in seconds granted to callers and asked of callees; the "
     "refresher re-INVITEs at half of it, a session not refreshed in time is hung up; 0: off"},
    {"min_se", JN_PARAM_INT, "90", 1, 86400,
     "RFC 4028 Min-SE: a shorter Session-Expires gets 422 (RFC 4028 4 sets 90 s as the "
     "floor; lower values are for tests)"},
    {"prompt_dir", JN_PARAM_STR, "", 0, 0,
     "directory of the prompts call.play(NAME) plays as NAME.wav; empty: the build's "
     "prompts, else the installed ones"},
    {"srtp", JN_PARAM_STR, "offer", 0, 0,
     "SRTP (RFC 4568 SDES) of incoming calls: off (plain RTP only; RTP/SAVP gets 488), "
     "offer (plain or SDES, as the caller offers), require (SDES only, else 488)"},
    {"bridge_srtp", JN_PARAM_STR, "off", 0, 0,
     "SRTP of the legs call.bridge() places: off (RTP/AVP), offer (RTP/AVP with a=crypto; "
     "plain if the callee answers plain), require (RTP/SAVP)"},
    {"inband_dtmf", JN_PARAM_STR, "auto", 0, 0,
     "in-band DTMF detection on both legs: off, auto (on a leg that negotiated no "
     "telephone-event, RFC 4733, so tones are its only way) or on (always; a phone that "
     "sends both is then heard twice)"},
    {.name = NULL},
};

/* v's index in one of the three-valued parameters: srtp, bridge_srtp
 * ("off" | "offer" | "require": media_srtp_t) and inband_dtmf ("off" |
 * "auto" | "on": media_inband_t). */
static int call_param_pick(const char *v, const char *const names[3])
{
	for (int i = 0; v && i < 3; i++)
		if (!strcmp(v, names[i]))
			return i;
	return JN_EINVAL;
}

/* The call the current request started, answering it first when asked. */
static struct call *current(jn_call_t *jc, int answer, jn_result_t *res)
{
	jn_msg_t *msg = jn_call_msg(jc);
	*res = JN_FALSE;
	if (!msg || !jn_msg_is_request(msg) || strcmp(jn_msg_method(msg), "INVITE") != 0) {
		*res = jn_call_error(jc, "needs an INVITE");
		return NULL;
	}
	struct call *c = call_by_req(msg);
	if (c || !answer)
		return c;
	int r = call_uas_start(msg, &c);
	if (r == JN_ESTATE) {
		*res = jn_call_error(jc, "the INVITE was answered already or is in a dialog");
		return NULL;
	}
	if (r < 0)
		return NULL; /* answered with an error status (488, 500) */
	if (call_uas_send_200(c) < 0)
		return NULL;
	return c;
}

static jn_result_t f_answer(jn_call_t *jc)
{
	jn_result_t res;
	return current(jc, 1, &res) ? JN_TRUE : res;
}

static const jn_arg_def_t echo_args[] = {
    {"until", JN_ARG_STR, JN_ARG_OPTIONAL},
    {NULL, 0, 0},
};

static jn_result_t f_echo(jn_call_t *jc)
{
	jn_result_t res;
	const char *until = jn_call_arg_str(jc, 0, NULL);
	struct call *c = current(jc, !until, &res);
	if (until && !c) {
		/* Hung up already (false), or answer it now. */
		jn_msg_t *msg = jn_call_msg(jc);
		if (res != JN_FALSE || jn_msg_status_sent(msg) >= 200)
			return res;
		c = current(jc, 1, &res);
	}
	if (!c)
		return res;
	if (c->has_b || !c->a.ms)
		return jn_call_error(jc, "call.echo: the call is bridged or has no media");
	int r = call_media->connect(c->a.ms, c->a.ms);
	if (r < 0) {
		call_end(c, "echo failed", 0, NULL);
		return jn_call_error(jc, "call.echo: %s", jn_strerror(r));
	}
	return until ? call_echo_until(jc, c, until) : JN_TRUE;
}

static const jn_arg_def_t bridge_args[] = {
    {"target", JN_ARG_STR, JN_ARG_OPTIONAL},
    {"timeout", JN_ARG_INT, JN_ARG_OPTIONAL},
    {"codecs", JN_ARG_STR, JN_ARG_OPTIONAL},
    {NULL, 0, 0},
};

static jn_result_t f_bridge(jn_call_t *jc)
{
	jn_msg_t *msg = jn_call_msg(jc);
	if (!msg || !jn_msg_is_request(msg) || strcmp(jn_msg_method(msg), "INVITE") != 0)
		return jn_call_error(jc, "call.bridge: needs an INVITE");
	if (call_by_req(msg))
		return jn_call_error(jc, "call.bridge: the call exists already");
	const char *target = jn_call_arg_str(jc, 0, NULL);
	const char *dst = NULL;
	if (!target || !*target) {
		/* After registrar.lookup(): the R-URI is the contact, dst_uri
		 * the address it registered from. Only the first one is
		 * called (no forking yet). */
		target = jn_msg_ruri(msg);
		dst = jn_msg_dst_uri(msg);
	}
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *u = url_hdup(home, (url_t const *)URL_STRING_MAKE(target)->us_url);
	int self = !dst && u && u->url_host && jn_sip_is_local(u->url_host, u->url_port);
	su_home_deinit(home);
	if (self)
		return jn_call_error(jc, "call.bridge: %s is this server (lookup first?)", target);
	int64_t t = jn_call_arg_int(jc, 1, 0);
	unsigned timeout_ms = t > 0 ? (unsigned)t * 1000u : call_conf.ring_timeout_ms;

	struct call *c;
	int r = call_uas_start(msg, &c);
	if (r == JN_ESTATE)
		return jn_call_error(jc, "call.bridge: the INVITE was answered already");
	if (r < 0)
		return JN_FALSE;
	const char *codecs = jn_call_arg_str(jc, 2, NULL);
	return call_bridge_start(c, target, dst, timeout_ms, codecs && *codecs ? codecs : NULL) == 0
	           ? JN_TRUE
	           : JN_FALSE;
}

static jn_result_t f_hangup(jn_call_t *jc)
{
	jn_result_t res;
	struct call *c = current(jc, 0, &res);
	if (!c)
		return res;
	call_end(c, "hung up by the script", 480, "Temporarily Unavailable");
	return JN_TRUE;
}

static int v_id(jn_call_t *jc, jn_value_t *out)
{
	jn_msg_t *msg = jn_call_msg(jc);
	struct call *c = msg ? call_by_req(msg) : NULL;
	if (c)
		jn_value_set_int(out, c->id);
	else
		jn_value_set_null(out);
	return 0;
}

static int call_load(jn_module_t *m)
{
	static const jn_func_def_t funcs[] = {
	    {.name = "answer",
	     .fn = f_answer,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Answer the INVITE as a user agent: media session, SDP answer, 200 with our "
	            "Contact; a bad or unacceptable offer gets 488 with a Warning (false)."},
	    {.name = "echo",
	     .fn = f_echo,
	     .args = echo_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Answer (if not yet) and send the caller's RTP back to it (a test line). "
	            "until: a digit; suspends until the caller sends it (true), false when "
	            "the caller hangs up first."},
	    {.name = "bridge",
	     .fn = f_bridge,
	     .args = bridge_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "B2BUA: call target (a SIP URI; default the Request-URI, e.g. after "
	            "registrar.lookup()) with media anchored here; responses are relayed, the "
	            "legs end together. timeout: seconds of ringing (ring_timeout). codecs: the "
	            "offer to the callee (\"PCMU,opus\"); default: the caller's codec, then the "
	            "media module's list; legs with different codecs are transcoded."},
	    {.name = "hangup",
	     .fn = f_hangup,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "End the call this INVITE started (BYE, CANCEL or 480 as its state needs)."},
	};
	static const jn_arg_def_t play_args[] = {{"prompt", JN_ARG_STR, 0}, {NULL, 0, 0}};
	static const jn_arg_def_t say_args[] = {{"digits", JN_ARG_STR, 0}, {NULL, 0, 0}};
	static const jn_arg_def_t collect_args[] = {
	    {"max", JN_ARG_INT, JN_ARG_OPTIONAL},
	    {"first_timeout", JN_ARG_INT, JN_ARG_OPTIONAL},
	    {"inter_timeout", JN_ARG_INT, JN_ARG_OPTIONAL},
	    {"terminator", JN_ARG_STR, JN_ARG_OPTIONAL},
	    {NULL, 0, 0},
	};
	static const jn_arg_def_t record_args[] = {
	    {"file", JN_ARG_STR, 0},
	    {"max", JN_ARG_INT, JN_ARG_OPTIONAL},
	    {"terminator", JN_ARG_STR, JN_ARG_OPTIONAL},
	    {NULL, 0, 0},
	};
	static const jn_func_def_t cfuncs[] = {
	    {.name = "record",
	     .fn = call_f_record,
	     .args = record_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Record what the answered caller says to a WAV file (8 or 16 kHz by codec) "
	            "until max seconds (60) or the terminator digit (\"#\"; \"\": none); "
	            "suspends; false if the caller hung up (the file keeps what was said)."},
	    {.name = "hold",
	     .fn = call_f_hold,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Put the answered caller on hold: re-INVITE with a=sendonly (RFC 3264 8.4); "
	            "we may still play to it. Suspends until answered; false if refused."},
	    {.name = "resume",
	     .fn = call_f_resume,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Take the caller off hold: re-INVITE with a=sendrecv; suspends until "
	            "answered; false if refused."},
	    {.name = "play",
	     .fn = call_f_play,
	     .args = play_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Play a prompt (NAME: prompt_dir/NAME.wav) or a WAV file to the answered "
	            "caller; suspends until it ends (true); false if the caller hung up."},
	    {.name = "say_digits",
	     .fn = call_f_say_digits,
	     .args = say_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Speak digits (0-9, *, #) one prompt after the other; suspends until "
	            "done (true); false if the caller hung up."},
	    {.name = "collect",
	     .fn = call_f_collect,
	     .args = collect_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_STR,
	     .doc = "The digits the caller sends (RFC 4733 or INFO; typed ahead during a "
	            "prompt included), up to max (16), until terminator (\"#\"; \"\": none) or "
	            "a timeout: first_timeout (5000 ms) for the first, inter_timeout (3000 ms) "
	            "between digits. Suspends; false if the caller hung up."},
	};
	static const jn_var_def_t vars[] = {
	    {"id", JN_T_INT, v_id, NULL, JN_ROUTE_REQUEST, NULL,
	     "The id of the call this INVITE started (as in GET /api/v1/calls), or null."},
	};
	call_self = m;
	call_conf.rtp_timeout_ms = (unsigned)jn_param_int(m, "rtp_timeout") * 1000u;
	call_conf.ring_timeout_ms = (unsigned)jn_param_int(m, "ring_timeout") * 1000u;
	call_conf.ack_timeout_ms = (unsigned)jn_param_int(m, "ack_timeout") * 1000u;
	call_conf.session_expires = (unsigned)jn_param_int(m, "session_expires");
	call_conf.min_se = (unsigned)jn_param_int(m, "min_se");
	const char *pd = jn_param_str(m, "prompt_dir");
	if (!pd || !*pd)
		pd = access(CALL_BUILD_PROMPTS, R_OK | X_OK) == 0 ? CALL_BUILD_PROMPTS
		                                                   : CALL_INSTALLED_PROMPTS;
	if (strlen(pd) >= sizeof(call_conf.prompt_dir)) {
		jn_log_err(m, "prompt_dir is too long");
		return -1;
	}
	snprintf(call_conf.prompt_dir, sizeof(call_conf.prompt_dir), "%s", pd);
	static const char *const srtp_names[] = {"off", "offer", "require"};
	static const char *const inband_names[] = {"off", "auto", "on"};
	int srtp = call_param_pick(jn_param_str(m, "srtp"), srtp_names);
	int bsrtp = call_param_pick(jn_param_str(m, "bridge_srtp"), srtp_names);
	int inband = call_param_pick(jn_param_str(m, "inband_dtmf"), inband_names);
	if (srtp < 0 || bsrtp < 0) {
		jn_log_err(m, "srtp and bridge_srtp are off, offer or require");
		return -1;
	}
	if (inband < 0) {
		jn_log_err(m, "inband_dtmf is off, auto or on");
		return -1;
	}
	call_conf.srtp = (media_srtp_t)srtp;
	call_conf.bridge_srtp = (media_srtp_t)bsrtp;
	call_conf.inband_dtmf = (media_inband_t)inband;
	call_stopping = 0;
	call_media = jn_api_get(m, MEDIA_API_NAME, MEDIA_API_VERSION);
	call_dtmf = jn_api_get(m, DTMF_API_NAME, DTMF_API_VERSION);
	if (!call_media || !call_dtmf)
		return -1;
	for (size_t i = 0; i < sizeof(cfuncs) / sizeof(cfuncs[0]); i++)
		if (jn_func_register(m, &cfuncs[i]) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (jn_func_register(m, &funcs[i]) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (jn_var_register(m, &vars[i]) < 0)
			return -1;
	if (call_stats_register(m) < 0) /* call.stat(), call.stats() (stats.c) */
		return -1;
	return call_rest_register(m);
}

static void call_stop(jn_module_t *m)
{
	call_shutdown();
}

static const char *const call_depends[] = {"media", "dtmf", NULL};

JN_MODULE(.name = "call", .version = "0.1.0",
          .description = "SIP user agent: answer calls, B2BUA bridging with anchored media",
          .depends = call_depends, .params = call_params, .load = call_load, .stop = call_stop);
