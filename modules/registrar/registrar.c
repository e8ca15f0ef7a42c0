/*
 * registrar.c - the registrar module: descriptor, parameters, script
 * functions and variables, the expiry sweep.
 *
 *   registrar.save([reply])       answer a REGISTER (RFC 3261 10.3)
 *   registrar.lookup()            R-URI -> contacts, branches for the rest
 *   registrar.registered(aor)     whether aor has a live binding
 *   registrar.count               bindings of the To (REGISTER) or R-URI AOR
 *   registrar.expired_aor / registrar.expired_contact  in `event registrar:expired`
 */
#include <stdlib.h>
#include <string.h>

#include "registrar.h"

struct registrar reg;

static const jn_param_def_t reg_params[] = {
    {"default_expires", JN_PARAM_INT, "3600", 1, 0xffffffffLL,
     "expiry when neither the Contact nor an Expires header gives one (s)"},
    {"min_expires", JN_PARAM_INT, "60", 1, 0xffffffffLL,
     "shorter non-zero expiries get 423 Interval Too Brief (s)"},
    {"max_expires", JN_PARAM_INT, "7200", 1, 0xffffffffLL, "longer expiries are cut to this (s)"},
    {"max_contacts", JN_PARAM_INT, "0", 0, 100000,
     "bindings per address-of-record, 0 for no limit (403 beyond)"},
    {"domain", JN_PARAM_STR, NULL, 0, 0,
     "fixed domain of every AOR; unset: the host of the To / Request-URI"},
    {"stateless", JN_PARAM_BOOL, "true", 0, 0,
     "answer REGISTER statelessly (a retransmission is answered again, unchanged)"},
    {"use_received", JN_PARAM_BOOL, "false", 0, 0,
     "also without a nat flag, store the source of a REGISTER whose Contact points elsewhere and "
     "route to it"},
    {"sweep_interval", JN_PARAM_INT, "1000", 10, 60000,
     "how often expired bindings are removed (ms)"},
    {"persist", JN_PARAM_STR, NULL, 0, 0,
     "database URL (sqlite:/path, postgres://...) for write-through persistence; unset: memory "
     "only"},
    {NULL, 0, NULL, 0, 0, NULL},
};

/* ---- expiry ---------------------------------------------------------------- */

static void on_expired(struct loc_binding *b, void *data)
{
	jn_module_t *m = data;
	reg.expired++;
	reg.expired_aor = b->aor->name;
	reg.expired_contact = b->contact;
	jn_log_debug(m, "binding %s of %s expired", b->contact, b->aor->name);
	jn_event_run(m, "expired", NULL);
	reg.expired_aor = reg.expired_contact = NULL;
}

static void sweep(jn_timer_t *t, void *data)
{
	jn_module_t *m = data;
	reg.sweep = NULL;
	/* Bounded per tick so that a mass expiry never stalls the loop. */
	loc_expire((int64_t)jn_now_ms(), 20000, on_expired, m);
	reg.sweep = jn_timer_start(reg.sweep_ms, sweep, m);
}

/* ---- script functions ------------------------------------------------------ */

static const jn_arg_def_t save_args[] = {
    {"reply", JN_ARG_BOOL, JN_ARG_OPTIONAL},
    {NULL, 0, 0},
};

static jn_result_t f_save(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	int do_reply = (int)jn_call_arg_int(c, 0, 1);
	int status;
	const char *reason;
	char *headers = NULL;

	if (!msg || !jn_msg_is_request(msg) || strcmp(jn_msg_method(msg), "REGISTER") != 0)
		return jn_call_error(c, "registrar.save: not a REGISTER");
	int rc = reg_save(msg, &status, &reason, &headers);
	if (rc < 0) {
		status = 500;
		reason = "Server Internal Error";
	}
	if (do_reply) {
		/* Stateless like Kamailio's registrar: a server transaction
		 * would hold request and answer for 32 s (Timer J). A
		 * retransmission is recognised by its Call-ID and CSeq and
		 * answered again without changing anything. */
		rc = reg.stateless ? jn_msg_reply_stateless(msg, status, reason, headers)
		                   : jn_msg_reply(msg, status, reason, headers);
		if (rc < 0)
			jn_log_warn(jn_call_module(c), "cannot answer the REGISTER: %s",
			            jn_strerror(rc));
	}
	free(headers);
	return status == 200 ? JN_TRUE : JN_FALSE;
}

