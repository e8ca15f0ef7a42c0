/*
 * auth.c - the auth module: digest authentication of requests (RFC 3261
 * section 22, RFC 7616, RFC 8760). Descriptor, parameters, the script
 * functions auth.check(), auth.challenge(), auth.consume(), the variables
 * auth.user, auth.reason, auth.failures and the REST routes. The logic is
 * in digest.c (hashes, parsing, verification), nonce.c (nonces, replay
 * table), creds.c (credential store) and failures.c (per-source counters).
 */
#include <junction/junction.h>

#include "digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip.h>

#define REALM_MAX    256
#define HDR_SCAN_MAX 32 /* credentials headers looked at per request */

static struct {
	jn_module_t *m;
	auth_nonce_key_t key;
	auth_creds_t *creds;
	auth_replay_t *replay;
	auth_failures_t *failures;
	unsigned nonce_expires, failures_keep;
	int allow_no_qop;
	auth_alg_t algs[AUTH_ALG_COUNT];
	size_t nalgs;
	unsigned algmask;
	const char *realm; /* parameter, or NULL */
	jn_db_t *db;
	char *db_sql;
	jn_timer_t *sweep;
	unsigned long db_pending;
} A;

/* What auth.check() found, for auth.challenge(), auth.user and auth.reason
 * later in the same execution. */
struct exec_state {
	char user[128];
	char realm[REALM_MAX];
	const char *reason;
	int stale;
	int ok;
};
static const char state_key; /* its address keys the execution-local slot */

static struct exec_state *state_get(jn_call_t *c, int create)
{
	struct exec_state *s = jn_call_local(c, &state_key);

	if (s || !create)
		return s;
	s = jn_call_alloc(c, sizeof(*s));
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	if (jn_call_set_local(c, &state_key, s) < 0)
		return NULL;
	return s;
}

/* ---- helpers on the message ---------------------------------------------- */

static int is_register(jn_msg_t *msg)
{
	const char *m = jn_msg_method(msg);
	return m && strcmp(m, "REGISTER") == 0;
}

/* The user (want_user) or host part of the URI in a From/To value:
 * "Name" <sip:user@host:port;x>;tag=y or sip:user@host;tag=y. */
