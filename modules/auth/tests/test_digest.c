/*
 * test_digest.c - the auth module's pure logic: RFC 7616 digest vectors,
 * the credentials parser on odd input, nonces, nonce-count replay
 * refusal, the credential store and the failure counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <junction/junction.h>

#include "digest.h"

/* RFC 7616 3.9.1: the example for MD5 and SHA-256 with qop=auth. */
#define EX_USER   "Mufasa"
#define EX_REALM  "http-auth@example.org"
#define EX_PASS   "Circle of Life"
#define EX_NONCE  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define EX_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define EX_URI    "/dir/index.html"

static void rfc7616_391_md5(void **st)
{
	char ha1[65], resp[65];

	(void)st;
	assert_int_equal(auth_ha1(AUTH_ALG_MD5, EX_USER, EX_REALM, EX_PASS, ha1), 0);
	assert_int_equal(auth_response(AUTH_ALG_MD5, ha1, EX_NONCE, "00000001", EX_CNONCE, "auth",
	                               "GET", EX_URI, resp),
	                 0);
	assert_string_equal(resp, "8ca523f5e9506fed4657c9700eebdbec");
}

static void rfc7616_391_sha256(void **st)
{
	char ha1[65], resp[65];

	(void)st;
	assert_int_equal(auth_ha1(AUTH_ALG_SHA256, EX_USER, EX_REALM, EX_PASS, ha1), 0);
	assert_int_equal(auth_response(AUTH_ALG_SHA256, ha1, EX_NONCE, "00000001", EX_CNONCE,
	                               "auth", "GET", EX_URI, resp),
	                 0);
	assert_string_equal(resp,
	                    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

/* RFC 2617 3.2.2.1 without qop: H(HA1:nonce:HA2), against a value
 * computed independently (python hashlib). */
static void rfc2617_no_qop(void **st)
{
	char ha1[65], resp[65];

	(void)st;
	assert_int_equal(auth_ha1(AUTH_ALG_MD5, "1000", "example.com", "1234", ha1), 0);
	assert_int_equal(auth_response(AUTH_ALG_MD5, ha1, "abc", NULL, NULL, NULL, "REGISTER",
	                               "sip:example.com", resp),
	                 0);
	assert_string_equal(resp, "f6fdcf04d6cd604823f2171c322f8a4e");
}

static void alg_names(void **st)
{
	(void)st;
	assert_int_equal(auth_alg_parse(NULL, 0), AUTH_ALG_MD5); /* RFC 7616 3.4 default */
	assert_int_equal(auth_alg_parse("md5", 3), AUTH_ALG_MD5);
	assert_int_equal(auth_alg_parse("SHA-256", 7), AUTH_ALG_SHA256);
	assert_int_equal(auth_alg_parse("SHA-256-sess", 12), -1);
	assert_int_equal(auth_alg_parse("SHA-512-256", 11), -1);
}

/* ---- parser ---------------------------------------------------------------- */

static void parse_full(void **st)
{
	auth_cred_t c;

	(void)st;
	assert_int_equal(auth_cred_parse("Digest username=\"1000\", realm=\"ex.com\", "
	                                 "nonce=\"n1\", uri=\"sip:ex.com\", response=\"r\", "
	                                 "algorithm=SHA-256, cnonce=\"c,x\", qop=auth, "
	                                 "nc=00000001, opaque=\"o\", other=\"ignored\"",
	                                 &c),
	                 0);
	assert_string_equal(c.username, "1000");
	assert_string_equal(c.realm, "ex.com");
	assert_string_equal(c.nonce, "n1");
	assert_string_equal(c.uri, "sip:ex.com");
	assert_string_equal(c.algorithm, "SHA-256");
	assert_string_equal(c.cnonce, "c,x"); /* a comma inside quotes */
	assert_string_equal(c.qop, "auth");
	assert_string_equal(c.nc, "00000001");
	assert_string_equal(c.opaque, "o");
	auth_cred_free(&c);
}

static void parse_escapes_and_spacing(void **st)
{
	auth_cred_t c;

	(void)st;
	/* RFC 3261 25.1 quoted-pair, blanks around '=' and ',' */
	assert_int_equal(
	    auth_cred_parse("  digest username = \"a\\\"b\" ,realm=\"r\\\\\",nc=1", &c), 0);
	assert_string_equal(c.username, "a\"b");
	assert_string_equal(c.realm, "r\\");
	assert_string_equal(c.nc, "1");
	auth_cred_free(&c);
}

static void parse_malformed(void **st)
{
	static const char *const bad[] = {
	    "",
	    "Basic dXNlcjpwYXNz",
	    "Digest",
	    "Digestusername=\"a\"",
	    "Digest username",
	    "Digest username=\"unterminated",
	    "Digest =\"x\"",
	    "Digest username=\"a\" realm=\"b\"",
	    "Digest username=\"a\", username=\"b\"",
	    "Digest username=a b",
	    "Digest \"username\"=\"a\"",
	};
	auth_cred_t c;

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = auth_cred_parse(bad[i], &c);
		if (rc == 0)
			fail_msg("accepted malformed credentials: '%s'", bad[i]);
		auth_cred_free(&c);
	}
	assert_int_equal(auth_cred_parse(NULL, &c), JN_EPARSE);
	auth_cred_free(&c);
	/* empty parameter list and trailing commas are harmless */
	assert_int_equal(auth_cred_parse("Digest ,,", &c), 0);
	assert_null(c.username);
	auth_cred_free(&c);
}

/* Every prefix of a valid header, and random bytes, parse without a crash
 * (run under ASan in make test). */
static void parse_fuzzish(void **st)
{
	const char *good =
	    "Digest username=\"1000\", realm=\"a\\\"b\", nonce=\"x\", uri=\"sip:a\", "
	    "response=\"0123\", qop=auth, nc=00000001, cnonce=\"q\"";
	char buf[512];
	auth_cred_t c;
	unsigned seed = 12345;

	(void)st;
	for (size_t n = 0; n <= strlen(good); n++) {
		memcpy(buf, good, n);
		buf[n] = '\0';
		auth_cred_parse(buf, &c);
		auth_cred_free(&c);
	}
	for (int i = 0; i < 2000; i++) {
		size_t n = 7 + (size_t)(i % 80);
		memcpy(buf, "Digest ", 7);
		for (size_t j = 7; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = "=,\" \\abc\t"[(seed >> 16) % 9];
		}
		buf[n] = '\0';
		auth_cred_parse(buf, &c);
		auth_cred_free(&c);
	}
	/* very long input is refused, not processed */
	char *big = malloc(20000);
	assert_non_null(big);
	memset(big, 'a', 19999);
	memcpy(big, "Digest username=\"", 17);
	big[19999] = '\0';
	assert_int_equal(auth_cred_parse(big, &c), JN_EPARSE);
	auth_cred_free(&c);
	free(big);
}

/* ---- nonces ---------------------------------------------------------------- */

static void nonce_roundtrip(void **st)
{
	auth_nonce_key_t k, other;
	char n1[AUTH_NONCE_HEX + 1], n2[AUTH_NONCE_HEX + 1];
	time_t issued = 0;

	(void)st;
	assert_int_equal(auth_nonce_key_random(&k), 0);
	assert_int_equal(auth_nonce_key_from(&other, "shared secret"), 0);
	assert_int_equal(auth_nonce_make(&k, "ex.com", 1000, n1), 0);
	assert_int_equal(auth_nonce_make(&k, "ex.com", 1000, n2), 0);
	assert_int_equal(strlen(n1), AUTH_NONCE_HEX);
	assert_string_not_equal(n1, n2); /* same second, still distinct */
	assert_int_equal(auth_nonce_check(&k, "ex.com", n1, 1000, 300, &issued), AUTH_NONCE_OK);
	assert_int_equal(issued, 1000);
	/* RFC 7616 3.3: valid until it expires, then stale */
	assert_int_equal(auth_nonce_check(&k, "ex.com", n1, 1300, 300, &issued), AUTH_NONCE_OK);
	assert_int_equal(auth_nonce_check(&k, "ex.com", n1, 1301, 300, &issued), AUTH_NONCE_STALE);
	/* bound to the realm and the secret; tampering detected */
	assert_int_equal(auth_nonce_check(&k, "other.com", n1, 1000, 300, &issued), AUTH_NONCE_BAD);
	assert_int_equal(auth_nonce_check(&other, "ex.com", n1, 1000, 300, &issued),
	                 AUTH_NONCE_BAD);
	n2[0] = n2[0] == '0' ? '1' : '0';
	assert_int_equal(auth_nonce_check(&k, "ex.com", n2, 1000, 300, &issued), AUTH_NONCE_BAD);
	assert_int_equal(auth_nonce_check(&k, "ex.com", "zz", 1000, 300, &issued), AUTH_NONCE_BAD);
	assert_int_equal(auth_nonce_check(&k, "ex.com", NULL, 1000, 300, &issued), AUTH_NONCE_BAD);
	/* a time stamp in the future is not ours */
	assert_int_equal(auth_nonce_check(&k, "ex.com", n1, 900, 300, &issued), AUTH_NONCE_BAD);
	/* a configured secret gives the same nonces on every node */
	auth_nonce_key_t again;
	assert_int_equal(auth_nonce_key_from(&again, "shared secret"), 0);
	assert_int_equal(auth_nonce_make(&other, "ex.com", 1000, n1), 0);
	assert_int_equal(auth_nonce_check(&again, "ex.com", n1, 1000, 300, &issued), AUTH_NONCE_OK);
}

/* RFC 7616 3.4: the nonce-count must grow; without qop a nonce is single-use. */
static void replay_nc(void **st)
{
	auth_replay_t *r = auth_replay_new(3);

	(void)st;
	assert_non_null(r);
	assert_int_equal(auth_replay_use(r, "aa", 1, 100), 0);
	assert_int_equal(auth_replay_use(r, "aa", 1, 100), JN_EEXIST);
	assert_int_equal(auth_replay_use(r, "aa", 2, 100), 0);
	assert_int_equal(auth_replay_use(r, "aa", 1, 100), JN_EEXIST);
	assert_int_equal(auth_replay_use(r, "aa", 5, 100), 0);
	assert_int_equal(auth_replay_use(r, "aa", 0, 100), JN_EEXIST);
	assert_int_equal(auth_replay_use(r, "bb", 0, 200), 0);
	assert_int_equal(auth_replay_use(r, "bb", 0, 200), JN_EEXIST);
	assert_int_equal(auth_replay_use(r, "bb", 1, 200), JN_EEXIST);
	assert_int_equal(auth_replay_use(r, "cc", 1, 300), 0);
	assert_int_equal(auth_replay_use(r, "dd", 1, 300), JN_ENOMEM); /* bounded */
	assert_int_equal(auth_replay_count(r), 3);
	assert_int_equal(auth_replay_sweep(r, 100), 1); /* aa expired */
	assert_int_equal(auth_replay_count(r), 2);
	assert_int_equal(auth_replay_use(r, "dd", 1, 300), 0);
	assert_int_equal(auth_replay_sweep(r, 1000), 3);
	assert_int_equal(auth_replay_count(r), 0);
	auth_replay_free(r);
}

/* ---- verification end to end ------------------------------------------------ */

struct fixture {
	auth_nonce_key_t key;
	auth_creds_t *creds;
	auth_replay_t *replay;
	auth_verify_cfg_t cfg;
};

static int setup(void **st)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || auth_nonce_key_random(&f->key) < 0)
		return -1;
	f->creds = auth_creds_new();
	f->replay = auth_replay_new(1000);
	if (!f->creds || !f->replay)
		return -1;
	if (auth_creds_add(f->creds, "1000", "ex.com", NULL, NULL, "1234") < 0 ||
	    auth_creds_add(f->creds, "2000", NULL, NULL, NULL, "pw2") < 0)
		return -1;
	f->cfg.key = &f->key;
	f->cfg.ha1 = auth_creds_lookup;
	f->cfg.ha1_ctx = f->creds;
	f->cfg.replay = f->replay;
	f->cfg.nonce_expires = 300;
	f->cfg.allow_no_qop = 1;
	f->cfg.algs = 3;
	*st = f;
	return 0;
}

