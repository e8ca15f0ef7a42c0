/* srtp.c - SDES a=crypto lines (RFC 4568) and the SRTP/SRTCP transforms of
 * a session (RFC 3711) on libsrtp2. See srtp.h for the threading rules. */
#include "srtp.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <srtp2/srtp.h>

#include "media.h"

/* ---- suites ------------------------------------------------------------ */

static const char *const suite_names[MSRTP_NSUITES + 1] = {
    [MSRTP_NONE] = "",
    [MSRTP_AES_CM_128_HMAC_SHA1_80] = "AES_CM_128_HMAC_SHA1_80",
    [MSRTP_AES_CM_128_HMAC_SHA1_32] = "AES_CM_128_HMAC_SHA1_32",
};

const char *msrtp_suite_name(msrtp_suite_t suite)
{
	return (unsigned)suite <= MSRTP_NSUITES ? suite_names[suite] : "";
}

/* ABNF literals are case-insensitive (RFC 5234 2.3). */
msrtp_suite_t msrtp_suite_find(const char *name, size_t len)
{
	for (int i = 1; i <= MSRTP_NSUITES; i++)
		if (strlen(suite_names[i]) == len && !strncasecmp(suite_names[i], name, len))
			return (msrtp_suite_t)i;
	return MSRTP_NONE;
}

/* ---- base64 (RFC 4648 4, the alphabet RFC 4568 9.1 names) -------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict: only the alphabet, '=' padding only at the end and only to a
 * multiple of 4, no bits left over. The decoded length, or -1. */
