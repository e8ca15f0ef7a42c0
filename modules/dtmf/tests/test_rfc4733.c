/* test_rfc4733.c - RFC 4733 telephone-events: the receive state machine,
 * the sender's packet series, and the digit pcaps sip-tester ships. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dtmf.h"

#define MAXEV 64

struct got {
	dtmf_event_t ev[MAXEV];
	int n;
};

static void collect(const dtmf_event_t *ev, void *data)
{
	struct got *g = data;

	assert_int_equal(ev->size, sizeof(dtmf_event_t));
	assert_true(g->n < MAXEV);
	g->ev[g->n++] = *ev;
}

/* One telephone-event packet payload. */
static void pl(uint8_t out[4], int event, int end, int volume, unsigned duration)
{
	dtmf_rfc4733_block_t b = {(uint8_t)event, (uint8_t)end, (uint8_t)volume,
	                          (uint16_t)duration};
	dtmf_rfc4733_write(&b, out);
}

static int feed(dtmf_rfc4733_rx_t *rx, uint32_t ts, int marker, int event, int end, int vol,
                unsigned dur, uint64_t now)
{
	uint8_t p[4];

	pl(p, event, end, vol, dur);
	return dtmf_rfc4733_rx_feed(rx, ts, marker, p, 4, now);
}

/* RFC 4733 2.3: the 4-byte layout, E bit, reserved R bit, volume, duration. */
static void test_parse(void **state)
{
	const uint8_t p[] = {0x0b, 0x8a, 0x08, 0xc0};
	const uint8_t r[] = {0x05, 0x4a, 0x00, 0xa0};
	dtmf_rfc4733_block_t b;
	uint8_t w[4];

	assert_int_equal(dtmf_rfc4733_parse(p, 4, &b), 0);
	assert_int_equal(b.event, 11);
	assert_int_equal(b.end, 1);
	assert_int_equal(b.volume, 10);
	assert_int_equal(b.duration, 2240);
	dtmf_rfc4733_write(&b, w);
	assert_memory_equal(w, p, 4);
	assert_int_equal(dtmf_rfc4733_parse(p, 3, &b), JN_EPARSE);
	assert_int_equal(dtmf_rfc4733_parse(NULL, 4, &b), JN_EPARSE);
	assert_int_equal(dtmf_rfc4733_parse(r, 4, &b), JN_EPARSE); /* R set */
	assert_int_equal(dtmf_digit_from_code(10), '*');
	assert_int_equal(dtmf_digit_from_code(11), '#');
	assert_int_equal(dtmf_digit_from_code(15), 'D');
	assert_int_equal(dtmf_digit_from_code(16), 0);
	assert_int_equal(dtmf_digit_to_code('b'), 13);
	assert_int_equal(dtmf_digit_to_code('x'), JN_EINVAL);
}

/* RFC 4733 2.5.2.1: start, updates, three end packets: one digit, reported
 * at the first end packet, with the final duration. */
static void test_normal_digit(void **state)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(8000, collect, &g);

	assert_int_equal(feed(rx, 1000, 1, 5, 0, 10, 0, 10000), 0);
	assert_int_equal(feed(rx, 1000, 0, 5, 0, 10, 400, 10050), 0);
	assert_int_equal(feed(rx, 1000, 0, 5, 0, 10, 800, 10100), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(feed(rx, 1000, 0, 5, 1, 10, 1280, 10160), 1);
	assert_int_equal(feed(rx, 1000, 0, 5, 1, 10, 1280, 10170), 0);
	assert_int_equal(feed(rx, 1000, 0, 5, 1, 10, 1280, 10180), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].digit, '5');
	assert_int_equal(g.ev[0].source, DTMF_SRC_RFC4733);
	assert_int_equal(g.ev[0].duration_ms, 160);
	assert_int_equal(g.ev[0].volume, 10);
	assert_int_equal(g.ev[0].rtp_ts, 1000);
	assert_int_equal(g.ev[0].start_ms, 10000);
	assert_int_equal(dtmf_rfc4733_rx_poll(rx, 99999), 0);
	dtmf_rfc4733_rx_free(rx);
}

/* RFC 4733 2.5.1.4 / 2.5.2.1: ends retransmitted many times, a late
 * (reordered) update after the end, and a repeat of the start: still one
 * digit, since all share the event's timestamp. */
