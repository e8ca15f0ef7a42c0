/*
 * dispatcher.c - load balancing over destination sets (as Kamailio's
 * dispatcher): the descriptor, its parameters and the script wrappers. The
 * work is in sets.c (configuration and database), select.c (algorithms),
 * probe.c (OPTIONS health checks) and rest.c.
 *
 *   request {
 *       if (!dispatcher.select(1, algorithm: "rr")) { reply(503, "No Destination"); exit; }
 *       proxy.relay(failure: "next_dst", branch_timeout: 1);
 *   }
 *   failure next_dst {
 *       if (status == 408 || status >= 500) {
 *           dispatcher.mark("inactive");
 *           if (dispatcher.next()) { proxy.relay(failure: "next_dst", branch_timeout: 1); }
 *       }
 *   }
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatcher.h"

#include <sofia-sip/sip.h>
#include <sofia-sip/url.h>

jn_module_t *ds_self;
static int default_alg;

static const jn_param_def_t ds_params[] = {
    {"sets", JN_PARAM_NODE, NULL, 0, 0,
     "list of {id, destinations: [{uri, weight: 1..100, priority, attrs}]}"},
    {"db_url", JN_PARAM_STR, NULL, 0, 0,
     "database to load table dispatcher(setid, destination, weight, priority, attrs) from at "
     "start"},
    {"algorithm", JN_PARAM_STR, "rr", 0, 0,
     "default of select(algorithm:): rr, hash_callid, hash_from, weight, priority"},
    {"probe_interval", JN_PARAM_INT, "10000", 0, 3600000,
     "milliseconds between OPTIONS probes of every destination; 0 turns probing off"},
    {"probe_timeout", JN_PARAM_INT, "2000", 50, 60000,
     "milliseconds a probe waits for its answer before it counts as failed (408)"},
    {"probe_threshold", JN_PARAM_INT, "3", 1, 100,
     "consecutive failed probes that make a destination inactive, and consecutive "
     "answered ones that make it active again"},
    {"probe_from", JN_PARAM_STR, "sip:dispatcher@localhost", 0, 0, "From URI of the probes"},
    {NULL, 0, NULL, 0, 0, NULL},
};

/* ---- per-request state ----------------------------------------------------
 * What select() chose and the failover order, kept on the request itself
 * so that the failure route (a later execution on the same request) finds
 * it for next() and mark(). */
static const char call_key = 0;

struct ds_call {
	int set;
	size_t n, pos;
	char **uris;
};

static struct ds_call *call_state(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	return msg ? jn_msg_data(msg, &call_key) : NULL;
}

/* The text a hash algorithm works on. */
static const char *hash_key(jn_msg_t *msg, enum ds_alg alg, char *buf, size_t size)
{
	if (alg == DS_ALG_HASH_CALLID)
		return jn_msg_call_id(msg);
	if (alg != DS_ALG_HASH_FROM)
		return NULL;
	/* The From URI's user@host, not its tag: every call of one caller
	 * goes to the same destination. */
	sip_t *sip = jn_msg_sofia_sip(msg);
	if (!sip || !sip->sip_from)
		return "";
	const url_t *u = sip->sip_from->a_url;
	snprintf(buf, size, "%s@%s", u->url_user ? u->url_user : "",
	         u->url_host ? u->url_host : "");
	return buf;
}

/* ---- dispatcher.select(set, algorithm:, failover:) ------------------------ */

static const jn_arg_def_t select_args[] = {
    {"set", JN_ARG_INT, 0},
    {"algorithm", JN_ARG_STR, JN_ARG_OPTIONAL},
    {"failover", JN_ARG_BOOL, JN_ARG_OPTIONAL},
    {NULL, 0, 0},
};

static int select_prepare(jn_prepare_t *p)
{
	const jn_value_t *v = jn_prepare_value(p);
	if (jn_prepare_index(p) == 1 && v->type == JN_T_STR && ds_alg_parse(v->s) < 0)
		return jn_prepare_error(p,
		                        "dispatcher.select: unknown algorithm '%s' (rr, "
		                        "hash_callid, hash_from, weight, priority)",
		                        v->s);
	if (jn_prepare_index(p) == 0 && v->type == JN_T_INT && !ds_set_find((int)v->i) &&
	    !jn_param_isset(ds_self, "db_url"))
		return jn_prepare_error(p, "dispatcher.select: no destination set %lld",
		                        (long long)v->i);
	return 0;
}