static int teardown(void **st)
{
	struct fixture *f = *st;

	auth_creds_free(f->creds);
	auth_replay_free(f->replay);
	free(f);
	return 0;
}

/* Build a client's Authorization value as a UA would. */
static void client(char *out, size_t size, auth_alg_t alg, const char *user, const char *pass,
                   const char *realm, const char *nonce, const char *nc, const char *method)
{
	char ha1[65], resp[65];

	auth_ha1(alg, user, pass ? realm : realm, pass, ha1);
	auth_response(alg, ha1, nonce, nc, nc ? "cn0" : NULL, nc ? "auth" : NULL, method,
	              "sip:ex.com", resp);
	if (nc)
		snprintf(out, size,
		         "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"sip:ex.com\", "
		         "response=\"%s\", algorithm=%s, cnonce=\"cn0\", qop=auth, nc=%s",
		         user, realm, nonce, resp, auth_alg_name(alg), nc);
	else
		snprintf(out, size,
		         "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"sip:ex.com\", "
		         "response=\"%s\"",
		         user, realm, nonce, resp);
}

static void verify_flow(void **st)
{
	struct fixture *f = *st;
	char nonce[AUTH_NONCE_HEX + 1], hdr[1024];
	auth_verify_res_t res;
	time_t now = 5000;

	assert_int_equal(auth_nonce_make(&f->key, "ex.com", now, nonce), 0);
	/* RFC 7616 3.4 with both algorithms */
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "1234", "ex.com", nonce, "00000001",
	       "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, now, &res), 1);
	assert_string_equal(res.user, "1000");
	/* the same header again: nc not above the last one -> replay */
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, now, &res), 0);
	assert_string_equal(res.reason, "replayed nonce");
	assert_true(res.count_failure);
	client(hdr, sizeof(hdr), AUTH_ALG_SHA256, "1000", "1234", "ex.com", nonce, "00000002",
	       "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, now, &res), 1);
	/* wrong password */
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "bad", "ex.com", nonce, "00000003",
	       "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, now, &res), 0);
	assert_string_equal(res.reason, "bad response");
	/* the method is part of A2 (RFC 7616 3.4.3) */
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "1234", "ex.com", nonce, "00000004",
	       "INVITE");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, now, &res), 0);
	assert_string_equal(res.reason, "bad response");
	/* unknown user */
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "9999", "1234", "ex.com", nonce, "00000005",
	       "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, now, &res), 0);
	assert_string_equal(res.reason, "unknown user");
	/* username_match */
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "1234", "ex.com", nonce, "00000006",
	       "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", "1001", now, &res), 0);
	assert_string_equal(res.reason, "username mismatch");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", "1000", now, &res), 1);
	/* a domain-less user configured by password serves any realm */
	char n2[AUTH_NONCE_HEX + 1];
	assert_int_equal(auth_nonce_make(&f->key, "other.org", now, n2), 0);
	client(hdr, sizeof(hdr), AUTH_ALG_SHA256, "2000", "pw2", "other.org", n2, "00000001",
	       "MESSAGE");
	assert_int_equal(auth_verify(&f->cfg, hdr, "other.org", "MESSAGE", NULL, now, &res), 1);
	/* credentials for another realm are not ours */
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "MESSAGE", NULL, now, &res), 0);
	assert_string_equal(res.reason, "no credentials");
	assert_false(res.count_failure);
	/* missing header */
	assert_int_equal(auth_verify(&f->cfg, NULL, "ex.com", "MESSAGE", NULL, now, &res), 0);
	assert_string_equal(res.reason, "no credentials");
}

