/* dep_user - test module: depends on dep_base, takes its "base" API in
 * load(), exports dep_user.greet() and the variable dep_user.calls, and
 * raises the event dep_user:started from start(). */
#include <string.h>

#include <junction/junction.h>

struct base_api {
	const char *(*greet)(void);
	int (*calls)(void);
};

static const struct base_api *base;

static jn_result_t fn_greet(jn_call_t *c)
{
	const char *g = base->greet();
	jn_call_return_str(c, g, strlen(g));
	return JN_TRUE;
}

static int get_calls(jn_call_t *c, jn_value_t *out)
{
	out->type = JN_T_INT;
	out->i = base->calls();
	return 0;
}

static int user_load(jn_module_t *m)
{
	base = jn_api_get(m, "base", (int)jn_param_int(m, "api_version"));
	if (!base)
		return JN_ENOENT;
	static const jn_func_def_t greet = {.name = "greet", .fn = fn_greet, .returns = JN_T_STR};
	static const jn_var_def_t calls = {.name = "calls", .type = JN_T_INT, .get = get_calls};
	int r = jn_func_register(m, &greet);
	if (r == 0)
		r = jn_var_register(m, &calls);
	if (r == 0)
		r = jn_event_declare(m, "started", "raised once when the module starts");
	return r;
}

static int user_start(jn_module_t *m)
{
	int r = jn_event_run(m, "started", NULL);
	jn_log_info(m, "event dep_user:started %s", r == 0 ? "ran" : "has no block");
	return 0;
}

static const char *const deps[] = {"dep_base", NULL};
static const jn_param_def_t params[] = {
	{"api_version", JN_PARAM_INT, "1", 1, 9, "version of the base API to ask for"},
	{NULL, 0, NULL, 0, 0, NULL},
};

JN_MODULE(.name = "dep_user", .version = "1.0", .description = "test: uses dep_base",
	  .depends = deps, .params = params, .load = user_load, .start = user_start);