static int uri_part(const char *hv, int want_user, char *out, size_t size)
{
	const char *p, *at, *end;
	size_t n;

	if (!hv)
		return JN_ENOENT;
	p = strchr(hv, '<');
	p = p ? p + 1 : hv;
	while (*p == ' ')
		p++;
	if (strncasecmp(p, "sips:", 5) == 0)
		p += 5;
	else if (strncasecmp(p, "sip:", 4) == 0)
		p += 4;
	else
		return JN_EPARSE;
	end = p + strcspn(p, ">;?, ");
	at = memchr(p, '@', (size_t)(end - p));
	if (want_user) {
		if (!at)
			return JN_ENOENT;
		n = (size_t)(at - p);
	} else {
		if (at)
			p = at + 1;
		if (*p == '[') {
			const char *close = memchr(p, ']', (size_t)(end - p));
			if (!close)
				return JN_EPARSE;
			end = close + 1;
		} else {
			const char *colon = memchr(p, ':', (size_t)(end - p));
			if (colon)
				end = colon;
		}
		n = (size_t)(end - p);
	}
	if (n == 0 || n >= size)
		return JN_ERANGE;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* RFC 3261 22.1/22.3: a registrar authenticates with the To identity's
 * domain, a proxy with the From's, unless the operator names the realm. */
static int realm_of(jn_call_t *c, jn_msg_t *msg, unsigned arg, char *out)
{
	const char *r = jn_call_arg_str(c, arg, NULL);

	if (!r || !*r)
		r = A.realm;
	if (r && *r) {
		if (strlen(r) >= REALM_MAX)
			return JN_ERANGE;
		strcpy(out, r);
		return 0;
	}
	return uri_part(jn_msg_header(msg, is_register(msg) ? "To" : "From", 0), 0, out, REALM_MAX);
}

static const char *cred_header(jn_msg_t *msg)
{
	return is_register(msg) ? "Authorization" : "Proxy-Authorization";
}

/* Credentials header i of msg as "Scheme p1, p2, ...", from sofia's parsed
 * header: its parameters are kept as received, which a reformatted copy of
 * the whole header does not guarantee. NULL when there is no header i. */
static char *cred_value(jn_msg_t *msg, unsigned i)
{
	sip_t *sip = jn_msg_sofia_sip(msg);
	msg_auth_t *au;
	char *out, *w;
	size_t len;

	if (!sip)
		return NULL;
	au = is_register(msg) ? sip->sip_authorization : sip->sip_proxy_authorization;
	for (; au && i > 0; i--)
		au = au->au_next;
	if (!au || !au->au_scheme)
		return NULL;
	len = strlen(au->au_scheme) + 2;
	for (size_t k = 0; au->au_params && au->au_params[k]; k++)
		len += strlen(au->au_params[k]) + 2;
	out = malloc(len);
	if (!out)
		return NULL;
	w = out + sprintf(out, "%s ", au->au_scheme);
	for (size_t k = 0; au->au_params && au->au_params[k]; k++)
		w += sprintf(w, "%s%s", k ? ", " : "", au->au_params[k]);
	return out;
}

/* The credentials of msg for realm (malloc'd): the header whose realm
 * matches, else a malformed one (so that it is reported and counted),
 * else NULL. */
static char *find_credentials(jn_msg_t *msg, const char *realm)
{
	char *bad = NULL, *v;
	char r[REALM_MAX];

	for (unsigned i = 0; i < HDR_SCAN_MAX && (v = cred_value(msg, i)); i++) {
		int rc = auth_cred_realm(v, r, sizeof(r));
		if (rc == 0 && strcmp(r, realm) == 0) {
			free(bad);
			return v;
		}
		if (!bad && (rc == JN_EPARSE || rc == JN_ENOENT))
			bad = v;
		else
			free(v);
	}
	return bad;
}

/* ---- credentials lookup: memory, then the database ------------------------ */

static int mem_or_db_lookup(void *ctx, const char *user, const char *realm, auth_alg_t alg,
                            char *hex)
{
	int rc = auth_creds_ha1(A.creds, user, realm, alg, hex);

	(void)ctx;
	if (rc == JN_ENOENT && A.db)
		return JN_EAGAIN;
	return rc;
}

/* HA1 values of one database row (NULL: not found). */
struct row_ha1 {
	const char *ha1[AUTH_ALG_COUNT];
	int found;
};

static int row_lookup(void *ctx, const char *user, const char *realm, auth_alg_t alg, char *hex)
{
	struct row_ha1 *r = ctx;
	const char *v;

	(void)user;
	(void)realm;
	if (!r->found)
		return JN_ENOENT;
	v = r->ha1[alg];
	if (!v || !auth_is_hex(v, auth_alg_hexlen(alg)))
		return JN_ENOTSUP;
	for (size_t i = 0; i <= auth_alg_hexlen(alg); i++)
		hex[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] + 32 : v[i]);
	return 0;
}

static void verify_cfg(auth_verify_cfg_t *cfg, auth_ha1_fn fn, void *ctx)
{
	cfg->key = &A.key;
	cfg->ha1 = fn;
	cfg->ha1_ctx = ctx;
	cfg->replay = A.replay;
	cfg->nonce_expires = A.nonce_expires;
	cfg->allow_no_qop = A.allow_no_qop;
	cfg->algs = A.algmask;
}

/* Record the outcome of a verification in the execution's state and in the
 * failure counters. */