static int b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t pad = 0;
	while (n && s[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (pad && (n + pad) % 4)
		return -1;
	if (n % 4 == 1)
		return -1;
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_val(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (acc & ((1u << bits) - 1)) /* non-zero leftover bits: not canonical */
		return -1;
	return (int)o;
}

static void b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = 0;
}

/* ---- a=crypto (RFC 4568 9.1) -------------------------------------------- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* 1*n DIGIT filling [p, e) exactly. */
static int all_digits(const char *p, const char *e, size_t maxn)
{
	if (p == e || (size_t)(e - p) > maxn)
		return 0;
	for (; p < e; p++)
		if (!is_digit(*p))
			return 0;
	return 1;
}

/* lifetime = ["2^"] 1*(DIGIT). We never rekey, so its value does not
 * matter beyond being well-formed. */
static int lifetime_ok(const char *p, const char *e)
{
	if (e - p > 2 && p[0] == '2' && p[1] == '^')
		return all_digits(p + 2, e, 2);
	return all_digits(p, e, 20);
}

/* mki = mki-value ":" mki-length, length 1..128 (RFC 4568 9.1). */
static int mki_ok(const char *p, const char *e)
{
	const char *c = memchr(p, ':', (size_t)(e - p));
	if (!c || !all_digits(p, c, 39) || !all_digits(c + 1, e, 3))
		return 0;
	unsigned long l = strtoul(c + 1, NULL, 10);
	return l >= 1 && l <= 128;
}

/* key-param = "inline:" key-salt ["|" lifetime] ["|" mki] */
static int key_param(const char *p, const char *e, struct msrtp_crypto *out)
{
	if (e - p < 7 || strncasecmp(p, "inline:", 7) != 0)
		return JN_EPARSE;
	p += 7;
	const char *bar = memchr(p, '|', (size_t)(e - p));
	const char *ke = bar ? bar : e;
	uint8_t tmp[MSRTP_KEY_LEN + 3];
	int r = JN_EPARSE, mki = 0;
	if (b64_decode(p, (size_t)(ke - p), tmp, sizeof(tmp)) != MSRTP_KEY_LEN)
		goto out;
	while (bar) {
		p = bar + 1;
		bar = memchr(p, '|', (size_t)(e - p));
		ke = bar ? bar : e;
		if (memchr(p, ':', (size_t)(ke - p))) {
			/* The MKI comes last. */
			if (mki || bar || !mki_ok(p, ke))
				goto out;
			mki = 1;
		} else if (mki || !lifetime_ok(p, ke)) {
			goto out;
		}
	}
	memcpy(out->key, tmp, MSRTP_KEY_LEN);
	/* RFC 4568 6.1: with an MKI every packet carries it; our contexts
	 * have none, so the line is not usable (the answerer skips it). */
	r = mki ? JN_ENOTSUP : 0;
out:
	explicit_bzero(tmp, sizeof(tmp));
	return r;
}

int msrtp_crypto_parse(const char *value, struct msrtp_crypto *out)
{
	if (!value || !out)
		return JN_EINVAL;
	memset(out, 0, sizeof(*out));
	const char *p = value, *e;
	/* tag */
	for (e = p; is_digit(*e); e++)
		;
	if (!all_digits(p, e, 9) || !is_ws(*e))
		return JN_EPARSE;
	out->tag = strtoul(p, NULL, 10);
	/* crypto-suite */
	for (p = e; is_ws(*p); p++)
		;
	for (e = p; *e && !is_ws(*e); e++)
		;
	if (p == e || !*e)
		return JN_EPARSE;
	out->suite = msrtp_suite_find(p, (size_t)(e - p));
	for (p = e; is_ws(*p); p++)
		;
	for (e = p; *e && !is_ws(*e); e++)
		;
	if (p == e)
		return JN_EPARSE;
	/* A suite we do not know may have other key sizes: not ours to
	 * judge further. */
	if (out->suite == MSRTP_NONE)
		return JN_ENOTSUP;
	/* key-params: more than one key means MKIs, which we do not use. */
	int r = 0;
	const char *kp = p;
	while (kp < e) {
		const char *semi = memchr(kp, ';', (size_t)(e - kp));
		const char *ke = semi ? semi : e;
		int k = key_param(kp, ke, out);
		if (k == JN_EPARSE)
			return k;
		if (k || kp != p)
			r = JN_ENOTSUP;
		kp = semi ? semi + 1 : e;
		if (semi && kp == e)
			return JN_EPARSE;
	}
	/* session-params (RFC 4568 6.3): WSH is a hint (6.3.7); anything else
	 * changes the transform, so the line is declined (6.3, 7.1.2). */
	for (p = e;;) {
		while (is_ws(*p))
			p++;
		if (!*p || *p == '\r' || *p == '\n')
			break;
		for (e = p; *e && !is_ws(*e) && *e != '\r' && *e != '\n'; e++)
			;
		if (e - p > 4 && !strncmp(p, "WSH=", 4)) {
			if (!all_digits(p + 4, e, 9) || strtoul(p + 4, NULL, 10) < 64)
				return JN_EPARSE;
		} else {
			r = JN_ENOTSUP;
		}
		p = e;
	}
	if (r)
		explicit_bzero(out->key, sizeof(out->key));
	return r;
}

int msrtp_crypto_format(const struct msrtp_crypto *c, char *buf, size_t len)
{
	char k[48];
	b64_encode(c->key, MSRTP_KEY_LEN, k);
	int n = snprintf(buf, len, "%lu %s inline:%s", c->tag, msrtp_suite_name(c->suite), k);
	explicit_bzero(k, sizeof(k));
	return n < 0 || (size_t)n >= len ? JN_ERANGE : 0;
}

int msrtp_keygen(uint8_t *keys, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(keys + got, n - got, GRND_NONBLOCK);
		if (r <= 0)
			return JN_EIO;
		got += (size_t)r;
	}
	return 0;
}

/* ---- contexts (worker thread) ------------------------------------------ */