static jn_result_t ds_select(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	if (!msg || !jn_msg_is_request(msg))
		return jn_call_error(c, "dispatcher.select: no request");
	int64_t id = jn_call_arg_int(c, 0, -1);
	const char *an = jn_call_arg_str(c, 1, NULL);
	int alg = an ? ds_alg_parse(an) : default_alg;
	int failover = jn_call_has_arg(c, 2) ? (int)jn_call_arg_int(c, 2, 1) : 1;
	if (alg < 0)
		return jn_call_error(c, "dispatcher.select: unknown algorithm '%s'", an);
	struct ds_set *s = id >= 0 && id <= 0x7fffffff ? ds_set_find((int)id) : NULL;
	if (!s)
		return jn_call_error(c, "dispatcher.select: no destination set %lld",
		                     (long long)id);

	size_t order[s->n ? s->n : 1];
	char buf[512];
	size_t k = ds_pick(s, alg, hash_key(msg, alg, buf, sizeof(buf)), order, s->n);
	if (!k) {
		jn_msg_set_data(msg, &call_key, NULL, NULL);
		return JN_FALSE; /* every destination is down: the script answers */
	}
	if (!failover)
		k = 1;
	/* One block (struct, pointers, strings) freed with plain free(): the
	 * message may outlive this module at shutdown, so its free function
	 * must not live in the module. */
	size_t size = sizeof(struct ds_call) + k * sizeof(char *);
	for (size_t i = 0; i < k; i++)
		size += strlen(s->d[order[i]].uri) + 1;
	struct ds_call *dc = calloc(1, size);
	if (!dc)
		return jn_call_error(c, "dispatcher.select: %s", jn_strerror(JN_ENOMEM));
	dc->set = s->id;
	dc->uris = (char **)(dc + 1);
	char *p = (char *)(dc->uris + k);
	for (; dc->n < k; dc->n++) {
		size_t len = strlen(s->d[order[dc->n]].uri) + 1;
		dc->uris[dc->n] = memcpy(p, s->d[order[dc->n]].uri, len);
		p += len;
	}
	int r = jn_msg_set_dst_uri(msg, dc->uris[0]);
	if (r == 0)
		r = jn_msg_set_data(msg, &call_key, dc, free);
	if (r < 0) {
		free(dc);
		return jn_call_error(c, "dispatcher.select: %s", jn_strerror(r));
	}
	return JN_TRUE;
}

/* ---- dispatcher.next() ------------------------------------------------------ */

static jn_result_t ds_next(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	struct ds_call *dc = call_state(c);
	if (!dc)
		return JN_FALSE;
	struct ds_set *s = ds_set_find(dc->set);
	while (++dc->pos < dc->n) {
		/* Skip what went down since select(): a probe or mark(). */
		struct ds_dst *d = ds_dst_find(s, dc->uris[dc->pos]);
		if (d && d->state != DS_ACTIVE)
			continue;
		int r = jn_msg_set_dst_uri(msg, dc->uris[dc->pos]);
		if (r < 0)
			return jn_call_error(c, "dispatcher.next: %s", jn_strerror(r));
		return JN_TRUE;
	}
	dc->pos = dc->n; /* stays exhausted */
	return JN_FALSE;
}

/* ---- dispatcher.mark(state, uri:) ------------------------------------------- */

static const jn_arg_def_t mark_args[] = {
    {"state", JN_ARG_STR, 0},
    {"uri", JN_ARG_STR, JN_ARG_OPTIONAL},
    {NULL, 0, 0},
};

static int mark_prepare(jn_prepare_t *p)
{
	const jn_value_t *v = jn_prepare_value(p);
	if (jn_prepare_index(p) == 0 && v->type == JN_T_STR && strcmp(v->s, "active") != 0 &&
	    strcmp(v->s, "inactive") != 0)
		return jn_prepare_error(p, "dispatcher.mark: state is \"active\" or \"inactive\"");
	return 0;
}

static jn_result_t ds_mark(jn_call_t *c)
{
	const char *st = jn_call_arg_str(c, 0, "");
	int active = strcmp(st, "active") == 0;
	if (!active && strcmp(st, "inactive") != 0)
		return jn_call_error(c, "dispatcher.mark: state is \"active\" or \"inactive\"");
	struct ds_call *dc = call_state(c);
	const char *uri = jn_call_arg_str(c, 1, NULL);
	if (!uri && dc && dc->pos < dc->n)
		uri = dc->uris[dc->pos];
	if (!uri)
		return JN_FALSE;
	int found = 0;
	for (size_t i = 0; i < ds_nsets; i++) {
		if (dc && !jn_call_has_arg(c, 1) && ds_sets[i].id != dc->set)
			continue;
		struct ds_dst *d = ds_dst_find(&ds_sets[i], uri);
		if (!d)
			continue;
		found = 1;
		if (d->state == DS_DISABLED)
			continue; /* only REST switches it back on */
		if (active && d->state != DS_ACTIVE) {
			d->state = DS_ACTIVE;
			d->fails = 0;
			d->cur_weight = 0;
			jn_log_notice(ds_self, "destination %s marked active", d->uri);
		} else if (!active && d->state == DS_ACTIVE) {
			d->state = DS_INACTIVE;
			d->oks = 0;
			jn_log_warn(ds_self, "destination %s marked inactive", d->uri);
		}
	}
	return found ? JN_TRUE : JN_FALSE;
}

