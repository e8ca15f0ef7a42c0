/* registrar.h - state shared by the registrar's files (not the public API:
 * that is registrar_api.h). */
#ifndef REGISTRAR_REGISTRAR_H
#define REGISTRAR_REGISTRAR_H

#include <junction/junction.h>

#include "location.h"
#include "registrar_api.h"

#define REG_AOR_MAX 512

struct registrar {
	jn_module_t *m;
	int64_t default_expires, min_expires, max_expires, max_contacts;
	char *domain; /* NULL: the To / Request-URI host */
	int use_received;
	int stateless;
	unsigned sweep_ms;
	jn_timer_t *sweep;
	/* valid while `event registrar:expired` runs */
	const char *expired_aor, *expired_contact;
	uint64_t saved, expired;
};

extern struct registrar reg;

/* save.c: processes a REGISTER. Fills status and reason and, when the
 * answer carries headers, *headers (malloc'd, caller frees). Returns 0 or
 * JN_ENOMEM. */
int reg_save(jn_msg_t *msg, int *status, const char **reason, char **headers);
/* The AOR a message is about: To of a REGISTER, else the Request-URI. */
int reg_msg_aor(jn_msg_t *msg, int use_to, char *buf, size_t size);
/* "sip:alice@x" or "alice@x" -> "alice@x" (lower-cased host). */
int reg_aor_from_text(const char *text, char *buf, size_t size);

/* lookup.c: rewrites the R-URI and adds branches. 1 found, 0 none, <0 error. */
int reg_lookup(jn_msg_t *msg);
/* Live bindings of an AOR, best first (q desc, most recent first). Caller
 * frees the array. Returns the count (0 with *out NULL). */
size_t reg_sorted_bindings(struct loc_aor *a, int64_t now, struct loc_binding ***out);

/* nat marks: a REGISTER flagged by the nat module. */
void reg_mark_nated(jn_msg_t *msg);
int reg_is_nated(jn_msg_t *msg);

/* api.c */
extern const registrar_api_t reg_api;
void reg_fill_binding(const struct loc_binding *b, int64_t now, registrar_binding_t *out);
const char *reg_proto_name(int proto);

/* rest.c */
int reg_rest_register(jn_module_t *m);

/* persist.c: open url, create/reload the location table, then write every
 * change through. */
int reg_persist_start(jn_module_t *m, const char *url);
void reg_persist_stop(void);

#endif
