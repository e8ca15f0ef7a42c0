/* db_sqlite.h - the SQLite driver's internals. */
#ifndef DB_SQLITE_H
#define DB_SQLITE_H

#include <junction/junction.h>
#include <sqlite3.h>

/* sqlite_exec.c: runs the job's statements (in a transaction for
 * jn_db_tx) and returns the result; NULL only when out of memory. */
jn_db_res_t *sqlite_run_job(sqlite3 *db, jn_db_job_t *job);

/* sqlite_conn.c: the driver operations. */
extern const jn_db_driver_t sqlite_driver;
/* Busy timeout for new connections, ms. */
extern int sqlite_busy_timeout_ms;

/* For tests: opens a file name (not a URL) as the driver does. */
int sqlite_open_file(const char *path, sqlite3 **out, char *err, size_t errlen);

#endif
