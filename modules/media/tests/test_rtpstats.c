/* test_rtpstats.c - receive statistics and per-leg RTCP with exact numbers:
 * RFC 3550 A.1 (probation, wrap at 65535, restart after a jump, duplicate
 * and reordered packets), A.3 (expected, cumulative lost, fraction lost of
 * an interval), A.8 (interarrival jitter from known timestamps and arrival
 * times), 6.4.1 (RTT = A - LSR - DLSR with the RFC's own example), and a
 * session's reports on a real UDP socket: SR with our sending SSRC and its
 * counts, one report block about what we receive, LSR/DLSR of the leg's SR
 * echoed back, RTT and the leg's view from its RR, RR when we sent nothing
 * new, BYE, and no SSRC collision when the leg's own stream is echoed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "media.h"
#include "rtcp_session.h"
#include "rtp.h"
#include "rtpstats.h"

/* Feeds seq with the timestamp and arrival of a steady 20 ms stream. */
static int feed(rtpstats_t *rs, uint32_t ssrc, uint16_t seq, unsigned i)
{
	return rtpstats_update(rs, ssrc, seq, 1000u + 160u * i, 50000u + 160u * i, 1);
}

static void test_in_order_and_loss(void **st)
{
	rtpstats_t rs;
	rtpstats_init(&rs);
	/* A.1: a new source is valid after MIN_SEQUENTIAL (2) packets in a
	 * row; the first is not counted, the second is the base. */
	assert_int_equal(feed(&rs, 7, 1000, 0), 0);
	for (unsigned i = 1; i < 100; i++)
		if (i != 10 && i != 20) /* two losses */
			assert_int_equal(feed(&rs, 7, (uint16_t)(1000 + i), i), 1);
	rtpstats_report_t r;
	rtpstats_report(&rs, &r);
	assert_int_equal(r.ext_max_seq, 1099);
	assert_int_equal(r.expected, 99); /* 1001 .. 1099 */
	assert_int_equal(r.lost, 2);
	assert_int_equal(r.fraction, (2 * 256) / 99); /* A.3: 5 */
	assert_int_equal(r.jitter, 0);                 /* constant transit */
	/* The next interval: 10 packets, one lost. */
	for (unsigned i = 100; i < 110; i++)
		if (i != 105)
			feed(&rs, 7, (uint16_t)(1000 + i), i);
	rtpstats_report(&rs, &r);
	assert_int_equal(r.expected, 109);
	assert_int_equal(r.lost, 3);
	assert_int_equal(r.fraction, 256 / 10); /* 25 */
	/* No new packet: an empty interval reports 0. */
	rtpstats_report(&rs, &r);
	assert_int_equal(r.fraction, 0);
	assert_int_equal(r.lost, 3);
}

static void test_reorder_duplicate(void **st)
{
	rtpstats_t rs;
	rtpstats_init(&rs);
	uint16_t order[] = {1, 2, 3, 5, 4, 6, 7, 7, 8, 10, 9};
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		feed(&rs, 9, order[i], order[i]);
	rtpstats_report_t r;
	rtpstats_peek(&rs, &r);
	/* Base 2, max 10: 9 expected; received 2..10 plus the duplicate 7:
	 * 10. RFC 3550 6.4.1 counts duplicates, so lost is -1. */
	assert_int_equal(r.expected, 9);
	assert_int_equal(r.ext_max_seq, 10);
	assert_int_equal(r.lost, -1);
	rtpstats_report(&rs, &r);
	assert_int_equal(r.fraction, 0); /* negative interval loss reports 0 */
}

static void test_wrap(void **st)
{
	rtpstats_t rs;
	rtpstats_init(&rs);
	for (unsigned i = 0; i < 12; i++)
		feed(&rs, 3, (uint16_t)(65530 + i), i); /* 65530 .. 65535, 0 .. 5 */
	rtpstats_report_t r;
	rtpstats_peek(&rs, &r);
	assert_int_equal(rs.cycles, 65536);
	assert_int_equal(r.ext_max_seq, 65536 + 5);
	assert_int_equal(r.expected, 11); /* 65531 .. 65541 */
	assert_int_equal(r.lost, 0);
	/* A late packet from before the wrap does not count a cycle. */
	feed(&rs, 3, 65534, 4);
	rtpstats_peek(&rs, &r);
	assert_int_equal(r.ext_max_seq, 65536 + 5);
	assert_int_equal(r.lost, -1);
}

