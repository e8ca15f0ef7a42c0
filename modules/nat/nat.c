/*
 * nat.c - the nat module: NAT detection and Contact fixing for requests
 * from clients behind NATs (RFC 3581), and keepalives to their bindings
 * (RFC 5626 4.4).
 *
 *   nat.detected([via], [contact], [private])  true when a chosen test fires
 *   nat.fix_contact()                          Contact := source ip:port
 *   nat.keepalives                              OPTIONS sent so far
 *
 * Both functions flag the request for the registrar (registrar_api.h
 * mark_nated), so that registrar.save() stores the source address as the
 * binding's received address and marks it for keepalives.
 */
#include <string.h>

#include "../registrar/registrar_api.h"
#include "nat.h"

const registrar_api_t *nat_registrar(void);

static const jn_param_def_t nat_params[] = {
    {"keepalive_interval", JN_PARAM_INT, "20", 0, 3600,
     "seconds between keepalive OPTIONS to NATed bindings; 0 disables them"},
    {"keepalive_interval_ms", JN_PARAM_INT, "0", 0, 3600000,
     "the same in milliseconds when set (tests); overrides keepalive_interval"},
    {NULL, 0, NULL, 0, 0, NULL},
};

static const jn_arg_def_t detected_args[] = {
    {"via", JN_ARG_BOOL, JN_ARG_OPTIONAL},
    {"contact", JN_ARG_BOOL, JN_ARG_OPTIONAL},
    {"private", JN_ARG_BOOL, JN_ARG_OPTIONAL},
    {NULL, 0, 0},
};

static void mark(jn_msg_t *msg)
{
	const registrar_api_t *reg = nat_registrar();
	if (reg)
		reg->mark_nated(msg);
}

static jn_result_t f_detected(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	struct nat_probe p;
	unsigned tests = 0;

	if (!msg || !jn_msg_is_request(msg))
		return jn_call_error(c, "nat.detected: needs a request");
	/* With no argument every test runs; with some, only those set true. */
	if (!jn_call_has_arg(c, 0) && !jn_call_has_arg(c, 1) && !jn_call_has_arg(c, 2))
		tests = NAT_TEST_ALL;
	else {
		if (jn_call_arg_int(c, 0, 0))
			tests |= NAT_TEST_VIA;
		if (jn_call_arg_int(c, 1, 0))
			tests |= NAT_TEST_CONTACT;
		if (jn_call_arg_int(c, 2, 0))
			tests |= NAT_TEST_PRIVATE;
	}
	if (nat_probe_from_msg(msg, &p) < 0)
		return JN_FALSE;
	if (!nat_test(&p, tests))
		return JN_FALSE;
	mark(msg);
	return JN_TRUE;
}

static jn_result_t f_fix_contact(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg || !jn_msg_is_request(msg))
		return jn_call_error(c, "nat.fix_contact: needs a request");
	int rc = nat_fix_contact(msg);
	if (rc < 0)
		return jn_call_error(c, "nat.fix_contact: %s", jn_strerror(rc));
	if (rc > 0)
		mark(msg);
	return rc > 0 ? JN_TRUE : JN_FALSE;
}

static int v_keepalives(jn_call_t *c, jn_value_t *out)
{
	out->type = JN_T_INT;
	out->i = (int64_t)nat_keepalives_sent();
	return 0;
}

static int nat_load(jn_module_t *m)
{
	static const jn_func_def_t funcs[] = {
	    {.name = "detected",
	     .fn = f_detected,
	     .args = detected_args,
	     .routes = JN_ROUTE_REQUEST | JN_ROUTE_FAILURE | JN_ROUTE_BRANCH,
	     .returns = JN_T_BOOL,
	     .doc = "True when the request came through a NAT: via (top Via differs from the "
	            "source), contact (Contact host:port differs), private (Contact is a private "
	            "address). No argument: all tests."},
	    {.name = "fix_contact",
	     .fn = f_fix_contact,
	     .args = NULL,
	     .routes = JN_ROUTE_REQUEST | JN_ROUTE_FAILURE | JN_ROUTE_BRANCH,
	     .returns = JN_T_BOOL,
	     .doc = "Rewrite the Contact URI's host:port (and transport) to the source address; "
	            "true when it changed."},
	};
	static const jn_var_def_t vars[] = {
	    {"keepalives", JN_T_INT, v_keepalives, NULL, 0, NULL,
	     "Keepalive requests sent since start."},
	};
	int rc;
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if ((rc = jn_func_register(m, &funcs[i])) < 0)
			goto fail;
	if ((rc = jn_var_register(m, &vars[0])) < 0)
		goto fail;
	return 0;
fail:
	jn_log_err(m, "cannot register: %s", jn_strerror(rc));
	return -1;
}

static int nat_start(jn_module_t *m)
{
	long long ms = jn_param_int(m, "keepalive_interval_ms");
	if (!ms)
		ms = jn_param_int(m, "keepalive_interval") * 1000;
	int rc = nat_keepalive_start(m, (unsigned)ms);
	if (rc < 0) {
		jn_log_err(m, "cannot start keepalives: %s", jn_strerror(rc));
		return -1;
	}
	jn_log_info(m, "keepalives to NATed bindings every %lld ms", ms);
	return 0;
}

static void nat_stop(jn_module_t *m)
{
	nat_keepalive_stop();
	jn_log_info(m, "stopping after %lu keepalives", nat_keepalives_sent());
}

static const char *const nat_depends[] = {"registrar", NULL};

JN_MODULE(.name = "nat", .version = "1.0.0",
          .description = "NAT detection, Contact fixing and keepalives (RFC 3581, RFC 5626)",
          .depends = nat_depends, .params = nat_params, .load = nat_load, .start = nat_start,
          .stop = nat_stop);
