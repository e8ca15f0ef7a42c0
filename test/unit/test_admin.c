/* test_admin.c - the admin registry without a socket: route templates,
 * matching, 404/405, percent-decoding, handler contract, OpenAPI.
 * Routes are registered with m NULL, as the core does; every test starts
 * from an empty registry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

/* ---- handlers ---------------------------------------------------------- */

/* Echo what the request looked like, so tests can check what a handler
 * sees: {"handler", "method", "params":{...}, "query":{...}, "body"}. */
static int h_echo(jn_admin_req_t *r, void *data)
{
	static const char *const pnames[] = {"aor", "id", "name"};
	static const char *const qnames[] = {"q", "limit", "flag", "missing", "a b"};
	json_t *o = json_object(), *p = json_object(), *q = json_object();
	for (size_t i = 0; i < sizeof(pnames) / sizeof(pnames[0]); i++) {
		const char *v = jn_admin_path_param(r, pnames[i]);
		if (v)
			json_object_set_new(p, pnames[i], json_string(v));
	}
	for (size_t i = 0; i < sizeof(qnames) / sizeof(qnames[0]); i++) {
		const char *v = jn_admin_query(r, qnames[i]);
		if (v)
			json_object_set_new(q, qnames[i], json_string(v));
	}
	size_t len = 99;
	const char *body = jn_admin_body(r, &len);
	json_object_set_new(o, "handler", json_string(data ? data : ""));
	json_object_set_new(o, "method", json_string(jn_admin_method(r)));
	json_object_set_new(o, "params", p);
	json_object_set_new(o, "query", q);
	json_object_set_new(o, "body", json_stringn(body, len));
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	int rc = jn_admin_reply_json(r, 200, text);
	free(text);
	return rc;
}

static int h_noreply(jn_admin_req_t *r, void *data)
{
	return 0;
}

static int h_badjson(jn_admin_req_t *r, void *data)
{
	return jn_admin_reply_json(r, 200, "{\"unterminated\": ");
}

static int h_fail(jn_admin_req_t *r, void *data)
{
	return JN_ENOENT;
}

static int h_twice(jn_admin_req_t *r, void *data)
{
	assert_int_equal(jn_admin_reply_error(r, 409, "busy %d", 7), 0);
	assert_int_equal(jn_admin_reply_json(r, 200, "{}"), JN_ESTATE);
	assert_int_equal(jn_admin_reply_error(r, 500, "again"), JN_ESTATE);
	return 0;
}

static int h_badstatus(jn_admin_req_t *r, void *data)
{
	assert_int_equal(jn_admin_reply_json(r, 42, "{}"), JN_EINVAL);
	assert_int_equal(jn_admin_reply_json(r, 600, "{}"), JN_EINVAL);
	return jn_admin_reply_json(r, 201, "[1, 2.5, \"x\"]");
}

/* ---- helpers ----------------------------------------------------------- */

static void reg(const char *method, const char *path, jn_admin_cb cb, const char *tag)
{
	jn_admin_def_t d = {method, path, cb, (void *)tag, "summary", NULL};
	assert_int_equal(jn_admin_register(NULL, &d), 0);
}

static int reg_rc(const char *method, const char *path)
{
	jn_admin_def_t d = {method, path, h_echo, NULL, NULL, NULL};
	return jn_admin_register(NULL, &d);
}

/* Dispatch and parse the reply, which must always be JSON. */
static json_t *call(const char *method, const char *target, const char *body, unsigned *status,
                    char **allow)
{
	admin_result_t res;
	admin_dispatch(method, target, body, body ? strlen(body) : 0, &res);
	assert_non_null(res.json);
	json_error_t err;
	json_t *v = json_loads(res.json, JSON_DECODE_ANY, &err);
	if (!v)
		fail_msg("reply is not JSON: %s (%s)", res.json, err.text);
	*status = res.status;
	if (allow) {
		*allow = res.allow;
		res.allow = NULL;
	}
	admin_result_free(&res);
	return v;
}

