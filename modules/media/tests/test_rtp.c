/* test_rtp.c - RTP and RTCP packets (RFC 3550 5.1, 5.3.1, 6.4-6.6, A.2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rtp.h"

/* RFC 3550 5.1: fixed header fields round-trip. */
static void test_rtp_fixed_header(void **st)
{
	uint8_t pay[160], out[256];
	memset(pay, 0xd5, sizeof(pay));
	rtp_hdr_t h = {.marker = 1, .pt = 8, .seq = 0xfffe, .ts = 0x89abcdef, .ssrc = 0xdeadbeef,
		       .payload = pay, .payload_len = sizeof(pay)};
	int n = rtp_build(&h, out, sizeof(out));
	assert_int_equal(n, 172);
	assert_int_equal(out[0], 0x80);
	assert_int_equal(out[1], 0x88);
	rtp_hdr_t p;
	assert_int_equal(rtp_parse(out, (size_t)n, &p), 0);
	assert_int_equal(p.marker, 1);
	assert_int_equal(p.pt, 8);
	assert_int_equal(p.seq, 0xfffe);
	assert_int_equal(p.ts, 0x89abcdef);
	assert_int_equal(p.ssrc, 0xdeadbeef);
	assert_int_equal(p.payload_len, 160);
	assert_ptr_equal(p.payload, out + 12);
	assert_memory_equal(p.payload, pay, 160);
}

/* RFC 3550 5.1 CC/CSRC, 5.3.1 header extension, 5.1 P bit. */
static void test_rtp_csrc_ext_padding(void **st)
{
	uint8_t ext[8] = {0x10, 0xaa, 0, 0, 0, 0, 0, 0}, pay[3] = {1, 2, 3}, out[128];
	rtp_hdr_t h = {.pt = 96, .seq = 1, .ts = 2, .ssrc = 3, .cc = 2, .csrc = {7, 9},
		       .has_ext = 1, .ext_profile = 0xbede, .ext = ext, .ext_len = 8,
		       .payload = pay, .payload_len = 3, .pad_len = 5};
	int n = rtp_build(&h, out, sizeof(out));
	assert_int_equal(n, 12 + 8 + 4 + 8 + 3 + 5);
	rtp_hdr_t p;
	assert_int_equal(rtp_parse(out, (size_t)n, &p), 0);
	assert_int_equal(p.cc, 2);
	assert_int_equal(p.csrc[0], 7);
	assert_int_equal(p.csrc[1], 9);
	assert_true(p.has_ext);
	assert_int_equal(p.ext_profile, 0xbede);
	assert_int_equal(p.ext_len, 8);
	assert_memory_equal(p.ext, ext, 8);
	assert_int_equal(p.payload_len, 3);
	assert_memory_equal(p.payload, pay, 3);
	assert_int_equal(p.pad_len, 5);
	assert_int_equal(out[n - 1], 5);
}

/* Malformed packets are refused, never over-read (RFC 3550 A.1 checks). */
static void test_rtp_malformed(void **st)
{
	uint8_t b[64];
	rtp_hdr_t p;
	memset(b, 0, sizeof(b));
	b[0] = 0x80;
	assert_int_equal(rtp_parse(b, 11, &p), RTP_ESHORT);
	b[0] = 0x40; /* version 1 */
	assert_int_equal(rtp_parse(b, 20, &p), RTP_EVERSION);
	b[0] = 0x8f; /* 15 CSRCs, 60 octets needed */
	assert_int_equal(rtp_parse(b, 40, &p), RTP_ESHORT);
	b[0] = 0x90; /* extension header missing */
	assert_int_equal(rtp_parse(b, 14, &p), RTP_ESHORT);
	b[12] = 0xbe, b[13] = 0xde, b[14] = 0x00, b[15] = 0x10; /* 64 octets claimed */
	assert_int_equal(rtp_parse(b, 24, &p), RTP_ESHORT);
	b[0] = 0xa0; /* padding count 0 */
	b[19] = 0;
	assert_int_equal(rtp_parse(b, 20, &p), RTP_EPAD);
	b[19] = 9; /* more padding than payload (8) */
	assert_int_equal(rtp_parse(b, 20, &p), RTP_EPAD);
	b[19] = 8;
	assert_int_equal(rtp_parse(b, 20, &p), 0);
	assert_int_equal(p.payload_len, 0);
	uint8_t small[20];
	rtp_hdr_t h = {.pt = 0, .payload = b, .payload_len = 10};
	assert_int_equal(rtp_build(&h, small, sizeof(small)), RTP_ESPACE);
}

/* RFC 5761 4: PT 64-95 in the second octet is RTCP (SR = 200 -> 72). */
static void test_rtp_is_rtcp(void **st)
{
	uint8_t sr[2] = {0x80, 200}, rtp[2] = {0x80, 0x00}, m[2] = {0x80, 0x80 | 8};
	assert_true(rtp_is_rtcp(sr, 2));
	assert_false(rtp_is_rtcp(rtp, 2));
	assert_false(rtp_is_rtcp(m, 2));
}

struct sdes_seen {
	int n;
	uint32_t ssrc;
	char cname[64];
};

static int sdes_cb(uint32_t ssrc, unsigned type, const uint8_t *val, size_t len, void *data)
{
	struct sdes_seen *s = data;
	s->n++;
	s->ssrc = ssrc;
	if (type == 1 && len < sizeof(s->cname)) {
		memcpy(s->cname, val, len);
		s->cname[len] = 0;
	}
	return 0;
}