static void test_retransmitted_ends(void **state)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(8000, collect, &g);

	feed(rx, 4242, 1, 11, 0, 10, 0, 0);
	feed(rx, 4242, 0, 11, 1, 10, 800, 100);
	for (int i = 0; i < 6; i++)
		assert_int_equal(feed(rx, 4242, 0, 11, 1, 10, 800, 110 + i), 0);
	assert_int_equal(feed(rx, 4242, 0, 11, 0, 10, 400, 200), 0); /* late update */
	assert_int_equal(feed(rx, 4242, 1, 11, 0, 10, 0, 210), 0);   /* start again */
	assert_int_equal(dtmf_rfc4733_rx_poll(rx, 5000), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].digit, '#');
	assert_int_equal(g.ev[0].duration_ms, 100);
	dtmf_rfc4733_rx_free(rx);
}

/* RFC 4733 2.5.2.1: the start and update packets are lost; the first
 * packet seen is an end packet: the digit is still reported, and its start
 * is placed duration before that packet. */
static void test_lost_start(void **state)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(8000, collect, &g);

	assert_int_equal(feed(rx, 777, 0, 10, 1, 7, 1600, 5000), 1);
	assert_int_equal(feed(rx, 777, 0, 10, 1, 7, 1600, 5010), 0);
	assert_int_equal(feed(rx, 777, 0, 10, 1, 7, 1600, 5020), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].digit, '*');
	assert_int_equal(g.ev[0].duration_ms, 200);
	assert_int_equal(g.ev[0].start_ms, 4800);
	dtmf_rfc4733_rx_free(rx);
}

/* RFC 4733 2.5.2.1: a new timestamp is a new event, even for the same
 * digit ("55" is two digits). */
static void test_same_digit_twice(void **state)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(8000, collect, &g);
	uint32_t t2 = 1000 + 800 + 480; /* after 100 ms tone and 60 ms gap */

	for (int k = 0; k < 2; k++) {
		uint32_t ts = k ? t2 : 1000;
		feed(rx, ts, 1, 5, 0, 10, 0, 0);
		feed(rx, ts, 0, 5, 0, 10, 400, 0);
		for (int i = 0; i < 3; i++)
			feed(rx, ts, 0, 5, 1, 10, 800, 0);
	}
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ev[0].digit, '5');
	assert_int_equal(g.ev[1].digit, '5');
	assert_int_equal(g.ev[0].rtp_ts, 1000);
	assert_int_equal(g.ev[1].rtp_ts, t2);
	/* an end packet of the first digit, arriving late, is not a third */
	assert_int_equal(feed(rx, 1000, 0, 5, 1, 10, 800, 0), 0);
	assert_int_equal(g.n, 2);
	dtmf_rfc4733_rx_free(rx);
}

/* RFC 4733 2.5.1.3 / 2.5.2.3: an event longer than 0xFFFF units goes on in
 * a new segment with timestamp + 0xFFFF; the receiver sums the segments
 * into one digit. 10 s at 8 kHz = 80000 units. */
static void test_long_event(void **state)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(8000, collect, &g);
	uint32_t ts = 0xFFFFF000u; /* and the timestamp wraps in between */
	unsigned d;

	feed(rx, ts, 1, 1, 0, 12, 0, 0);
	for (d = 400; d < 0xFFFF; d += 400)
		assert_int_equal(feed(rx, ts, 0, 1, 0, 12, d, d / 8), 0);
	assert_int_equal(feed(rx, ts, 0, 1, 0, 12, 0xFFFF, 8191), 0);
	ts += 0xFFFF;
	for (d = 400; d < 80000 - 0xFFFF; d += 400)
		assert_int_equal(feed(rx, ts, 0, 1, 0, 12, d, 8192 + d / 8), 0);
	assert_int_equal(g.n, 0);
	for (int i = 0; i < 3; i++)
		feed(rx, ts, 0, 1, 1, 12, 80000 - 0xFFFF, 10000);
	/* a late packet of the first segment changes nothing */
	assert_int_equal(feed(rx, 0xFFFFF000u, 0, 1, 0, 12, 0xFFFF, 10001), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].digit, '1');
	assert_int_equal(g.ev[0].duration_ms, 10000);
	assert_int_equal(g.ev[0].rtp_ts, 0xFFFFF000u);
	dtmf_rfc4733_rx_free(rx);
}

/* All three end packets lost: the next event ends the digit, and so does
 * silence past the timeout (rfc4733_rx_poll). */
