/*
 * dtmf.c - the dtmf module: its descriptor, the "dtmf" C API table and
 * one script function.
 *
 *   dtmf.info_digit()   the digit in the body of the current SIP INFO
 *                       (application/dtmf-relay or application/dtmf), or
 *                       false when the body is none of these or malformed
 */
#include <junction/junction.h>

#include "dtmf.h"

static const dtmf_api_t dtmf_api = {
    .size = sizeof(dtmf_api_t),
    .digit_from_code = dtmf_digit_from_code,
    .digit_to_code = dtmf_digit_to_code,
    .source_name = dtmf_source_name,
    .rfc4733_parse = dtmf_rfc4733_parse,
    .rfc4733_rx_new = dtmf_rfc4733_rx_new,
    .rfc4733_rx_free = dtmf_rfc4733_rx_free,
    .rfc4733_rx_feed = dtmf_rfc4733_rx_feed,
    .rfc4733_rx_poll = dtmf_rfc4733_rx_poll,
    .rfc4733_rx_reset = dtmf_rfc4733_rx_reset,
    .rfc4733_tx_init = dtmf_rfc4733_tx_init,
    .rfc4733_tx_next = dtmf_rfc4733_tx_next,
    .rfc4733_tx_duration = dtmf_rfc4733_tx_duration,
    .info_parse = dtmf_info_parse,
    .info_build = dtmf_info_build,
    .info_content_type = dtmf_info_content_type,
    .inband_rx_new = dtmf_inband_rx_new,
    .inband_rx_free = dtmf_inband_rx_free,
    .inband_rx_feed = dtmf_inband_rx_feed,
    .inband_rx_fillin = dtmf_inband_rx_fillin,
    .inband_tx_new = dtmf_inband_tx_new,
    .inband_tx_free = dtmf_inband_tx_free,
    .inband_tx_put = dtmf_inband_tx_put,
    .inband_tx_fill = dtmf_inband_tx_fill,
    .listen = dtmf_listen,
    .unlisten = dtmf_unlisten,
    .dispatch = dtmf_dispatch,
};

static jn_result_t dtmf_info_digit(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	const char *ct, *body;
	dtmf_event_t ev;
	size_t len = 0;
	char d[2];
	int rc;

	if (!msg)
		return JN_FALSE;
	ct = jn_msg_header(msg, "Content-Type", 0);
	body = jn_msg_body(msg, &len);
	if (!ct || !body)
		return JN_FALSE;
	rc = dtmf_info_parse(ct, body, len, &ev);
	if (rc < 0) {
		jn_log_debug(jn_call_module(c), "INFO body (%s) not a digit: %s", ct,
		             jn_strerror(rc));
		return JN_FALSE;
	}
	d[0] = ev.digit;
	d[1] = '\0';
	jn_call_return_str(c, d, 1);
	return JN_TRUE;
}

static int dtmf_load(jn_module_t *m)
{
	static const jn_arg_def_t no_args[] = {{NULL, 0, 0}};
	static const jn_func_def_t info_digit_def = {
	    .name = "info_digit",
	    .fn = dtmf_info_digit,
	    .args = no_args,
	    .routes = JN_ROUTE_REQUEST,
	    .returns = JN_T_STR,
	    .doc = "The DTMF digit carried by the current request's body "
	           "(application/dtmf-relay or application/dtmf), or false.",
	};
	int rc;

	if ((rc = jn_api_register(m, DTMF_API_NAME, DTMF_API_VERSION, &dtmf_api)) < 0 ||
	    (rc = jn_func_register(m, &info_digit_def)) < 0) {
		jn_log_err(m, "cannot register: %s", jn_strerror(rc));
		return -1;
	}
	return 0;
}

static void dtmf_unload(jn_module_t *m)
{
	(void)m;
	dtmf_listeners_clear();
}

JN_MODULE(.name = "dtmf", .version = "1.0.0",
          .description = "DTMF digits: RFC 4733 telephone-events, SIP INFO, in-band tones",
          .load = dtmf_load, .unload = dtmf_unload);
