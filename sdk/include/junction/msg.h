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
 * first occurrence; a header whose value holds several comma-separated
 * entries counts once per line. NULL when absent. */
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

/* Forward statelessly (RFC 3261 16.11): to dest ("sip:host:port;transport=tcp")
 * or, with dest NULL, to the Request-URI. Max-Forwards is decremented. */
JN_API int jn_msg_forward(jn_msg_t *msg, const char *dest);

/* Escape hatches to the SIP stack for modules that build on sofia-sip
 * directly (the proxy, the registrar): the msg_t * and sip_t * of the
 * message. Modules that use them link libsofia-sip-ua themselves. */
JN_API void *jn_msg_sofia_msg(jn_msg_t *msg);
JN_API void *jn_msg_sofia_sip(jn_msg_t *msg);
/* The nta_agent_t * of the SIP thread. */
JN_API void *jn_sip_agent(void);

#ifdef __cplusplus
}
#endif
#endif