static void test_lost_ends(void **state)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(8000, collect, &g);

	feed(rx, 100, 1, 3, 0, 10, 0, 0);
	feed(rx, 100, 0, 3, 0, 10, 400, 50);
	assert_int_equal(feed(rx, 3000, 1, 4, 0, 10, 0, 400), 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].digit, '3');
	assert_int_equal(g.ev[0].duration_ms, 50);
	assert_int_equal(dtmf_rfc4733_rx_poll(rx, 400 + DTMF_RFC4733_RX_TIMEOUT_MS - 1), 0);
	assert_int_equal(dtmf_rfc4733_rx_poll(rx, 400 + DTMF_RFC4733_RX_TIMEOUT_MS), 1);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ev[1].digit, '4');
	/* its ends arriving after all are echoes now */
	assert_int_equal(feed(rx, 3000, 0, 4, 1, 10, 800, 1000), 0);
	assert_int_equal(g.n, 2);
	dtmf_rfc4733_rx_free(rx);
}

/* Non-digit events (16 = flash, RFC 4733 3.2) are not digits; malformed
 * payloads are refused; a reset forgets the current event. */
static void test_non_digit_and_reset(void **state)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(8000, collect, &g);
	uint8_t shortp[3] = {1, 0x80, 0};

	assert_int_equal(feed(rx, 10, 1, 16, 1, 10, 800, 0), 0);
	assert_int_equal(dtmf_rfc4733_rx_feed(rx, 10, 0, shortp, 3, 0), JN_EPARSE);
	feed(rx, 20, 1, 9, 0, 10, 400, 0);
	dtmf_rfc4733_rx_reset(rx);
	assert_int_equal(dtmf_rfc4733_rx_poll(rx, 100000), 0);
	assert_int_equal(g.n, 0);
	assert_null(dtmf_rfc4733_rx_new(0, collect, &g));
	assert_null(dtmf_rfc4733_rx_new(8000, NULL, &g));
	dtmf_rfc4733_rx_free(rx);
}

/* RFC 4733 2.5.1.5: several events in one packet; the second starts where
 * the first ended. */
static void test_multiple_events_in_packet(void **state)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(8000, collect, &g);
	uint8_t p[8];

	pl(p, 1, 1, 10, 800);
	pl(p + 4, 2, 1, 10, 800);
	assert_int_equal(dtmf_rfc4733_rx_feed(rx, 5000, 1, p, 8, 0), 2);
	assert_int_equal(dtmf_rfc4733_rx_feed(rx, 5000, 1, p, 8, 0), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ev[0].digit, '1');
	assert_int_equal(g.ev[1].digit, '2');
	assert_int_equal(g.ev[1].rtp_ts, 5800);
	dtmf_rfc4733_rx_free(rx);
}

/* RFC 4733 2.5.1: the sender's series for a 100 ms digit at 8 kHz: first
 * packet marked, updates every 50 ms with growing duration, three end
 * packets with the final duration, all with the event's timestamp. */
static void test_tx_series(void **state)
{
	dtmf_rfc4733_tx_t tx;
	dtmf_rfc4733_pkt_t pk[8];
	dtmf_rfc4733_block_t b;
	int n = 0;

	assert_int_equal(dtmf_rfc4733_tx_init(&tx, '7', 200, 10, 8000, 50, 160), 0);
	while (n < 8 && dtmf_rfc4733_tx_next(&tx, &pk[n]))
		n++;
	assert_int_equal(n, 6); /* 400 800 1200 | 1600 x3 */
	assert_int_equal(dtmf_rfc4733_tx_next(&tx, &pk[0]), 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(dtmf_rfc4733_parse(pk[i].payload, 4, &b), 0);
		assert_int_equal(b.event, 7);
		assert_int_equal(b.volume, 10);
		assert_int_equal(pk[i].rtp_ts, 160);
		assert_int_equal(pk[i].marker, i == 0);
		assert_int_equal(pk[i].end, i >= 3);
		assert_int_equal(b.end, i >= 3);
		assert_int_equal(b.duration, i < 3 ? 400 * (i + 1) : 1600);
		assert_int_equal(pk[i].offset_ms, 50 * i);
	}
	assert_int_equal(dtmf_rfc4733_tx_duration(&tx), 1600);
	assert_int_equal(dtmf_rfc4733_tx_init(&tx, 'x', 100, 10, 8000, 50, 0), JN_EINVAL);
	assert_int_equal(dtmf_rfc4733_tx_init(&tx, '1', 0, 10, 8000, 50, 0), JN_EINVAL);
	assert_int_equal(dtmf_rfc4733_tx_init(&tx, '1', 100, 64, 8000, 50, 0), JN_EINVAL);
	assert_int_equal(dtmf_rfc4733_tx_init(&tx, '1', 100, 10, 0, 50, 0), JN_EINVAL);
}

