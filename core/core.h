/* core.h - the daemon's state as other parts of the core (REST, status)
 * read it. Implemented in main.c / loader.c / sip.c. */
#ifndef JN_CORE_CORE_H
#define JN_CORE_CORE_H

#include <junction/junction.h>
#include "errlist.h"
#include "config.h"

/* Seconds since start. */
double core_uptime(void);
const jn_config_t *core_config(void);

/* Listeners actually bound, as "udp:127.0.0.1:5060". */
size_t core_listener_count(void);
const char *core_listener(size_t i);

/* Loaded modules in load order. */
size_t core_module_count(void);
jn_module_t *core_module_at(size_t i);
const char *core_module_version(const jn_module_t *m);
const char *core_module_description(const jn_module_t *m);
const char *core_module_path(const jn_module_t *m);

/* Recompile the script file and activate it. On failure the running script
 * stays and errs holds every located error; returns 0 or -1. */
int core_reload(jn_errlist_t *errs);
/* Counters for status. */
unsigned long core_reload_count(void);

/* main.c/core.c internals */
void core_set_config(const jn_config_t *cfg);
int core_load_script(jn_errlist_t *errs);

#endif
