/* bench_script.c - cost of one run of a typical 30-statement request route
 * (a regex match, header reads, variables, comparisons, a subroutine).
 * Functions and variables are fakes returning fixed strings, so this
 * measures the interpreter alone. Target: < 2 us per run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errlist.h"
#include "registry.h"
#include "script/script.h"

static const char route_src[] =
    "request {\n"
    "    if (max_forwards == 0) { reply(483, \"Too Many Hops\"); exit; }\n"
    "    if (method == \"OPTIONS\") { reply(200, \"OK\"); exit; }\n"
    "    $from = header(\"From\");\n"
    "    $to = header(\"To\");\n"
    "    $cid = header(\"Call-ID\");\n"
    "    $ua = header(\"User-Agent\");\n"
    "    if ($ua =~ \"friendly-scanner|sipvicious\") { drop; }\n"
    "    if (ruri.user =~ '^\\+?[0-9]{3,15}$') { $num = true; } else { $num = false; }\n"
    "    $n = 0;\n"
    "    $n = $n + 1;\n"
    "    if ($n >= 1 && $num) { $kind = \"number\"; } else { $kind = \"name\"; }\n"
    "    switch (method) {\n"
    "    case \"REGISTER\": reply(200, \"OK\"); exit;\n"
    "    case \"INVITE\": $invite = true;\n"
    "    default: $invite = false;\n"
    "    }\n"
    "    if (!route(checks)) { reply(403, \"Forbidden\"); exit; }\n"
    "    $tag = \"call-\" + $cid;\n"
    "    if ($from == $to) { log(\"loop\"); }\n"
    "    if (header(\"Max-Forwards\") < 10) { log(\"few hops\"); }\n"
    "    $target = ruri.user + \"@example.com\";\n"
    "    if ($kind != \"number\") { log(\"not a number\"); }\n"
    "    if (method != \"BYE\" || $invite) { $relay = true; }\n"
    "    relay(target: $target, timeout: 30);\n"
    "    exit;\n"
    "}\n"
    "route checks {\n"
    "    if (header(\"Authorization\") == \"\") { return false; }\n"
    "    return true;\n"
    "}\n";

static jn_result_t f_true(jn_call_t *c)
{
	return JN_TRUE;
}

static jn_result_t f_header(jn_call_t *c)
{
	const char *name = jn_call_arg_str(c, 0, "");
	const char *v = strcmp(name, "Max-Forwards") == 0 ? "70" : "<sip:alice@example.com>;tag=1";
	jn_call_return_str(c, v, strlen(v));
	return JN_TRUE;
}

static int get_method(jn_call_t *c, jn_value_t *v)
{
	*v = (jn_value_t){.type = JN_T_STR, .s = "INVITE", .len = 6};
	return 0;
}

static int get_user(jn_call_t *c, jn_value_t *v)
{
	*v = (jn_value_t){.type = JN_T_STR, .s = "+4930123456", .len = 11};
	return 0;
}

static int get_mf(jn_call_t *c, jn_value_t *v)
{
	*v = (jn_value_t){.type = JN_T_INT, .i = 70};
	return 0;
}

static int setup(void)
{
	static const jn_arg_def_t reply_args[] = {
	    {"code", JN_ARG_INT, 0}, {"reason", JN_ARG_STR, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
	static const jn_arg_def_t one_str[] = {{"name", JN_ARG_STR, 0}, {NULL, 0, 0}};
	static const jn_arg_def_t relay_args[] = {{"target", JN_ARG_STR, JN_ARG_OPTIONAL},
	                                          {"timeout", JN_ARG_INT, JN_ARG_OPTIONAL},
	                                          {NULL, 0, 0}};
	static const jn_func_def_t fs[] = {
	    {.name = "reply", .fn = f_true, .args = reply_args},
	    {.name = "header", .fn = f_header, .args = one_str},
	    {.name = "log", .fn = f_true, .args = one_str},
	    {.name = "relay", .fn = f_true, .args = relay_args},
	};
	static const jn_var_def_t vs[] = {
	    {.name = "method", .get = get_method},
	    {.name = "ruri.user", .get = get_user},
	    {.name = "max_forwards", .get = get_mf},
	};
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (registry_add_func(NULL, &fs[i]))
			return -1;
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		if (registry_add_var(NULL, &vs[i]))
			return -1;
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long runs = argc > 1 ? atol(argv[1]) : 1000000;
	jn_errlist_t errs;
	errlist_init(&errs);
	if (setup() < 0) {
		fprintf(stderr, "bench_script: cannot register the fake names\n");
		return 1;
	}
	jn_script_t *s = script_load_string("bench.jn", route_src, sizeof(route_src) - 1, &errs);
	if (!s) {
		errlist_print(&errs, stderr);
		errlist_free(&errs);
		return 1;
	}
	for (long i = 0; i < 1000; i++) /* warm the caches and the free list */
		script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL);
	double t0 = now();
	for (long i = 0; i < runs; i++)
		if (script_run(s, JN_ROUTE_REQUEST, NULL, NULL, NULL, NULL) != SCRIPT_DONE) {
			fprintf(stderr, "bench_script: unexpected status\n");
			return 1;
		}
	double ns = (now() - t0) / (double)runs;
	printf("bench_script: 30-statement request route: %.0f ns/run (%ld runs)\n", ns, runs);
	script_unref(s);
	errlist_free(&errs);
	registry_clear();
	return 0;
}
