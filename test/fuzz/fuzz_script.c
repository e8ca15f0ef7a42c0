/* fuzz_script.c - any bytes given to the script compiler give a script or
 * located errors, never a crash or a leak. A script that compiles is run
 * too, suspensions included, so the VM sees hostile programs as well. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errlist.h"
#include "loader.h"
#include "log.h"
#include "registry.h"
#include "script/script.h"

static jn_suspend_t *pending[64];
static int npending;

static jn_result_t f_echo(jn_call_t *c)
{
	const jn_value_t *v = jn_call_arg(c, 0);
	if (v->type == JN_T_STR)
		jn_call_return_str(c, v->s, v->len);
	else if (v->type == JN_T_INT)
		jn_call_return_int(c, jn_call_arg_int(c, 0, 0));
	return (jn_result_t)(jn_call_arg_int(c, 1, 1) & 1);
}

static jn_result_t f_wait(jn_call_t *c)
{
	if (npending == 64)
		return JN_FALSE;
	pending[npending++] = jn_call_suspend(c);
	return JN_SUSPEND;
}

static jn_result_t f_stop(jn_call_t *c)
{
	return JN_STOP;
}

static jn_result_t f_err(jn_call_t *c)
{
	return jn_call_error(c, "error %s", jn_call_arg_str(c, 0, "-"));
}

static void prep_free(void *p)
{
	free(p);
}

static int prep(jn_prepare_t *p)
{
	const jn_value_t *v = jn_prepare_value(p);
	if (v->type == JN_T_STR && v->len && v->s[0] == '!')
		return jn_prepare_error(p, "refused");
	jn_prepare_set(p, malloc(8), prep_free);
	return 0;
}

static int get_str(jn_call_t *c, jn_value_t *v)
{
	v->type = JN_T_STR;
	v->s = "INVITE";
	v->len = 6;
	return 0;
}

static int get_int(jn_call_t *c, jn_value_t *v)
{
	v->type = JN_T_INT;
	v->i = 486;
	return 0;
}

static int set_any(jn_call_t *c, const jn_value_t *v)
{
	return v->type == JN_T_BOOL ? -1 : 0;
}

static int m_load(jn_module_t *m)
{
	static const jn_arg_def_t args[] = {
	    {"v", JN_ARG_ANY, JN_ARG_OPTIONAL}, {"n", JN_ARG_INT, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
	static const jn_arg_def_t cargs[] = {{"p", JN_ARG_STR, JN_ARG_CONST}, {NULL, 0, 0}};
	static const jn_func_def_t fs[] = {
	    {.name = "echo", .fn = f_echo, .args = args},
	    {.name = "wait", .fn = f_wait, .routes = JN_ROUTE_REQUEST | JN_ROUTE_REPLY},
	    {.name = "stop", .fn = f_stop},
	    {.name = "err", .fn = f_err, .args = args},
	    {.name = "pat", .fn = f_echo, .args = cargs, .prepare = prep},
	};
	static const jn_var_def_t vs[] = {
	    {.name = "method", .get = get_str},
	    {.name = "status", .get = get_int, .set = set_any, .routes = JN_ROUTE_REPLY},
	};
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (jn_func_register(m, &fs[i]))
			return -1;
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		if (jn_var_register(m, &vs[i]))
			return -1;
	return jn_event_declare(m, "ev", NULL);
}

static const jn_module_desc_t m_desc = {
    .abi_major = JN_SDK_MAJOR,
    .abi_minor = JN_SDK_MINOR,
    .size = sizeof(jn_module_desc_t),
    .name = "m",
    .load = m_load,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const jn_arg_def_t args[] = {{"v", JN_ARG_ANY, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
	static const jn_func_def_t log_fn = {.name = "log", .fn = f_echo, .args = args};
	log_setup(JN_LOG_ERR - 1, LOG_TO_STDERR, 0); /* runtime errors are expected: quiet */
	registry_add_func(NULL, &log_fn);
	loader_add_static(&m_desc);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jn_errlist_t errs;
	errlist_init(&errs);
	jn_script_t *s = script_load_string("fuzz.jn", (const char *)data, size, &errs);
	for (size_t i = 0; i < errs.n; i++)
		free(errlist_format(&errs, i));
	errlist_free(&errs);
	if (!s)
		return 0;
	npending = 0;
	script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL);
	script_run(s, JN_ROUTE_REPLY, NULL, NULL, NULL, NULL);
	script_run(s, JN_ROUTE_EVENT, "m:ev", NULL, NULL, NULL);
	/* resume in reverse order; a resumed run may wait again */
	for (int rounds = 0; npending > 0; rounds++) {
		jn_suspend_t *x = pending[--npending];
		jn_suspend_return_int(x, rounds);
		jn_suspend_resume(x, (jn_result_t)(rounds % 3));
	}
	script_unref(s);
	return 0;
}
