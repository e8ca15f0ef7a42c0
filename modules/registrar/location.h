/*
 * location.h - the in-memory location service: address-of-record ->
 * bindings, with expiry ordered in a min-heap so that the periodic sweep
 * only touches bindings that are due.
 *
 * One binding is one allocation: the struct followed by its strings.
 * Times are milliseconds of jn_now_ms()'s monotonic clock.
 */
#ifndef REGISTRAR_LOCATION_H
#define REGISTRAR_LOCATION_H

#include <stddef.h>
#include <stdint.h>

enum loc_proto { LOC_UDP = 0, LOC_TCP = 1, LOC_TLS = 2 };

struct loc_aor;

struct loc_binding {
	struct loc_binding *next; /* in the AOR's list */
	struct loc_aor *aor;
	int64_t expires_ms; /* absolute */
	int64_t updated_ms; /* last save, for "most recent" ties */
	uint32_t cseq;
	uint32_t heap_idx;
	int32_t reg_id; /* 0: none */
	int16_t q;      /* 0..1000 */
	uint8_t proto;  /* enum loc_proto the REGISTER came over */
	uint8_t nated;  /* flagged by the nat module: keepalives, route to received */
	const char *contact;
	const char *call_id;
	const char *path;       /* NULL or comma-separated Path values */
	const char *received;   /* NULL or "sip:ip:port[;transport=tcp]" */
	const char *instance;   /* NULL or the +sip.instance value as sent */
	const char *user_agent; /* NULL or User-Agent */
	char data[];
};

struct loc_aor {
	struct loc_aor *hnext;
	uint32_t hash;
	uint32_t nbind;
	struct loc_binding *bindings;
	char name[];
};

/* What a new binding holds (strings are copied). */
struct loc_info {
	const char *contact, *call_id, *path, *received, *instance, *user_agent;
	uint32_t cseq;
	int q, reg_id, proto, nated;
	int64_t expires_ms, updated_ms;
};

int loc_init(void);
void loc_destroy(void);

struct loc_aor *loc_aor_find(const char *aor);
/* Finds or creates; NULL on allocation failure. */
struct loc_aor *loc_aor_get(const char *aor);

/* Builds a binding (not yet linked). NULL on allocation failure. */
struct loc_binding *loc_binding_new(const struct loc_info *info);
/* Links b into aor (replacing old, which is freed, when old is not NULL). */
void loc_binding_link(struct loc_aor *aor, struct loc_binding *b, struct loc_binding *old);
/* Unlinks and frees b; an AOR left without bindings is freed too. */
void loc_binding_remove(struct loc_binding *b);
/* Removes every binding of aor (and aor itself); returns how many. */
unsigned loc_aor_clear(struct loc_aor *aor);
/* Frees an AOR that has no bindings (after a REGISTER created it but added none). */
void loc_aor_release(struct loc_aor *aor);

/* Pops bindings whose expiry is <= now: cb runs on each while it is still
 * linked, then it is removed. Returns how many expired. At most max. */
typedef void (*loc_expired_cb)(struct loc_binding *b, void *data);
unsigned loc_expire(int64_t now, unsigned max, loc_expired_cb cb, void *data);

size_t loc_binding_count(void);
size_t loc_aor_count(void);

/* Every AOR, in hash order. cb returning non-zero stops the walk; it must
 * not add or remove bindings. */
int loc_foreach_aor(int (*cb)(struct loc_aor *aor, void *data), void *data);

/* Change observer (persistence): put after a binding was linked (also a
 * refresh), del before one is unlinked. NULL to stop observing. */
typedef void (*loc_observer_cb)(const struct loc_binding *b, int put);
void loc_set_observer(loc_observer_cb cb);

/* "user@domain" with the domain lower-cased, in buf. JN_ERANGE when it does
 * not fit, JN_EINVAL without a host. */
int loc_make_aor(char *buf, size_t size, const char *user, const char *host);

#endif
