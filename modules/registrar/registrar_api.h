/*
 * registrar_api.h - the registrar's C API for other modules ("registrar",
 * version 1).
 *
 * A module that uses it lists "registrar" in its .depends and fetches the
 * table in load() or start():
 *
 *     #include "../registrar/registrar_api.h"     (in-tree modules)
 *     const registrar_api_t *reg = jn_api_get(m, REGISTRAR_API_NAME,
 *                                             REGISTRAR_API_VERSION);
 *
 * Everything runs on the SIP thread. Strings in a registrar_binding_t are
 * borrowed for the duration of the callback that gets it.
 */
#ifndef JUNCTION_REGISTRAR_API_H
#define JUNCTION_REGISTRAR_API_H

#include <junction/junction.h>

#define REGISTRAR_API_NAME    "registrar"
#define REGISTRAR_API_VERSION 1

typedef struct registrar_binding {
	uint32_t size;        /* sizeof(registrar_binding_t) */
	const char *aor;      /* "user@domain" */
	const char *contact;  /* Contact URI */
	const char *received; /* "sip:ip:port[;transport=tcp]" when the REGISTER came
	                         from elsewhere than the Contact, or NULL */
	const char *path;     /* comma-separated Path values (RFC 3327), or NULL */
	const char *instance; /* +sip.instance as sent (quoted), or NULL */
	const char *call_id;
	const char *user_agent; /* or NULL */
	const char *transport;  /* "udp", "tcp" or "tls": how the REGISTER came */
	uint32_t cseq;
	int q;           /* q-value x 1000 */
	int reg_id;      /* RFC 5626 reg-id, 0 when absent */
	int nated;       /* the nat module flagged the REGISTER */
	int64_t expires; /* seconds left */
} registrar_binding_t;

/* Return non-zero to stop the iteration (the value is passed back). */
typedef int (*registrar_binding_cb)(const registrar_binding_t *b, void *data);

typedef struct registrar_api {
	uint32_t size; /* sizeof(registrar_api_t) */

	/* Calls cb for each live binding of aor ("user@domain" or a sip: URI).
	 * Returns the number of bindings visited, or cb's non-zero value. */
	int (*lookup)(const char *aor, registrar_binding_cb cb, void *data);

	/* Calls cb for every live binding (e.g. NAT keepalives). cb must not
	 * add or remove bindings. Returns 0 or cb's non-zero value. */
	int (*foreach)(registrar_binding_cb cb, void *data);

	/* Adds or refreshes the binding b->contact of aor for expires seconds
	 * (b->q, path, received, instance, reg_id, call_id, cseq, user_agent,
	 * nated and transport are taken from b; expires is the argument). */
	int (*add)(const char *aor, const registrar_binding_t *b, unsigned expires);

	/* Removes the binding contact of aor, or every binding of aor when
	 * contact is NULL. Returns how many were removed, or JN_ENOENT. */
	int (*remove)(const char *aor, const char *contact);

	/* The REGISTER being processed came through a NAT: the bindings it
	 * saves store its source address as received and are marked nated
	 * (keepalives). The nat module calls this from nat.detected() and
	 * nat.fix_contact(). */
	void (*mark_nated)(jn_msg_t *msg);

	/* Number of live bindings. */
	size_t (*count)(void);
} registrar_api_t;

#endif