/* The sender's series, with packets lost or not, always comes back as the
 * same digit through the receiver (RFC 4733 2.5.1 against 2.5.2),
 * including a long event of several segments and a 48 kHz clock. */
static void roundtrip(char digit, unsigned ms, unsigned rate, uint32_t ts, int drop_first,
                      int drop_ends)
{
	struct got g = {0};
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(rate, collect, &g);
	dtmf_rfc4733_tx_t tx;
	dtmf_rfc4733_pkt_t p;
	int i = 0, segs = 0;
	uint32_t last_ts = ts, last_off = 0;

	assert_non_null(rx);
	assert_int_equal(dtmf_rfc4733_tx_init(&tx, digit, ms, 10, rate, 50, ts), 0);
	while (dtmf_rfc4733_tx_next(&tx, &p)) {
		assert_true(p.offset_ms >= last_off); /* in send order */
		last_off = p.offset_ms;
		if (p.rtp_ts != last_ts) {
			assert_int_equal(p.rtp_ts - last_ts, 0xFFFF);
			segs++;
			last_ts = p.rtp_ts;
		}
		if (!(drop_first && i < drop_first) && !(drop_ends && p.end))
			dtmf_rfc4733_rx_feed(rx, p.rtp_ts, p.marker, p.payload, 4,
			                     1000 + p.offset_ms);
		i++;
	}
	dtmf_rfc4733_rx_poll(rx, 1000 + last_off + DTMF_RFC4733_RX_TIMEOUT_MS);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].digit, dtmf_digit_normalize(digit));
	assert_int_equal(g.ev[0].rtp_ts, ts);
	assert_int_equal(segs, (int)(((uint64_t)ms * rate / 1000 - 1) / 0xFFFF));
	if (!drop_ends)
		assert_int_equal(g.ev[0].duration_ms, ms);
	dtmf_rfc4733_rx_free(rx);
}

static void test_tx_rx_roundtrip(void **state)
{
	const char *digits = "0123456789*#ABCDa";

	for (const char *d = digits; *d; d++) {
		roundtrip(*d, 100, 8000, (uint32_t)(d - digits) * 7919u, 0, 0);
		roundtrip(*d, 40, 8000, 0xFFFFFF00u, 0, 0); /* shorter than one interval */
		roundtrip(*d, 250, 48000, 12345, 2, 0);     /* lost start and update */
		roundtrip(*d, 300, 8000, 99, 0, 1);         /* all ends lost */
	}
	roundtrip('9', 20000, 8000, 0xFFFF0000u, 0, 0); /* 3 segments, wraps */
	roundtrip('9', 20000, 8000, 0xFFFF0000u, 5, 0);
	roundtrip('#', 5000, 48000, 7, 0, 0); /* 4 segments at 48 kHz */
}

/* ---- sip-tester's digit pcaps ---------------------------------------------
 * A small pcap reader: classic pcap, Ethernet (optionally one VLAN tag),
 * IPv4, UDP, RTP. Each RTP packet is handed to a callback. */
typedef void (*rtp_cb)(int pt, int marker, uint16_t seq, uint32_t ts, const uint8_t *payload,
                       size_t len, void *data);

