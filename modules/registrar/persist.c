/* persist.c - optional write-through of the location service to a database
 * (junction/db.h): every change is written asynchronously, and start()
 * reloads the live bindings, so a restart keeps registrations. Table
 * `location` as in etc/sql/ (created here when missing). Expiries are
 * stored as Unix time because the monotonic clock restarts with the daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registrar.h"

static jn_db_t *db;

static const char create_sql[] =
    "CREATE TABLE IF NOT EXISTS location (aor TEXT NOT NULL, contact TEXT NOT NULL, "
    "expires BIGINT NOT NULL, q INTEGER NOT NULL DEFAULT 1000, "
    "call_id TEXT NOT NULL DEFAULT '', cseq BIGINT NOT NULL DEFAULT 0, path TEXT, "
    "received TEXT, instance TEXT, reg_id INTEGER NOT NULL DEFAULT 0, user_agent TEXT, "
    "socket TEXT, proto TEXT, UNIQUE (aor, contact))";

static const char upsert_sql[] =
    "INSERT INTO location (aor, contact, expires, q, call_id, cseq, path, received, "
    "instance, reg_id, user_agent, proto) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$11, $12) ON CONFLICT (aor, contact) DO UPDATE SET expires = excluded.expires, "
    "q = excluded.q, call_id = excluded.call_id, cseq = excluded.cseq, path = excluded.path, "
    "received = excluded.received, instance = excluded.instance, reg_id = excluded.reg_id, "
    "user_agent = excluded.user_agent, proto = excluded.proto";

static const char delete_sql[] = "DELETE FROM location WHERE aor = $1 AND contact = $2";

static int64_t wall_offset_s(void)
{
	/* Unix seconds minus monotonic seconds, to convert expiries. */
	return (int64_t)time(NULL) - (int64_t)(jn_now_ms() / 1000);
}

static void write_done(jn_db_res_t *res, void *data)
{
	if (!jn_db_res_ok(res))
		jn_log_warn(reg.m, "location write failed: %s", jn_db_res_error(res));
}

static void on_change(const struct loc_binding *b, int put)
{
	char exp[24], q[8], cseq[16], rid[16];
	if (!db)
		return;
	if (!put) {
		const char *p[] = {b->aor->name, b->contact};
		jn_db_query(db, delete_sql, p, 2, write_done, NULL);
		return;
	}
	snprintf(exp, sizeof(exp), "%lld", (long long)(b->expires_ms / 1000 + wall_offset_s()));
	snprintf(q, sizeof(q), "%d", b->q);
	snprintf(cseq, sizeof(cseq), "%u", b->cseq);
	snprintf(rid, sizeof(rid), "%d", b->reg_id);
	const char *p[] = {b->aor->name, b->contact, exp,           q,
	                   b->call_id,   cseq,       b->path,       b->received,
	                   b->instance,  rid,        b->user_agent, reg_proto_name(b->proto)};
	jn_db_query(db, upsert_sql, p, 12, write_done, NULL);
}

static int load_rows(void)
{
	jn_db_res_t *res = NULL;
	char now_s[24];
	int64_t off = wall_offset_s(), now = (int64_t)jn_now_ms();
	snprintf(now_s, sizeof(now_s), "%lld", (long long)time(NULL));
	const char *p[] = {now_s};
	int rc =
	    jn_db_query_sync(db,
	                     "SELECT aor, contact, expires, q, call_id, cseq, path, received, "
	                     "instance, reg_id, user_agent, proto FROM location WHERE expires > $1",
	                     p, 1, &res);
	if (rc < 0)
		return rc;
	if (!jn_db_res_ok(res)) {
		jn_log_err(reg.m, "cannot read the location table: %s", jn_db_res_error(res));
		jn_db_res_free(res);
		return JN_EIO;
	}
	size_t n = jn_db_res_rows(res), loaded = 0;
	for (size_t i = 0; i < n; i++) {
		const char *aor = jn_db_res_value(res, i, 0);
		const char *contact = jn_db_res_value(res, i, 1);
		const char *exp = jn_db_res_value(res, i, 2);
		const char *proto = jn_db_res_value(res, i, 11);
		if (!aor || !contact || !exp)
			continue;
		struct loc_aor *a = loc_aor_get(aor);
		if (!a)
			break;
		const char *cs = jn_db_res_value(res, i, 5), *qv = jn_db_res_value(res, i, 3);
		const char *rid = jn_db_res_value(res, i, 9);
		struct loc_info in = {
		    .contact = contact,
		    .call_id = jn_db_res_value(res, i, 4),
		    .path = jn_db_res_value(res, i, 6),
		    .received = jn_db_res_value(res, i, 7),
		    .instance = jn_db_res_value(res, i, 8),
		    .user_agent = jn_db_res_value(res, i, 10),
		    .cseq = cs ? (uint32_t)strtoul(cs, NULL, 10) : 0,
		    .q = qv ? atoi(qv) : 1000,
		    .reg_id = rid ? atoi(rid) : 0,
		    .proto = proto && !strcmp(proto, "tcp")   ? LOC_TCP
		             : proto && !strcmp(proto, "tls") ? LOC_TLS
		                                              : LOC_UDP,
		    /* A stored received address means the client was behind a NAT
		     * (or use_received is on): keep pinging it. */
		    .nated = jn_db_res_value(res, i, 7) != NULL,
		    .expires_ms = (strtoll(exp, NULL, 10) - off) * 1000,
		    .updated_ms = now,
		};
		struct loc_binding *b = loc_binding_new(&in);
		if (!b) {
			loc_aor_release(a);
			break;
		}
		loc_binding_link(a, b, NULL);
		loaded++;
	}
	jn_db_res_free(res);
	jn_log_info(reg.m, "reloaded %zu bindings from %s", loaded, jn_db_url(db));
	return 0;
}

int reg_persist_start(jn_module_t *m, const char *url)
{
	jn_db_res_t *res = NULL;
	int rc = jn_db_open(m, url, &db);
	if (rc < 0)
		return rc;
	rc = jn_db_query_sync(db, create_sql, NULL, 0, &res);
	if (rc == 0 && !jn_db_res_ok(res)) {
		jn_log_err(m, "cannot create the location table: %s", jn_db_res_error(res));
		rc = JN_EIO;
	}
	jn_db_res_free(res);
	if (rc == 0)
		rc = load_rows();
	if (rc < 0) {
		jn_db_close(db);
		db = NULL;
		return rc;
	}
	/* Observe only after the reload, so reloading writes nothing back. */
	loc_set_observer(on_change);
	return 0;
}

void reg_persist_stop(void)
{
	loc_set_observer(NULL);
	jn_db_close(db);
	db = NULL;
}
