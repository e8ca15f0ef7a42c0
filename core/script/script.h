/* script/script.h - the routing-script engine as the rest of the core sees
 * it: compile a file into a program, run one of its blocks on a message,
 * swap the active program on reload.
 *
 * A compiled script is reference-counted: every execution holds a
 * reference, so a reload never pulls a program from under an execution in
 * flight (it finishes on the script it started with). */
#ifndef JN_CORE_SCRIPT_H
#define JN_CORE_SCRIPT_H

#include <junction/junction.h>
#include "../errlist.h"

typedef struct jn_script jn_script_t;

/* Compile a script. Every error is appended to errs (file:line:col) and
 * NULL is returned if there was any. Names resolve against the registry,
 * so modules must be loaded first. The result has one reference. */
jn_script_t *script_load_file(const char *path, jn_errlist_t *errs);
/* Same from memory; name is used as the file name in errors. */
jn_script_t *script_load_string(const char *name, const char *src, size_t len, jn_errlist_t *errs);

void script_ref(jn_script_t *s);
void script_unref(jn_script_t *s);

/* Non-zero when the script has the block. name is NULL for `request` and
 * the unnamed `reply`; for events it is "module:event". */
int script_has(const jn_script_t *s, jn_route_kind_t kind, const char *name);
const char *script_path(const jn_script_t *s);

typedef enum {
	SCRIPT_DONE = 0,      /* ran to the end, `exit` or `return` */
	SCRIPT_DROP = 1,      /* `drop` */
	SCRIPT_FAILED = 2,    /* a runtime error stopped it */
	SCRIPT_SUSPENDED = 3, /* waiting; done() is called when it ends */
} script_status_t;

typedef void (*script_done_cb)(jn_msg_t *msg, script_status_t st, void *data);

/* Run a block on msg (which may be NULL for events). When the block is
 * missing, returns SCRIPT_DONE at once. If the run ends without suspending,
 * its status is returned and done is NOT called; if it suspends,
 * SCRIPT_SUSPENDED is returned, the execution keeps a reference to msg
 * (jn_msg_ref) and to the script, and done(msg, final status, data) is
 * called when it ends. */
script_status_t script_run(jn_script_t *s, jn_route_kind_t kind, const char *name, jn_msg_t *msg,
                           script_done_cb done, void *data);

/* The active script (new executions use it). script_activate takes a
 * reference to s and drops the one held on the previous script. */
jn_script_t *script_active(void);
void script_activate(jn_script_t *s);

/* Number of executions currently suspended (status, shutdown). */
size_t script_suspended_count(void);
/* Frees the finished executions kept for reuse (shutdown, so that leak
 * checkers see nothing left). */
void script_cache_clear(void);

#endif
