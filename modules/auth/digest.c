/*
 * digest.c - RFC 7616 digest computation and the Authorization parser.
 */
#include <junction/junction.h>

#include "digest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

static const char *const alg_names[AUTH_ALG_COUNT] = {"MD5", "SHA-256"};

const char *auth_alg_name(auth_alg_t alg)
{
	return alg < AUTH_ALG_COUNT ? alg_names[alg] : "?";
}

size_t auth_alg_hexlen(auth_alg_t alg)
{
	return alg == AUTH_ALG_SHA256 ? 64 : 32;
}

int auth_alg_parse(const char *s, size_t len)
{
	if (!s || len == 0)
		return AUTH_ALG_MD5;
	for (int i = 0; i < AUTH_ALG_COUNT; i++)
		if (strlen(alg_names[i]) == len && strncasecmp(s, alg_names[i], len) == 0)
			return i;
	return -1;
}

static void to_hex(const unsigned char *in, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[in[i] >> 4];
		hex[2 * i + 1] = digits[in[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* Hash of several pieces joined by ':' - the shape of every digest input -
 * without building the joined string. */
static int hash_joined(auth_alg_t alg, const char *const *parts, size_t n, char *hex)
{
	const EVP_MD *md = alg == AUTH_ALG_SHA256 ? EVP_sha256() : EVP_md5();
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int olen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	if (!ctx)
		return -1;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && EVP_DigestUpdate(ctx, ":", 1) != 1)
			goto out;
		if (EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) != 1)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, out, &olen) != 1)
		goto out;
	to_hex(out, olen, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int auth_hash_hex(auth_alg_t alg, const void *data, size_t len, char *hex)
{
	const EVP_MD *md = alg == AUTH_ALG_SHA256 ? EVP_sha256() : EVP_md5();
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int olen = 0;

	if (EVP_Digest(data, len, out, &olen, md, NULL) != 1)
		return -1;
	to_hex(out, olen, hex);
	return 0;
}

int auth_ha1(auth_alg_t alg, const char *user, const char *realm, const char *password, char *hex)
{
	const char *parts[] = {user, realm, password};

	return hash_joined(alg, parts, 3, hex);
}

int auth_response(auth_alg_t alg, const char *ha1, const char *nonce, const char *nc,
                  const char *cnonce, const char *qop, const char *method, const char *uri,
                  char *hex)
{
	char ha2[AUTH_HEX_MAX + 1];
	const char *a2[] = {method, uri};

	if (hash_joined(alg, a2, 2, ha2) < 0)
		return -1;
	if (qop) {
		const char *parts[] = {ha1, nonce, nc, cnonce, qop, ha2};
		return hash_joined(alg, parts, 6, hex);
	}
	const char *parts[] = {ha1, nonce, ha2};
	return hash_joined(alg, parts, 3, hex);
}

int auth_ct_compare(const char *a, const char *b, size_t len)
{
	unsigned char d = 0;

	for (size_t i = 0; i < len; i++)
		d |= (unsigned char)(tolower((unsigned char)a[i]) ^ tolower((unsigned char)b[i]));
	return d != 0;
}

int auth_is_hex(const char *s, size_t len)
{
	if (!s || strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* ---- credentials header parser ------------------------------------------ */

void auth_cred_free(auth_cred_t *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

static const char **cred_field(auth_cred_t *c, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
	    {"username", offsetof(auth_cred_t, username)},
	    {"realm", offsetof(auth_cred_t, realm)},
	    {"nonce", offsetof(auth_cred_t, nonce)},
	    {"uri", offsetof(auth_cred_t, uri)},
	    {"response", offsetof(auth_cred_t, response)},
	    {"algorithm", offsetof(auth_cred_t, algorithm)},
	    {"cnonce", offsetof(auth_cred_t, cnonce)},
	    {"qop", offsetof(auth_cred_t, qop)},
	    {"nc", offsetof(auth_cred_t, nc)},
	    {"opaque", offsetof(auth_cred_t, opaque)},
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcasecmp(name, fields[i].name) == 0)
			return (const char **)((char *)c + fields[i].off);
	return NULL;
}

#define AUTH_HDR_MAX 8192 /* longer credentials are refused as malformed */

int auth_cred_parse(const char *value, auth_cred_t *out)
{
	char *p, *name, *val;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!value)
		return JN_EPARSE;
	len = strlen(value);
	if (len > AUTH_HDR_MAX)
		return JN_EPARSE;
	out->buf = malloc(len + 1);
	if (!out->buf)
		return JN_ENOMEM;
	memcpy(out->buf, value, len + 1);
	p = out->buf;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "Digest", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
		return JN_EPARSE;
	p += 6;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (*p == ',') { /* RFC 3261 7.3.1: empty list elements */
			p++;
			continue;
		}
		name = p;
		while (*p && (isalnum((unsigned char)*p) || strchr("-.!%*_+`'~", *p)))
			p++; /* RFC 3261 25.1 token */
		char *name_end = p;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=' || name_end == name)
			return JN_EPARSE;
		*name_end = '\0';
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			/* quoted-string: unescape in place (the result is never
			 * longer than the input). */
			char *w = ++p;
			val = w;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				*w++ = *p++;
			}
			if (*p != '"')
				return JN_EPARSE;
			p++;
			*w = '\0';
		} else {
			val = p;
			while (*p && *p != ',' && *p != ' ' && *p != '\t')
				p++;
			if (*p && *p != ',') {
				*p++ = '\0';
			}
		}
		/* after the value: optional blanks, then ',' or the end */
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ',') {
			/* a token value ends at the comma; a quoted one already
			 * got its NUL. */
			*p++ = '\0';
		} else if (*p) {
			return JN_EPARSE;
		}
		const char **f = cred_field(out, name);
		if (f) {
			if (*f)
				return JN_EPARSE; /* a parameter given twice */
			*f = val;
		}
	}
	return 0;
}

