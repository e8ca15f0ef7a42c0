/* test_srtp.c - SRTP with SDES: the a=crypto grammar (RFC 4568 9.1), the
 * per-session transforms (RFC 3711: round trip, tag sizes, tampering,
 * replay, re-keying), and the engine end to end: an SRTP leg bridged to a
 * plain one, both ways, plus a tone played to the SRTP leg; and the cost of
 * protect + unprotect per packet. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "media.h"
#include "media_fixture.h"
#include "rtp.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static const media_api_t *api = &media_api_v1;

#define KEY0 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd" /* bytes 0..29 */

/* ---- RFC 4568 9.1 grammar ------------------------------------------- */

static const struct {
	const char *why, *line;
	int rc;
	msrtp_suite_t suite;
	unsigned long tag;
} lines[] = {
    {"6.2.1 suite, inline key", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0, 0,
     MSRTP_AES_CM_128_HMAC_SHA1_80, 1},
    {"6.2.2 suite, 9-digit tag", "123456789 AES_CM_128_HMAC_SHA1_32 inline:" KEY0, 0,
     MSRTP_AES_CM_128_HMAC_SHA1_32, 123456789},
    {"6.1 lifetime as 2^n is ignored", "2 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "|2^31", 0,
     MSRTP_AES_CM_128_HMAC_SHA1_80, 2},
    {"6.1 lifetime as a number", "2 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "|1048576", 0,
     MSRTP_AES_CM_128_HMAC_SHA1_80, 2},
    {"6.3.7 WSH is a hint", "3 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 " WSH=256", 0,
     MSRTP_AES_CM_128_HMAC_SHA1_80, 3},
    {"trailing blanks", "3 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "  ", 0,
     MSRTP_AES_CM_128_HMAC_SHA1_80, 3},
    {"6.1 MKI: not usable", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "|2^20|1:4", JN_ENOTSUP},
    {"6.1 MKI without lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "|1:1", JN_ENOTSUP},
    {"6.1 two keys (MKI) not usable",
     "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "|2^20|1:4;inline:" KEY0 "|2^20|2:4", JN_ENOTSUP},
    {"unknown suite", "1 AES_256_CM_HMAC_SHA1_80 inline:" KEY0, JN_ENOTSUP},
    {"RFC 5234 2.3: suite names are case-insensitive", "1 aes_cm_128_hmac_sha1_80 inline:" KEY0,
     0, MSRTP_AES_CM_128_HMAC_SHA1_80, 1},
    {"6.3 UNENCRYPTED_SRTP declines the line",
     "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 " UNENCRYPTED_SRTP", JN_ENOTSUP},
    {"6.3 KDR declines the line", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 " KDR=1", JN_ENOTSUP},
    {"bad base64 character",
     "1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYX*Bkd", JN_EPARSE},
    {"key too short (29 bytes)",
     "1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw=", JN_EPARSE},
    {"key too long (31 bytes)",
     "1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", JN_EPARSE},
    {"no key method", "1 AES_CM_128_HMAC_SHA1_80 " KEY0, JN_EPARSE},
    {"no key", "1 AES_CM_128_HMAC_SHA1_80", JN_EPARSE},
    {"tag of 10 digits", "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" KEY0, JN_EPARSE},
    {"no tag", "AES_CM_128_HMAC_SHA1_80 inline:" KEY0, JN_EPARSE},
    {"bad lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "|2^x", JN_EPARSE},
    {"MKI length 0", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "|1:0", JN_EPARSE},
    {"MKI before lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 "|1:4|2^20", JN_EPARSE},
    {"empty", "", JN_EPARSE},
    {"WSH below 64", "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY0 " WSH=10", JN_EPARSE},
};

static void test_crypto_parse(void **st)
{
	uint8_t k0[MSRTP_KEY_LEN];
	for (int i = 0; i < MSRTP_KEY_LEN; i++)
		k0[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct msrtp_crypto c;
		int rc = msrtp_crypto_parse(lines[i].line, &c);
		print_message("line %zu: %s -> %d\n", i, lines[i].why, rc);
		assert_int_equal(rc, lines[i].rc);
		if (rc)
			continue;
		assert_int_equal(c.suite, lines[i].suite);
		assert_int_equal(c.tag, lines[i].tag);
		assert_memory_equal(c.key, k0, MSRTP_KEY_LEN);
	}
	/* What we write parses back to the same thing. */
	struct msrtp_crypto a = {.tag = 9, .suite = MSRTP_AES_CM_128_HMAC_SHA1_32}, b;
	assert_int_equal(msrtp_keygen(a.key, sizeof(a.key)), 0);
	char buf[128];
	assert_int_equal(msrtp_crypto_format(&a, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), strlen("9 AES_CM_128_HMAC_SHA1_32 inline:") + 40);
	assert_int_equal(msrtp_crypto_parse(buf, &b), 0);
	assert_int_equal(b.tag, 9);
	assert_int_equal(b.suite, a.suite);
	assert_memory_equal(b.key, a.key, MSRTP_KEY_LEN);
	assert_int_equal(msrtp_crypto_format(&a, buf, 20), JN_ERANGE);
	assert_int_equal(msrtp_suite_find("AES_CM_128_HMAC_SHA1_80", 23),
			 MSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_string_equal(msrtp_suite_name(MSRTP_NONE), "");
}

/* ---- transforms (RFC 3711) ---------------------------------------- */

/* Two ends of one SRTP stream pair: x sends with kx, y with ky. */
static void pair_keys(struct media_session *x, struct media_session *y, msrtp_suite_t suite,
		      struct msrtp_keys *yk)
{
	struct msrtp_keys kx = {.suite = suite}, ky = {.suite = suite};
	assert_int_equal(msrtp_keygen(kx.tx, MSRTP_KEY_LEN), 0);
	assert_int_equal(msrtp_keygen(ky.tx, MSRTP_KEY_LEN), 0);
	memcpy(kx.rx, ky.tx, MSRTP_KEY_LEN);
	memcpy(ky.rx, kx.tx, MSRTP_KEY_LEN);
	assert_int_equal(msrtp_apply(x, &kx), 0);
	assert_int_equal(msrtp_apply(y, &ky), 0);
	if (yk)
		*yk = ky;
}

static void pair(struct media_session *x, struct media_session *y, msrtp_suite_t suite)
{
	pair_keys(x, y, suite, NULL);
}

static size_t mk_rtp(uint8_t *buf, size_t cap, uint16_t seq, uint32_t ssrc)
{
	uint8_t pay[160];
	for (size_t i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 7 + seq);
	rtp_hdr_t h = {.pt = 0, .seq = seq, .ts = seq * 160u, .ssrc = ssrc, .payload = pay,
		       .payload_len = sizeof(pay)};
	int n = rtp_build(&h, buf, cap);
	assert_true(n > 0);
	return (size_t)n;
}

static void test_round_trip(void **st)
{
	static const struct {
		msrtp_suite_t suite;
		size_t tag;
	} suites[] = {{MSRTP_AES_CM_128_HMAC_SHA1_80, 10}, {MSRTP_AES_CM_128_HMAC_SHA1_32, 4}};
	for (size_t i = 0; i < 2; i++) {
		struct media_session x = {0}, y = {0};
		pair(&x, &y, suites[i].suite);
		assert_true(msrtp_active(&x));
		uint8_t plain[1536], buf[1536];
		size_t n = mk_rtp(plain, sizeof(plain), 100, 0x1234), len = n;
		memcpy(buf, plain, n);
		assert_int_equal(msrtp_protect_rtp(&x, buf, &len, sizeof(buf)), 0);
		/* RFC 3711 3.1: header in clear, payload encrypted, tag added. */
		assert_int_equal(len, n + suites[i].tag);
		assert_memory_equal(buf, plain, 12);
		assert_memory_not_equal(buf + 12, plain + 12, n - 12);
		uint8_t copy[1536];
		memcpy(copy, buf, len);
		size_t clen = len;
		assert_int_equal(msrtp_unprotect_rtp(&y, buf, &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(buf, plain, n);
		/* RFC 3711 3.3.2: the same packet again is a replay. */
		assert_int_equal(msrtp_unprotect_rtp(&y, copy, &clen), JN_EPARSE);
		/* RFC 3711 3.3: one flipped bit fails authentication. */
		len = n;
		memcpy(buf, plain, n);
		((uint8_t *)buf)[3]++; /* next seq */
		assert_int_equal(msrtp_protect_rtp(&x, buf, &len, sizeof(buf)), 0);
		buf[40] ^= 1;
		assert_int_equal(msrtp_unprotect_rtp(&y, buf, &len), JN_EPARSE);
		/* The receiver's own key does not open it either (wrong direction). */
		len = n;
		mk_rtp(buf, sizeof(buf), 200, 0x1234);
		assert_int_equal(msrtp_protect_rtp(&x, buf, &len, sizeof(buf)), 0);
		assert_int_equal(msrtp_unprotect_rtp(&x, buf, &len), JN_EPARSE);

		/* SRTCP (RFC 3711 3.4): index + 80-bit tag with either suite. */
		uint8_t rr[64] = {0x80, 201, 0, 1, 0, 0, 0x12, 0x34}, rc[64 + MSRTP_ROOM];
		memcpy(rc, rr, 8);
		len = 8;
		assert_int_equal(msrtp_protect_rtcp(&y, rc, &len, sizeof(rc)), 0);
		assert_int_equal(len, 8 + 4 + 10);
		assert_int_equal(msrtp_unprotect_rtcp(&x, rc, &len), 0);
		assert_int_equal(len, 8);
		assert_memory_equal(rc, rr, 8);
		/* No room for the trailer: refused, not overrun. */
		len = n;
		assert_int_equal(msrtp_protect_rtp(&x, plain, &len, n + 4), JN_ERANGE);
		/* Runts. */
		len = 5;
		assert_int_equal(msrtp_unprotect_rtp(&y, buf, &len), JN_EPARSE);
		len = 12;
		assert_int_equal(msrtp_unprotect_rtcp(&y, buf, &len), JN_EPARSE);
		msrtp_free(&x);
		msrtp_free(&y);
		assert_false(msrtp_active(&x));
	}
	/* Without SRTP every call is a no-op. */
	struct media_session p = {0};
	uint8_t b[64] = {0x80};
	size_t l = 20;
	assert_int_equal(msrtp_protect_rtp(&p, b, &l, 20), 0);
	assert_int_equal(msrtp_unprotect_rtp(&p, b, &l), 0);
	assert_int_equal(msrtp_protect_rtcp(&p, b, &l, 20), 0);
	assert_int_equal(msrtp_unprotect_rtcp(&p, b, &l), 0);
	assert_int_equal(l, 20);
	msrtp_free(&p);
}

/* A re-offer that repeats the keys keeps the contexts (replay state and
 * rollover continue); new keys replace them; MSRTP_NONE drops them. */
static void test_rekey(void **st)
{
	struct media_session x = {0}, y = {0};
	struct msrtp_keys same;
	pair_keys(&x, &y, MSRTP_AES_CM_128_HMAC_SHA1_80, &same);
	uint8_t buf[1536], copy[1536];
	size_t n = mk_rtp(buf, sizeof(buf), 5, 77), len = n;
	assert_int_equal(msrtp_protect_rtp(&x, buf, &len, sizeof(buf)), 0);
	memcpy(copy, buf, len);
	size_t clen = len;
	assert_int_equal(msrtp_unprotect_rtp(&y, buf, &len), 0);
	/* y's keys again, as a repeated offer/answer gives them */
	assert_int_equal(msrtp_apply(&y, &same), 0);
	len = clen;
	memcpy(buf, copy, clen);
	assert_int_equal(msrtp_unprotect_rtp(&y, buf, &len), JN_EPARSE); /* still a replay */
	/* New receive key: x's packets no longer open. */
	assert_int_equal(msrtp_keygen(same.rx, MSRTP_KEY_LEN), 0);
	assert_int_equal(msrtp_apply(&y, &same), 0);
	len = n;
	mk_rtp(buf, sizeof(buf), 6, 77);
	assert_int_equal(msrtp_protect_rtp(&x, buf, &len, sizeof(buf)), 0);
	assert_int_equal(msrtp_unprotect_rtp(&y, buf, &len), JN_EPARSE);
	struct msrtp_keys none = {.suite = MSRTP_NONE};
	assert_int_equal(msrtp_apply(&y, &none), 0);
	assert_false(msrtp_active(&y));
	msrtp_free(&x);
}

/* The cost the SRTP leg adds per packet, each way (172-byte G.711 packet). */
static void test_cost(void **st)
{
	struct media_session x = {0}, y = {0};
	pair(&x, &y, MSRTP_AES_CM_128_HMAC_SHA1_80);
	enum { N = 50000 };
	uint8_t buf[1536];
	struct timespec t0, t1;
	double prot = 0, unprot = 0;
	for (int i = 0; i < N; i++) {
		size_t len = mk_rtp(buf, sizeof(buf), (uint16_t)i, 9);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(msrtp_protect_rtp(&x, buf, &len, sizeof(buf)), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		prot += (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
		assert_int_equal(msrtp_unprotect_rtp(&y, buf, &len), 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		unprot += (double)(t0.tv_sec - t1.tv_sec) * 1e9 + (double)(t0.tv_nsec - t1.tv_nsec);
	}
	print_message("SRTP AES_CM_128_HMAC_SHA1_80, 172-byte packets: protect %.2f us, "
		      "unprotect %.2f us\n",
		      prot / N / 1000.0, unprot / N / 1000.0);
	msrtp_free(&x);
	msrtp_free(&y);
}

/* ---- the engine end to end ------------------------------------------ */

static int phone(unsigned *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	socklen_t sl = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sl), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void send_to(int fd, unsigned port, const uint8_t *buf, size_t len)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a)), (ssize_t)len);
}

static int recv_pkt(int fd, unsigned ms, uint8_t *buf, size_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, (int)ms) != 1)
		return -1;
	return (int)recv(fd, buf, len, 0);
}

/* Our key from the a=crypto line of an answer. */
static void answer_key(const char *sdp, struct msrtp_crypto *c)
{
	const char *a = strstr(sdp, "a=crypto:");
	assert_non_null(a);
	char line[160];
	size_t n = strcspn(a + 9, "\r\n");
	assert_true(n < sizeof(line));
	memcpy(line, a + 9, n);
	line[n] = 0;
	assert_int_equal(msrtp_crypto_parse(line, c), 0);
}

static void test_engine_srtp_to_plain(void **st)
{
	unsigned pa_port, pb_port;
	int pa = phone(&pa_port), pb = phone(&pb_port);
	media_session_opts_t o = {.size = sizeof(o), .srtp = MEDIA_SRTP_REQUIRE};
	media_session_t *a, *b;
	assert_int_equal(api->session_create(&o, &a), 0);
	o.near = a;
	o.srtp = MEDIA_SRTP_OFF;
	assert_int_equal(api->session_create(&o, &b), 0);

	/* Phone A offers RTP/SAVP with its key; we answer with ours. */
	struct media_session phone_a = {0};
	struct msrtp_keys pk = {.suite = MSRTP_AES_CM_128_HMAC_SHA1_80};
	assert_int_equal(msrtp_keygen(pk.tx, MSRTP_KEY_LEN), 0);
	struct msrtp_crypto pc = {.tag = 1, .suite = pk.suite};
	memcpy(pc.key, pk.tx, MSRTP_KEY_LEN);
	char cl[128], *offer = NULL, *answer = NULL, err[128] = "";
	assert_int_equal(msrtp_crypto_format(&pc, cl, sizeof(cl)), 0);
	assert_true(asprintf(&offer,
			     "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			     "t=0 0\r\nm=audio %u RTP/SAVP 0\r\na=crypto:%s\r\n",
			     pa_port, cl) > 0);
	assert_int_equal(api->sdp_answer(a, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	assert_non_null(strstr(answer, " RTP/SAVP 0\r\n"));
	struct msrtp_crypto ours;
	answer_key(answer, &ours);
	assert_int_equal(ours.tag, 1);
	memcpy(pk.rx, ours.key, MSRTP_KEY_LEN);
	assert_int_equal(msrtp_apply(&phone_a, &pk), 0);
	free(offer);
	free(answer);
	media_stream_info_t ia = {.size = sizeof(ia)};
	assert_int_equal(api->stream_info(a, &ia), 0);
	assert_string_equal(ia.srtp_suite, "AES_CM_128_HMAC_SHA1_80");

	/* Leg B plain. */
	char *boffer = NULL, *bans = NULL;
	assert_int_equal(api->sdp_offer(b, &boffer), 0);
	assert_null(strstr(boffer, "crypto"));
	free(boffer);
	assert_true(asprintf(&bans,
			     "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			     "t=0 0\r\nm=audio %u RTP/AVP 0\r\n",
			     pb_port) > 0);
	assert_int_equal(api->sdp_apply_answer(b, bans, strlen(bans), err, sizeof(err)), 0);
	free(bans);
	media_stream_info_t ib = {.size = sizeof(ib)};
	assert_int_equal(api->stream_info(b, &ib), 0);
	assert_string_equal(ib.srtp_suite, "");
	assert_int_equal(api->connect(a, b), 0);
	spin(50);

	/* A (SRTP) -> B (plain): decrypted on the way. */
	uint8_t plain[1536], buf[1536];
	size_t n = mk_rtp(plain, sizeof(plain), 10, 0xa1), len = n;
	memcpy(buf, plain, n);
	assert_int_equal(msrtp_protect_rtp(&phone_a, buf, &len, sizeof(buf)), 0);
	send_to(pa, ia.local_port, buf, len);
	int got = recv_pkt(pb, 1000, buf, sizeof(buf));
	assert_int_equal(got, (int)n);
	assert_memory_equal(buf + 12, plain + 12, n - 12);

	/* B (plain) -> A (SRTP): protected towards A, with the 80-bit tag. */
	n = mk_rtp(plain, sizeof(plain), 20, 0xb1);
	send_to(pb, ib.local_port, plain, n);
	got = recv_pkt(pa, 1000, buf, sizeof(buf));
	assert_int_equal(got, (int)n + 10);
	assert_memory_not_equal(buf + 12, plain + 12, n - 12);
	len = (size_t)got;
	assert_int_equal(msrtp_unprotect_rtp(&phone_a, buf, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf + 12, plain + 12, n - 12);

	/* A forged packet (no key) and a replay are dropped and counted. */
	media_stats_t s0 = {.size = sizeof(s0)}, s1 = {.size = sizeof(s1)};
	spin(30);
	assert_int_equal(api->stats(a, &s0), 0);
	n = mk_rtp(plain, sizeof(plain), 11, 0xa1);
	send_to(pa, ia.local_port, plain, n + 10); /* plain RTP + a made-up tag */
	len = n;
	memcpy(buf, plain, n);
	assert_int_equal(msrtp_protect_rtp(&phone_a, buf, &len, sizeof(buf)), 0);
	send_to(pa, ia.local_port, buf, len);
	send_to(pa, ia.local_port, buf, len); /* replayed */
	assert_true(recv_pkt(pb, 1000, plain, sizeof(plain)) > 0); /* the genuine one */
	assert_int_equal(recv_pkt(pb, 200, plain, sizeof(plain)), -1);
	spin(30);
	assert_int_equal(api->stats(a, &s1), 0);
	assert_int_equal(s1.rx_dropped - s0.rx_dropped, 2);

	/* A tone to the SRTP leg goes through the pipeline's sender. */
	uint32_t id;
	assert_int_equal(api->play_tone(a, 1000, 0, -10, 0, 0, 200, &id), 0);
	int ok = 0;
	for (int i = 0; i < 20 && ok < 3; i++) {
		got = recv_pkt(pa, 500, buf, sizeof(buf));
		if (got <= 0)
			break;
		len = (size_t)got;
		if (got == 172 + 10 && msrtp_unprotect_rtp(&phone_a, buf, &len) == 0 && len == 172)
			ok++;
	}
	assert_int_equal(ok, 3);

	/* A re-offer (re-INVITE) with a new key: the worker replaces its
	 * receive context, our answer repeats our key (RFC 4568 7.1.4 allows
	 * keeping it) and the send context carries on. */
	struct msrtp_keys pk2 = pk;
	assert_int_equal(msrtp_keygen(pk2.tx, MSRTP_KEY_LEN), 0);
	memcpy(pc.key, pk2.tx, MSRTP_KEY_LEN);
	assert_int_equal(msrtp_crypto_format(&pc, cl, sizeof(cl)), 0);
	assert_true(asprintf(&offer,
			     "v=0\r\no=p 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			     "t=0 0\r\nm=audio %u RTP/SAVP 0\r\na=crypto:%s\r\n",
			     pa_port, cl) > 0);
	assert_int_equal(api->sdp_answer(a, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	struct msrtp_crypto ours2;
	answer_key(answer, &ours2);
	assert_memory_equal(ours2.key, ours.key, MSRTP_KEY_LEN);
	free(offer);
	free(answer);
	struct media_session old_a = {0};
	assert_int_equal(msrtp_apply(&old_a, &pk), 0);
	assert_int_equal(msrtp_apply(&phone_a, &pk2), 0);
	spin(50);
	assert_int_equal(api->stats(a, &s0), 0);
	n = mk_rtp(plain, sizeof(plain), 600, 0xa1);
	len = n;
	memcpy(buf, plain, n);
	assert_int_equal(msrtp_protect_rtp(&old_a, buf, &len, sizeof(buf)), 0);
	send_to(pa, ia.local_port, buf, len); /* the old key: refused */
	n = mk_rtp(plain, sizeof(plain), 601, 0xa1);
	len = n;
	memcpy(buf, plain, n);
	assert_int_equal(msrtp_protect_rtp(&phone_a, buf, &len, sizeof(buf)), 0);
	send_to(pa, ia.local_port, buf, len); /* the new key: relayed */
	got = recv_pkt(pb, 1000, buf, sizeof(buf));
	assert_int_equal(got, (int)n);
	assert_memory_equal(buf + 12, plain + 12, n - 12);
	spin(30);
	assert_int_equal(api->stats(a, &s1), 0);
	assert_int_equal(s1.rx_dropped - s0.rx_dropped, 1);
	/* ... and bob's audio still opens with the key we kept. */
	while (recv_pkt(pa, 100, buf, sizeof(buf)) > 0) /* the rest of the tone */
		;
	n = mk_rtp(plain, sizeof(plain), 30, 0xb1);
	send_to(pb, ib.local_port, plain, n);
	got = recv_pkt(pa, 1000, buf, sizeof(buf));
	assert_int_equal(got, (int)n + 10);
	len = (size_t)got;
	assert_int_equal(msrtp_unprotect_rtp(&phone_a, buf, &len), 0);
	assert_memory_equal(buf + 12, plain + 12, n - 12);
	msrtp_free(&old_a);

	api->session_destroy(a);
	api->session_destroy(b);
	spin(50);
	msrtp_free(&phone_a);
	close(pa);
	close(pb);
}

/* Echo (a connected to itself) on an SRTP session: what the phone sends
 * comes back protected with our key. */
static void test_engine_echo(void **st)
{
	unsigned pp;
	int p = phone(&pp);
	media_session_opts_t o = {.size = sizeof(o), .srtp = MEDIA_SRTP_OFFER};
	media_session_t *a;
	assert_int_equal(api->session_create(&o, &a), 0);
	char *offer = NULL, *answer = NULL, err[128] = "";
	assert_int_equal(api->sdp_offer(a, &offer), 0);
	/* Best effort: RTP/AVP with both suites (RFC 4568 6.2.1, 6.2.2). */
	assert_non_null(strstr(offer, " RTP/AVP "));
	assert_non_null(strstr(offer, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
	assert_non_null(strstr(offer, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"));
	/* Our _32 key, the phone answers tag 2 with its key. */
	const char *c2 = strstr(offer, "a=crypto:2 ");
	char line[160];
	size_t n = strcspn(c2 + 9, "\r\n");
	memcpy(line, c2 + 9, n);
	line[n] = 0;
	struct msrtp_crypto ours, theirs = {.tag = 2, .suite = MSRTP_AES_CM_128_HMAC_SHA1_32};
	assert_int_equal(msrtp_crypto_parse(line, &ours), 0);
	assert_int_equal(msrtp_keygen(theirs.key, MSRTP_KEY_LEN), 0);
	char cl[128];
	assert_int_equal(msrtp_crypto_format(&theirs, cl, sizeof(cl)), 0);
	assert_true(asprintf(&answer,
			     "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
			     "t=0 0\r\nm=audio %u RTP/AVP 0\r\na=crypto:%s\r\n",
			     pp, cl) > 0);
	assert_int_equal(api->sdp_apply_answer(a, answer, strlen(answer), err, sizeof(err)), 0);
	free(offer);
	free(answer);
	struct media_session ph = {0};
	struct msrtp_keys k = {.suite = MSRTP_AES_CM_128_HMAC_SHA1_32};
	memcpy(k.tx, theirs.key, MSRTP_KEY_LEN);
	memcpy(k.rx, ours.key, MSRTP_KEY_LEN);
	assert_int_equal(msrtp_apply(&ph, &k), 0);
	media_stream_info_t ia = {.size = sizeof(ia)};
	assert_int_equal(api->stream_info(a, &ia), 0);
	assert_string_equal(ia.srtp_suite, "AES_CM_128_HMAC_SHA1_32");
	assert_int_equal(api->connect(a, a), 0);
	spin(50);
	uint8_t plain[1536], buf[1536];
	size_t pn = mk_rtp(plain, sizeof(plain), 300, 0xe1), len = pn;
	memcpy(buf, plain, pn);
	assert_int_equal(msrtp_protect_rtp(&ph, buf, &len, sizeof(buf)), 0);
	assert_int_equal(len, pn + 4);
	send_to(p, ia.local_port, buf, len);
	int got = recv_pkt(p, 1000, buf, sizeof(buf));
	assert_int_equal(got, (int)pn + 4);
	len = (size_t)got;
	assert_int_equal(msrtp_unprotect_rtp(&ph, buf, &len), 0);
	assert_memory_equal(buf + 12, plain + 12, pn - 12);
	api->session_destroy(a);
	spin(50);
	msrtp_free(&ph);
	close(p);
}

static int setup(void **st)
{
	return fx_engine_start(1, 41400, 41499, "PCMU,PCMA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crypto_parse),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rekey),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_engine_srtp_to_plain),
		cmocka_unit_test(test_engine_echo),
	};
	return cmocka_run_group_tests(tests, setup, fx_engine_stop);
}
