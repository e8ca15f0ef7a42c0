/*
 * junction/msg.h - a SIP message as modules see it.
 *
 * The core owns messages; a module borrows one for the duration of the call
 * that gave it. To keep a message across callbacks (e.g. while a script is
 * suspended) take a reference with jn_msg_ref() and drop it with
 * jn_msg_unref().
 *
 * Strings returned by the accessors stay valid while the message lives and
 * is not modified.
 */
#ifndef JUNCTION_MSG_H
#define JUNCTION_MSG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct jn_msg jn_msg_t;

JN_API jn_msg_t *jn_msg_ref(jn_msg_t *msg);
JN_API void jn_msg_unref(jn_msg_t *msg);

/* Non-zero for a request; for a response jn_msg_status() is its code. */
JN_API int jn_msg_is_request(const jn_msg_t *msg);
JN_API const char *jn_msg_method(const jn_msg_t *msg); /* request or CSeq method */
JN_API int jn_msg_status(const jn_msg_t *msg);
JN_API const char *jn_msg_reason(const jn_msg_t *msg);
JN_API const char *jn_msg_call_id(const jn_msg_t *msg);
JN_API uint32_t jn_msg_cseq(const jn_msg_t *msg);

/* Request-URI as text ("sip:alice@example.com;transport=tcp"). */
JN_API const char *jn_msg_ruri(jn_msg_t *msg);
JN_API int jn_msg_set_ruri(jn_msg_t *msg, const char *uri);

/* Header by name (case-insensitive, compact forms accepted). index 0 is the
 * first occurrence. Headers the SIP stack knows as lists (Via, Route,
 * Contact, ...) count once per entry, so "Via: a, b" is index 0 and 1;
 * other headers count once per line. NULL when absent. */
JN_API const char *jn_msg_header(jn_msg_t *msg, const char *name, unsigned index);
JN_API int jn_msg_header_add(jn_msg_t *msg, const char *name, const char *value);
/* Removes every occurrence; returns how many were removed. */
JN_API int jn_msg_header_remove(jn_msg_t *msg, const char *name);

/* Body (NULL, 0 when there is none). */
JN_API const char *jn_msg_body(const jn_msg_t *msg, size_t *len);

/* Where the message came from. proto is "udp", "tcp", "tls". */
JN_API const char *jn_msg_src_ip(const jn_msg_t *msg);
JN_API unsigned jn_msg_src_port(const jn_msg_t *msg);
JN_API const char *jn_msg_proto(const jn_msg_t *msg);

/* Answer a request statefully (retransmissions of the request are absorbed
 * and the response is retransmitted as RFC 3261 requires). extra_headers
 * is NULL or "Name: value\r\n"-separated lines. */
JN_API int jn_msg_reply(jn_msg_t *msg, int status, const char *reason,
			const char *extra_headers);

/* Answer statelessly: nothing is kept, so a retransmitted request is seen
 * again (the caller must be idempotent, as a registrar is for a REGISTER
 * repeating the same Call-ID and CSeq). Falls back to jn_msg_reply() when
 * the request already has a server transaction. */
JN_API int jn_msg_reply_stateless(jn_msg_t *msg, int status, const char *reason,
				  const char *extra_headers);

/* Forward statelessly (RFC 3261 16.11): to dest ("sip:host:port;transport=tcp")
 * or, with dest NULL, to the next hop set with jn_msg_set_dst_uri() when
 * there is one, else to the Request-URI. Max-Forwards is decremented. */
JN_API int jn_msg_forward(jn_msg_t *msg, const char *dest);

/* ---- destination set -----------------------------------------------------
 * A request carries the Request-URI (the first destination) and a list of
 * further branches, as the registrar's lookup leaves them for the proxy.
 * dst_uri is the next hop when it differs from the URI (a NATed contact's
 * received address, an outbound proxy); path holds Path header values
 * (RFC 3327) to be sent as Route. */
typedef struct jn_branch {
	uint32_t size;        /* sizeof(jn_branch_t) */
	const char *uri;      /* target: becomes the branch's Request-URI */
	const char *dst_uri;  /* next hop, or NULL */
	const char *path;     /* comma-separated Path values, or NULL */
	int q;                /* q-value times 1000 (1000 when absent) */
	const char *instance; /* +sip.instance, or NULL */
} jn_branch_t;

