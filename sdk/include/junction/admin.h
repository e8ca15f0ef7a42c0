/*
 * junction/admin.h - admin commands, served over REST under /api/v1.
 *
 * One registry serves the REST API, junctionctl and the OpenAPI document
 * (GET /api/v1/openapi.json). Handlers run on the SIP thread. Every route
 * needs the bearer token from the configuration.
 */
#ifndef JUNCTION_ADMIN_H
#define JUNCTION_ADMIN_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jn_admin_req jn_admin_req_t;

/* Returns 0 after queuing a reply with jn_admin_reply*(); a negative JN_E*
 * code makes the core answer 500 with jn_strerror() of it. */
typedef int (*jn_admin_cb)(jn_admin_req_t *req, void *data);

typedef struct jn_admin_def {
	const char *method;  /* "GET", "POST", "PUT", "DELETE" */
	const char *path;    /* below /api/v1, may hold {name} segments:
				"/registrations/{aor}" */
	jn_admin_cb handler;
	void *data;
	const char *summary; /* one line for the OpenAPI document */
	const char *body_doc; /* what the JSON body holds, or NULL */
} jn_admin_def_t;

JN_API int jn_admin_register(jn_module_t *m, const jn_admin_def_t *def);

/* Inside a handler: */
JN_API const char *jn_admin_method(const jn_admin_req_t *r);
JN_API const char *jn_admin_path_param(const jn_admin_req_t *r, const char *name);
JN_API const char *jn_admin_query(const jn_admin_req_t *r, const char *name);
/* The request body: never NULL, always NUL-terminated ("" when empty). */
JN_API const char *jn_admin_body(const jn_admin_req_t *r, size_t *len);
/* Reply with a JSON document given as text (copied). */
JN_API int jn_admin_reply_json(jn_admin_req_t *r, unsigned status, const char *json);
/* Reply {"error": message} with the status. */
JN_API int jn_admin_reply_error(jn_admin_req_t *r, unsigned status, const char *fmt, ...)
	JN_PRINTF(3, 4);

#ifdef __cplusplus
}
#endif
#endif