static void record(struct exec_state *s, const auth_verify_res_t *res, int ok, const char *ip,
                   const char *realm)
{
	if (s) {
		snprintf(s->user, sizeof(s->user), "%s", res->user);
		snprintf(s->realm, sizeof(s->realm), "%s", realm);
		s->reason = ok ? NULL : res->reason;
		s->stale = res->stale;
		s->ok = ok;
	}
	if (!ok && res->count_failure) {
		unsigned long n = auth_failures_add(A.failures, ip, time(NULL));
		jn_log_info(A.m, "authentication of '%s' from %s failed: %s (%lu failures)",
		            res->user, ip ? ip : "?", res->reason, n);
	}
}

/* A database lookup in flight: what the callback needs to finish. */
struct db_check {
	jn_suspend_t *susp; /* NULL when the call could not suspend */
	char *hdr, *method, *want_user, *realm, *ip;
};

static void db_check_free(struct db_check *d)
{
	free(d->hdr);
	free(d->method);
	free(d->want_user);
	free(d->realm);
	free(d->ip);
	free(d);
}

static void db_checked(jn_db_res_t *res, void *data)
{
	struct db_check *d = data;
	struct row_ha1 row = {{NULL, NULL}, 0};
	auth_verify_cfg_t cfg;
	auth_verify_res_t vr;
	struct exec_state *s = NULL;
	int ok = 0;

	A.db_pending--;
	if (!d->susp)
		goto out;
	if (!jn_db_res_ok(res)) {
		jn_log_err(A.m, "credentials lookup failed: %s", jn_db_res_error(res));
		memset(&vr, 0, sizeof(vr));
		vr.reason = "database error";
	} else {
		if (jn_db_res_rows(res) > 0) {
			row.found = 1;
			row.ha1[AUTH_ALG_MD5] = jn_db_res_value(res, 0, 0);
			row.ha1[AUTH_ALG_SHA256] = jn_db_res_value(res, 0, 1);
		}
		verify_cfg(&cfg, row_lookup, &row);
		ok = auth_verify(&cfg, d->hdr, d->realm, d->method, d->want_user, time(NULL), &vr);
		if (ok < 0) {
			ok = 0;
			vr.reason = "internal error";
		}
	}
	s = jn_suspend_alloc(d->susp, sizeof(*s));
	if (s) {
		memset(s, 0, sizeof(*s));
		if (jn_suspend_set_local(d->susp, &state_key, s) < 0)
			s = NULL;
	}
	record(s, &vr, ok, d->ip, d->realm);
	jn_suspend_resume(d->susp, ok ? JN_TRUE : JN_FALSE);
out:
	db_check_free(d);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static jn_result_t db_check_start(jn_call_t *c, jn_msg_t *msg, const char *hdr, const char *realm,
                                  const char *want_user, const char *user)
{
	struct db_check *d = calloc(1, sizeof(*d));
	const char *params[2] = {user, realm};

	if (!d)
		return jn_call_error(c, "auth.check: out of memory");
	d->hdr = strdup(hdr);
	d->method = dup_or_null(jn_msg_method(msg));
	d->want_user = dup_or_null(want_user);
	d->realm = strdup(realm);
	d->ip = dup_or_null(jn_msg_src_ip(msg));
	if (!d->hdr || !d->method || !d->realm || (want_user && !d->want_user)) {
		db_check_free(d);
		return jn_call_error(c, "auth.check: out of memory");
	}
	/* The callback never runs before jn_db_query() returns, so the
	 * suspension can be taken after a successful submission. */
	if (jn_db_query(A.db, A.db_sql, params, 2, db_checked, d) < 0) {
		db_check_free(d);
		return jn_call_error(c, "auth.check: cannot submit the credentials query");
	}
	A.db_pending++;
	d->susp = jn_call_suspend(c);
	if (!d->susp)
		return jn_call_error(c, "auth.check: cannot suspend here");
	return JN_SUSPEND;
}

/* ---- script functions ------------------------------------------------------ */

enum { CHECK_REALM, CHECK_USERNAME_MATCH };

static jn_result_t f_check(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	char realm[REALM_MAX], want[128];
	const char *want_user = NULL;
	char *hdr;
	auth_verify_cfg_t cfg;
	auth_verify_res_t res;
	struct exec_state *s;
	int ok;

	if (!msg || !jn_msg_is_request(msg))
		return jn_call_error(c, "auth.check: no request");
	s = state_get(c, 1);
	if (realm_of(c, msg, CHECK_REALM, realm) < 0) {
		memset(&res, 0, sizeof(res));
		res.reason = "no realm";
		record(s, &res, 0, NULL, "");
		return JN_FALSE;
	}
	if (jn_call_arg_int(c, CHECK_USERNAME_MATCH, 0)) {
		/* Kamailio's check_to()/check_from(): the digest username must
		 * be the user of the identity it vouches for. */
		if (uri_part(jn_msg_header(msg, is_register(msg) ? "To" : "From", 0), 1, want,
		             sizeof(want)) < 0)
			want[0] = '\0';
		want_user = want;
	}
	hdr = find_credentials(msg, realm);
	verify_cfg(&cfg, mem_or_db_lookup, NULL);
	ok = auth_verify(&cfg, hdr, realm, jn_msg_method(msg), want_user, time(NULL), &res);
	if (ok < 0) {
		jn_result_t r = db_check_start(c, msg, hdr, realm, want_user, res.user);
		free(hdr);
		return r;
	}
	free(hdr);
	record(s, &res, ok, jn_msg_src_ip(msg), realm);
	return ok ? JN_TRUE : JN_FALSE;
}

enum { CHALLENGE_REALM, CHALLENGE_CODE };

static jn_result_t f_challenge(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	char realm[REALM_MAX], *buf;
	const char *method;
	struct exec_state *s;
	int code, rc;
	size_t size;

	if (!msg || !jn_msg_is_request(msg))
		return jn_call_error(c, "auth.challenge: no request");
	method = jn_msg_method(msg);
	if (method && (strcmp(method, "ACK") == 0 || strcmp(method, "CANCEL") == 0))
		return jn_call_error(c, "auth.challenge: %s cannot be challenged (RFC 3261 22.1)",
		                     method);
	if (realm_of(c, msg, CHALLENGE_REALM, realm) < 0)
		return jn_call_error(c, "auth.challenge: no realm (give realm: or the realm "
		                        "parameter, or a To/From with a host)");
	code = (int)jn_call_arg_int(c, CHALLENGE_CODE, is_register(msg) ? 401 : 407);
	if (code != 401 && code != 407)
		return jn_call_error(c, "auth.challenge: code must be 401 or 407, not %d", code);
	s = state_get(c, 0);
	size = A.nalgs * (REALM_MAX + AUTH_NONCE_HEX + 160) + 1;
	buf = jn_call_alloc(c, size);
	if (!buf)
		return jn_call_error(c, "auth.challenge: out of memory");
	/* stale=true only when the last check of this execution was for
	 * the same realm and found right credentials on an old nonce. */
	rc = auth_challenge_build(
	    &A.key, code == 401 ? "WWW-Authenticate" : "Proxy-Authenticate", realm, A.algs, A.nalgs,
	    s && s->stale && strcmp(s->realm, realm) == 0, time(NULL), buf, size);
	if (rc < 0)
		return jn_call_error(c,
		                     "auth.challenge: cannot build the challenge for realm "
		                     "'%s': %s",
		                     realm, jn_strerror(rc));
	/* the header lines are given without the last CRLF */
	if (rc >= 2)
		buf[rc - 2] = '\0';
	/* Stateless, as Kamailio's www_challenge: a server transaction would
	 * keep request and challenge for 32 s, and a retransmitted request
	 * simply gets a fresh challenge. The ACK of a 407 then reaches the
	 * script, which absorbs it (etc/routes/default.jn). */
	rc = jn_msg_reply_stateless(msg, code, NULL, buf);
	if (rc < 0)
		return jn_call_error(c, "auth.challenge: cannot reply: %s", jn_strerror(rc));
	return JN_TRUE;
}

/* Remove the credentials this server consumed (RFC 3261 22.3: a proxy
 * removes only those for its own realm, the others go on downstream). */
static jn_result_t f_consume(jn_call_t *c)
{
	jn_msg_t *msg = jn_call_msg(c);
	struct exec_state *s = state_get(c, 0);
	const char *hname, *keep[HDR_SCAN_MAX];
	char *v;
	char r[REALM_MAX];
	size_t nkeep = 0;
	int removed = 0;

	if (!msg || !s || !s->ok)
		return JN_FALSE; /* nothing verified in this execution */
	hname = cred_header(msg);
	for (unsigned i = 0; i < HDR_SCAN_MAX && (v = cred_value(msg, i)); i++) {
		if (auth_cred_realm(v, r, sizeof(r)) == 0 && strcmp(r, s->realm) == 0) {
			free(v);
			removed++;
			continue;
		}
		keep[nkeep] = jn_call_strdup(c, v, strlen(v));
		free(v);
		if (!keep[nkeep])
			return jn_call_error(c, "auth.consume: out of memory");
		nkeep++;
	}
	if (!removed)
		return JN_FALSE;
	jn_msg_header_remove(msg, hname);
	for (size_t i = 0; i < nkeep; i++)
		if (jn_msg_header_add(msg, hname, keep[i]) < 0)
			return jn_call_error(c, "auth.consume: cannot keep a %s header", hname);
	return JN_TRUE;
}

/* ---- variables ------------------------------------------------------------ */

/* An empty string reads as null too. */
static int set_str(jn_value_t *out, const char *s)
{
	jn_value_set_str(out, s && *s ? s : NULL);
	return 0;
}

static int v_user(jn_call_t *c, jn_value_t *out)
{
	struct exec_state *s = state_get(c, 0);

	return set_str(out, s && s->ok ? s->user : NULL);
}

static int v_reason(jn_call_t *c, jn_value_t *out)
{
	struct exec_state *s = state_get(c, 0);

	return set_str(out, s ? s->reason : NULL);
}

static int v_failures(jn_call_t *c, jn_value_t *out)
{
	jn_msg_t *msg = jn_call_msg(c);

	out->type = JN_T_INT;
	out->i = msg ? (int64_t)auth_failures_get(A.failures, jn_msg_src_ip(msg)) : 0;
	return 0;
}

/* ---- REST ------------------------------------------------------------------ */

static int admin_failures(jn_admin_req_t *req, void *data)
{
	char *json = auth_failures_json(A.failures);
	int rc;

	(void)data;
	if (!json)
		return JN_ENOMEM;
	rc = jn_admin_reply_json(req, 200, json);
	free(json);
	return rc;
}

static int admin_failures_reset(jn_admin_req_t *req, void *data)
{
	const char *ip = jn_admin_path_param(req, "ip");

	(void)data;
	if (!ip || auth_failures_reset(A.failures, ip) < 0)
		return jn_admin_reply_error(req, 404, "no failures recorded for %s", ip ? ip : "?");
	return jn_admin_reply_json(req, 200, "{\"reset\": true}");
}

/* ---- housekeeping ------------------------------------------------------------ */

static unsigned sweep_ms(void)
{
	unsigned s = A.nonce_expires < 30 ? A.nonce_expires : 30;
	return (s ? s : 1) * 1000;
}

static void sweep(jn_timer_t *t, void *data)
{
	time_t now = time(NULL);

	(void)t;
	(void)data;
	auth_replay_sweep(A.replay, now);
	auth_failures_sweep(A.failures, now, A.failures_keep);
	A.sweep = jn_timer_start(sweep_ms(), sweep, NULL);
}

/* ---- load ------------------------------------------------------------------ */

static int parse_algorithms(const char *list)
{
	const char *p = list;

	A.nalgs = 0;
	A.algmask = 0;
	while (p && *p) {
		size_t n = strcspn(p, ", ");
		if (n) {
			int a = auth_alg_parse(p, n);
			if (a < 0 || (A.algmask & (1u << a))) {
				jn_log_err(A.m,
				           "algorithms: '%.*s' is not MD5 or SHA-256 (or is "
				           "listed twice)",
				           (int)n, p);
				return -1;
			}
			A.algs[A.nalgs++] = (auth_alg_t)a;
			A.algmask |= 1u << a;
		}
		p += n;
		p += strspn(p, ", ");
	}
	if (!A.nalgs) {
		jn_log_err(A.m, "algorithms: give at least one of SHA-256, MD5");
		return -1;
	}
	return 0;
}

static const char *node_str(const jn_node_t *item, const char *key)
{
	const jn_node_t *n = jn_node_get(item, key);
	return n ? jn_node_scalar(n) : NULL;
}

static int load_users(void)
{
	const jn_node_t *users = jn_param_node(A.m, "users");

	if (!users)
		return 0;
	if (jn_node_kind(users) != JN_NODE_LIST) {
		jn_log_err(A.m,
		           "%s: users must be a list of {user, domain, ha1_md5, "
		           "ha1_sha256 | password}",
		           jn_node_where(users));
		return -1;
	}
	for (size_t i = 0; i < jn_node_count(users); i++) {
		const jn_node_t *u = jn_node_item(users, i);
		const char *user, *domain, *md5, *sha, *pw;
		int rc;

		if (jn_node_kind(u) != JN_NODE_MAP) {
			jn_log_err(A.m, "%s: a user must be a map", jn_node_where(u));
			return -1;
		}
		for (size_t k = 0; k < jn_node_count(u); k++) {
			static const char *const known[] = {"user", "domain", "ha1_md5",
			                                    "ha1_sha256", "password"};
			const char *key = jn_node_key(u, k);
			size_t j;
			for (j = 0; j < 5 && strcmp(key, known[j]) != 0; j++)
				;
			if (j == 5) {
				jn_log_err(A.m,
				           "%s: unknown key '%s' in a user (user, domain, "
				           "ha1_md5, ha1_sha256, password)",
				           jn_node_where(u), key);
				return -1;
			}
		}
		user = node_str(u, "user");
		domain = node_str(u, "domain");
		md5 = node_str(u, "ha1_md5");
		sha = node_str(u, "ha1_sha256");
		pw = node_str(u, "password");
		if (!domain && A.realm)
			domain = A.realm; /* HA1 of a password needs the realm */
		if (!user || !*user) {
			jn_log_err(A.m, "%s: a user needs 'user'", jn_node_where(u));
			return -1;
		}
		if (!md5 && !sha && !pw) {
			jn_log_err(A.m, "%s: user '%s' has neither ha1_md5/ha1_sha256 nor password",
			           jn_node_where(u), user);
			return -1;
		}
		if ((md5 && !auth_is_hex(md5, 32)) || (sha && !auth_is_hex(sha, 64))) {
			jn_log_err(A.m,
			           "%s: user '%s': ha1_md5 must be 32 and ha1_sha256 64 hex "
			           "digits",
			           jn_node_where(u), user);
			return -1;
		}
		rc = auth_creds_add(A.creds, user, domain, md5, sha, pw);
		if (rc == JN_EEXIST) {
			jn_log_err(A.m, "%s: user '%s@%s' is listed twice", jn_node_where(u), user,
			           domain ? domain : "*");
			return -1;
		}
		if (rc < 0) {
			jn_log_err(A.m, "%s: user '%s': %s", jn_node_where(u), user,
			           jn_strerror(rc));
			return -1;
		}
	}
	return 0;
}

static const jn_arg_def_t check_args[] = {
    {"realm", JN_ARG_STR, JN_ARG_OPTIONAL},
    {"username_match", JN_ARG_BOOL, JN_ARG_OPTIONAL},
    {NULL, 0, 0},
};
static const jn_arg_def_t challenge_args[] = {
    {"realm", JN_ARG_STR, JN_ARG_OPTIONAL},
    {"code", JN_ARG_INT, JN_ARG_OPTIONAL},
    {NULL, 0, 0},
};

static int register_exports(jn_module_t *m)
{
	static const jn_func_def_t funcs[] = {
	    {.name = "check",
	     .fn = f_check,
	     .args = check_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "True when the request's (Proxy-)Authorization verifies for the realm."},
	    {.name = "challenge",
	     .fn = f_challenge,
	     .args = challenge_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Answer 401 (REGISTER) or 407 with digest challenges."},
	    {.name = "consume",
	     .fn = f_consume,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_BOOL,
	     .doc = "Remove the credentials verified by auth.check()."},
	};
	static const jn_var_def_t vars[] = {
	    {.name = "user",
	     .type = JN_T_STR,
	     .get = v_user,
	     .doc = "Username authenticated by auth.check(), or null."},
	    {.name = "reason",
	     .type = JN_T_STR,
	     .get = v_reason,
	     .doc = "Why the last auth.check() failed, or null."},
	    {.name = "failures",
	     .type = JN_T_INT,
	     .get = v_failures,
	     .doc = "Failed authentications counted for the request's source address."},
	};
	static const jn_admin_def_t routes[] = {
	    {.method = "GET",
	     .path = "/auth/failures",
	     .handler = admin_failures,
	     .summary = "Failed authentications per source address: ip, count, last."},
	    {.method = "DELETE",
	     .path = "/auth/failures/{ip}",
	     .handler = admin_failures_reset,
	     .summary = "Forget the failed authentications of one source address."},
	};
	int rc;

	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if ((rc = jn_func_register(m, &funcs[i])) < 0)
			return rc;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((rc = jn_var_register(m, &vars[i])) < 0)
			return rc;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if ((rc = jn_admin_register(m, &routes[i])) < 0)
			return rc;
	return 0;
}

static void auth_unload(jn_module_t *m);

static int auth_load(jn_module_t *m)
{
	const char *secret, *table;
	int rc;

	memset(&A, 0, sizeof(A));
	A.m = m;
	A.realm = jn_param_str(m, "realm");
	if (A.realm && !*A.realm)
		A.realm = NULL;
	A.nonce_expires = (unsigned)jn_param_int(m, "nonce_expires");
	A.failures_keep = (unsigned)jn_param_int(m, "failures_keep");
	A.allow_no_qop = jn_param_bool(m, "allow_no_qop");
	secret = jn_param_str(m, "secret");
	rc =
	    secret && *secret ? auth_nonce_key_from(&A.key, secret) : auth_nonce_key_random(&A.key);
	if (rc < 0) {
		jn_log_err(m, "cannot make the nonce secret: %s", jn_strerror(rc));
		goto fail;
	}
	if (parse_algorithms(jn_param_str(m, "algorithms")) < 0)
		goto fail;
	A.creds = auth_creds_new();
	A.replay = auth_replay_new((size_t)jn_param_int(m, "replay_max"));
	A.failures = auth_failures_new((size_t)jn_param_int(m, "failures_max"));
	if (!A.creds || !A.replay || !A.failures) {
		jn_log_err(m, "out of memory");
		goto fail;
	}
	if (load_users() < 0)
		goto fail;
	table = jn_param_str(m, "db_table");
	if (strspn(table, "abcdefghijklmnopqrstuvwxyz_0123456789") != strlen(table) || !*table) {
		jn_log_err(m, "db_table: '%s' is not a plain table name", table);
		goto fail;
	}
	if (asprintf(&A.db_sql,
	             "SELECT ha1_md5, ha1_sha256 FROM %s WHERE username = $1 AND domain = $2",
	             table) < 0) {
		A.db_sql = NULL;
		goto fail;
	}
	if ((rc = register_exports(m)) < 0) {
		jn_log_err(m, "registration failed: %s", jn_strerror(rc));
		goto fail;
	}
	jn_log_info(m, "%zu users, algorithms %s%s%s, nonces valid %u s", auth_creds_count(A.creds),
	            auth_alg_name(A.algs[0]), A.nalgs > 1 ? "," : "",
	            A.nalgs > 1 ? auth_alg_name(A.algs[1]) : "", A.nonce_expires);
	return 0;
fail:
	auth_unload(m);
	return -1;
}

static int auth_start(jn_module_t *m)
{
	const char *url = jn_param_str(m, "db_url");
	int rc;

	if (url && *url) {
		rc = jn_db_open(m, url, &A.db);
		if (rc < 0) {
			jn_log_err(m, "db_url: cannot open the credentials database: %s",
			           jn_strerror(rc));
			return -1;
		}
	}
	A.sweep = jn_timer_start(sweep_ms(), sweep, NULL);
	return 0;
}

static void auth_stop(jn_module_t *m)
{
	(void)m;
	if (A.sweep) {
		jn_timer_cancel(A.sweep);
		A.sweep = NULL;
	}
	/* pending lookups get their callback (an error) and resume */
	jn_db_close(A.db);
	A.db = NULL;
}

static void auth_unload(jn_module_t *m)
{
	(void)m;
	auth_creds_free(A.creds);
	auth_replay_free(A.replay);
	auth_failures_free(A.failures);
	free(A.db_sql);
	A.creds = NULL;
	A.replay = NULL;
	A.failures = NULL;
	A.db_sql = NULL;
	memset(&A.key, 0, sizeof(A.key));
}

static const jn_param_def_t params[] = {
    {"realm", JN_PARAM_STR, NULL, 0, 0,
     "realm of challenges and checks (default: To host for REGISTER, From host otherwise)"},
    {"users", JN_PARAM_NODE, NULL, 0, 0,
     "list of {user, domain, ha1_md5, ha1_sha256} (or password, for demos)"},
    {"secret", JN_PARAM_STR, NULL, 0, 0, "nonce secret shared by nodes (default: random at start)"},
    {"nonce_expires", JN_PARAM_INT, "300", 1, 86400, "seconds a nonce is valid"},
    {"algorithms", JN_PARAM_STR, "SHA-256,MD5", 0, 0,
     "algorithms offered, in order of preference (RFC 8760 2.4)"},
    {"allow_no_qop", JN_PARAM_BOOL, "true", 0, 0,
     "accept MD5 responses without qop (RFC 2617 clients); the nonce is then single-use"},
    {"replay_max", JN_PARAM_INT, "1000000", 1000, 100000000,
     "nonces tracked for nonce-count replay protection"},
    {"failures_max", JN_PARAM_INT, "100000", 1, 100000000,
     "source addresses tracked for failed attempts"},
    {"failures_keep", JN_PARAM_INT, "3600", 1, 31536000,
     "seconds a source's failure count is kept after its last failure"},
    {"db_url", JN_PARAM_STR, NULL, 0, 0,
     "credentials database (sqlite:..., postgres://...), looked up after the users list"},
    {"db_table", JN_PARAM_STR, "subscriber", 0, 0,
     "table with username, domain, ha1_md5, ha1_sha256"},
    {NULL, 0, NULL, 0, 0, NULL},
};

JN_MODULE(.name = "auth", .version = "1.0",
          .description = "digest authentication (RFC 3261 22, RFC 7616, RFC 8760)",
          .params = params, .load = auth_load, .start = auth_start, .stop = auth_stop,
          .unload = auth_unload);