/* RFC 7616 3.3 stale=true: right credentials, expired nonce. */
static void verify_stale(void **st)
{
	struct fixture *f = *st;
	char nonce[AUTH_NONCE_HEX + 1], hdr[1024];
	auth_verify_res_t res;

	assert_int_equal(auth_nonce_make(&f->key, "ex.com", 1000, nonce), 0);
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "1234", "ex.com", nonce, "00000001",
	       "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, 1400, &res), 0);
	assert_string_equal(res.reason, "stale nonce");
	assert_true(res.stale);
	assert_false(res.count_failure);
	/* wrong password on an expired nonce is not stale */
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "nope", "ex.com", nonce, "00000001",
	       "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, 1400, &res), 0);
	assert_string_equal(res.reason, "bad response");
	assert_false(res.stale);
}

/* RFC 2617 compatibility: no qop, single-use nonce; refused when disabled
 * and for SHA-256 (RFC 7616 clients always send qop). */
static void verify_no_qop(void **st)
{
	struct fixture *f = *st;
	char nonce[AUTH_NONCE_HEX + 1], hdr[1024];
	auth_verify_res_t res;

	assert_int_equal(auth_nonce_make(&f->key, "ex.com", 1000, nonce), 0);
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "1234", "ex.com", nonce, NULL, "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, 1000, &res), 1);
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, 1000, &res), 0);
	assert_string_equal(res.reason, "replayed nonce");
	assert_true(res.stale);
	f->cfg.allow_no_qop = 0;
	assert_int_equal(auth_nonce_make(&f->key, "ex.com", 1000, nonce), 0);
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "1234", "ex.com", nonce, NULL, "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, 1000, &res), 0);
	assert_string_equal(res.reason, "qop required");
}