/* ---- variables ------------------------------------------------------------- */

static int dst_get(jn_call_t *c, jn_value_t *out)
{
	struct ds_call *dc = call_state(c);
	out->type = JN_T_NULL;
	if (dc && dc->pos < dc->n) {
		out->type = JN_T_STR;
		out->s = dc->uris[dc->pos];
		out->len = strlen(out->s);
	}
	return 0;
}

static int count_get(jn_call_t *c, jn_value_t *out)
{
	struct ds_call *dc = call_state(c);
	out->type = JN_T_NULL;
	if (dc) {
		out->type = JN_T_INT;
		out->i = (int64_t)ds_active_count(ds_set_find(dc->set));
	}
	return 0;
}

/* ---- lifecycle -------------------------------------------------------------- */

static int ds_load(jn_module_t *m)
{
	static const jn_func_def_t funcs[] = {
	    {"select", ds_select, select_args, JN_ROUTE_REQUEST | JN_ROUTE_FAILURE, JN_T_BOOL,
	     select_prepare, NULL,
	     "pick an active destination of a set as next hop: select(set, algorithm:, "
	     "failover:)"},
	    {"next", ds_next, NULL, JN_ROUTE_REQUEST | JN_ROUTE_FAILURE, JN_T_BOOL, NULL, NULL,
	     "move to the next destination of the failover order; false when none is left"},
	    {"mark", ds_mark, mark_args, 0, JN_T_BOOL, mark_prepare, NULL,
	     "mark the current destination (or uri:) \"active\" or \"inactive\""},
	};
	static const jn_var_def_t vars[] = {
	    {"dst", JN_T_STR, dst_get, NULL, 0, NULL,
	     "the destination URI select()/next() chose for this request"},
	    {"count", JN_T_INT, count_get, NULL, 0, NULL,
	     "active destinations in the set select() used"},
	};
	ds_self = m;
	const char *an = jn_param_str(m, "algorithm");
	default_alg = ds_alg_parse(an);
	if (default_alg < 0) {
		jn_log_err(m,
		           "algorithm: unknown '%s' (rr, hash_callid, hash_from, weight, "
		           "priority)",
		           an);
		return JN_EINVAL;
	}
	ds_probe_cfg.interval_ms = (unsigned)jn_param_int(m, "probe_interval");
	ds_probe_cfg.timeout_ms = (unsigned)jn_param_int(m, "probe_timeout");
	ds_probe_cfg.threshold = (unsigned)jn_param_int(m, "probe_threshold");
	ds_probe_cfg.from = (char *)jn_param_str(m, "probe_from");
	const jn_node_t *sets = jn_param_node(m, "sets");
	if (sets && ds_sets_from_node(m, sets) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		int r = jn_func_register(m, &funcs[i]);
		if (r < 0) {
			jn_log_err(m, "cannot register dispatcher.%s: %s", funcs[i].name,
			           jn_strerror(r));
			goto fail;
		}
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		int r = jn_var_register(m, &vars[i]);
		if (r < 0) {
			jn_log_err(m, "cannot register dispatcher.%s: %s", vars[i].name,
			           jn_strerror(r));
			goto fail;
		}
	}
	if (ds_rest_register(m) < 0) {
		jn_log_err(m, "cannot register the REST routes");
		goto fail;
	}
	return 0;
fail:
	ds_sets_free();
	return JN_EINVAL; /* what went wrong is logged above */
}

static int ds_start(jn_module_t *m)
{
	const char *url = jn_param_str(m, "db_url");
	if (url && ds_sets_from_db(m, url) < 0)
		return -1;
	if (!ds_nsets)
		jn_log_warn(m, "no destination set configured (params sets or db_url)");
	int r = ds_probe_start(m);
	if (r < 0) {
		jn_log_err(m, "cannot start probing: %s", jn_strerror(r));
		return -1;
	}
	return 0;
}

static void ds_stop(jn_module_t *m)
{
	ds_probe_stop();
}

static void ds_unload(jn_module_t *m)
{
	ds_probe_stop();
	ds_sets_free();
}

JN_MODULE(.name = "dispatcher", .version = "1.0",
          .description = "load balancing and failover over destination sets with OPTIONS probing",
          .params = ds_params, .load = ds_load, .start = ds_start, .stop = ds_stop,
          .unload = ds_unload);
