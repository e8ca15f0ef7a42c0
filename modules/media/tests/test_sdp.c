/* test_sdp.c - RFC 3264 offer/answer tables on sofia's SDP parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp_oa.h"

/* Failing cases leave the expected-result columns out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static void local_init(struct oa_local *l, const char *prefs)
{
	memset(l, 0, sizeof(*l));
	l->family = AF_INET;
	strcpy(l->addr, "192.0.2.1");
	l->port = 20000;
	l->ptime = 20;
	l->telephone_event = 1;
	l->dir = MEDIA_SENDRECV;
	l->sess_id = 42;
	l->sess_ver = 1;
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", prefs);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		l->codecs[l->ncodecs++] = media_codec_find(t);
}

#define HEAD "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"

struct answer_case {
	const char *name; /* the rule proved */
	const char *prefs;
	media_dir_t local_dir;
	const char *offer;
	int rc;
	const char *codec;
	int pt, te_pt;
	media_dir_t answer_dir;
	const char *remote_addr;
	unsigned remote_port, rtcp_port, ptime;
	const char *must;     /* substring of the answer */
	const char *must_not; /* substring the answer must not have */
};

static const struct answer_case answers[] = {
	{"RFC 3264 6.1: our preference picks the codec, offer's PT kept", "PCMA,PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n", 0, "PCMA", 8,
	 101, MEDIA_SENDRECV, "198.51.100.7", 4000, 4001, 20, "m=audio 20000 RTP/AVP 8 101\r\n",
	 "PCMU"},
	{"RFC 3264 6.1: dynamic PT of the offer is used in the answer", "opus,PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/AVP 96 0\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n"
	      "a=ptime:40\r\n",
	 0, "opus", 96, -1, MEDIA_SENDRECV, "198.51.100.7", 4000, 4001, 40,
	 "a=rtpmap:96 opus/48000/2\r\n", "telephone-event"},
	{"RFC 3264 6.1: sendonly offer (hold) is answered recvonly", "PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n", 0, "PCMU", 0, -1, MEDIA_RECVONLY,
	 "198.51.100.7", 4000, 4001, 20, "a=recvonly\r\n"},
	{"RFC 3264 6.1: recvonly offer is answered sendonly", "PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n", 0, "PCMU", 0, -1, MEDIA_SENDONLY,
	 "198.51.100.7", 4000, 4001, 20, "a=sendonly\r\n"},
	{"RFC 3264 6.1: inactive offer is answered inactive", "PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/AVP 0\r\na=inactive\r\n", 0, "PCMU", 0, -1, MEDIA_INACTIVE,
	 "198.51.100.7", 4000, 4001, 20, "a=inactive\r\n"},
	{"RFC 3264 8.4: we hold (local sendonly) a sendrecv offer", "PCMU", MEDIA_SENDONLY,
	 HEAD "m=audio 4000 RTP/AVP 0\r\n", 0, "PCMU", 0, -1, MEDIA_SENDONLY, "198.51.100.7", 4000,
	 4001, 20, "a=sendonly\r\n"},
	{"RFC 3264 8.4: c=0.0.0.0 (old hold) means the offerer does not receive", "PCMU",
	 MEDIA_SENDRECV,
	 "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
	 "m=audio 4000 RTP/AVP 0\r\n",
	 0, "PCMU", 0, -1, MEDIA_RECVONLY, "", 4000, 4001, 20, "a=recvonly\r\n"},
	{"RFC 3264 6: unsupported and later streams are rejected in place", "PCMU", MEDIA_SENDRECV,
	 HEAD "m=video 5000 RTP/AVP 31\r\nm=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\n", 0,
	 "PCMU", 0, -1, MEDIA_SENDRECV, "198.51.100.7", 4000, 4001, 20,
	 "m=video 0 RTP/AVP 31\r\nm=audio 20000 RTP/AVP 0\r\n", "m=audio 4002"},
	{"RFC 3264 6: a rejected stream with port 0 is skipped", "PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 0 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\n", 0, "PCMU", 0, -1, MEDIA_SENDRECV,
	 "198.51.100.7", 4002, 4003, 20, "m=audio 0 RTP/AVP 0\r\nm=audio 20000"},
	{"RFC 3605: a=rtcp gives the RTCP port; media-level c= wins", "PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 203.0.113.9\r\na=rtcp:4100\r\n", 0, "PCMU", 0, -1,
	 MEDIA_SENDRECV, "203.0.113.9", 4000, 4100, 20, NULL},
	{"RFC 4733 7.1.1: telephone-event at the codec's clock is preferred", "opus",
	 MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/AVP 111 101 110\r\na=rtpmap:111 opus/48000/2\r\n"
	      "a=rtpmap:101 telephone-event/8000\r\na=rtpmap:110 telephone-event/48000\r\n",
	 0, "opus", 111, 110, MEDIA_SENDRECV, "198.51.100.7", 4000, 4001, 20,
	 "a=rtpmap:110 telephone-event/48000\r\n"},
	{"488: no common codec", "G729", MEDIA_SENDRECV, HEAD "m=audio 4000 RTP/AVP 0 8\r\n",
	 JN_ENOTSUP},
	{"RFC 3264 6, RFC 4568 7.5: 488 for an RTP/SAVP-only offer, SRTP off", "PCMU",
	 MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/SAVP 0\r\n", JN_ENOTSUP},
	{"488: no audio at all", "PCMU", MEDIA_SENDRECV, HEAD "m=video 5000 RTP/AVP 31\r\n",
	 JN_ENOTSUP},
	{"488: IPv6 offer to an IPv4 session", "PCMU", MEDIA_SENDRECV,
	 "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n"
	 "m=audio 4000 RTP/AVP 0\r\n",
	 JN_ENOTSUP},
	{"488: malformed SDP (no v= line)", "PCMU", MEDIA_SENDRECV, "garbage\r\n", JN_EPARSE},
	{"488: non-ASCII in a token (fuzz_sdp: sofia's scanner ran out of memory)", "PCMU",
	 MEDIA_SENDRECV, HEAD "m=audio 4000 RTP/\xac\xbeVP 0\r\n", JN_EPARSE},
	{"488: control bytes in a token (fuzz_sdp: the same)", "PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 4o\x01\x1a" "00 RTP/SAVP 0\r\n", JN_EPARSE},
	{"RFC 4566 5.14: ';' and '=' are no token characters (fuzz_sdp: the same)", "PCMU",
	 MEDIA_SENDRECV, HEAD "m=audio 4000 x;= 0\r\n", JN_EPARSE},
	{"RFC 4566 5.14: proto is token *(\"/\" token) (fuzz_sdp: the same)", "PCMU",
	 MEDIA_SENDRECV, HEAD "m=audio 4000X /e/8000\r\n", JN_EPARSE},
	{"RFC 4566 5: a line starts with its type letter (fuzz_sdp: a TAB hid an m= line)",
	 "PCMU", MEDIA_SENDRECV, HEAD "\tm=audio 4000 RTP/ 0\r\nm=audio 4000 RTP/AVP 0\r\n",
	 JN_EPARSE},
	{"488: a lone CR ends a line too (fuzz_sdp: the same)", "PCMU", MEDIA_SENDRECV,
	 HEAD "m=audio 4000 RTP/AVP 0\r\na=x\n\rm=audio 4000 hM WSH((((v((\r\n", JN_EPARSE},
	{"RFC 4566 5.14: a port count and SAVPF with its formats are fine", "PCMU",
	 MEDIA_SENDRECV,
	 HEAD "m=video 4002/2 RTP/SAVPF 96 97\r\nm=audio 4000 RTP/AVP 0 101\r\n", 0, "PCMU", 0,
	 -1, MEDIA_SENDRECV, "198.51.100.7", 4000, 4001, 20, "m=video 0 RTP/SAVPF 96 97\r\n"},
	{"RFC 4566 5.3: UTF-8 is fine in s= and attribute values", "PCMU", MEDIA_SENDRECV,
	 "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=J\xc3\xbcrgen\r\nc=IN IP4 198.51.100.7\r\n"
	 "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=label:\xc3\xa9\r\n",
	 0, "PCMU", 0, -1, MEDIA_SENDRECV, "198.51.100.7", 4000, 4001, 20, NULL},
	{"488: missing c= line", "PCMU", MEDIA_SENDRECV,
	 "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", JN_EPARSE},
	{"488: host name instead of an address", "PCMU", MEDIA_SENDRECV,
	 "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 example.com\r\nt=0 0\r\n"
	 "m=audio 4000 RTP/AVP 0\r\n",
	 JN_ENOTSUP},
};

static void test_answer_table(void **st)
{
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		const struct answer_case *c = &answers[i];
		struct oa_local l;
		local_init(&l, c->prefs);
		l.dir = c->local_dir;
		struct oa_result res;
		char *ans = NULL, err[128] = "";
		int rc = oa_answer(&l, c->offer, strlen(c->offer), &res, &ans, err, sizeof(err));
		print_message("case %zu: %s -> %d %s\n", i, c->name, rc, err);
		assert_int_equal(rc, c->rc);
		if (rc) {
			assert_true(err[0] != 0);
			assert_null(ans);
			continue;
		}
		assert_string_equal(res.codec->name, c->codec);
		assert_int_equal(res.pt, c->pt);
		assert_int_equal(res.te_pt, c->te_pt);
		assert_int_equal(res.local_dir, c->answer_dir);
		assert_string_equal(res.remote_addr, c->remote_addr);
		assert_int_equal(res.remote_port, c->remote_port);
		assert_int_equal(res.remote_rtcp_port, c->rtcp_port);
		assert_int_equal(res.ptime, c->ptime);
		assert_non_null(strstr(ans, "c=IN IP4 192.0.2.1\r\n"));
		if (c->must)
			assert_non_null(strstr(ans, c->must));
		if (c->must_not)
			assert_null(strstr(ans, c->must_not));
		/* Our answer must itself be valid SDP. */
		assert_int_equal(oa_family(ans, strlen(ans)), AF_INET);
		free(ans);
	}
}