static void verify_odd_input(void **st)
{
	struct fixture *f = *st;
	char nonce[AUTH_NONCE_HEX + 1], hdr[1024];
	auth_verify_res_t res;

	assert_int_equal(auth_nonce_make(&f->key, "ex.com", 1000, nonce), 0);
	static const char *const odd[] = {
	    "Digest username=\"1000\"",
	    "Digest username=\"1000\", realm=\"ex.com\", nonce=\"x\", uri=\"u\", response=\"r\"",
	    "Digest realm=\"ex.com\", nonce=\"x\", uri=\"u\", response=\"r\"",
	    "garbage",
	    "Digest username=\"1000\", realm=\"ex.com\", nonce=\"x\", uri=\"u\", "
	    "response=\"00000000000000000000000000000000\", qop=auth, nc=zz, cnonce=\"c\"",
	    "Digest username=\"1000\", realm=\"ex.com\", nonce=\"x\", uri=\"u\", "
	    "response=\"00000000000000000000000000000000\", qop=auth-int, nc=00000001, "
	    "cnonce=\"c\"",
	    "Digest username=\"1000\", realm=\"ex.com\", nonce=\"x\", uri=\"u\", "
	    "response=\"00000000000000000000000000000000\", algorithm=SHA-512-256",
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		assert_int_equal(
		    auth_verify(&f->cfg, odd[i], "ex.com", "REGISTER", NULL, 1000, &res), 0);
		assert_non_null(res.reason);
	}
	/* a forged nonce with a well-formed response */
	snprintf(hdr, sizeof(hdr),
	         "Digest username=\"1000\", realm=\"ex.com\", nonce=\"%064d\", uri=\"u\", "
	         "response=\"00000000000000000000000000000000\", qop=auth, nc=00000001, "
	         "cnonce=\"c\"",
	         0);
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, 1000, &res), 0);
	assert_string_equal(res.reason, "bad nonce");
	/* a wrong opaque */
	client(hdr, sizeof(hdr), AUTH_ALG_MD5, "1000", "1234", "ex.com", nonce, "00000001",
	       "REGISTER");
	strcat(hdr, ", opaque=\"0000\"");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, 1000, &res), 0);
	assert_string_equal(res.reason, "bad opaque");
	/* algorithm not enabled */
	f->cfg.algs = 1u << AUTH_ALG_MD5;
	client(hdr, sizeof(hdr), AUTH_ALG_SHA256, "1000", "1234", "ex.com", nonce, "00000002",
	       "REGISTER");
	assert_int_equal(auth_verify(&f->cfg, hdr, "ex.com", "REGISTER", NULL, 1000, &res), 0);
	assert_string_equal(res.reason, "unsupported algorithm");
}

