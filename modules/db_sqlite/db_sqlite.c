/*
 * db_sqlite - the SQLite driver of the database layer (junction/db.h).
 *
 * Loading it makes "sqlite:/path/file.db" URLs work for every module that
 * opens a database (sql, registrar, auth, ...). Each handle has its own
 * worker thread; see README.md.
 */
#include "db_sqlite.h"

static const jn_param_def_t params[] = {
	{"busy_timeout", JN_PARAM_INT, "5000", 0, 600000,
	 "ms a statement waits for a lock held by another connection or process"},
	{.name = NULL},
};

static int sqlite_load(jn_module_t *m)
{
	sqlite_busy_timeout_ms = (int)jn_param_int(m, "busy_timeout");
	if (!sqlite3_threadsafe()) {
		jn_log_err(m, "libsqlite3 was built without thread support");
		return JN_ENOTSUP;
	}
	jn_log_debug(m, "SQLite %s", sqlite3_libversion());
	return jn_db_driver_register(m, &sqlite_driver);
}

JN_MODULE(.name = "db_sqlite", .version = "1.0.0",
	  .description = "SQLite driver for the database layer (sqlite: URLs)", .params = params,
	  .load = sqlite_load);