static void test_restart_and_ssrc(void **st)
{
	rtpstats_t rs;
	rtpstats_init(&rs);
	for (unsigned i = 0; i < 10; i++)
		feed(&rs, 5, (uint16_t)(100 + i), i);
	/* A jump beyond MAX_DROPOUT: the first packet is held as bad ... */
	assert_int_equal(feed(&rs, 5, 20000, 10), 0);
	rtpstats_report_t r;
	rtpstats_peek(&rs, &r);
	assert_int_equal(r.ext_max_seq, 109);
	/* ... the next in sequence re-syncs (the sender restarted). */
	assert_int_equal(feed(&rs, 5, 20001, 11), 1);
	assert_int_equal(feed(&rs, 5, 20002, 12), 1);
	rtpstats_peek(&rs, &r);
	assert_int_equal(r.ext_max_seq, 20002);
	assert_int_equal(r.expected, 2);
	assert_int_equal(r.lost, 0);
	/* A new SSRC is a new source, on probation again. */
	assert_int_equal(feed(&rs, 6, 50, 13), 0);
	rtpstats_peek(&rs, &r);
	assert_int_equal(r.expected, 0);
	assert_int_equal(feed(&rs, 6, 51, 14), 1);
	rtpstats_peek(&rs, &r);
	assert_int_equal(r.expected, 1);
}

/* A.8 with known numbers: 8 kHz, 160 per packet; packet 3 arrives 80
 * units (10 ms) late. D: 0, 80, 80, 0 -> J (x16, integer form of A.8):
 * 0, 80, 80 + 80 - 5 = 155, 155 - 10 = 145; reported 145 >> 4 = 9 (the
 * float form gives 9.08). */
static void test_jitter(void **st)
{
	rtpstats_t rs;
	rtpstats_init(&rs);
	uint32_t late[] = {0, 0, 0, 80, 0, 0};
	for (unsigned i = 0; i < 6; i++)
		rtpstats_update(&rs, 1, (uint16_t)i, 160u * i, 7u + 160u * i + late[i], 1);
	assert_int_equal(rs.jitter_q4, 145);
	rtpstats_report_t r;
	rtpstats_peek(&rs, &r);
	assert_int_equal(r.jitter, 9);
	/* Packets flagged not to count for jitter (RFC 4733 events) leave it. */
	rtpstats_update(&rs, 1, 6, 0, 123456, 0);
	assert_int_equal(rs.jitter_q4, 145);
	/* Timestamp and arrival wrap at 2^32 without a spike. */
	rtpstats_init(&rs);
	for (unsigned i = 0; i < 5; i++)
		rtpstats_update(&rs, 2, (uint16_t)i, 0xffffff00u + 160u * i, 0xfffffff0u + 160u * i,
				1);
	assert_int_equal(rs.jitter_q4, 0);
}

/* RFC 3550 6.4.1's example: A = 0xb710:8000, LSR = 0xb705:2000, DLSR =
 * 0x0005:4000 -> delay 0x0006:2000 (6.125 s). */
static void test_rtt_example(void **st)
{
	assert_int_equal(rtcp_rtt_q16(0xb7108000u, 0xb7052000u, 0x00054000u), 0x00062000);
	assert_int_equal(rtcp_rtt_q16(0xb7108000u, 0, 0x00054000u), -1); /* no SR yet */
	assert_int_equal(rtcp_rtt_q16(0xb7052000u, 0xb7052000u, 0x10u), -1); /* negative */
	assert_int_equal(rtcp_ntp32(0xaabb1234u, 0x5678ffffu), 0x12345678u);
}

/* SR -> its LSR -> an RR block carrying LSR/DLSR -> RTT, through the
 * packet builders and parser, with known times. */
static void test_sr_rr_round_trip(void **st)
{
	uint8_t buf[256];
	size_t off = 0;
	rtcp_sr_info_t sr = {.ntp_sec = 0xaabb1234u, .ntp_frac = 0x56780000u, .rtp_ts = 4242,
			     .packets = 10, .octets = 1600};
	assert_int_equal(rtcp_build_sr(buf, sizeof(buf), &off, 0x2222, &sr, NULL, 0), 0);
	size_t pos = 0;
	rtcp_pkt_t p;
	assert_int_equal(rtcp_next(buf, off, &pos, &p), 1);
	assert_int_equal(p.type, RTCP_SR);
	uint32_t lsr = rtcp_ntp32(p.sr.ntp_sec, p.sr.ntp_frac);
	assert_int_equal(lsr, 0x12345678u);
	/* The peer holds it 1.5 s and answers; it arrives 100 ms of network
	 * round trip later. */
	rtcp_rb_t rb = {.ssrc = 0x2222, .lsr = lsr, .dlsr = 0x18000};
	off = 0;
	assert_int_equal(rtcp_build_rr(buf, sizeof(buf), &off, 0x1111, &rb, 1), 0);
	pos = 0;
	assert_int_equal(rtcp_next(buf, off, &pos, &p), 1);
	assert_int_equal(p.type, RTCP_RR);
	assert_int_equal(p.count, 1);
	int64_t q = rtcp_rtt_q16(lsr + 0x18000u + 6554u, p.rb[0].lsr, p.rb[0].dlsr);
	assert_int_equal(q, 6554);
	assert_int_equal((q * 1000 + 32768) / 65536, 100);
}