static void challenge_text(void **st)
{
	struct fixture *f = *st;
	const auth_alg_t algs[] = {AUTH_ALG_SHA256, AUTH_ALG_MD5};
	char buf[1024], small[40];
	int n;

	n = auth_challenge_build(&f->key, "WWW-Authenticate", "ex.com", algs, 2, 1, 1000, buf,
	                         sizeof(buf));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	/* RFC 8760 2.4: SHA-256 first, then MD5, same realm and qop */
	char *sha = strstr(buf, "algorithm=SHA-256"), *md5 = strstr(buf, "algorithm=MD5");
	assert_non_null(sha);
	assert_non_null(md5);
	assert_true(sha < md5);
	assert_non_null(strstr(buf, "WWW-Authenticate: Digest realm=\"ex.com\", nonce=\""));
	assert_non_null(strstr(buf, "qop=\"auth\", stale=true\r\n"));
	assert_int_equal(auth_challenge_build(&f->key, "WWW-Authenticate", "ex.com", algs, 2, 0,
	                                      1000, small, sizeof(small)),
	                 JN_ERANGE);
	assert_int_equal(auth_challenge_build(&f->key, "WWW-Authenticate", "a\"b", algs, 2, 0, 1000,
	                                      buf, sizeof(buf)),
	                 JN_EINVAL);
}