static jn_result_t f_lookup(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg || !jn_msg_is_request(msg))
		return jn_call_error(c, "registrar.lookup: needs a request");
	int rc = reg_lookup(msg);
	if (rc < 0)
		return jn_call_error(c, "registrar.lookup: %s", jn_strerror(rc));
	return rc ? JN_TRUE : JN_FALSE;
}

static const jn_arg_def_t registered_args[] = {
    {"aor", JN_ARG_STR, 0},
    {NULL, 0, 0},
};

static jn_result_t f_registered(jn_call_t *c)
{
	char name[REG_AOR_MAX];
	if (reg_aor_from_text(jn_call_arg_str(c, 0, ""), name, sizeof(name)) < 0)
		return JN_FALSE;
	struct loc_aor *a = loc_aor_find(name);
	int64_t now = (int64_t)jn_now_ms();
	for (struct loc_binding *b = a ? a->bindings : NULL; b; b = b->next)
		if (b->expires_ms > now)
			return JN_TRUE;
	return JN_FALSE;
}

/* ---- variables ------------------------------------------------------------- */

static int v_count(jn_call_t *c, jn_value_t *out)
{
	jn_msg_t *msg = jn_call_msg(c);
	char name[REG_AOR_MAX];
	out->type = JN_T_INT;
	out->i = 0;
	if (!msg || !jn_msg_is_request(msg))
		return 0;
	int is_reg = strcmp(jn_msg_method(msg), "REGISTER") == 0;
	if (reg_msg_aor(msg, is_reg, name, sizeof(name)) < 0)
		return 0;
	struct loc_aor *a = loc_aor_find(name);
	int64_t now = (int64_t)jn_now_ms();
	for (struct loc_binding *b = a ? a->bindings : NULL; b; b = b->next)
		out->i += b->expires_ms > now;
	return 0;
}

static int v_expired_aor(jn_call_t *c, jn_value_t *out)
{
	jn_value_set_str(out, reg.expired_aor);
	return 0;
}

static int v_expired_contact(jn_call_t *c, jn_value_t *out)
{
	jn_value_set_str(out, reg.expired_contact);
	return 0;
}

/* ---- lifecycle -------------------------------------------------------------- */