static const char *sget(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);
	if (path2)
		v = json_object_get(v, path2);
	return json_string_value(v);
}

static void expect_error(const char *method, const char *target, unsigned want, const char *msg)
{
	unsigned st;
	json_t *v = call(method, target, NULL, &st, NULL);
	assert_int_equal(st, want);
	if (msg)
		assert_string_equal(sget(v, "error", NULL), msg);
	else
		assert_non_null(sget(v, "error", NULL));
	json_decref(v);
}

static int setup(void **state)
{
	admin_clear();
	return 0;
}

static int teardown(void **state)
{
	admin_clear();
	return 0;
}

/* ---- tests ------------------------------------------------------------- */

/* Registration: one route per method and template shape. */
static void test_register_duplicate(void **state)
{
	assert_int_equal(reg_rc("GET", "/status"), 0);
	assert_int_equal(reg_rc("POST", "/status"), 0);
	assert_int_equal(reg_rc("GET", "/status"), JN_EEXIST);
	assert_int_equal(reg_rc("GET", "/calls/{id}"), 0);
	assert_int_equal(reg_rc("GET", "/calls/{id}"), JN_EEXIST);
	/* The same shape under another parameter name would be a second
	 * spelling of one OpenAPI path. */
	assert_int_equal(reg_rc("DELETE", "/calls/{callid}"), JN_EINVAL);
	assert_int_equal(reg_rc("DELETE", "/calls/{id}"), 0);
	assert_int_equal(admin_route_count(), 4);
}