/* Adds a branch (copied). */
JN_API int jn_msg_branch_add(jn_msg_t *msg, const jn_branch_t *b);
JN_API size_t jn_msg_branch_count(const jn_msg_t *msg);
JN_API const jn_branch_t *jn_msg_branch_at(const jn_msg_t *msg, size_t i);
JN_API void jn_msg_branch_clear(jn_msg_t *msg);
/* Next hop and Path of the Request-URI destination itself. */
JN_API int jn_msg_set_dst_uri(jn_msg_t *msg, const char *uri); /* NULL clears */
JN_API const char *jn_msg_dst_uri(const jn_msg_t *msg);
JN_API int jn_msg_set_path(jn_msg_t *msg, const char *path);
JN_API const char *jn_msg_path(const jn_msg_t *msg);

/* ---- modules that answer or relay requests themselves --------------------
 * The server transaction (nta_incoming_t *) of a request, created on first
 * use; retransmissions are absorbed from then on. */
JN_API void *jn_msg_sofia_irq(jn_msg_t *msg);
/* The module now owns the answer: when the script ends, the core does not
 * answer 500 for a request that was taken. */
JN_API void jn_msg_take(jn_msg_t *msg);
JN_API int jn_msg_taken(const jn_msg_t *msg);
/* Highest status sent upstream for this request (0: none). A module that
 * relays responses through the server transaction itself reports them with
 * jn_msg_note_status so that reply() and the core know. */
JN_API int jn_msg_status_sent(const jn_msg_t *msg);
JN_API void jn_msg_note_status(jn_msg_t *msg, int status);
/* In a failure route, `status` and `reason` of the request read the
 * response that ended its branches; the proxy sets them with this. */
JN_API void jn_msg_set_reply_status(jn_msg_t *msg, int status, const char *reason);

/* Escape hatches to the SIP stack for modules that build on sofia-sip
 * directly (the proxy, the registrar): the msg_t * and sip_t * of the
 * message. Modules that use them link libsofia-sip-ua themselves. */
JN_API void *jn_msg_sofia_msg(jn_msg_t *msg);
JN_API void *jn_msg_sofia_sip(jn_msg_t *msg);
/* The nta_agent_t * of the SIP thread. */
JN_API void *jn_sip_agent(void);
/* The su_root_t * of the SIP thread (for sofia objects a module creates on
 * it, e.g. an sres_resolver_t) and the resolv.conf path the agent's
 * resolver reads (`sip: resolv_conf:`), NULL for the system's. */
JN_API void *jn_sip_root(void);
JN_API const char *jn_sip_resolv_conf(void);

/* Wraps a sofia-sip msg_t * that a module built or received itself (a
 * branch's copy of a request, a response of its own client transaction)
 * as a message with one reference, so that script blocks can run on it
 * with jn_route_run(). Takes over one reference of sofia_msg (use
 * msg_ref_create() to keep one of your own). With origin (the request the
 * message belongs to), blocks run on the script origin started with, and
 * the source address reads origin's when sofia_msg has none. NULL on
 * failure; the reference is dropped then too. */
JN_API jn_msg_t *jn_msg_wrap_sofia(void *sofia_msg, jn_msg_t *origin);

/* ---- per-message module data (SDK 1.1) -----------------------------------
 * A module may attach one pointer per key (the address of one of its own
 * statics) to a message, to find it again in a later execution on the same
 * message - a failure route runs on the request the request route saw, so
 * state kept here survives into it (jn_call_set_local does not). free_fn
 * (may be NULL) is called with the pointer when the message is freed (its
 * last reference dropped) or when the key is set again; setting NULL
 * removes the key. Returns 0, or JN_EINVAL / JN_ENOMEM with value not
 * taken (the caller still owns it). jn_msg_data() returns NULL when unset.
 * Modules using these need a core of SDK 1.1 or later. */
JN_API int jn_msg_set_data(jn_msg_t *msg, const void *key, void *value,
			   void (*free_fn)(void *value));
JN_API void *jn_msg_data(const jn_msg_t *msg, const void *key);

/* Non-zero when host and port name one of the daemon's SIP listeners (how
 * a proxy recognises its own Route, Record-Route and Via entries). host may
 * be an IPv6 reference in brackets; port NULL means 5060. */
JN_API int jn_sip_is_local(const char *host, const char *port);

#ifdef __cplusplus
}
#endif
#endif
