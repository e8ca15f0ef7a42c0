/* dispatcher.h - load balancing over destination sets: shared declarations
 * of the module's files. */
#ifndef JN_DISPATCHER_H
#define JN_DISPATCHER_H

#include <junction/junction.h>

struct ds_probe;

/* Health of a destination. */
enum ds_state {
	DS_ACTIVE = 0,   /* selected */
	DS_INACTIVE = 1, /* failed probes or dispatcher.mark(): not selected, probed back */
	DS_DISABLED = 2, /* switched off over REST: not selected until enabled */
};

struct ds_dst {
	char *uri;
	char *attrs;
	int weight;   /* 1..100 */
	int priority; /* higher first for the "priority" algorithm */
	enum ds_state state;
	/* probing */
	unsigned fails, oks;    /* consecutive probe failures / successes */
	int last_code;          /* status of the last probe (408: timed out), 0: none */
	uint64_t last_probe_ms; /* jn_now_ms() of the last probe answer */
	struct ds_probe *probe; /* the probe in flight, or NULL */
	/* smooth weighted round robin */
	long cur_weight;
};

struct ds_set {
	int id;
	struct ds_dst *d;
	size_t n;
	unsigned rr; /* round-robin position */
};

enum ds_alg {
	DS_ALG_RR = 0,
	DS_ALG_HASH_CALLID = 1,
	DS_ALG_HASH_FROM = 2,
	DS_ALG_WEIGHT = 3,
	DS_ALG_PRIORITY = 4,
};

/* ---- sets.c: the destination sets ---------------------------------- */
extern struct ds_set *ds_sets;
extern size_t ds_nsets;
struct ds_set *ds_set_find(int id);
/* Adds a destination (strings copied) to set id, creating the set. 0 or JN_E*. */
int ds_add(int id, const char *uri, int weight, int priority, const char *attrs);
struct ds_dst *ds_dst_find(struct ds_set *s, const char *uri);
size_t ds_active_count(const struct ds_set *s);
void ds_sets_free(void);
const char *ds_state_name(enum ds_state st);
/* Reads the `sets` parameter node; logs file:line:col on error. */
int ds_sets_from_node(jn_module_t *m, const jn_node_t *sets);
/* Reads table dispatcher(setid, destination, weight, priority, attrs). */
int ds_sets_from_db(jn_module_t *m, const char *url);

/* ---- select.c: the algorithms (pure) ------------------------------ */
/* Parses "rr", "hash_callid", ...; -1 when unknown. */
int ds_alg_parse(const char *name);
/* Orders the active destinations of s for one call: out[0] is the one
 * chosen, out[1..] the failover order. key is the hashed text for the
 * hash algorithms. Returns how many indexes were written (at most max);
 * 0 when the set has no active destination. Advances the set's
 * round-robin / weight state. */
size_t ds_pick(struct ds_set *s, enum ds_alg alg, const char *key, size_t *out, size_t max);
uint32_t ds_hash(const char *s);

/* ---- probe.c: OPTIONS health probing -------------------------------- */
struct ds_probe_cfg {
	unsigned interval_ms, timeout_ms, threshold;
	char *from;
};
extern struct ds_probe_cfg ds_probe_cfg;
/* A probe answer (status; 408 when it timed out): counts towards the
 * thresholds and may change the state. Pure, for the tests too. */
void ds_probe_result(struct ds_dst *d, int status, uint64_t now);
/* Non-zero when a probe answer means the destination is alive:
 * 2xx, and 4xx other than 408. */
int ds_probe_alive(int status);
int ds_probe_start(jn_module_t *m);
void ds_probe_stop(void);

/* ---- rest.c ----------------------------------------------------------- */
int ds_rest_register(jn_module_t *m);

extern jn_module_t *ds_self;

#endif
