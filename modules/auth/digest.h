/*
 * digest.h - the auth module's internals: digest computation (RFC 7616),
 * credentials parsing, nonces, replay tracking, credential store and the
 * per-source failure counters. Pure logic, no SIP message: the script
 * wrappers in auth.c feed it header text, and the unit tests call it
 * directly.
 */
#ifndef AUTH_DIGEST_H
#define AUTH_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- algorithms (RFC 7616 3.3, RFC 8760) ------------------------------- */
typedef enum {
	AUTH_ALG_MD5 = 0,
	AUTH_ALG_SHA256 = 1,
	AUTH_ALG_COUNT = 2,
} auth_alg_t;

#define AUTH_HEX_MAX 64 /* hex length of the longest hash (SHA-256) */

/* "MD5" / "SHA-256". */
const char *auth_alg_name(auth_alg_t alg);
/* Hex length of the algorithm's hash: 32 or 64. */
size_t auth_alg_hexlen(auth_alg_t alg);
/* Parse an algorithm token (case-insensitive); NULL or "" means MD5
 * (RFC 7616 3.4: an absent algorithm is MD5). -1 for anything else. */
int auth_alg_parse(const char *s, size_t len);

/* hex = H(data) in lowercase hex, NUL-terminated (hex holds >= 65 bytes).
 * 0 or -1 when the crypto library fails. */
int auth_hash_hex(auth_alg_t alg, const void *data, size_t len, char *hex);
/* HA1 = H(username ":" realm ":" password) (RFC 7616 3.4.2). */
int auth_ha1(auth_alg_t alg, const char *user, const char *realm, const char *password, char *hex);
/* The request-digest (RFC 7616 3.4.1; RFC 2617 3.2.2.1 without qop):
 *   qop=auth: H(HA1:nonce:nc:cnonce:qop:H(method:uri))
 *   no qop:   H(HA1:nonce:H(method:uri))
 * qop, nc and cnonce are NULL for the latter. */
int auth_response(auth_alg_t alg, const char *ha1, const char *nonce, const char *nc,
                  const char *cnonce, const char *qop, const char *method, const char *uri,
                  char *hex);
/* Constant-time comparison of two strings of equal length; 0 when equal. */
int auth_ct_compare(const char *a, const char *b, size_t len);
/* Non-zero when s is exactly len hex digits. */
int auth_is_hex(const char *s, size_t len);

/* ---- Authorization / Proxy-Authorization (RFC 3261 25.1, RFC 7616 3.4) -- */
typedef struct auth_cred {
	char *buf; /* owned copy of the header value; the fields point into it */
	const char *username, *realm, *nonce, *uri, *response, *algorithm, *cnonce, *qop, *nc,
	    *opaque;
} auth_cred_t;

/* Parse "Digest name=value, ..." (quoted strings with \-escapes, tokens).
 * Unknown parameters are ignored; a duplicated known one, a missing '=',
 * an unterminated quote or another scheme than Digest is JN_EPARSE.
 * auth_cred_free() releases buf (also after a failure). */
int auth_cred_parse(const char *value, auth_cred_t *out);
void auth_cred_free(auth_cred_t *c);

/* ---- nonces --------------------------------------------------------------
 * A nonce is hex(ts[8] | rnd[8] | HMAC-SHA256(secret, ts | rnd | realm)[0..16]):
 * self-contained, so any node holding the secret verifies it without
 * state, and bound to the realm it was issued for. */
#define AUTH_NONCE_BYTES 32
#define AUTH_NONCE_HEX   (2 * AUTH_NONCE_BYTES)
#define AUTH_SECRET_MAX  64

typedef struct auth_nonce_key {
	unsigned char secret[AUTH_SECRET_MAX];
	size_t len;
} auth_nonce_key_t;

/* A random secret (getrandom/RAND_bytes), or one derived from text. */
int auth_nonce_key_random(auth_nonce_key_t *k);
int auth_nonce_key_from(auth_nonce_key_t *k, const char *text);

/* nonce receives AUTH_NONCE_HEX + 1 bytes. */
int auth_nonce_make(const auth_nonce_key_t *k, const char *realm, time_t now, char *nonce);

typedef enum {
	AUTH_NONCE_OK = 0,
	AUTH_NONCE_STALE = 1, /* genuine but older than expires seconds */
	AUTH_NONCE_BAD = 2,   /* not one of ours (or for another realm) */
} auth_nonce_status_t;
/* Verifies a nonce; *issued receives its time stamp when genuine. */
auth_nonce_status_t auth_nonce_check(const auth_nonce_key_t *k, const char *realm,
                                     const char *nonce, time_t now, unsigned expires,
                                     time_t *issued);
/* The opaque value of a realm: hex of 8 bytes of HMAC(secret, "opaque" | realm). */
int auth_opaque(const auth_nonce_key_t *k, const char *realm, char out[17]);

/* ---- replay protection (RFC 7616 3.4: nonce-count) ------------------------
 * Recently used nonces with the highest nc seen. A nonce used without qop
 * (no nc) is single-use. Entries are dropped once the nonce has expired. */
typedef struct auth_replay auth_replay_t;

