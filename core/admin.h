/* admin.h - the registry of admin commands behind the REST API: route
 * templates, dispatch of one request, and the OpenAPI document generated
 * from the same table. The SDK side (jn_admin_*) is in
 * <junction/admin.h>. Nothing here touches a socket: http.c feeds
 * admin_dispatch(), and so do the unit tests and the fuzz target. */
#ifndef JN_CORE_ADMIN_H
#define JN_CORE_ADMIN_H

#include <junction/junction.h>

/* Every registered path lives below this prefix. */
#define ADMIN_PREFIX "/api/v1"

/* Largest request body accepted; http.c answers 413 above it. */
#define ADMIN_MAX_BODY (1024u * 1024u)

typedef struct admin_result {
	unsigned status; /* HTTP status */
	char *json;      /* malloc'd JSON text, never NULL after dispatch */
	char *allow;     /* malloc'd "GET, POST" for a 405, else NULL */
} admin_result_t;

/* Run one request. target is the raw request-target as it came off the
 * wire ("/api/v1/registrations/sip%3Aa%40b?limit=5"): it is split into
 * segments before percent-decoding, so an encoded '/' stays inside its
 * segment. body must have a NUL at body[len] (handlers may hand it to
 * json_loads()), or be NULL when len is 0. Authentication is the caller's
 * business. res is always filled; free it with admin_result_free(). */
void admin_dispatch(const char *method, const char *target, const char *body, size_t len,
                    admin_result_t *res);
void admin_result_free(admin_result_t *res);

/* The OpenAPI 3.0.3 document of every registered route, as malloc'd JSON
 * text, or NULL when out of memory. */
char *admin_openapi(void);

/* Register the core's own routes (status, modules, reload, config,
 * openapi.json); defined in admin_core.c because those handlers read the
 * daemon state of core.h. Safe to call more than once. 0 or JN_E*. */
int admin_register_core(void);

/* Forget every route module m registered (the loader calls this before
 * unloading m), or every route at all (shutdown, tests). */
void admin_remove_module(jn_module_t *m);
void admin_clear(void);

/* Number of registered routes (tests, status). */
size_t admin_route_count(void);

#endif
