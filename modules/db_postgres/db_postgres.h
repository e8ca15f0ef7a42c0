/* db_postgres.h - the PostgreSQL driver's internals. */
#ifndef DB_POSTGRES_H
#define DB_POSTGRES_H

#include <junction/junction.h>
#include <libpq-fe.h>

#include <stdio.h>

/* pg_conn.c: the asynchronous connection on the SIP loop. */
int pg_open(jn_module_t *user, const char *url, void **out);
void pg_close(void *conn);
int pg_submit(void *conn, jn_db_job_t *job);
int pg_connected(void *conn);

/* pg_sync.c: blocking execution on a connection of its own (start-up). */
jn_db_res_t *pg_run_sync(void *conn, jn_db_job_t *job);
const char *pg_conn_url(void *conn);

/* The URL with the password replaced by ***, malloc'd (NULL: no memory). */
char *pg_url_shown(const char *url);

#endif