/* RFC 3264 5: the offer lists every preferred codec, telephone-event and
 * our direction; 5.1 / 6.1: the answer's first offered codec is used. */
static void test_offer_and_answer(void **st)
{
	struct oa_local l;
	local_init(&l, "PCMU,opus,G729");
	l.dir = MEDIA_SENDONLY;
	char *off = NULL;
	assert_int_equal(oa_offer(&l, &off), 0);
	assert_non_null(strstr(off, "m=audio 20000 RTP/AVP 0 111 18 101\r\n"));
	assert_non_null(strstr(off, "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\n"));
	assert_non_null(strstr(off, "a=fmtp:18 annexb=no\r\n"));
	assert_non_null(strstr(off, "a=rtpmap:101 telephone-event/8000\r\n"));
	assert_non_null(strstr(off, "a=sendonly\r\n"));
	assert_non_null(strstr(off, "o=junction 42 1 IN IP4 192.0.2.1\r\n"));
	free(off);

	struct oa_result res;
	char err[128];
	const char *ans = HEAD "m=audio 6000 RTP/AVP 18 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
			       "a=recvonly\r\n";
	assert_int_equal(oa_apply_answer(&l, ans, strlen(ans), &res, err, sizeof(err)), 0);
	assert_string_equal(res.codec->name, "G729");
	assert_int_equal(res.pt, 18);
	assert_int_equal(res.te_pt, 101);
	assert_int_equal(res.remote_port, 6000);
	assert_int_equal(res.local_dir, MEDIA_SENDONLY);

	const char *rej = HEAD "m=audio 0 RTP/AVP 0\r\n";
	assert_int_equal(oa_apply_answer(&l, rej, strlen(rej), &res, err, sizeof(err)), JN_ENOTSUP);
	const char *other = HEAD "m=audio 6000 RTP/AVP 8\r\n";
	assert_int_equal(oa_apply_answer(&l, other, strlen(other), &res, err, sizeof(err)),
			 JN_ENOTSUP);
	const char *two = HEAD "m=audio 6000 RTP/AVP 0\r\nm=audio 6002 RTP/AVP 0\r\n";
	assert_int_equal(oa_apply_answer(&l, two, strlen(two), &res, err, sizeof(err)), JN_EPARSE);
}

