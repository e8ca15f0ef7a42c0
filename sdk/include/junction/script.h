/*
 * junction/script.h - what a module adds to the routing script: functions,
 * variables and event routes; and how a function suspends the script.
 *
 * Names: a module's exports are seen by the script as MODULE.NAME
 * ("hello.say(...)", "registrar.count"). They are resolved when the script
 * is loaded: an unknown name, a wrong argument count or a constant argument
 * of the wrong type refuses the script with file:line:col.
 */
#ifndef JUNCTION_SCRIPT_H
#define JUNCTION_SCRIPT_H

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values ----------------------------------------------------------- */
typedef enum {
	JN_T_NULL = 0,
	JN_T_BOOL = 1,
	JN_T_INT = 2,
	JN_T_STR = 3,
} jn_type_t;

/* A script value. Strings are NUL-terminated and also carry their length;
 * they are borrowed (constants of the script, message data or memory of
 * the current execution). */
typedef struct jn_value {
	jn_type_t type;
	int64_t i; /* JN_T_BOOL (0/1) and JN_T_INT */
	const char *s; /* JN_T_STR */
	size_t len;    /* JN_T_STR */
} jn_value_t;

/* Filling a value (variable getters, jn_suspend results): a NULL string
 * gives null. The string is borrowed, as for every jn_value_t. */
static inline void jn_value_set_null(jn_value_t *v)
{
	v->type = JN_T_NULL;
}
static inline void jn_value_set_int(jn_value_t *v, int64_t i)
{
	v->type = JN_T_INT;
	v->i = i;
}
static inline void jn_value_set_bool(jn_value_t *v, int b)
{
	v->type = JN_T_BOOL;
	v->i = b != 0;
}
static inline void jn_value_set_str(jn_value_t *v, const char *s)
{
	v->type = s ? JN_T_STR : JN_T_NULL;
	v->s = s;
	v->len = 0;
	if (s)
		while (s[v->len])
			v->len++;
}

/* ---- route kinds ------------------------------------------------------ */
typedef enum {
	JN_ROUTE_REQUEST = 1 << 0, /* request { } */
	JN_ROUTE_REPLY = 1 << 1,   /* reply { } and reply NAME { } */
	JN_ROUTE_FAILURE = 1 << 2, /* failure NAME { } */
	JN_ROUTE_BRANCH = 1 << 3,  /* branch NAME { } */
	JN_ROUTE_EVENT = 1 << 4,   /* event MODULE:NAME { } */
	JN_ROUTE_ANY = 0x1f,
} jn_route_kind_t;

/* ---- results of a script function -------------------------------------
 * A function's result is not a C error code: */
typedef enum {
	JN_FALSE = 0,   /* the call evaluates to false */
	JN_TRUE = 1,    /* the call evaluates to true (or to the value set) */
	JN_STOP = 2,    /* stop the script here, as `exit` does */
	JN_SUSPEND = 3, /* jn_call_suspend() was called; the script waits */
	JN_ERROR = -1,  /* a runtime error (logged with the script location);
			   the call evaluates to false */
} jn_result_t;

typedef struct jn_call jn_call_t;       /* one execution of one call */
typedef struct jn_prepare jn_prepare_t; /* load-time argument preparation */
typedef struct jn_suspend jn_suspend_t; /* a suspended execution */

/* ---- functions --------------------------------------------------------- */
enum {
	JN_ARG_BOOL = 1 << JN_T_BOOL,
	JN_ARG_INT = 1 << JN_T_INT,
	JN_ARG_STR = 1 << JN_T_STR,
	JN_ARG_ANY = JN_ARG_BOOL | JN_ARG_INT | JN_ARG_STR,
};
enum {
	JN_ARG_OPTIONAL = 1 << 0, /* may be omitted */
	JN_ARG_CONST = 1 << 1,    /* must be a constant (prepared at load) */
};