/* ---- a session on real sockets ---- */

static int udp_bound(struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t l = sizeof(*a);
	assert_int_equal(bind(fd, (struct sockaddr *)a, sizeof(*a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)a, &l), 0);
	return fd;
}

static size_t rtp_pkt(uint8_t *b, uint32_t ssrc, uint16_t seq, uint32_t ts)
{
	memset(b, 0, 172);
	b[0] = 0x80;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = (uint8_t)(ts >> 24);
	b[5] = (uint8_t)(ts >> 16);
	b[6] = (uint8_t)(ts >> 8);
	b[7] = (uint8_t)ts;
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	return 172;
}

static ssize_t recv_within(int fd, uint8_t *b, size_t n, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return recv(fd, b, n, 0);
}

static struct media_session *new_session(int *phone)
{
	struct media_session *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	struct sockaddr_in me, ph;
	s->rtcp_fd = udp_bound(&me);
	s->rtp_fd = -1;
	*phone = udp_bound(&ph);
	memcpy(&s->rtcp_to, &ph, sizeof(ph));
	s->to_len = sizeof(ph);
	s->have_params = 1;
	s->p.codec = &media_codec_pcmu;
	s->p.pt = 0;
	s->p.ptime = 20;
	return s;
}

static void free_session(struct media_session *s, int phone)
{
	close(s->rtcp_fd);
	close(phone);
	free(s);
}

