/* db.h - the core side of the database layer (sdk junction/db.h): driver
 * registry, handles, jobs and results. The drivers are modules. */
#ifndef JN_CORE_DB_H
#define JN_CORE_DB_H

#include <junction/junction.h>

/* Forgets the drivers module m registered; handles using them fail their
 * queries from then on. Called when m is unloaded. */
void db_remove_module(jn_module_t *m);
/* Non-zero once every module has started and until shutdown begins:
 * jn_db_query_sync() is refused then. */
void db_set_running(int running);

#endif