typedef struct jn_arg_def {
	const char *name; /* used for named arguments: f(timeout: 30) */
	unsigned types;   /* JN_ARG_* mask; an int passed for a string arg is
			     converted, a numeric string for an int arg too */
	unsigned flags;   /* JN_ARG_OPTIONAL | JN_ARG_CONST */
} jn_arg_def_t;

typedef jn_result_t (*jn_func_cb)(jn_call_t *call);

typedef struct jn_func_def {
	const char *name;         /* without the module prefix */
	jn_func_cb fn;
	const jn_arg_def_t *args; /* terminated by an entry with name NULL */
	unsigned routes;          /* jn_route_kind_t mask; 0 means any */
	jn_type_t returns;        /* JN_T_BOOL, or the type jn_call_return_* sets */
	/* Called once per constant argument when the script is loaded; may
	 * store prepared data (a compiled pattern, a parsed URI) with
	 * jn_prepare_set(). The interpreter frees it with the script.
	 * Returns 0, or non-zero after jn_prepare_error(). May be NULL. */
	int (*prepare)(jn_prepare_t *p);
	void *data; /* jn_call_data() */
	const char *doc;
} jn_func_def_t;

JN_API int jn_func_register(jn_module_t *m, const jn_func_def_t *def);

/* Inside a function: */
JN_API jn_msg_t *jn_call_msg(jn_call_t *c); /* NULL in an event route without message */
JN_API jn_route_kind_t jn_call_route(const jn_call_t *c);
JN_API void *jn_call_data(const jn_call_t *c);
JN_API jn_module_t *jn_call_module(const jn_call_t *c);
/* Argument i (declaration order). Absent optional args read as JN_T_NULL. */
JN_API int jn_call_has_arg(const jn_call_t *c, unsigned i);
JN_API const jn_value_t *jn_call_arg(const jn_call_t *c, unsigned i);
JN_API const char *jn_call_arg_str(const jn_call_t *c, unsigned i, const char *def);
JN_API int64_t jn_call_arg_int(const jn_call_t *c, unsigned i, int64_t def);
/* Data stored by prepare() for argument i, NULL if it was not constant. */
JN_API void *jn_call_prepared(const jn_call_t *c, unsigned i);
/* Give the call a value (otherwise it is the bool of the result). */
JN_API void jn_call_return_int(jn_call_t *c, int64_t v);
JN_API void jn_call_return_bool(jn_call_t *c, int v);
JN_API void jn_call_return_str(jn_call_t *c, const char *s, size_t len); /* copied */
JN_API void jn_call_return_null(jn_call_t *c);
/* Memory that lives as long as the current execution. */
JN_API void *jn_call_alloc(jn_call_t *c, size_t size);
JN_API char *jn_call_strdup(jn_call_t *c, const char *s, size_t len);
/* Log a runtime error with the script location; returns JN_ERROR. */
JN_API jn_result_t jn_call_error(jn_call_t *c, const char *fmt, ...) JN_PRINTF(2, 3);

/* Inside prepare(): */
JN_API unsigned jn_prepare_index(const jn_prepare_t *p);
JN_API const jn_value_t *jn_prepare_value(const jn_prepare_t *p);
JN_API void jn_prepare_set(jn_prepare_t *p, void *data, void (*free_fn)(void *data));
/* Non-zero when the script being loaded has the block (for prepare() of an
 * argument naming a route: proxy.relay(failure: "busy")). name is NULL
 * for `request` and the unnamed `reply`. */
JN_API int jn_prepare_has_route(const jn_prepare_t *p, jn_route_kind_t kind, const char *name);
/* Report a load error at the argument's location. Returns -1. */
JN_API int jn_prepare_error(jn_prepare_t *p, const char *fmt, ...) JN_PRINTF(2, 3);