static void test_session_reports(void **st)
{
	int phone;
	struct media_session *s = new_session(&phone);
	uint8_t b[512];
	/* The leg sends us 100..149 but 120; we send it 10 packets. */
	for (unsigned i = 100; i < 150; i++)
		if (i != 120)
			rtcp_sess_rx_rtp(s, b, rtp_pkt(b, 0x1111, (uint16_t)i, 160 * i));
	for (unsigned i = 0; i < 10; i++)
		rtcp_sess_tx_rtp(s, b, rtp_pkt(b, 0x2222, (uint16_t)i, 5000 + 160 * i));
	rtcp_sess_poll(s, 1000);          /* arms the first interval (<= 3.75 s) */
	assert_int_equal(recv_within(phone, b, sizeof(b), 50), -1);
	rtcp_sess_poll(s, 1000 + 3800);   /* due */
	ssize_t n = recv_within(phone, b, sizeof(b), 1000);
	assert_true(n > 0);
	assert_int_equal(rtcp_validate(b, (size_t)n, 0), 0);
	size_t off = 0;
	rtcp_pkt_t p;
	assert_int_equal(rtcp_next(b, (size_t)n, &off, &p), 1);
	assert_int_equal(p.type, RTCP_SR); /* we sent RTP since the last report */
	assert_int_equal(p.ssrc, 0x2222);  /* under the SSRC the leg gets from us */
	assert_int_equal(p.sr.packets, 10);
	assert_int_equal(p.sr.octets, 1600);
	assert_int_equal(p.count, 1);
	assert_int_equal(p.rb[0].ssrc, 0x1111);
	assert_int_equal(p.rb[0].ext_high_seq, 149);
	assert_int_equal(p.rb[0].cum_lost, 1);            /* 101..149 expected: 49 */
	assert_int_equal(p.rb[0].fraction_lost, 256 / 49); /* 5 */
	assert_int_equal(p.rb[0].lsr, 0);                  /* no SR from the leg yet */
	/* SR timestamp: the last packet's (6440) plus the time since, on
	 * the 8 kHz clock: within a second of it. */
	assert_true(p.sr.rtp_ts - 6440u < 8000u);
	uint32_t our_lsr = rtcp_ntp32(p.sr.ntp_sec, p.sr.ntp_frac);
	assert_int_equal(rtcp_next(b, (size_t)n, &off, &p), 1);
	assert_int_equal(p.type, RTCP_SDES);
	assert_int_equal(rtcp_next(b, (size_t)n, &off, &p), 0);
	assert_int_equal(s->st.rtcp_tx, 1);
	assert_int_equal(s->st.fraction_lost, 5);

	/* The leg's SR + RR about our stream: as if our SR had left 100 ms
	 * earlier and the leg answered at once, the RTT is 100 ms. */
	size_t len = 0;
	rtcp_sr_info_t sr = {.ntp_sec = 0x0001aaaau, .ntp_frac = 0xbbbb0000u};
	rtcp_rb_t rb = {.ssrc = 0x2222, .fraction_lost = 12, .cum_lost = 3, .jitter = 80,
			.lsr = our_lsr - 6554u, .dlsr = 0};
	assert_int_equal(rtcp_build_sr(b, sizeof(b), &len, 0x1111, &sr, &rb, 1), 0);
	rtcp_sess_rx_rtcp(s, b, len);
	assert_in_range(s->st.rtt_ms, 100, 130);
	assert_int_equal(s->st.remote_lost, 3);
	assert_int_equal(s->st.remote_fraction_lost, 12);
	assert_int_equal(s->st.remote_jitter_ms, 10); /* 80 / 8 kHz */
	/* MOS: G.711 with PLC, 1/49 lost, delay 50 + 2 jitter + 20 ms:
	 * R = 93.2 - 95 * 2.04 / (2.04 + 25.1) = 86.06 -> 4.30 .. 4.31. */
	assert_in_range(s->st.mos_x100, 420, 435);
	assert_int_equal(s->st.rx_expected, 49);
	assert_int_equal(s->st.rx_lost, 1);

	/* Next report: nothing sent since -> RR; it echoes the leg's SR
	 * (LSR = middle bits of its NTP time, DLSR = how long we held it). */
	rtcp_sess_poll(s, 1000000);
	n = recv_within(phone, b, sizeof(b), 1000);
	assert_true(n > 0);
	off = 0;
	assert_int_equal(rtcp_next(b, (size_t)n, &off, &p), 1);
	assert_int_equal(p.type, RTCP_RR);
	assert_int_equal(p.ssrc, 0x2222);
	assert_int_equal(p.rb[0].lsr, 0xaaaabbbbu);
	assert_true(p.rb[0].dlsr < 65536u / 10);
	assert_int_equal(p.rb[0].fraction_lost, 0); /* nothing new received */

	/* BYE as the session goes: RR, SDES, BYE for our SSRC. */
	rtcp_sess_bye(s);
	n = recv_within(phone, b, sizeof(b), 1000);
	assert_true(n > 0);
	assert_int_equal(rtcp_validate(b, (size_t)n, 0), 0);
	off = 0;
	unsigned types = 0;
	while (rtcp_next(b, (size_t)n, &off, &p) > 0) {
		types = types << 8 | p.type;
		if (p.type == RTCP_BYE)
			assert_int_equal(p.ssrc, 0x2222);
	}
	assert_int_equal(types, (RTCP_RR << 16) | (RTCP_SDES << 8) | RTCP_BYE);

	/* Garbage is counted as dropped, not parsed. */
	uint64_t dropped = s->st.rx_dropped;
	rtcp_sess_rx_rtcp(s, (const uint8_t *)"\x80\xc8\x00\x09", 4);
	assert_int_equal(s->st.rx_dropped, dropped + 1);
	free_session(s, phone);
}

/* Echo: the leg's own SSRC comes back to it; our reports must not use it
 * (RFC 3550 8.2 would make the leg see a collision). */
static void test_session_echo_ssrc(void **st)
{
	int phone;
	struct media_session *s = new_session(&phone);
	uint8_t b[512];
	for (unsigned i = 0; i < 5; i++) {
		size_t l = rtp_pkt(b, 0x7777, (uint16_t)i, 160 * i);
		rtcp_sess_rx_rtp(s, b, l);
		rtcp_sess_tx_rtp(s, b, l);
	}
	rtcp_sess_poll(s, 1);
	rtcp_sess_poll(s, 10000);
	ssize_t n = recv_within(phone, b, sizeof(b), 1000);
	assert_true(n > 0);
	size_t off = 0;
	rtcp_pkt_t p;
	assert_int_equal(rtcp_next(b, (size_t)n, &off, &p), 1);
	assert_int_equal(p.type, RTCP_SR); /* we sent RTP: the leg gets an LSR */
	assert_int_not_equal(p.ssrc, 0x7777);
	assert_int_equal(p.sr.packets, 5);
	assert_int_equal(p.rb[0].ssrc, 0x7777);
	free_session(s, phone);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_order_and_loss), cmocka_unit_test(test_reorder_duplicate),
	    cmocka_unit_test(test_wrap),              cmocka_unit_test(test_restart_and_ssrc),
	    cmocka_unit_test(test_jitter),            cmocka_unit_test(test_rtt_example),
	    cmocka_unit_test(test_sr_rr_round_trip),  cmocka_unit_test(test_session_reports),
	    cmocka_unit_test(test_session_echo_ssrc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
