/*
 * db_postgres - the PostgreSQL driver of the database layer (junction/db.h).
 *
 * Loading it makes "postgres://..." and "postgresql://..." URLs work for
 * every module that opens a database. libpq runs non-blocking on the SIP
 * loop; a lost connection is reconnected with back-off. See README.md.
 */
#include "db_postgres.h"

static const char *const schemes[] = {"postgres", "postgresql", NULL};

static const jn_db_driver_t pg_driver = {
	.size = sizeof(jn_db_driver_t),
	.name = "postgres",
	.schemes = schemes,
	.open = pg_open,
	.close = pg_close,
	.submit = pg_submit,
	.run_sync = pg_run_sync,
	.connected = pg_connected,
};

static int postgres_load(jn_module_t *m)
{
	jn_log_debug(m, "libpq %d", PQlibVersion());
	return jn_db_driver_register(m, &pg_driver);
}

JN_MODULE(.name = "db_postgres", .version = "1.0.0",
	  .description = "PostgreSQL driver for the database layer (postgres:// URLs)",
	  .load = postgres_load);