/* RFC 3550 6.1 compound SR + SDES(CNAME) + BYE; 6.4.1 report blocks. */
static void test_rtcp_compound(void **st)
{
	uint8_t b[512];
	size_t off = 0;
	rtcp_sr_info_t sr = {0x11111111, 0x22222222, 0x33333333, 44, 5555};
	rtcp_rb_t rb[2] = {{.ssrc = 0xa, .fraction_lost = 64, .cum_lost = -3, .ext_high_seq = 70000,
			    .jitter = 12, .lsr = 0x1234, .dlsr = 0x5678},
			   {.ssrc = 0xb, .cum_lost = 0x7fffff}};
	assert_int_equal(rtcp_build_sr(b, sizeof(b), &off, 0xcafe, &sr, rb, 2), 0);
	assert_int_equal(rtcp_build_sdes_cname(b, sizeof(b), &off, 0xcafe, "jn@host"), 0);
	assert_int_equal(rtcp_build_bye(b, sizeof(b), &off, 0xcafe, "bye"), 0);
	assert_int_equal(off % 4, 0);
	assert_int_equal(rtcp_validate(b, off, 0), 0);

	size_t it = 0;
	rtcp_pkt_t p;
	assert_int_equal(rtcp_next(b, off, &it, &p), 1);
	assert_int_equal(p.type, RTCP_SR);
	assert_int_equal(p.ssrc, 0xcafe);
	assert_int_equal(p.sr.ntp_sec, 0x11111111);
	assert_int_equal(p.sr.octets, 5555);
	assert_int_equal(p.count, 2);
	assert_int_equal(p.rb[0].fraction_lost, 64);
	assert_int_equal(p.rb[0].cum_lost, -3);
	assert_int_equal(p.rb[0].ext_high_seq, 70000);
	assert_int_equal(p.rb[0].dlsr, 0x5678);
	assert_int_equal(p.rb[1].cum_lost, 0x7fffff);
	assert_int_equal(rtcp_next(b, off, &it, &p), 1);
	assert_int_equal(p.type, RTCP_SDES);
	struct sdes_seen s = {0};
	assert_int_equal(rtcp_sdes_items(&p, sdes_cb, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ssrc, 0xcafe);
	assert_string_equal(s.cname, "jn@host");
	assert_int_equal(rtcp_next(b, off, &it, &p), 1);
	assert_int_equal(p.type, RTCP_BYE);
	assert_int_equal(p.ssrc, 0xcafe);
	assert_int_equal(rtcp_next(b, off, &it, &p), 0);
}

/* RFC 3550 A.2: the first packet is SR or RR; lengths add up; padding only
 * in the last packet; RFC 5506 reduced size relaxes the first rule. */
static void test_rtcp_validate(void **st)
{
	uint8_t b[256];
	size_t off = 0;
	assert_int_equal(rtcp_build_bye(b, sizeof(b), &off, 1, NULL), 0);
	assert_int_equal(rtcp_validate(b, off, 0), RTP_ETYPE);
	assert_int_equal(rtcp_validate(b, off, 1), 0);

	off = 0;
	assert_int_equal(rtcp_build_rr(b, sizeof(b), &off, 1, NULL, 0), 0);
	assert_int_equal(off, 8);
	assert_int_equal(rtcp_validate(b, off, 0), 0);
	assert_int_equal(rtcp_validate(b, off - 1, 0), RTP_ELEN);
	assert_int_equal(rtcp_validate(b, off + 2, 0), RTP_ESHORT);
	b[0] |= 0x20; /* padding in a non-last packet */
	assert_int_equal(rtcp_build_bye(b, sizeof(b), &off, 1, NULL), 0);
	assert_int_equal(rtcp_validate(b, off, 0), RTP_EPAD);
	b[0] = 0x40 | 0; /* version 1 */
	assert_int_equal(rtcp_validate(b, off, 0), RTP_EVERSION);

	/* An RR claiming 2 report blocks with room for none. */
	off = 0;
	assert_int_equal(rtcp_build_rr(b, sizeof(b), &off, 1, NULL, 0), 0);
	b[0] = 0x82;
	size_t it = 0;
	rtcp_pkt_t p;
	assert_int_equal(rtcp_next(b, off, &it, &p), RTP_ELEN);

	/* Builders refuse to overrun. */
	off = 0;
	assert_int_equal(rtcp_build_sdes_cname(b, 12, &off, 1, "toolongname"), RTP_ESPACE);
	assert_int_equal(off, 0);
}

/* RFC 3550 6.5: a truncated SDES item is an error, not an over-read. */
static void test_rtcp_sdes_truncated(void **st)
{
	uint8_t b[64];
	size_t off = 0;
	assert_int_equal(rtcp_build_sdes_cname(b, sizeof(b), &off, 5, "abcdef"), 0);
	rtcp_pkt_t p;
	size_t it = 0;
	assert_int_equal(rtcp_next(b, off, &it, &p), 1);
	p.body_len = 7; /* cut inside the CNAME */
	struct sdes_seen s = {0};
	assert_int_equal(rtcp_sdes_items(&p, sdes_cb, &s), RTP_ELEN);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtp_fixed_header),
		cmocka_unit_test(test_rtp_csrc_ext_padding),
		cmocka_unit_test(test_rtp_malformed),
		cmocka_unit_test(test_rtp_is_rtcp),
		cmocka_unit_test(test_rtcp_compound),
		cmocka_unit_test(test_rtcp_validate),
		cmocka_unit_test(test_rtcp_sdes_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
