/* proxy.h - the transaction-stateful proxy (RFC 3261 section 16): shared
 * declarations of the module's files. */
#ifndef JN_PROXY_H
#define JN_PROXY_H

#include <junction/junction.h>

#define NTA_OUTGOING_MAGIC_T struct pbranch
#define NTA_INCOMING_MAGIC_T struct ptx

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

struct ptx;

/* One destination of the destination set. */
struct ptarget {
	char *uri, *dst_uri, *path;
	int q; /* q * 1000 */
};

/* What proxy.relay() was asked to do (the module parameters fill in what
 * the call leaves out). Route names are strdup'ed. */
struct relay_opts {
	char *failure, *branch, *reply;
	unsigned timeout_ms;        /* final response after a provisional (fr_inv) */
	unsigned branch_timeout_ms; /* first response at all (fr) */
	int serial;
};

/* proxy.c: module-wide settings and the module handle. */
extern jn_module_t *proxy_self;
struct proxy_defaults {
	unsigned timeout_ms, branch_timeout_ms;
	int serial, record_route;
};
extern struct proxy_defaults proxy_def;

/* ---- fork.c: the stateful transaction -------------------------------- */
/* Relays req statefully to its destination set (R-URI + branches). If the
 * request already has a proxy transaction (a failure route relaying again),
 * the new targets are added to it. Returns 0 when at least one branch was
 * started (or is being prepared by a branch route), JN_ENOENT when no
 * branch could be created, another JN_E* on failure. */
int ptx_relay(jn_msg_t *req, const struct relay_opts *o);
/* The transaction of a request, or NULL. */
struct ptx *ptx_find(jn_msg_t *req);
size_t ptx_branch_count(const struct ptx *t);
/* The index of the branch whose request is msg (inside a branch route), or -1. */
int ptx_branch_index_of(jn_msg_t *msg);
void ptx_shutdown(void);

/* ---- request.c: building a branch's request ------------------------- */
/* Copies req for one target: Request-URI, Path as Route, Max-Forwards
 * decremented, the loop-detection branch parameter. NULL on failure. */
msg_t *preq_build(jn_msg_t *req, const struct ptarget *tg);
/* "branch=z9hG4bK..." for the request as received, the branch number
 * appended (RFC 3261 16.6 item 8); into buf. */
void preq_branch_key(sip_t *sip, unsigned n, char *buf, size_t size);
/* RFC 3261 16.3 item 4: non-zero when one of the request's Via headers is
 * ours and carries the branch we would compute for it now. */
int preq_is_loop(sip_t *sip);
/* The next hop for msg: dst_uri when set, else the first Route URI, else
 * NULL (the Request-URI). In msg's home. */
url_string_t *preq_next_hop(msg_t *msg, sip_t *sip, const char *dst_uri);
/* Adds our Record-Route on top (RFC 3261 16.6 item 4). */
int preq_record_route(jn_msg_t *req);
/* Stateless relay of an ACK for 2xx along Route / R-URI. */
int preq_forward_stateless(jn_msg_t *req);

/* ---- route.c: loose routing ------------------------------------------ */
/* RFC 3261 16.4: strict-routing fix-up and removal of our own Route
 * entries. 1 when the request carried a Route set, 0 when not, <0 on error. */
int proute_loose(jn_msg_t *req);
int proute_is_local_url(const url_t *u);

/* ---- select.c: best response (RFC 3261 16.7 item 6) ------------------ */
/* Ranks a final response: lower is better. 6xx first, then 2xx (never
 * compared in practice), then 4xx, 5xx, 3xx... per 16.7 item 6. */
int pselect_rank(int status);
/* Non-zero when status a is a better response than b. */
int pselect_better(int a, int b);
/* Sorts targets by q, descending, keeping the order of equal q (RFC 3261
 * 16.6: serial forking by q groups). */
void pselect_sort_targets(struct ptarget *t, size_t n);
/* Number of targets at the start of t that share t[0].q. */
size_t pselect_group_len(const struct ptarget *t, size_t n);

/* ---- dns.c: RFC 3263 target lists (failover on 503 / timeout) -------- */
struct pdns;
typedef void (*pdns_cb)(void *arg);
/* Non-zero when u's host is a domain name (no IP literal, no maddr). */
int pdns_is_name(const url_t *u);
/* Starts resolving u (NAPTR -> SRV -> A/AAAA); cb(arg) runs on the SIP
 * thread whenever more results (or the end) arrived. NULL on failure. */
struct pdns *pdns_start(const url_t *u, pdns_cb cb, void *arg);
/* The next target as "sip:ADDR:PORT;transport=P" into buf: 1, 0 while
 * the answer is still awaited, -1 when there is no (further) target. */
int pdns_next(struct pdns *d, char *buf, size_t size);
/* After -1 without any target: the name or its records do not exist. */
int pdns_not_found(const struct pdns *d);
void pdns_free(struct pdns *d);
void pdns_shutdown(void);

/* ---- redirect.c ------------------------------------------------------- */
/* RFC 3261 8.3 / 21.3.3: answers 302 listing the destination set. */
int predirect(jn_msg_t *req);

#endif