static void test_register_bad_templates(void **state)
{
	static const char *const bad[] = {
	    "",         "status", "/",      "//x",   "/x/",   "/x//y",
	    "/{}",      "/{a",    "/a}",    "/x{a}", "/{a}x", "/{a-b}",
	    "/{a}/{a}", "/a b",   "/a%20b", "/a?b",  "/a#b",  "/caf\xc3\xa9",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (reg_rc("GET", bad[i]) != JN_EINVAL)
			fail_msg("template \"%s\" was accepted", bad[i]);
	assert_int_equal(reg_rc("FETCH", "/x"), JN_EINVAL);
	assert_int_equal(reg_rc("get", "/x"), JN_EINVAL);
	assert_int_equal(reg_rc(NULL, "/x"), JN_EINVAL);
	assert_int_equal(reg_rc("GET", NULL), JN_EINVAL);
	jn_admin_def_t nohandler = {"GET", "/x", NULL, NULL, NULL, NULL};
	assert_int_equal(jn_admin_register(NULL, &nohandler), JN_EINVAL);
	assert_int_equal(jn_admin_register(NULL, NULL), JN_EINVAL);
	assert_int_equal(admin_route_count(), 0);
	/* These are fine. */
	assert_int_equal(reg_rc("PUT", "/v1.2/a-b_c~d/{x_1}/sip:x@y"), 0);
}

/* {name} segments capture one segment each; literals must match exactly. */
static void test_match_params(void **state)
{
	unsigned st;
	reg("GET", "/registrations/{aor}", h_echo, "one");
	reg("GET", "/registrations/{aor}/contacts/{id}", h_echo, "two");
	json_t *v = call("GET", "/api/v1/registrations/alice", NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(sget(v, "handler", NULL), "one");
	assert_string_equal(sget(v, "params", "aor"), "alice");
	assert_null(sget(v, "params", "id"));
	assert_string_equal(sget(v, "method", NULL), "GET");
	json_decref(v);

	v = call("GET", "/api/v1/registrations/bob/contacts/3", NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(sget(v, "handler", NULL), "two");
	assert_string_equal(sget(v, "params", "aor"), "bob");
	assert_string_equal(sget(v, "params", "id"), "3");
	json_decref(v);

	expect_error("GET", "/api/v1/registrations/bob/contact/3", 404, "not found");
	expect_error("GET", "/api/v1/registrations", 404, "not found");
	/* An empty segment is not a parameter value. */
	expect_error("GET", "/api/v1/registrations//contacts/3", 404, "not found");
}

/* A literal segment wins over a parameter, whatever the order of
 * registration. */
static void test_literal_beats_param(void **state)
{
	unsigned st;
	reg("GET", "/calls/{id}", h_echo, "param");
	reg("GET", "/calls/active", h_echo, "literal");
	json_t *v = call("GET", "/api/v1/calls/active", NULL, &st, NULL);
	assert_string_equal(sget(v, "handler", NULL), "literal");
	json_decref(v);
	v = call("GET", "/api/v1/calls/other", NULL, &st, NULL);
	assert_string_equal(sget(v, "handler", NULL), "param");
	assert_string_equal(sget(v, "params", "id"), "other");
	json_decref(v);
}

/* Only paths below /api/v1 reach the registry. */
static void test_not_found(void **state)
{
	reg("GET", "/status", h_echo, NULL);
	expect_error("GET", "/api/v1/nope", 404, "not found");
	expect_error("GET", "/status", 404, NULL);
	expect_error("GET", "/api/v1", 404, NULL);
	expect_error("GET", "/api/v1/", 404, NULL);
	expect_error("GET", "/api/v10/status", 404, NULL);
	expect_error("GET", "/api/v1status", 404, NULL);
	expect_error("GET", "", 404, NULL);
	expect_error("GET", "*", 404, NULL);
	expect_error("GET", "/api/v1/status/extra", 404, NULL);
	/* 33 segments: deeper than any template may be. */
	char deep[256] = "/api/v1";
	for (int i = 0; i < 33; i++)
		strcat(deep, "/a");
	expect_error("GET", deep, 404, NULL);
}

/* RFC 9110 15.5.6: a 405 response lists the allowed methods in Allow. */
static void test_method_not_allowed(void **state)
{
	unsigned st;
	char *allow = NULL;
	reg("DELETE", "/calls/{id}", h_echo, NULL);
	reg("GET", "/calls/{id}", h_echo, NULL);
	reg("POST", "/calls/active", h_echo, NULL);
	json_t *v = call("PUT", "/api/v1/calls/42", NULL, &st, &allow);
	assert_int_equal(st, 405);
	assert_string_equal(sget(v, "error", NULL), "method not allowed");
	assert_string_equal(allow, "GET, DELETE");
	free(allow);
	json_decref(v);
	/* Every route matching the path counts, literal or not. */
	v = call("PATCH", "/api/v1/calls/active", NULL, &st, &allow);
	assert_int_equal(st, 405);
	assert_string_equal(allow, "GET, POST, DELETE");
	free(allow);
	json_decref(v);
	/* A 404 has no Allow. */
	v = call("PUT", "/api/v1/other", NULL, &st, &allow);
	assert_int_equal(st, 404);
	assert_null(allow);
	json_decref(v);
}

/* RFC 3986 2.1: segments are split before decoding, so %2F stays inside
 * its segment; in the query '+' is a space (HTML forms). */
static void test_url_decoding(void **state)
{
	unsigned st;
	reg("GET", "/registrations/{aor}", h_echo, NULL);
	json_t *v = call("GET",
	                 "/api/v1/registrations/sip%3Aalice%40example.com%2Fx+y"
	                 "?q=a+b%20c%26d&limit=10&flag&limit=20&a%20b=%e2%82%ac&&",
	                 NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(sget(v, "params", "aor"), "sip:alice@example.com/x+y");
	assert_string_equal(sget(v, "query", "q"), "a b c&d");
	assert_string_equal(sget(v, "query", "limit"), "10"); /* the first wins */
	assert_string_equal(sget(v, "query", "flag"), "");
	assert_string_equal(sget(v, "query", "a b"), "\xe2\x82\xac");
	assert_null(sget(v, "query", "missing"));
	json_decref(v);

	/* Literal segments are compared after decoding too. */
	reg("GET", "/status", h_echo, "status");
	v = call("GET", "/api/v1/st%61tus", NULL, &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(sget(v, "handler", NULL), "status");
	json_decref(v);
	/* A trailing slash is forgiven. */
	v = call("GET", "/api/v1/status/", NULL, &st, NULL);
	assert_int_equal(st, 200);
	json_decref(v);
}

static void test_bad_percent(void **state)
{
	reg("GET", "/registrations/{aor}", h_echo, NULL);
	expect_error("GET", "/api/v1/registrations/a%2", 400,
	             "malformed percent-encoding in the path");
	expect_error("GET", "/api/v1/registrations/a%zz", 400, NULL);
	/* NUL cannot live in a C string; refusing beats truncating. */
	expect_error("GET", "/api/v1/registrations/a%00b", 400, NULL);
	expect_error("GET", "/api/v1/registrations/a?q=%", 400,
	             "malformed percent-encoding in the query");
	expect_error("GET", "/api/v1/registrations/a?%g1=x", 400, NULL);
	expect_error("GET", "/api/v1/registrations/a?q=%00", 400, NULL);
}

static void test_body(void **state)
{
	unsigned st;
	reg("POST", "/things", h_echo, NULL);
	json_t *v = call("POST", "/api/v1/things", "{\"a\": [1, 2]}", &st, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(sget(v, "method", NULL), "POST");
	assert_string_equal(sget(v, "body", NULL), "{\"a\": [1, 2]}");
	json_decref(v);
	/* No body: "" with length 0, never NULL, so handlers can parse it. */
	v = call("POST", "/api/v1/things", NULL, &st, NULL);
	assert_string_equal(sget(v, "body", NULL), "");
	json_decref(v);
}

/* The handler contract of <junction/admin.h>. */
static void test_handler_no_reply(void **state)
{
	reg("GET", "/silent", h_noreply, NULL);
	expect_error("GET", "/api/v1/silent", 500, "handler did not reply");
}

static void test_handler_invalid_json(void **state)
{
	reg("GET", "/broken", h_badjson, NULL);
	expect_error("GET", "/api/v1/broken", 500, "handler replied invalid JSON");
}

static void test_handler_negative(void **state)
{
	reg("GET", "/fail", h_fail, NULL);
	expect_error("GET", "/api/v1/fail", 500, jn_strerror(JN_ENOENT));
}

static void test_reply_once(void **state)
{
	unsigned st;
	reg("GET", "/twice", h_twice, NULL);
	expect_error("GET", "/api/v1/twice", 409, "busy 7");
	reg("GET", "/status", h_badstatus, NULL);
	json_t *v = call("GET", "/api/v1/status", NULL, &st, NULL);
	assert_int_equal(st, 201);
	assert_true(json_is_array(v));
	assert_int_equal(json_array_size(v), 3);
	json_decref(v);
}

/* Routes of a module go away with it; the core's stay. */
static void test_remove_module(void **state)
{
	static int fake; /* any address serves as a handle that is never used */
	jn_module_t *m = (jn_module_t *)&fake;
	jn_admin_def_t a = {"GET", "/mod/a", h_echo, NULL, NULL, NULL};
	jn_admin_def_t b = {"POST", "/mod/{x}", h_echo, NULL, NULL, NULL};
	reg("GET", "/status", h_echo, NULL);
	assert_int_equal(jn_admin_register(m, &a), 0);
	assert_int_equal(jn_admin_register(m, &b), 0);
	assert_int_equal(admin_route_count(), 3);
	admin_remove_module(m);
	assert_int_equal(admin_route_count(), 1);
	expect_error("GET", "/api/v1/mod/a", 404, NULL);
	unsigned st;
	json_t *v = call("GET", "/api/v1/status", NULL, &st, NULL);
	assert_int_equal(st, 200);
	json_decref(v);
}

/* The OpenAPI document lists every route with its method, summary, path
 * parameters, tag and the bearer scheme. */
static void test_openapi(void **state)
{
	jn_admin_def_t d1 = {"GET", "/registrations/{aor}", h_echo, NULL, "Look up one AOR", NULL};
	jn_admin_def_t d2 = {"DELETE", "/registrations/{aor}", h_echo, NULL, "Drop one AOR", NULL};
	jn_admin_def_t d3 = {"POST", "/reload", h_echo, NULL, "Reload", "{\"force\": bool}"};
	jn_admin_def_t d4 = {"GET", "/a-b/{x}/{y}", h_echo, NULL, NULL, NULL};
	assert_int_equal(jn_admin_register(NULL, &d1), 0);
	assert_int_equal(jn_admin_register(NULL, &d2), 0);
	assert_int_equal(jn_admin_register(NULL, &d3), 0);
	assert_int_equal(jn_admin_register(NULL, &d4), 0);

	char *text = admin_openapi();
	assert_non_null(text);
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	free(text);
	assert_non_null(doc);
	assert_string_equal(sget(doc, "openapi", NULL), "3.0.3");
	assert_non_null(sget(doc, "info", "version"));
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(doc, "servers"), 0), "url")),
	                    "/api/v1");
	json_t *bearer = json_object_get(
	    json_object_get(json_object_get(doc, "components"), "securitySchemes"), "bearer");
	assert_string_equal(sget(bearer, "type", NULL), "http");
	assert_string_equal(sget(bearer, "scheme", NULL), "bearer");
	assert_non_null(
	    json_object_get(json_array_get(json_object_get(doc, "security"), 0), "bearer"));

	json_t *paths = json_object_get(doc, "paths");
	assert_int_equal(json_object_size(paths), 3);
	json_t *reg_item = json_object_get(paths, "/registrations/{aor}");
	json_t *get = json_object_get(reg_item, "get");
	json_t *del = json_object_get(reg_item, "delete");
	assert_non_null(get);
	assert_non_null(del);
	assert_string_equal(sget(get, "summary", NULL), "Look up one AOR");
	assert_string_equal(sget(del, "summary", NULL), "Drop one AOR");
	assert_string_equal(json_string_value(json_array_get(json_object_get(get, "tags"), 0)),
	                    "core");
	json_t *p0 = json_array_get(json_object_get(get, "parameters"), 0);
	assert_string_equal(sget(p0, "name", NULL), "aor");
	assert_string_equal(sget(p0, "in", NULL), "path");
	assert_true(json_is_true(json_object_get(p0, "required")));
	assert_non_null(json_object_get(json_object_get(get, "responses"), "200"));
	assert_string_equal(sget(get, "operationId", NULL), "get_registrations_aor");
	assert_string_equal(sget(del, "operationId", NULL), "delete_registrations_aor");

	json_t *post = json_object_get(json_object_get(paths, "/reload"), "post");
	assert_string_equal(sget(post, "requestBody", "description"), "{\"force\": bool}");
	assert_null(json_object_get(post, "parameters"));

	json_t *ab = json_object_get(json_object_get(paths, "/a-b/{x}/{y}"), "get");
	assert_int_equal(json_array_size(json_object_get(ab, "parameters")), 2);
	assert_string_equal(sget(ab, "summary", NULL), "/a-b/{x}/{y}");
	assert_string_equal(sget(ab, "operationId", NULL), "get_a_b_x_y");

	json_t *tags = json_object_get(doc, "tags");
	assert_int_equal(json_array_size(tags), 1);
	assert_string_equal(sget(json_array_get(tags, 0), "name", NULL), "core");
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_register_duplicate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_register_bad_templates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_literal_beats_param, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_method_not_allowed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_url_decoding, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_percent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler_no_reply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler_invalid_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handler_negative, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reply_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_module, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_openapi, setup, teardown),
	};
	return cmocka_run_group_tests_name("admin", tests, NULL, NULL);
}