struct msrtp {
	struct msrtp_keys k;
	srtp_t tx, rx;
	int failed; /* a context could not be made: drop everything */
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* A session that agreed on SRTP but could not even get its context struct:
 * no contexts, so every packet is dropped rather than sent in clear. */
static struct msrtp no_memory = {.failed = 1};

/* The module's start() initialises libsrtp (media.c); this covers users
 * without it (unit tests, fuzzing). A second srtp_init() reports an error
 * (its debug module is registered twice) though the library is ready, so
 * the status is not ours to judge: srtp_create() below fails if it is
 * not usable. */
static void lib_init(void)
{
	(void)srtp_init();
}

static int make_ctx(srtp_t *ctx, msrtp_suite_t suite, const uint8_t *key, int inbound)
{
	srtp_policy_t p;
	memset(&p, 0, sizeof(p));
	if (suite == MSRTP_AES_CM_128_HMAC_SHA1_32)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
	else
		srtp_crypto_policy_set_rtp_default(&p.rtp);
	/* SRTCP keeps the 80-bit tag with either suite (RFC 4568 6.2.2). */
	srtp_crypto_policy_set_rtcp_default(&p.rtcp);
	uint8_t k[MSRTP_KEY_LEN];
	memcpy(k, key, sizeof(k));
	p.key = k;
	p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p.window_size = 128;
	/* A relayed stream may carry a packet twice (the peer repeated it):
	 * sending the same index again must not fail. */
	p.allow_repeat_tx = 1;
	srtp_err_status_t e = srtp_create(ctx, &p);
	explicit_bzero(k, sizeof(k));
	if (e != srtp_err_status_ok) {
		*ctx = NULL;
		return e == srtp_err_status_alloc_fail ? JN_ENOMEM : JN_EIO;
	}
	return 0;
}

void msrtp_free(struct media_session *s)
{
	struct msrtp *x = s->srtp;
	s->srtp = NULL;
	if (!x || x == &no_memory)
		return;
	if (x->tx)
		srtp_dealloc(x->tx);
	if (x->rx)
		srtp_dealloc(x->rx);
	explicit_bzero(x, sizeof(*x));
	free(x);
}

int msrtp_active(const struct media_session *s)
{
	return s->srtp != NULL;
}

int msrtp_apply(struct media_session *s, const struct msrtp_keys *k)
{
	if (!k || k->suite == MSRTP_NONE || (unsigned)k->suite > MSRTP_NSUITES) {
		msrtp_free(s);
		return 0;
	}
	pthread_once(&init_once, lib_init);
	struct msrtp *x = s->srtp;
	if (!x || x == &no_memory) {
		x = calloc(1, sizeof(*x));
		if (!x) {
			s->srtp = &no_memory; /* fail closed */
			return JN_ENOMEM;
		}
		s->srtp = x;
	}
	int r = 0;
	int same_suite = x->k.suite == k->suite;
	if (!x->tx || !same_suite || memcmp(x->k.tx, k->tx, MSRTP_KEY_LEN)) {
		if (x->tx)
			srtp_dealloc(x->tx);
		x->tx = NULL;
		r = make_ctx(&x->tx, k->suite, k->tx, 0);
		if (r)
			goto out;
	}
	if (!x->rx || !same_suite || memcmp(x->k.rx, k->rx, MSRTP_KEY_LEN)) {
		if (x->rx)
			srtp_dealloc(x->rx);
		x->rx = NULL;
		r = make_ctx(&x->rx, k->suite, k->rx, 1);
		if (r)
			goto out;
	}
	x->k = *k;
	x->failed = 0;
out:
	if (r) {
		x->failed = 1;
		x->k.suite = MSRTP_NONE; /* the next apply rebuilds both */
	}
	return r;
}

static int transform(srtp_t ctx, uint8_t *buf, size_t *len, size_t cap, int rtcp, int protect)
{
	if (!ctx)
		return JN_EIO;
	if (*len > 65535 || (protect && (cap < MSRTP_ROOM || *len > cap - MSRTP_ROOM)))
		return JN_ERANGE;
	int l = (int)*len;
	srtp_err_status_t e;
	if (protect)
		e = rtcp ? srtp_protect_rtcp(ctx, buf, &l) : srtp_protect(ctx, buf, &l);
	else
		e = rtcp ? srtp_unprotect_rtcp(ctx, buf, &l) : srtp_unprotect(ctx, buf, &l);
	if (e != srtp_err_status_ok || l < 0)
		return JN_EPARSE; /* auth_fail, replay_fail, replay_old, bad header */
	*len = (size_t)l;
	return 0;
}

int msrtp_protect_rtp(struct media_session *s, uint8_t *buf, size_t *len, size_t cap)
{
	if (!s->srtp)
		return 0;
	/* libsrtp reads the header before checking the length. */
	if (*len < 12)
		return JN_EPARSE;
	return transform(s->srtp->tx, buf, len, cap, 0, 1);
}

int msrtp_unprotect_rtp(struct media_session *s, uint8_t *buf, size_t *len)
{
	if (!s->srtp)
		return 0;
	if (*len < 12)
		return JN_EPARSE;
	return transform(s->srtp->rx, buf, len, 0, 0, 0);
}

int msrtp_protect_rtcp(struct media_session *s, uint8_t *buf, size_t *len, size_t cap)
{
	if (!s->srtp)
		return 0;
	if (*len < 8)
		return JN_EPARSE;
	return transform(s->srtp->tx, buf, len, cap, 1, 1);
}

int msrtp_unprotect_rtcp(struct media_session *s, uint8_t *buf, size_t *len)
{
	if (!s->srtp)
		return 0;
	/* Header (8), SRTCP index (4) and at least the 80-bit tag. */
	if (*len < 8 + 4 + 10)
		return JN_EPARSE;
	return transform(s->srtp->rx, buf, len, 0, 1, 0);
}