static uint32_t rd32(const uint8_t *p, int swap)
{
	return swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	            : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int rtp_from_frame(const uint8_t *f, size_t len, rtp_cb cb, void *data)
{
	size_t off = 14, ihl, hlen;
	unsigned et;

	if (len < 14)
		return -1;
	et = (unsigned)f[12] << 8 | f[13];
	if (et == 0x8100 && len >= 18) {
		et = (unsigned)f[16] << 8 | f[17];
		off = 18;
	}
	if (et != 0x0800 || len < off + 20 || (f[off] >> 4) != 4)
		return -1;
	ihl = (size_t)(f[off] & 15) * 4;
	if (f[off + 9] != 17 || ihl < 20 || len < off + ihl + 8)
		return -1;
	off += ihl + 8; /* UDP header */
	if (len < off + 12 || (f[off] >> 6) != 2)
		return -1;
	hlen = 12 + (size_t)(f[off] & 15) * 4;
	if (f[off] & 0x10) { /* header extension */
		if (len < off + hlen + 4)
			return -1;
		hlen += 4 + (size_t)((f[off + hlen + 2] << 8 | f[off + hlen + 3]) * 4);
	}
	if (len < off + hlen)
		return -1;
	size_t plen = len - off - hlen;
	if ((f[off] & 0x20) && plen) /* padding */
		plen -= f[len - 1] <= plen ? f[len - 1] : plen;
	cb(f[off + 1] & 0x7f, f[off + 1] >> 7, (uint16_t)(f[off + 2] << 8 | f[off + 3]),
	   (uint32_t)f[off + 4] << 24 | (uint32_t)f[off + 5] << 16 | (uint32_t)f[off + 6] << 8 |
	       f[off + 7],
	   f + off + hlen, plen, data);
	return 0;
}

/* Returns the number of RTP packets found, or -1. */
static int pcap_rtp(const char *path, rtp_cb cb, void *data)
{
	FILE *fp = fopen(path, "rb");
	uint8_t gh[24], ph[16], *frame = NULL;
	int swap, n = 0;

	if (!fp)
		return -1;
	if (fread(gh, 1, 24, fp) != 24)
		goto bad;
	if (rd32(gh, 0) == 0xa1b2c3d4u || rd32(gh, 0) == 0xa1b23c4du)
		swap = 0;
	else if (rd32(gh, 1) == 0xa1b2c3d4u || rd32(gh, 1) == 0xa1b23c4du)
		swap = 1;
	else
		goto bad;
	if (rd32(gh + 20, swap) != 1) /* LINKTYPE_ETHERNET */
		goto bad;
	while (fread(ph, 1, 16, fp) == 16) {
		uint32_t incl = rd32(ph + 8, swap);
		if (incl > 65535)
			goto bad;
		frame = malloc(incl ? incl : 1);
		if (!frame || fread(frame, 1, incl, fp) != incl)
			goto bad;
		if (rtp_from_frame(frame, incl, cb, data) == 0)
			n++;
		free(frame);
		frame = NULL;
	}
	fclose(fp);
	return n;
bad:
	free(frame);
	fclose(fp);
	return -1;
}

struct pcap_feed {
	dtmf_rfc4733_rx_t *rx;
	uint64_t now;
	int events_pt; /* the telephone-event payload type seen */
};

static void feed_rtp(int pt, int marker, uint16_t seq, uint32_t ts, const uint8_t *payload,
                     size_t len, void *data)
{
	struct pcap_feed *f = data;

	(void)seq;
	if (pt != 101) /* the dynamic type sipp's captures use for telephone-event */
		return;
	f->events_pt = pt;
	f->now += 20;
	assert_true(dtmf_rfc4733_rx_feed(f->rx, ts, marker, payload, len, f->now) >= 0);
}

/* RFC 4733 2.5.2: each of sip-tester's dtmf_2833_*.pcap (start, updates,
 * three ends sent with one sequence number) yields exactly its digit. */
static void test_sipp_pcaps(void **state)
{
	static const struct {
		const char *name;
		char digit;
	} files[] = {
	    {"0", '0'}, {"1", '1'}, {"2", '2'}, {"3", '3'}, {"4", '4'},    {"5", '5'},
	    {"6", '6'}, {"7", '7'}, {"8", '8'}, {"9", '9'}, {"star", '*'}, {"pound", '#'},
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256];
		struct got g = {0};
		struct pcap_feed f = {dtmf_rfc4733_rx_new(8000, collect, &g), 0, 0};
		int n;

		snprintf(path, sizeof(path), "/usr/share/sip-tester/dtmf_2833_%s.pcap",
		         files[i].name);
		n = pcap_rtp(path, feed_rtp, &f);
		if (n <= 0)
			fail_msg("%s: no RTP packets read", path);
		dtmf_rfc4733_rx_poll(f.rx, f.now + 10 * DTMF_RFC4733_RX_TIMEOUT_MS);
		if (g.n != 1 || g.ev[0].digit != files[i].digit)
			fail_msg("%s: %d events, first '%c', expected one '%c'", path, g.n,
			         g.n ? g.ev[0].digit : '-', files[i].digit);
		assert_int_equal(g.ev[0].duration_ms, 280); /* 2240 units at 8 kHz */
		assert_int_equal(g.ev[0].volume, 10);
		dtmf_rfc4733_rx_free(f.rx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_normal_digit),
	    cmocka_unit_test(test_retransmitted_ends),
	    cmocka_unit_test(test_lost_start),
	    cmocka_unit_test(test_same_digit_twice),
	    cmocka_unit_test(test_long_event),
	    cmocka_unit_test(test_lost_ends),
	    cmocka_unit_test(test_non_digit_and_reset),
	    cmocka_unit_test(test_multiple_events_in_packet),
	    cmocka_unit_test(test_tx_series),
	    cmocka_unit_test(test_tx_rx_roundtrip),
	    cmocka_unit_test(test_sipp_pcaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
