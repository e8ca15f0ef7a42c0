/* loader.h - loading modules: dlopen, ABI check, dependency order,
 * parameters, lifecycle. */
#ifndef JN_CORE_LOADER_H
#define JN_CORE_LOADER_H

#include <junction/junction.h>
#include "config.h"
#include "errlist.h"

/* Load every module the configuration lists (and nothing else), in
 * dependency order, calling load() on each. Errors (missing file, ABI
 * mismatch naming both versions, missing dependency, cycle, bad parameter)
 * go to errs with the config location; returns 0 or -1. */
int loader_load_all(const jn_config_t *cfg, jn_errlist_t *errs);
/* start() in load order; 0 or -1 (the failing module is logged). */
int loader_start_all(void);
/* stop() in reverse order, then unload() and dlclose. */
void loader_stop_all(void);
void loader_unload_all(void);

/* A module compiled into the process (core helpers, unit tests): no
 * dlopen, no params. load() is called at once. NULL on failure. */
jn_module_t *loader_add_static(const jn_module_desc_t *desc);

size_t loader_count(void);
jn_module_t *loader_at(size_t i);
const jn_module_desc_t *loader_desc(const jn_module_t *m);
const char *loader_path(const jn_module_t *m);

#endif