/* ---- suspension --------------------------------------------------------
 * A function that must wait (a timer, a database query, media) calls
 * jn_call_suspend() and returns JN_SUSPEND. The execution, its variables
 * and its message are kept; the SIP thread goes on with other work. Later,
 * on the SIP thread, jn_suspend_resume() continues the script right after
 * the call, which then evaluates to result (and the value set, if any).
 * Every suspension must be resumed exactly once. */
JN_API jn_suspend_t *jn_call_suspend(jn_call_t *c);
JN_API jn_msg_t *jn_suspend_msg(jn_suspend_t *s);
JN_API void jn_suspend_return_int(jn_suspend_t *s, int64_t v);
JN_API void jn_suspend_return_str(jn_suspend_t *s, const char *str, size_t len);
JN_API void jn_suspend_resume(jn_suspend_t *s, jn_result_t result);

/* ---- execution-local storage ---------------------------------------------
 * A module may attach one pointer per key (the address of one of its own
 * statics) to the current execution, for a later call of the same
 * execution to read back: sql.query() keeps the row that sql.value()
 * reads. The core forgets the pointers when the execution ends; point
 * them at execution memory (jn_call_alloc, jn_suspend_alloc) so that what
 * they point at dies with it. jn_call_local() returns NULL when unset. */
JN_API int jn_call_set_local(jn_call_t *c, const void *key, void *value);
JN_API void *jn_call_local(jn_call_t *c, const void *key);
/* The same from a suspension handle, before jn_suspend_resume(). */
JN_API void *jn_suspend_alloc(jn_suspend_t *s, size_t size);
JN_API int jn_suspend_set_local(jn_suspend_t *s, const void *key, void *value);

/* ---- running named blocks --------------------------------------------
 * Modules run `failure NAME`, `branch NAME` and `reply NAME` blocks (and
 * `request` / `reply` with name NULL) on a message. A request runs them on
 * the script it started with, so a reload never changes the routes of a
 * transaction in flight. done(msg, status, data) is called when the block
 * ends - at once or, if it suspended, later. Returns 0 (done will be or
 * was called) or JN_ENOENT when the script has no such block (done is not
 * called). */
typedef enum {
	JN_ROUTE_DONE = 0,    /* ran to the end, exit or return */
	JN_ROUTE_DROPPED = 1, /* `drop` */
	JN_ROUTE_FAILED = 2,  /* a runtime error */
} jn_route_status_t;
typedef void (*jn_route_done_cb)(jn_msg_t *msg, jn_route_status_t status, void *data);
JN_API int jn_route_run(jn_route_kind_t kind, const char *name, jn_msg_t *msg,
			jn_route_done_cb done, void *data);
JN_API int jn_route_exists(jn_msg_t *msg, jn_route_kind_t kind, const char *name);

/* ---- variables ---------------------------------------------------------
 * Read as MODULE.NAME in expressions; assigned with MODULE.NAME = expr when
 * a setter is given. A getter that has no value sets JN_T_NULL. */
typedef struct jn_var_def {
	const char *name;
	jn_type_t type; /* the type get() returns (or JN_T_NULL: any) */
	int (*get)(jn_call_t *c, jn_value_t *out);
	int (*set)(jn_call_t *c, const jn_value_t *v); /* NULL: read-only */
	unsigned routes; /* where it may be used; 0 means any */
	void *data;      /* jn_call_data() inside get/set */
	const char *doc;
} jn_var_def_t;

JN_API int jn_var_register(jn_module_t *m, const jn_var_def_t *def);

/* ---- event routes ------------------------------------------------------
 * A module declares the events it raises; the script may then contain
 * `event MODULE:NAME { ... }`. An event block for an undeclared event is a
 * load error. */
JN_API int jn_event_declare(jn_module_t *m, const char *name, const char *doc);
/* Run the script's block for the event, if it has one, with msg (may be
 * NULL). Returns 0 when it ran (or suspended), JN_ENOENT when the script
 * has no block for it. */
JN_API int jn_event_run(jn_module_t *m, const char *name, jn_msg_t *msg);

#ifdef __cplusplus
}
#endif
#endif
