/*
 * hello.c - the canonical example of a Junction module.
 *
 * Built out of tree against the installed SDK, exactly as a third party
 * builds a module (see Makefile and README.md beside this file). It shows
 * every part of the module contract:
 *
 *   - parameters declared as data, read in load()      ("greeting")
 *   - a script function with a named optional argument  hello.greeting([name])
 *   - a read-only script variable                       hello.calls
 *   - the four lifecycle callbacks                      load/start/stop/unload
 *
 * In junction.yaml:
 *
 *   modules:
 *     - name: hello
 *       path: /usr/lib/junction/modules/hello.so   # optional
 *       params: { greeting: "Hello from Junction" }
 *
 * In a routing script:
 *
 *   request {
 *       if (method == "OPTIONS") {
 *           reply(200, hello.greeting());              # "Hello from Junction"
 *           exit;
 *       }
 *       reply(200, hello.greeting(name: from.user));   # "Hello from Junction, alice"
 *   }
 */

/* One include gives the whole SDK. Nothing else from the daemon is
 * visible: the core resolves the jn_* symbols when it loads the .so. */
#include <junction/junction.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Module state. A module may keep globals (the .so is loaded once), but
 * putting them in one struct hung on the module handle keeps load/unload
 * symmetric and makes the ownership obvious. */
struct hello {
	char *greeting;     /* copy of the "greeting" parameter */
	long long calls;    /* how many times hello.greeting() ran */
};

/* ---- parameters --------------------------------------------------------
 * Declared as data: the core validates the module's section of
 * junction.yaml against this table before load() runs, and reports an
 * unknown key or a value of the wrong type as file:line:col. */
static const jn_param_def_t hello_params[] = {
	/* name       type          default   min max  doc */
	{"greeting", JN_PARAM_STR, "hello", 0, 0, "what hello.greeting() returns"},
	{"max_name", JN_PARAM_INT, "64", 1, 1024, "longest name hello.greeting() accepts"},
	{NULL, 0, NULL, 0, 0, NULL},
};

/* ---- hello.greeting([name]) ---------------------------------------------
 * Returns the greeting, or "greeting, name" when a name is given, either
 * positionally hello.greeting("bob") or by name hello.greeting(name: "bob").
 * Arguments are typed at registration; an int given for a string argument
 * is converted by the interpreter. */
static const jn_arg_def_t greeting_args[] = {
	{"name", JN_ARG_STR, JN_ARG_OPTIONAL},
	{NULL, 0, 0},
};

static jn_result_t hello_greeting(jn_call_t *c)
{
	jn_module_t *m = jn_call_module(c);
	struct hello *h = jn_module_data(m);
	const char *name = jn_call_arg_str(c, 0, NULL); /* NULL when absent */
	size_t glen = strlen(h->greeting);

	h->calls++;
	if (!name || !*name) {
		/* The value is copied by the core: our buffer may change. */
		jn_call_return_str(c, h->greeting, glen);
		return JN_TRUE;
	}
	if ((long long)strlen(name) > jn_param_int(m, "max_name"))
		return jn_call_error(c, "hello.greeting: name longer than %lld bytes",
				     jn_param_int(m, "max_name"));

	/* Scratch memory that lives as long as this script execution: no free
	 * needed, nothing leaks when the script stops early. */
	size_t len = glen + 2 + strlen(name);
	char *text = jn_call_alloc(c, len + 1);
	if (!text)
		return jn_call_error(c, "hello.greeting: out of memory");
	snprintf(text, len + 1, "%s, %s", h->greeting, name);
	jn_call_return_str(c, text, len);
	return JN_TRUE;
}

/* ---- hello.calls ----------------------------------------------------------
 * A read-only variable: a getter and no setter. */
static int hello_calls_get(jn_call_t *c, jn_value_t *out)
{
	struct hello *h = jn_module_data(jn_call_module(c));

	out->type = JN_T_INT;
	out->i = h->calls;
	return 0;
}

/* ---- lifecycle --------------------------------------------------------- */

/* load: read parameters, allocate state, register what the script sees.
 * Every registration can fail; returning non-zero refuses the module and
 * the daemon does not start (or a reload is refused). */
static int hello_load(jn_module_t *m)
{
	static const jn_func_def_t greeting_def = {
		.name = "greeting",
		.fn = hello_greeting,
		.args = greeting_args,
		.routes = 0, /* any route may call it */
		.returns = JN_T_STR,
		.doc = "The configured greeting, followed by \", name\" when a name is given.",
	};
	static const jn_var_def_t calls_def = {
		.name = "calls",
		.type = JN_T_INT,
		.get = hello_calls_get,
		.set = NULL, /* read-only */
		.doc = "How many times hello.greeting() was called.",
	};
	struct hello *h;
	int rc;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -1;
	h->greeting = strdup(jn_param_str(m, "greeting"));
	if (!h->greeting) {
		free(h);
		return -1;
	}
	jn_module_set_data(m, h);

	if ((rc = jn_func_register(m, &greeting_def)) < 0 ||
	    (rc = jn_var_register(m, &calls_def)) < 0) {
		jn_log_err(m, "cannot register: %s", jn_strerror(rc));
		return -1; /* unload() still runs and frees h */
	}
	jn_log_info(m, "loaded (SDK %d.%d, core %s), greeting \"%s\"", JN_SDK_MAJOR,
		    JN_SDK_MINOR, jn_version(), h->greeting);
	return 0;
}

/* start: every module is loaded and the script compiled. This is where a
 * module would start threads or open sockets; hello has nothing to start. */
static int hello_start(jn_module_t *m)
{
	jn_log_info(m, "started");
	return 0;
}

/* stop: the daemon is shutting down; stop threads, flush buffers. */
static void hello_stop(jn_module_t *m)
{
	struct hello *h = jn_module_data(m);

	jn_log_info(m, "stopping after %lld greetings", h ? h->calls : 0);
}

/* unload: free everything; the .so is closed right after. */
static void hello_unload(jn_module_t *m)
{
	struct hello *h = jn_module_data(m);

	if (h) {
		free(h->greeting);
		free(h);
		jn_module_set_data(m, NULL);
	}
}

/* ---- the descriptor ----------------------------------------------------
 * Exactly one per module. JN_MODULE() records the SDK ABI version this
 * file was compiled with; the loader refuses a module built for another
 * major version. */
JN_MODULE(.name = "hello", .version = "1.0.0",
	  .description = "example module: a greeting from a parameter",
	  .params = hello_params, .load = hello_load, .start = hello_start,
	  .stop = hello_stop, .unload = hello_unload);