int auth_cred_realm(const char *hdr, char *out, size_t size)
{
	auth_cred_t c;
	int rc = auth_cred_parse(hdr, &c);

	if (rc == 0 && !c.realm)
		rc = JN_ENOENT;
	if (rc == 0) {
		if (strlen(c.realm) >= size)
			rc = JN_ERANGE;
		else
			strcpy(out, c.realm);
	}
	auth_cred_free(&c);
	return rc;
}

/* ---- challenge ------------------------------------------------------------ */

/* A realm goes into a quoted-string: refuse what would need escaping
 * rather than produce a header a client parses differently. */
static int quotable(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int auth_challenge_build(const auth_nonce_key_t *k, const char *hname, const char *realm,
                         const auth_alg_t *algs, size_t nalgs, int stale, time_t now, char *out,
                         size_t size)
{
	char nonce[AUTH_NONCE_HEX + 1], opaque[17];
	size_t used = 0;

	if (!quotable(realm))
		return JN_EINVAL;
	if (auth_nonce_make(k, realm, now, nonce) < 0 || auth_opaque(k, realm, opaque) < 0)
		return JN_EIO;
	if (size)
		out[0] = '\0';
	for (size_t i = 0; i < nalgs; i++) {
		int n = snprintf(out + used, size - used,
		                 "%s: Digest realm=\"%s\", nonce=\"%s\", opaque=\"%s\", "
		                 "algorithm=%s, qop=\"auth\"%s\r\n",
		                 hname, realm, nonce, opaque, auth_alg_name(algs[i]),
		                 stale ? ", stale=true" : "");
		if (n < 0 || (size_t)n >= size - used)
			return JN_ERANGE;
		used += (size_t)n;
	}
	return (int)used;
}

/* ---- verification ----------------------------------------------------------- */

static int fail(auth_verify_res_t *res, const char *reason, int count)
{
	res->reason = reason;
	res->count_failure = count;
	return 0;
}

int auth_verify(const auth_verify_cfg_t *cfg, const char *hdr, const char *realm,
                const char *method, const char *username, time_t now, auth_verify_res_t *res)
{
	auth_cred_t c;
	char ha1[AUTH_HEX_MAX + 1], want[AUTH_HEX_MAX + 1];
	time_t issued = 0;
	uint32_t nc = 0;
	int alg, ok = 0, rc;

	memset(res, 0, sizeof(*res));
	if (!hdr)
		return fail(res, "no credentials", 0);
	rc = auth_cred_parse(hdr, &c);
	if (rc == JN_ENOMEM) {
		ok = fail(res, "out of memory", 0);
		goto out;
	}
	if (rc < 0 || !c.username || !c.realm || !c.nonce || !c.uri || !c.response) {
		ok = fail(res, "malformed credentials", 1);
		goto out;
	}
	snprintf(res->user, sizeof(res->user), "%s", c.username);
	if (strcmp(c.realm, realm) != 0) {
		ok = fail(res, "no credentials", 0); /* for another realm */
		goto out;
	}
	alg = auth_alg_parse(c.algorithm, c.algorithm ? strlen(c.algorithm) : 0);
	if (alg < 0 || !(cfg->algs & (1u << alg))) {
		ok = fail(res, "unsupported algorithm", 1);
		goto out;
	}
	if (c.qop) {
		/* RFC 7616 3.4: with qop, cnonce and an 8-hex-digit nc. */
		if (strcasecmp(c.qop, "auth") != 0) {
			ok = fail(res, "unsupported qop", 1);
			goto out;
		}
		if (!c.cnonce || !*c.cnonce || !auth_is_hex(c.nc, 8)) {
			ok = fail(res, "malformed credentials", 1);
			goto out;
		}
		nc = (uint32_t)strtoul(c.nc, NULL, 16);
		if (nc == 0) {
			ok = fail(res, "malformed credentials", 1);
			goto out;
		}
	} else if (!cfg->allow_no_qop || alg != AUTH_ALG_MD5) {
		/* RFC 2617 compatibility is for MD5 only: SHA-256 clients are
		 * RFC 7616 clients, which always send qop. */
		ok = fail(res, "qop required", 1);
		goto out;
	}
	if (!auth_is_hex(c.response, auth_alg_hexlen((auth_alg_t)alg))) {
		ok = fail(res, "malformed credentials", 1);
		goto out;
	}
	if (username && strcmp(username, c.username) != 0) {
		ok = fail(res, "username mismatch", 1);
		goto out;
	}
	auth_nonce_status_t ns =
	    auth_nonce_check(cfg->key, realm, c.nonce, now, cfg->nonce_expires, &issued);
	if (ns == AUTH_NONCE_BAD) {
		ok = fail(res, "bad nonce", 1);
		goto out;
	}
	if (c.opaque) {
		char opaque[17];

		if (auth_opaque(cfg->key, realm, opaque) < 0 || strcmp(opaque, c.opaque) != 0) {
			ok = fail(res, "bad opaque", 1);
			goto out;
		}
	}
	rc = cfg->ha1(cfg->ha1_ctx, c.username, realm, (auth_alg_t)alg, ha1);
	if (rc == JN_EAGAIN) {
		ok = -1;
		goto out;
	}
	if (rc == JN_ENOENT) {
		ok = fail(res, "unknown user", 1);
		goto out;
	}
	if (rc == JN_ENOTSUP) {
		ok = fail(res, "unsupported algorithm", 1);
		goto out;
	}
	if (rc < 0 || auth_response((auth_alg_t)alg, ha1, c.nonce, c.nc, c.cnonce,
	                            c.qop ? "auth" : NULL, method, c.uri, want) < 0) {
		ok = fail(res, "internal error", 0);
		goto out;
	}
	if (auth_ct_compare(want, c.response, auth_alg_hexlen((auth_alg_t)alg)) != 0) {
		ok = fail(res, "bad response", 1);
		goto out;
	}
	if (ns == AUTH_NONCE_STALE) {
		/* RFC 7616 3.3: right credentials on an expired nonce - the
		 * client retries with a new nonce without asking its user. */
		res->stale = 1;
		ok = fail(res, "stale nonce", 0);
		goto out;
	}
	rc = auth_replay_use(cfg->replay, c.nonce, nc, issued + (time_t)cfg->nonce_expires + 1);
	if (rc == JN_EEXIST) {
		/* A nonce used again (no qop) or an nc not above the last one.
		 * stale=true lets a client that merely reused its nonce get a
		 * new one; a replaying attacker gains nothing from it. */
		res->stale = 1;
		ok = fail(res, "replayed nonce", 1);
		goto out;
	}
	if (rc < 0) {
		res->stale = 1;
		ok = fail(res, "too many nonces in use", 0);
		goto out;
	}
	res->reason = NULL;
	ok = 1;
out:
	auth_cred_free(&c);
	return ok;
}