static int reg_load(jn_module_t *m)
{
	static const jn_func_def_t funcs[] = {
	    {.name = "save",
	     .fn = f_save,
	     .args = save_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Process a REGISTER (RFC 3261 10.3) and answer it unless reply: false; "
	            "true when the answer is 200."},
	    {.name = "lookup",
	     .fn = f_lookup,
	     .args = NULL,
	     .routes = JN_ROUTE_REQUEST | JN_ROUTE_FAILURE,
	     .returns = JN_T_BOOL,
	     .doc = "Rewrite the Request-URI to the best registered contact, add the others "
	            "as branches; false when the user has none."},
	    {.name = "registered",
	     .fn = f_registered,
	     .args = registered_args,
	     .routes = 0,
	     .returns = JN_T_BOOL,
	     .doc = "Whether the AOR (user@domain or sip: URI) has a live binding."},
	};
	static const jn_var_def_t vars[] = {
	    {"count", JN_T_INT, v_count, NULL, JN_ROUTE_REQUEST | JN_ROUTE_FAILURE, NULL,
	     "Live bindings of the To AOR (REGISTER) or of the Request-URI AOR."},
	    {"expired_aor", JN_T_STR, v_expired_aor, NULL, JN_ROUTE_EVENT, NULL,
	     "In event registrar:expired: the AOR whose binding expired."},
	    {"expired_contact", JN_T_STR, v_expired_contact, NULL, JN_ROUTE_EVENT, NULL,
	     "In event registrar:expired: the contact URI that expired."},
	};
	int rc;

	memset(&reg, 0, sizeof(reg));
	reg.m = m;
	reg.default_expires = jn_param_int(m, "default_expires");
	reg.min_expires = jn_param_int(m, "min_expires");
	reg.max_expires = jn_param_int(m, "max_expires");
	reg.max_contacts = jn_param_int(m, "max_contacts");
	reg.use_received = jn_param_bool(m, "use_received");
	reg.stateless = jn_param_bool(m, "stateless");
	reg.sweep_ms = (unsigned)jn_param_int(m, "sweep_interval");
	if (reg.min_expires > reg.max_expires) {
		jn_log_err(m, "min_expires (%lld) is above max_expires (%lld)",
		           (long long)reg.min_expires, (long long)reg.max_expires);
		return -1;
	}
	if (reg.default_expires < reg.min_expires)
		reg.default_expires = reg.min_expires;
	if (reg.default_expires > reg.max_expires)
		reg.default_expires = reg.max_expires;
	const char *dom = jn_param_str(m, "domain");
	if (dom && *dom && !(reg.domain = strdup(dom)))
		return -1;
	if ((rc = loc_init()) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if ((rc = jn_func_register(m, &funcs[i])) < 0)
			goto fail;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((rc = jn_var_register(m, &vars[i])) < 0)
			goto fail;
	if ((rc = jn_event_declare(m, "expired",
	                           "a binding expired: registrar.expired_aor, "
	                           "registrar.expired_contact")) < 0 ||
	    (rc = jn_api_register(m, REGISTRAR_API_NAME, REGISTRAR_API_VERSION, &reg_api)) < 0 ||
	    (rc = reg_rest_register(m)) < 0)
		goto fail;
	return 0;
fail:
	jn_log_err(m, "cannot register: %s", jn_strerror(rc));
	return -1;
}

static int reg_start(jn_module_t *m)
{
	const char *persist = jn_param_str(m, "persist");
	if (persist && *persist) {
		int rc = reg_persist_start(m, persist);
		if (rc < 0) {
			jn_log_err(m, "persist: cannot use %s: %s", persist, jn_strerror(rc));
			return -1;
		}
	}
	reg.sweep = jn_timer_start(reg.sweep_ms, sweep, m);
	if (!reg.sweep)
		return -1;
	jn_log_info(m, "expires default %lld, min %lld, max %lld; domain %s",
	            (long long)reg.default_expires, (long long)reg.min_expires,
	            (long long)reg.max_expires, reg.domain ? reg.domain : "from To");
	return 0;
}

static void reg_stop(jn_module_t *m)
{
	if (reg.sweep) {
		jn_timer_cancel(reg.sweep);
		reg.sweep = NULL;
	}
	reg_persist_stop();
	jn_log_info(m, "stopping with %zu bindings of %zu AORs (%llu saves, %llu expired)",
	            loc_binding_count(), loc_aor_count(), (unsigned long long)reg.saved,
	            (unsigned long long)reg.expired);
}

static void reg_unload(jn_module_t *m)
{
	if (reg.sweep) {
		jn_timer_cancel(reg.sweep);
		reg.sweep = NULL;
	}
	loc_destroy();
	free(reg.domain);
	reg.domain = NULL;
}

JN_MODULE(.name = "registrar", .version = "1.0.0",
          .description = "SIP registrar (RFC 3261 10, RFC 3327 Path, RFC 5626 instance/reg-id)",
          .params = reg_params, .load = reg_load, .start = reg_start, .stop = reg_stop,
          .unload = reg_unload);