auth_replay_t *auth_replay_new(size_t max_entries);
void auth_replay_free(auth_replay_t *r);
/* nc is the numeric nonce-count, or 0 for a request without qop.
 * Returns 0 and records nc when it is higher than every nc used with this
 * nonce before (and the nonce was not used without qop); JN_EEXIST for a
 * replay; JN_ENOMEM when the table is full. expires_at is when the entry
 * may be forgotten (the nonce's expiry). */
int auth_replay_use(auth_replay_t *r, const char *nonce, uint32_t nc, time_t expires_at);
/* Forget entries whose expires_at <= now; returns how many. */
size_t auth_replay_sweep(auth_replay_t *r, time_t now);
size_t auth_replay_count(const auth_replay_t *r);

/* ---- credentials ----------------------------------------------------------
 * username + domain -> HA1 per algorithm. A user without domain matches
 * every realm; when it was configured with a password (and no realm was
 * known at load), the password is kept and HA1 computed per realm. */
typedef struct auth_creds auth_creds_t;

auth_creds_t *auth_creds_new(void);
void auth_creds_free(auth_creds_t *c);
/* domain may be NULL (any realm). ha1_md5 / ha1_sha256 are hex or NULL;
 * password may be given instead (HA1 computed now when domain is set).
 * JN_EINVAL for a bad HA1 or no credential at all, JN_EEXIST for a
 * duplicate user@domain. */
int auth_creds_add(auth_creds_t *c, const char *user, const char *domain, const char *ha1_md5,
                   const char *ha1_sha256, const char *password);
/* HA1 for user in realm with alg into hex. JN_ENOENT: no such user;
 * JN_ENOTSUP: the user has no HA1 for that algorithm. */
int auth_creds_ha1(const auth_creds_t *c, const char *user, const char *realm, auth_alg_t alg,
                   char *hex);
/* auth_creds_ha1 as an auth_ha1_fn (ctx is the store). */
int auth_creds_lookup(void *ctx, const char *user, const char *realm, auth_alg_t alg, char *hex);
size_t auth_creds_count(const auth_creds_t *c);

/* ---- failed attempts per source address --------------------------------- */
typedef struct auth_failures auth_failures_t;

auth_failures_t *auth_failures_new(size_t max_entries);
void auth_failures_free(auth_failures_t *f);
/* Count one failure for ip at now; returns the new count (0 when the
 * table is full and the address is not tracked). */
unsigned long auth_failures_add(auth_failures_t *f, const char *ip, time_t now);
unsigned long auth_failures_get(const auth_failures_t *f, const char *ip);
int auth_failures_reset(auth_failures_t *f, const char *ip); /* 0 or JN_ENOENT */
/* Forget addresses whose last failure is older than now - keep seconds. */
size_t auth_failures_sweep(auth_failures_t *f, time_t now, unsigned keep);
/* JSON text [{"ip": "...", "count": N, "last": unix-time}, ...] (malloc'd). */
char *auth_failures_json(const auth_failures_t *f);

/* ---- the verification ---------------------------------------------------- */
/* Finds HA1 of user in realm for alg: 0, JN_ENOENT (no such user),
 * JN_ENOTSUP (no HA1 for alg) or JN_EAGAIN (not known yet: it has to be
 * fetched, e.g. from the database, and auth_verify() run again). */
typedef int (*auth_ha1_fn)(void *ctx, const char *user, const char *realm, auth_alg_t alg,
                           char *hex);

typedef struct auth_verify_cfg {
	const auth_nonce_key_t *key;
	auth_ha1_fn ha1;
	void *ha1_ctx;
	auth_replay_t *replay;
	unsigned nonce_expires;
	int allow_no_qop; /* accept MD5 responses without qop (RFC 2617 clients) */
	unsigned algs;    /* mask of 1 << auth_alg_t accepted */
} auth_verify_cfg_t;

typedef struct auth_verify_res {
	const char *reason; /* static: why it failed, NULL on success */
	int stale;          /* challenge again with stale=true */
	int count_failure;  /* a wrong attempt to count against the source */
	char user[128];     /* username of the credentials (success or not) */
} auth_verify_res_t;

/* Verify one credentials header value for realm and method. username, if
 * not NULL, must equal the credentials' username. Returns 1 when they
 * verify, 0 otherwise (res says why), -1 when the lookup answered
 * JN_EAGAIN (res->user names the user to fetch; nothing was recorded). */
int auth_verify(const auth_verify_cfg_t *cfg, const char *hdr, const char *realm,
                const char *method, const char *username, time_t now, auth_verify_res_t *res);

/* The realm parameter of a credentials header value, copied into out
 * (0), or JN_ENOENT / JN_EPARSE. */
int auth_cred_realm(const char *hdr, char *out, size_t size);

/* Challenge header values, one per algorithm in algs order, each line
 * "NAME: Digest realm=..., nonce=..., ...\r\n" appended to out. Returns the
 * length or JN_ERANGE when out is too small. */
int auth_challenge_build(const auth_nonce_key_t *k, const char *hname, const char *realm,
                         const auth_alg_t *algs, size_t nalgs, int stale, time_t now, char *out,
                         size_t size);

#endif
