/*
 * junction/module.h - the module descriptor, parameters, hooks, C APIs.
 *
 * A module is one shared object that defines exactly one descriptor with
 * JN_MODULE():
 *
 *     static const jn_param_def_t params[] = {
 *         { "greeting", JN_PARAM_STR, "hello", 0, 0, "what hello.say() replies" },
 *         { .name = NULL }
 *     };
 *     JN_MODULE(.name = "hello", .version = "1.0", .params = params,
 *               .load = hello_load);
 *
 * Lifecycle, all on the SIP thread:
 *   load   - register functions, variables, event routes, hooks, admin
 *            commands and C APIs; read parameters. Returning non-zero
 *            refuses the module (and the daemon does not start).
 *   start  - every module is loaded, the script is compiled; threads may
 *            start, sockets may open.
 *   stop   - the daemon is shutting down; stop threads, flush.
 *   unload - free everything; the .so is closed afterwards.
 * Modules named in .depends are loaded (and started) before this one and
 * stopped/unloaded after it.
 */
#ifndef JUNCTION_MODULE_H
#define JUNCTION_MODULE_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jn_module jn_module_t; /* opaque handle of a loaded module */

/* ---- parameters --------------------------------------------------------
 * Declared by the module, read from its section of junction.yaml:
 *
 *   modules:
 *     - name: hello
 *       params:
 *         greeting: "hi"
 *
 * The core checks names, types and ranges before load() and reports
 * file:line:col for an unknown key or a bad value. */
typedef enum {
	JN_PARAM_STR = 1,  /* scalar string */
	JN_PARAM_INT = 2,  /* 64-bit integer, checked against [min, max] when min < max */
	JN_PARAM_BOOL = 3, /* true/false/yes/no/on/off */
	JN_PARAM_NODE = 4, /* any YAML value (list, map); read with jn_param_node() */
} jn_param_type_t;

typedef struct jn_param_def {
	const char *name;
	jn_param_type_t type;
	const char *def; /* default as text; NULL: no default (unset) */
	long long min, max;
	const char *doc;
} jn_param_def_t;

/* Value of a declared parameter (the default when not configured).
 * jn_param_str returns NULL for an unset parameter without default. */
JN_API const char *jn_param_str(jn_module_t *m, const char *name);
JN_API long long jn_param_int(jn_module_t *m, const char *name);
JN_API int jn_param_bool(jn_module_t *m, const char *name);
/* Non-zero when the parameter was given in the configuration. */
JN_API int jn_param_isset(jn_module_t *m, const char *name);

/* Read-only view of a YAML value, for JN_PARAM_NODE parameters. Nodes live
 * as long as the configuration (until unload). */
typedef struct jn_node jn_node_t;
typedef enum { JN_NODE_SCALAR = 1, JN_NODE_LIST = 2, JN_NODE_MAP = 3 } jn_node_kind_t;
JN_API const jn_node_t *jn_param_node(jn_module_t *m, const char *name);
JN_API jn_node_kind_t jn_node_kind(const jn_node_t *n);
JN_API const char *jn_node_scalar(const jn_node_t *n);   /* NULL unless scalar */
JN_API size_t jn_node_count(const jn_node_t *n);         /* items or pairs */
JN_API const jn_node_t *jn_node_item(const jn_node_t *n, size_t i);
JN_API const char *jn_node_key(const jn_node_t *n, size_t i); /* map key i */
JN_API const jn_node_t *jn_node_get(const jn_node_t *n, const char *key);
/* "file:line:col" of the node, for the module's own error messages. */
JN_API const char *jn_node_where(const jn_node_t *n);

/* ---- descriptor -------------------------------------------------------- */
typedef struct jn_module_desc {
	/* These three come first in every ABI version so that any loader can
	 * read them. Filled in by JN_MODULE(). */
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t size; /* sizeof(jn_module_desc_t) at build time */

	const char *name;    /* [a-z][a-z0-9_]*: the script prefix ("hello.say") */
	const char *version; /* the module's own version */
	const char *description;
	const char *const *depends; /* NULL-terminated module names, or NULL */
	const jn_param_def_t *params; /* terminated by an entry with name NULL */

	int (*load)(jn_module_t *m);
	int (*start)(jn_module_t *m);
	void (*stop)(jn_module_t *m);
	void (*unload)(jn_module_t *m);
} jn_module_desc_t;

#define JN_MODULE_SYMBOL "jn_module_descriptor"
#define JN_MODULE(...) \
	JN_API const jn_module_desc_t jn_module_descriptor = { \
		.abi_major = JN_SDK_MAJOR, \
		.abi_minor = JN_SDK_MINOR, \
		.size = sizeof(jn_module_desc_t), \
		__VA_ARGS__}

/* The module's name, and a per-module data slot for its own state. */
JN_API const char *jn_module_name(const jn_module_t *m);
JN_API void jn_module_set_data(jn_module_t *m, void *data);
JN_API void *jn_module_data(const jn_module_t *m);

/* ---- hooks on core phases ---------------------------------------------
 * Hooks run in ascending priority, then registration order. A hook answers:
 *   JN_HOOK_OK       handled: the phase continues without the later hooks
 *   JN_HOOK_DECLINED not mine: the next hook runs
 *   JN_HOOK_AGAIN    the hook took the message over (it replied, relayed
 *                    or keeps a reference): the core does nothing more
 *   JN_HOOK_ERROR    failure: a request is answered 500, a reply dropped */
typedef enum {
	JN_HOOK_OK = 0,
	JN_HOOK_DECLINED = 1,
	JN_HOOK_AGAIN = 2,
	JN_HOOK_ERROR = -1,
} jn_hook_result_t;

typedef enum {
	JN_PHASE_REQUEST_IN = 1, /* a request arrived, before the request route */
	JN_PHASE_REPLY_IN = 2,   /* a response arrived, before the reply route */
	JN_PHASE_TRANSACTION_END = 3, /* a transaction finished (msg = its request) */
	JN_PHASE_DIALOG_START = 4,
	JN_PHASE_DIALOG_END = 5,
	JN_PHASE_SCRIPT_LOADED = 6, /* a script was compiled and installed (msg NULL) */
} jn_phase_t;

struct jn_msg;
typedef jn_hook_result_t (*jn_hook_cb)(struct jn_msg *msg, void *data);

JN_API int jn_hook_register(jn_module_t *m, jn_phase_t phase, int priority, jn_hook_cb cb,
			    void *data);

/* ---- named, versioned C APIs between modules --------------------------
 * A module exports a table of function pointers under a name and a major
 * version; another module (which lists the first in .depends) gets it in
 * load() or start(). The table must outlive the exporting module's load. */
JN_API int jn_api_register(jn_module_t *m, const char *name, int version, const void *api);
/* NULL (and a logged error) when no module exports name at that version. */
JN_API const void *jn_api_get(jn_module_t *m, const char *name, int version);

#ifdef __cplusplus
}
#endif
#endif