static void creds_store(void **st)
{
	auth_creds_t *c = auth_creds_new();
	char hex[65], want[65];

	(void)st;
	assert_non_null(c);
	assert_int_equal(auth_creds_add(c, "u", "d", NULL, NULL, NULL), JN_EINVAL);
	assert_int_equal(auth_creds_add(c, "u", "d", "xyz", NULL, NULL), JN_EINVAL);
	assert_int_equal(
	    auth_creds_add(c, "u", "d", "0123456789ABCDEF0123456789abcdef", NULL, NULL), 0);
	assert_int_equal(auth_creds_add(c, "u", "D", NULL, NULL, "pw"), JN_EEXIST);
	assert_int_equal(auth_creds_ha1(c, "u", "D", AUTH_ALG_MD5, hex), 0);
	assert_string_equal(hex, "0123456789abcdef0123456789abcdef");
	assert_int_equal(auth_creds_ha1(c, "u", "d", AUTH_ALG_SHA256, hex), JN_ENOTSUP);
	assert_int_equal(auth_creds_ha1(c, "u", "e", AUTH_ALG_MD5, hex), JN_ENOENT);
	assert_int_equal(auth_creds_ha1(c, "U", "d", AUTH_ALG_MD5, hex), JN_ENOENT);
	/* password with a domain: HA1 computed at load */
	assert_int_equal(auth_creds_add(c, "p", "d", NULL, NULL, "pw"), 0);
	assert_int_equal(auth_creds_ha1(c, "p", "d", AUTH_ALG_SHA256, hex), 0);
	auth_ha1(AUTH_ALG_SHA256, "p", "d", "pw", want);
	assert_string_equal(hex, want);
	assert_int_equal(auth_creds_count(c), 2);
	auth_creds_free(c);
}

static void failures_table(void **st)
{
	auth_failures_t *f = auth_failures_new(2);
	char *json;

	(void)st;
	assert_non_null(f);
	assert_int_equal(auth_failures_add(f, "127.0.0.1", 100), 1);
	assert_int_equal(auth_failures_add(f, "127.0.0.1", 110), 2);
	assert_int_equal(auth_failures_add(f, "::1", 120), 1);
	assert_int_equal(auth_failures_add(f, "10.0.0.1", 120), 0); /* bounded */
	assert_int_equal(auth_failures_get(f, "127.0.0.1"), 2);
	json = auth_failures_json(f);
	assert_non_null(json);
	assert_non_null(strstr(json, "{\"ip\":\"127.0.0.1\",\"count\":2,\"last\":110}"));
	free(json);
	assert_int_equal(auth_failures_sweep(f, 200, 85), 1); /* 127.0.0.1 quiet since 110 */
	assert_int_equal(auth_failures_get(f, "127.0.0.1"), 0);
	assert_int_equal(auth_failures_reset(f, "::1"), 0);
	assert_int_equal(auth_failures_reset(f, "::1"), JN_ENOENT);
	auth_failures_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc7616_391_md5),
	    cmocka_unit_test(rfc7616_391_sha256),
	    cmocka_unit_test(rfc2617_no_qop),
	    cmocka_unit_test(alg_names),
	    cmocka_unit_test(parse_full),
	    cmocka_unit_test(parse_escapes_and_spacing),
	    cmocka_unit_test(parse_malformed),
	    cmocka_unit_test(parse_fuzzish),
	    cmocka_unit_test(nonce_roundtrip),
	    cmocka_unit_test(replay_nc),
	    cmocka_unit_test_setup_teardown(verify_flow, setup, teardown),
	    cmocka_unit_test_setup_teardown(verify_stale, setup, teardown),
	    cmocka_unit_test_setup_teardown(verify_no_qop, setup, teardown),
	    cmocka_unit_test_setup_teardown(verify_odd_input, setup, teardown),
	    cmocka_unit_test_setup_teardown(challenge_text, setup, teardown),
	    cmocka_unit_test(creds_store),
	    cmocka_unit_test(failures_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
