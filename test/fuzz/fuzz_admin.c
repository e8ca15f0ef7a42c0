/* fuzz_admin.c - libFuzzer target for what the admin API parses from a
 * client: the request-target (path segments, percent-decoding, query
 * string), route matching, request bodies handed to handlers that parse
 * them as JSON, the validation of handler replies, and route templates.
 *
 * Input: byte 0 picks the method (bit 7: also register the target as a
 * template first), then the request-target up to '\n', then the body.
 * Every reply must be JSON with a sane status, whatever the input. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "log.h"

/* Echo params, query and the parsed body back, as a module would. */
static int h_echo(jn_admin_req_t *r, void *data)
{
	size_t len;
	const char *body = jn_admin_body(r, &len);
	json_t *o = json_object();
	json_t *b = json_loadb(body, len, JSON_DECODE_ANY, NULL);
	json_object_set_new(o, "a", json_string(jn_admin_path_param(r, "a")));
	json_object_set_new(o, "b", json_string(jn_admin_path_param(r, "b")));
	json_object_set_new(o, "q", json_string(jn_admin_query(r, "q")));
	json_object_set_new(o, "body", b ? b : json_null());
	char *text = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(o);
	if (!text)
		return JN_ENOMEM;
	int rc = jn_admin_reply_json(r, 200, text);
	free(text);
	return rc;
}

/* Hands the client's body back as the reply: the reply validation must
 * catch whatever is not JSON. */
static int h_raw(jn_admin_req_t *r, void *data)
{
	const char *q = jn_admin_query(r, "status");
	unsigned st = q ? (unsigned)strtoul(q, NULL, 10) : 200;
	return jn_admin_reply_json(r, st, jn_admin_body(r, NULL));
}

/* A typical typed body: {"name": "x", "n": 3}. */
static int h_things(jn_admin_req_t *r, void *data)
{
	size_t len;
	const char *body = jn_admin_body(r, &len);
	json_error_t err;
	json_t *v = json_loadb(body, len, 0, &err);
	const char *name;
	int n;
	if (!v)
		return jn_admin_reply_error(r, 400, "invalid JSON: %s", err.text);
	if (json_unpack_ex(v, &err, JSON_STRICT, "{s:s, s:i}", "name", &name, "n", &n) < 0) {
		json_decref(v);
		return jn_admin_reply_error(r, 400, "%s", err.text);
	}
	int rc = jn_admin_reply_error(r, 201, "made %s x%d", name, n);
	json_decref(v);
	return rc;
}

/* Client bytes in an error message, UTF-8 or not. */
static int h_err(jn_admin_req_t *r, void *data)
{
	const char *q = jn_admin_query(r, "why");
	return jn_admin_reply_error(r, 409, "%s: %s", jn_admin_path_param(r, "msg"), q ? q : "-");
}

static int h_none(jn_admin_req_t *r, void *data)
{
	return data ? JN_EIO : 0;
}

static const jn_admin_def_t defs[] = {
    {"GET", "/echo/{a}/{b}", h_echo, NULL, "echo", NULL},
    {"POST", "/echo/{a}/{b}", h_echo, NULL, "echo", "anything"},
    {"POST", "/raw", h_raw, NULL, "raw", NULL},
    {"POST", "/things", h_things, NULL, "things", "{name, n}"},
    {"PUT", "/err/{msg}", h_err, NULL, "err", NULL},
    {"GET", "/calls/active", h_none, NULL, NULL, NULL},
    {"DELETE", "/calls/{a}", h_none, (void *)1, NULL, NULL},
};

static void register_all(void)
{
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (jn_admin_register(NULL, &defs[i]) != 0)
			abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Below err: keep the fuzzer's output readable. */
	log_setup((jn_log_level_t)2, LOG_TO_STDERR, 0);
	register_all();
	char *doc = admin_openapi();
	if (!doc)
		abort();
	free(doc);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const meth[] = {"GET",    "POST", "PUT", "PATCH",
	                                   "DELETE", "HEAD", "get", ""};
	if (size < 1)
		return 0;
	const char *method = meth[data[0] % 8];
	int templ = data[0] & 0x80;
	const uint8_t *p = data + 1, *end = data + size;
	const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
	const uint8_t *tend = nl ? nl : end;
	/* What MHD hands over is a C string: the target ends at a NUL. */
	char *target = strndup((const char *)p, (size_t)(tend - p));
	size_t blen = nl ? (size_t)(end - nl - 1) : 0;
	char *body = malloc(blen + 1); /* http.c NUL-terminates bodies too */
	if (!target || !body)
		abort();
	if (blen)
		memcpy(body, nl + 1, blen);
	body[blen] = '\0';

	if (templ) {
		/* The target's path doubles as a template to register. */
		char *path = strndup(target, strcspn(target, "?"));
		if (!path)
			abort();
		jn_admin_def_t d = {method, path, h_echo, NULL, "fuzz", body};
		if (jn_admin_register(NULL, &d) == 0) {
			char *doc = admin_openapi();
			json_t *parsed = doc ? json_loads(doc, 0, NULL) : NULL;
			if (!parsed)
				abort();
			json_decref(parsed);
			free(doc);
		}
		free(path);
	}

	admin_result_t res;
	admin_dispatch(method, target, body, blen, &res);
	if (!res.json || res.status < 100 || res.status > 599)
		abort();
	json_t *v = json_loads(res.json, JSON_DECODE_ANY, NULL);
	if (!v)
		abort();
	json_decref(v);
	if ((res.status == 405) != (res.allow != NULL))
		abort();
	admin_result_free(&res);

	if (templ) {
		admin_clear();
		register_all();
	}
	free(target);
	free(body);
	return 0;
}
