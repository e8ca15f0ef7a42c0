/*
 * nonce.c - stateless nonces (HMAC-SHA256 over a time stamp, random bytes
 * and the realm) and the nonce-count table that refuses replays.
 */
#include <junction/junction.h>

#include "digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

int auth_nonce_key_random(auth_nonce_key_t *k)
{
	k->len = 32;
	if (RAND_bytes(k->secret, (int)k->len) == 1)
		return 0;
	/* libcrypto's generator failed: the kernel's is as good. */
	if (getrandom(k->secret, k->len, 0) == (ssize_t)k->len)
		return 0;
	return JN_EIO;
}

int auth_nonce_key_from(auth_nonce_key_t *k, const char *text)
{
	unsigned int n = 0;

	/* Any length of configured secret becomes a 32-byte key. */
	if (!text || !*text ||
	    EVP_Digest(text, strlen(text), k->secret, &n, EVP_sha256(), NULL) != 1)
		return JN_EINVAL;
	k->len = n;
	return 0;
}

static int mac(const auth_nonce_key_t *k, const unsigned char *head, size_t hlen, const char *realm,
               unsigned char out[32])
{
	unsigned char buf[16 + 256];
	size_t rlen = strlen(realm);
	unsigned int olen = 0;
	unsigned char *p = buf;
	unsigned char *heap = NULL;

	if (hlen + rlen > sizeof(buf)) {
		heap = malloc(hlen + rlen);
		if (!heap)
			return JN_ENOMEM;
		p = heap;
	}
	memcpy(p, head, hlen);
	memcpy(p + hlen, realm, rlen);
	int ok = HMAC(EVP_sha256(), k->secret, (int)k->len, p, hlen + rlen, out, &olen) != NULL;
	free(heap);
	return ok && olen == 32 ? 0 : JN_EIO;
}

static void hexenc(const unsigned char *in, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[in[i] >> 4];
		hex[2 * i + 1] = digits[in[i] & 15];
	}
	hex[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int auth_nonce_make(const auth_nonce_key_t *k, const char *realm, time_t now, char *nonce)
{
	unsigned char raw[AUTH_NONCE_BYTES], m[32];
	uint64_t ts = (uint64_t)now;

	for (int i = 0; i < 8; i++)
		raw[i] = (unsigned char)(ts >> (56 - 8 * i));
	/* Random bytes make two nonces of the same second differ, so their
	 * nonce-counts are tracked apart. */
	if (RAND_bytes(raw + 8, 8) != 1 && getrandom(raw + 8, 8, 0) != 8)
		return JN_EIO;
	if (mac(k, raw, 16, realm, m) < 0)
		return JN_EIO;
	memcpy(raw + 16, m, 16);
	hexenc(raw, sizeof(raw), nonce);
	return 0;
}

auth_nonce_status_t auth_nonce_check(const auth_nonce_key_t *k, const char *realm,
                                     const char *nonce, time_t now, unsigned expires,
                                     time_t *issued)
{
	unsigned char raw[AUTH_NONCE_BYTES], m[32];
	uint64_t ts = 0;

	if (!nonce || strlen(nonce) != AUTH_NONCE_HEX)
		return AUTH_NONCE_BAD;
	for (size_t i = 0; i < AUTH_NONCE_BYTES; i++) {
		int hi = hexval((unsigned char)nonce[2 * i]),
		    lo = hexval((unsigned char)nonce[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return AUTH_NONCE_BAD;
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	if (mac(k, raw, 16, realm, m) < 0)
		return AUTH_NONCE_BAD;
	unsigned char d = 0;
	for (int i = 0; i < 16; i++)
		d |= (unsigned char)(m[i] ^ raw[16 + i]);
	if (d)
		return AUTH_NONCE_BAD;
	for (int i = 0; i < 8; i++)
		ts = ts << 8 | raw[i];
	/* A nonce from the future (beyond a little clock skew between
	 * nodes sharing the secret) was not made by us. */
	if ((int64_t)ts > (int64_t)now + 5)
		return AUTH_NONCE_BAD;
	*issued = (time_t)ts;
	if ((int64_t)now - (int64_t)ts > (int64_t)expires)
		return AUTH_NONCE_STALE;
	return AUTH_NONCE_OK;
}

int auth_opaque(const auth_nonce_key_t *k, const char *realm, char out[17])
{
	unsigned char m[32];

	if (mac(k, (const unsigned char *)"opaque", 6, realm, m) < 0)
		return JN_EIO;
	hexenc(m, 8, out);
	return 0;
}

/* ---- replay table ------------------------------------------------------ */

struct replay_entry {
	char nonce[AUTH_NONCE_HEX + 1];
	uint32_t nc; /* highest nc used; 0: used without qop */
	time_t expires_at;
	struct replay_entry *next;
};

struct auth_replay {
	struct replay_entry **slots;
	size_t nslots, count, max;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

auth_replay_t *auth_replay_new(size_t max_entries)
{
	auth_replay_t *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->max = max_entries ? max_entries : 1;
	r->nslots = 1024;
	while (r->nslots < r->max / 2 && r->nslots < (1u << 20))
		r->nslots <<= 1;
	r->slots = calloc(r->nslots, sizeof(*r->slots));
	if (!r->slots) {
		free(r);
		return NULL;
	}
	return r;
}

void auth_replay_free(auth_replay_t *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nslots; i++) {
		struct replay_entry *e = r->slots[i], *n;
		for (; e; e = n) {
			n = e->next;
			free(e);
		}
	}
	free(r->slots);
	free(r);
}

int auth_replay_use(auth_replay_t *r, const char *nonce, uint32_t nc, time_t expires_at)
{
	size_t len = strlen(nonce);
	struct replay_entry **slot, *e;

	if (len > AUTH_NONCE_HEX)
		return JN_EINVAL;
	slot = &r->slots[fnv1a(nonce) & (r->nslots - 1)];
	for (e = *slot; e; e = e->next) {
		if (strcmp(e->nonce, nonce) != 0)
			continue;
		/* RFC 7616 3.4: nc must grow; without qop the nonce was
		 * single-use (RFC 2617 gives no other replay defence). */
		if (nc == 0 || e->nc == 0 || nc <= e->nc)
			return JN_EEXIST;
		e->nc = nc;
		return 0;
	}
	if (r->count >= r->max)
		return JN_ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		return JN_ENOMEM;
	memcpy(e->nonce, nonce, len + 1);
	e->nc = nc;
	e->expires_at = expires_at;
	e->next = *slot;
	*slot = e;
	r->count++;
	return 0;
}

size_t auth_replay_sweep(auth_replay_t *r, time_t now)
{
	size_t dropped = 0;

	for (size_t i = 0; i < r->nslots; i++) {
		struct replay_entry **pp = &r->slots[i];
		while (*pp) {
			struct replay_entry *e = *pp;
			if (e->expires_at <= now) {
				*pp = e->next;
				free(e);
				dropped++;
			} else {
				pp = &e->next;
			}
		}
	}
	r->count -= dropped;
	return dropped;
}

size_t auth_replay_count(const auth_replay_t *r)
{
	return r->count;
}
