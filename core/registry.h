/* registry.h - what modules (and the core itself) registered for the
 * script: functions, variables, events. The compiler resolves names here. */
#ifndef JN_CORE_REGISTRY_H
#define JN_CORE_REGISTRY_H

#include <junction/junction.h>

typedef struct reg_func {
	char *fullname;       /* "hello.say", or "reply" for core builtins */
	jn_func_def_t def;    /* copy; def.args points to args below */
	jn_arg_def_t *args;   /* copy, terminated by name NULL */
	unsigned nargs;
	jn_module_t *mod;     /* NULL for the core */
} reg_func_t;

typedef struct reg_var {
	char *fullname;       /* "registrar.count", or "ruri.user" for the core */
	jn_var_def_t def;
	jn_module_t *mod;
} reg_var_t;

typedef struct reg_event {
	char *fullname; /* "registrar:expired" */
	char *doc;
	jn_module_t *mod;
} reg_event_t;

/* Core builtins register with mod NULL (no prefix). */
int registry_add_func(jn_module_t *mod, const jn_func_def_t *def);
int registry_add_var(jn_module_t *mod, const jn_var_def_t *def);
int registry_add_event(jn_module_t *mod, const char *name, const char *doc);

const reg_func_t *registry_func(const char *fullname);
const reg_var_t *registry_var(const char *fullname);
const reg_event_t *registry_event(const char *fullname);

/* Iteration (documentation, tests). */
size_t registry_func_count(void);
const reg_func_t *registry_func_at(size_t i);
size_t registry_var_count(void);
const reg_var_t *registry_var_at(size_t i);

/* Drops everything a module registered (on unload), or everything with
 * mod NULL and all=1. */
void registry_remove_module(jn_module_t *mod);
void registry_clear(void);

#endif
