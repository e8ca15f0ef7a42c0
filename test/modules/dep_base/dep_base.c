/* dep_base - test module: exports the C API "base" version 1 to other
 * modules, and a REQUEST_IN hook that answers requests carrying
 * "X-Hook: stop" itself (JN_HOOK_AGAIN), before the script runs. */
#include <string.h>

#include <junction/junction.h>

struct base_api {
	const char *(*greet)(void);
	int (*calls)(void);
};

static int ncalls;

static const char *base_greet(void)
{
	ncalls++;
	return "hello from dep_base";
}

static int base_calls(void)
{
	return ncalls;
}

static const struct base_api api = {base_greet, base_calls};

static jn_hook_result_t on_request(jn_msg_t *msg, void *data)
{
	const char *h = jn_msg_header(msg, "X-Hook", 0);
	if (!h || strcmp(h, "stop") != 0)
		return JN_HOOK_DECLINED;
	jn_msg_reply(msg, 403, "Stopped By Hook", NULL);
	return JN_HOOK_AGAIN;
}

static int base_load(jn_module_t *m)
{
	int r = jn_api_register(m, "base", 1, &api);
	if (r == 0)
		r = jn_hook_register(m, JN_PHASE_REQUEST_IN, (int)jn_param_int(m, "priority"),
				     on_request, NULL);
	return r;
}

static const jn_param_def_t params[] = {
	{"priority", JN_PARAM_INT, "10", -100, 100, "priority of the request hook"},
	{NULL, 0, NULL, 0, 0, NULL},
};

JN_MODULE(.name = "dep_base", .version = "1.0", .description = "test: API and hook provider",
	  .params = params, .load = base_load);