/* IPv6 sessions write IP6 lines and accept IP6 offers. */
static void test_ipv6(void **st)
{
	struct oa_local l;
	local_init(&l, "PCMU");
	l.family = AF_INET6;
	strcpy(l.addr, "2001:db8::5");
	const char *offer = "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\n"
			    "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
	assert_int_equal(oa_family(offer, strlen(offer)), AF_INET6);
	struct oa_result res;
	char *ans = NULL, err[64];
	assert_int_equal(oa_answer(&l, offer, strlen(offer), &res, &ans, err, sizeof(err)), 0);
	assert_string_equal(res.remote_addr, "2001:db8::1");
	assert_non_null(strstr(ans, "c=IN IP6 2001:db8::5\r\n"));
	free(ans);
}

/* ---- SRTP with SDES (RFC 4568) ---- */

/* The remote's key, bytes 0..29, and ours per suite (local_srtp()). */
#define RKEY    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
#define OURK80  "oKGio6SlpqeoqaqrrK2ur6ChoqOkpaanqKmqq6yt"
#define OURK32  "UFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xt"
#define CR80(t) "a=crypto:" t " AES_CM_128_HMAC_SHA1_80 inline:" RKEY "\r\n"
#define CR32(t) "a=crypto:" t " AES_CM_128_HMAC_SHA1_32 inline:" RKEY "\r\n"

