/*
 * srtp.h - SRTP with SDES key exchange (RFC 3711, RFC 4568) on libsrtp2.
 *
 * Two halves:
 *  - pure helpers for the SDP side (sdp_oa.c, SIP thread): the a=crypto
 *    attribute parsed and written, suite names, key generation;
 *  - the per-session packet transforms run by the worker that owns the
 *    session (engine.c, pipeline.c): each is a no-op returning 0 on a
 *    session without SRTP, so call sites need no test of their own.
 *
 * Contexts live on the worker: the SIP thread only hands over keys (struct
 * msrtp_keys, copied with the worker parameters), and the worker creates,
 * keeps or replaces its contexts when they arrive. A libsrtp context is not
 * thread-safe; no other thread touches it.
 */
#ifndef JUNCTION_MEDIA_SRTP_H
#define JUNCTION_MEDIA_SRTP_H

#include <stddef.h>
#include <stdint.h>

/* 128-bit master key || 112-bit master salt (RFC 3711 8.2, RFC 4568 6.2). */
#define MSRTP_KEY_LEN 30
/* Room an outgoing packet needs beyond its length: libsrtp's worst case
 * (SRTP_MAX_TRAILER_LEN, tag plus MKI), plus the SRTCP index. */
#define MSRTP_ROOM (16 + 128 + 4)

typedef enum {
	MSRTP_NONE = 0,
	MSRTP_AES_CM_128_HMAC_SHA1_80 = 1, /* RFC 4568 6.2.1 */
	MSRTP_AES_CM_128_HMAC_SHA1_32 = 2, /* RFC 4568 6.2.2: 32-bit tag on SRTP only */
} msrtp_suite_t;
#define MSRTP_NSUITES 2

/* One a=crypto line (RFC 4568 9.1), the subset we use: one inline key. */
struct msrtp_crypto {
	unsigned long tag; /* 1*9DIGIT */
	msrtp_suite_t suite;
	uint8_t key[MSRTP_KEY_LEN];
};

/* What the worker needs; suite MSRTP_NONE means plain RTP. */
struct msrtp_keys {
	msrtp_suite_t suite;
	uint8_t tx[MSRTP_KEY_LEN]; /* ours: protects what we send */
	uint8_t rx[MSRTP_KEY_LEN]; /* the peer's: unprotects what we receive */
};

/* ---- SDP side (pure; any thread) ---- */

/* "AES_CM_128_HMAC_SHA1_80", or "" for MSRTP_NONE. */
const char *msrtp_suite_name(msrtp_suite_t suite);
/* A suite by name (case-insensitive, RFC 5234 2.3); MSRTP_NONE if unknown. */
msrtp_suite_t msrtp_suite_find(const char *name, size_t len);

/* Parses the value of an a=crypto attribute (what follows "crypto:").
 * 0; JN_EPARSE when it breaks the RFC 4568 9.1 grammar or the key is not
 * 30 bytes of base64; JN_ENOTSUP when it is well-formed but not usable by
 * us: an unknown suite, an MKI or several keys (RFC 4568 6.1), a session
 * parameter other than WSH (6.3). A lifetime is checked and ignored: a
 * call does not come near 2^31 packets. */
int msrtp_crypto_parse(const char *value, struct msrtp_crypto *out);

/* Writes "TAG SUITE inline:BASE64" (no "a=crypto:"); 0 or JN_ERANGE. */
int msrtp_crypto_format(const struct msrtp_crypto *c, char *buf, size_t len);

/* Fills n keys from getrandom(); 0 or JN_EIO (never blocks). */
int msrtp_keygen(uint8_t *keys, size_t n);

/* ---- worker side ---- */
struct media_session;

/* Installs k on s: creates the contexts, keeps a direction whose key did
 * not change (a re-offer that repeats its key continues the stream, its
 * replay window and rollover counter), replaces one that did, frees them
 * for MSRTP_NONE. On failure s drops every packet (fail closed) and
 * JN_ENOMEM / JN_EIO is returned. */
int msrtp_apply(struct media_session *s, const struct msrtp_keys *k);
/* Frees the contexts (session removed); safe when there are none. */
void msrtp_free(struct media_session *s);
/* 1 when s has SRTP contexts (or failed to get them). */
int msrtp_active(const struct media_session *s);

/* In place. Protect: cap is the buffer's size, which must leave
 * MSRTP_ROOM beyond *len (else JN_ERANGE). Unprotect: a packet that fails
 * authentication or is a replay gives JN_EPARSE and must be dropped. Each
 * returns 0 with *len unchanged on a session without SRTP. */
int msrtp_protect_rtp(struct media_session *s, uint8_t *buf, size_t *len, size_t cap);
int msrtp_unprotect_rtp(struct media_session *s, uint8_t *buf, size_t *len);
int msrtp_protect_rtcp(struct media_session *s, uint8_t *buf, size_t *len, size_t cap);
int msrtp_unprotect_rtcp(struct media_session *s, uint8_t *buf, size_t *len);

#endif