static void local_srtp(struct oa_local *l, media_srtp_t pol)
{
	l->srtp = pol;
	for (int i = 0; i < MSRTP_KEY_LEN; i++) {
		l->srtp_key[0][i] = (uint8_t)(0xa0 + i % 16);
		l->srtp_key[1][i] = (uint8_t)(0x50 + i);
	}
}

struct crypto_case {
	const char *name;
	media_srtp_t pol;
	const char *sdp;
	int rc;
	msrtp_suite_t suite; /* MSRTP_NONE: plain */
	unsigned long tag;
	const char *must, *must_not;
};

/* We answer: policy x what the offer carries. */
static const struct crypto_case crypto_answers[] = {
	{"RFC 4568 7.1.2: off answers best-effort SDES plain", MEDIA_SRTP_OFF,
	 HEAD "m=audio 4000 RTP/AVP 0\r\n" CR80("1"), 0, MSRTP_NONE, 0,
	 "m=audio 20000 RTP/AVP 0\r\n", "crypto"},
	{"RFC 3264 6: off rejects RTP/SAVP", MEDIA_SRTP_OFF,
	 HEAD "m=audio 4000 RTP/SAVP 0\r\n" CR80("1"), JN_ENOTSUP},
	{"offer takes plain RTP/AVP", MEDIA_SRTP_OFFER, HEAD "m=audio 4000 RTP/AVP 0\r\n", 0,
	 MSRTP_NONE, 0, "RTP/AVP 0\r\n", "crypto"},
	{"RFC 4568 7.1.2: RTP/AVP + a=crypto answered with one line, same tag, our key",
	 MEDIA_SRTP_OFFER, HEAD "m=audio 4000 RTP/AVP 0\r\n" CR80("1") CR32("2"), 0,
	 MSRTP_AES_CM_128_HMAC_SHA1_80, 1,
	 "m=audio 20000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" OURK80 "\r\n",
	 "a=crypto:2"},
	{"RFC 4568 6.2.2: RTP/SAVP with _32, tag kept", MEDIA_SRTP_OFFER,
	 HEAD "m=audio 4000 RTP/SAVP 0\r\n" CR32("7"), 0, MSRTP_AES_CM_128_HMAC_SHA1_32, 7,
	 "m=audio 20000 RTP/SAVP 0\r\n", NULL},
	{"RFC 4568 7.1.2: unknown suite skipped, the next line taken", MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 4000 RTP/SAVP 0\r\n"
	      "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
	      "Hh8gISIjJCUmJygpKissLQ==\r\n" CR80("2"),
	 0, MSRTP_AES_CM_128_HMAC_SHA1_80, 2, "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" OURK80,
	 "a=crypto:1"},
	{"RFC 4568 6.1: a line with an MKI is skipped, none left: 488", MEDIA_SRTP_OFFER,
	 HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RKEY
	      "|2^20|1:4\r\n",
	 JN_ENOTSUP},
	{"RFC 4568 6.3: an unknown session parameter declines the line", MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" RKEY
	      " UNENCRYPTED_SRTP\r\n",
	 JN_ENOTSUP},
	{"RFC 4568 6.3.7: WSH is a hint, the line is used", MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" RKEY
	      "|2^31 WSH=128\r\n",
	 0, MSRTP_AES_CM_128_HMAC_SHA1_80, 3, "a=crypto:3 ", NULL},
	{"best effort: bad key on RTP/AVP falls back to plain", MEDIA_SRTP_OFFER,
	 HEAD "m=audio 4000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAEC*wQF\r\n", 0,
	 MSRTP_NONE, 0, "RTP/AVP 0\r\n", "crypto"},
	{"RFC 4568 7.5: require and a plain offer: 488", MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 4000 RTP/AVP 0\r\n", JN_ENOTSUP},
	{"require accepts RTP/AVP + a=crypto (mirrors the transport)", MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 4000 RTP/AVP 0\r\n" CR80("1"), 0, MSRTP_AES_CM_128_HMAC_SHA1_80, 1,
	 "RTP/AVP 0\r\n", NULL},
	{"RFC 3264 6: require rejects the plain stream in place, takes the SDES one",
	 MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/SAVP 0\r\n" CR32("5"), 0,
	 MSRTP_AES_CM_128_HMAC_SHA1_32, 5, "m=audio 0 RTP/AVP 0\r\nm=audio 20000 RTP/SAVP 0\r\n",
	 NULL},
	{"SAVPF is not ours", MEDIA_SRTP_OFFER, HEAD "m=audio 4000 RTP/SAVPF 0\r\n" CR80("1"),
	 JN_ENOTSUP},
	{"DTLS-SRTP is not ours", MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 4000 UDP/TLS/RTP/SAVP 0\r\na=fingerprint:sha-256 00:11\r\n", JN_ENOTSUP},
	{"RFC 4568 7.5: RTP/SAVP without a=crypto: 488", MEDIA_SRTP_OFFER,
	 HEAD "m=audio 4000 RTP/SAVP 0\r\n", JN_ENOTSUP},
};

static void check_keys(const struct oa_local *l, const struct oa_result *res, msrtp_suite_t suite)
{
	assert_int_equal(res->srtp.suite, suite);
	if (suite == MSRTP_NONE)
		return;
	uint8_t rk[MSRTP_KEY_LEN];
	for (int i = 0; i < MSRTP_KEY_LEN; i++)
		rk[i] = (uint8_t)i;
	assert_memory_equal(res->srtp.rx, rk, MSRTP_KEY_LEN);
	assert_memory_equal(res->srtp.tx, l->srtp_key[suite - 1], MSRTP_KEY_LEN);
}

static void test_crypto_answer_table(void **st)
{
	for (size_t i = 0; i < sizeof(crypto_answers) / sizeof(crypto_answers[0]); i++) {
		const struct crypto_case *c = &crypto_answers[i];
		struct oa_local l;
		local_init(&l, "PCMU");
		l.telephone_event = 0;
		local_srtp(&l, c->pol);
		struct oa_result res;
		char *ans = NULL, err[128] = "";
		int rc = oa_answer(&l, c->sdp, strlen(c->sdp), &res, &ans, err, sizeof(err));
		print_message("crypto case %zu: %s -> %d %s\n", i, c->name, rc, err);
		assert_int_equal(rc, c->rc);
		if (rc) {
			assert_true(err[0] != 0);
			assert_null(ans);
			continue;
		}
		check_keys(&l, &res, c->suite);
		assert_int_equal(res.srtp_tag, c->tag);
		if (c->must)
			assert_non_null(strstr(ans, c->must));
		if (c->must_not)
			assert_null(strstr(ans, c->must_not));
		assert_int_equal(oa_family(ans, strlen(ans)), AF_INET);
		free(ans);
	}
}

/* We offered (policy); what the answer carries. */
static const struct crypto_case crypto_applies[] = {
	{"RFC 3264 6.1: off and an RTP/SAVP answer", MEDIA_SRTP_OFF,
	 HEAD "m=audio 6000 RTP/SAVP 0\r\n" CR80("1"), JN_ENOTSUP},
	{"best effort answered plain", MEDIA_SRTP_OFFER, HEAD "m=audio 6000 RTP/AVP 0\r\n", 0,
	 MSRTP_NONE},
	{"RFC 4568 7.1.3: the answer picks our tag 1", MEDIA_SRTP_OFFER,
	 HEAD "m=audio 6000 RTP/AVP 0\r\n" CR80("1"), 0, MSRTP_AES_CM_128_HMAC_SHA1_80, 1},
	{"RFC 4568 7.1.3: the answer picks our tag 2 (_32)", MEDIA_SRTP_OFFER,
	 HEAD "m=audio 6000 RTP/SAVP 0\r\n" CR32("2"), 0, MSRTP_AES_CM_128_HMAC_SHA1_32, 2},
	{"RFC 4568 7.1.3: a tag we offered with another suite", MEDIA_SRTP_OFFER,
	 HEAD "m=audio 6000 RTP/AVP 0\r\n" CR32("1"), JN_ENOTSUP},
	{"RTP/SAVP answer without a=crypto", MEDIA_SRTP_OFFER, HEAD "m=audio 6000 RTP/SAVP 0\r\n",
	 JN_ENOTSUP},
	{"RFC 4568 7.5: require answered plain", MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 6000 RTP/AVP 0\r\n", JN_ENOTSUP},
	{"require answered with SDES", MEDIA_SRTP_REQUIRE,
	 HEAD "m=audio 6000 RTP/SAVP 0\r\n" CR80("1"), 0, MSRTP_AES_CM_128_HMAC_SHA1_80, 1},
};

static void test_crypto_offer_apply(void **st)
{
	static const struct {
		media_srtp_t pol;
		const char *m, *must_not;
	} offers[] = {
	    {MEDIA_SRTP_OFF, "m=audio 20000 RTP/AVP 0\r\n", "crypto"},
	    {MEDIA_SRTP_OFFER,
	     "m=audio 20000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" OURK80 "\r\n"
	     "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" OURK32 "\r\n",
	     "SAVP"},
	    {MEDIA_SRTP_REQUIRE, "m=audio 20000 RTP/SAVP 0\r\n", NULL},
	};
	for (size_t i = 0; i < sizeof(offers) / sizeof(offers[0]); i++) {
		struct oa_local l;
		local_init(&l, "PCMU");
		l.telephone_event = 0;
		local_srtp(&l, offers[i].pol);
		char *off = NULL;
		assert_int_equal(oa_offer(&l, &off), 0);
		assert_non_null(strstr(off, offers[i].m));
		if (offers[i].must_not)
			assert_null(strstr(off, offers[i].must_not));
		free(off);
	}
	for (size_t i = 0; i < sizeof(crypto_applies) / sizeof(crypto_applies[0]); i++) {
		const struct crypto_case *c = &crypto_applies[i];
		struct oa_local l;
		local_init(&l, "PCMU");
		local_srtp(&l, c->pol);
		struct oa_result res;
		char err[128] = "";
		int rc = oa_apply_answer(&l, c->sdp, strlen(c->sdp), &res, err, sizeof(err));
		print_message("apply case %zu: %s -> %d %s\n", i, c->name, rc, err);
		assert_int_equal(rc, c->rc);
		if (rc)
			continue;
		check_keys(&l, &res, c->suite);
		assert_int_equal(res.srtp_tag, c->tag);
	}
}

static int setup(void **st)
{
	media_codecs_builtin();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_table),
		cmocka_unit_test(test_offer_and_answer),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_crypto_answer_table),
		cmocka_unit_test(test_crypto_offer_apply),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
