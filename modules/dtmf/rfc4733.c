/*
 * rfc4733.c - RTP telephone-events (RFC 4733, which obsoletes RFC 2833):
 * payload codec, the receive state machine and the sender's packet series.
 *
 * An event is identified by its RTP timestamp (RFC 4733 2.5.2.1): every
 * packet of one digit carries the same timestamp, the duration grows, and
 * the last three carry the E bit. The receiver reports a digit once, when
 * it ends, and ignores whatever arrives later with that timestamp.
 */
#include <stdlib.h>
#include <string.h>

#include <junction/junction.h>

#include "dtmf.h"

/* A segment of a long event covers at most this many units (2.5.1.3). */
#define SEG_MAX         0xFFFFu
#define MAX_DURATION_MS 600000u
#define MAX_RATE        192000u

int dtmf_rfc4733_parse(const uint8_t *p, size_t len, dtmf_rfc4733_block_t *out)
{
	if (!p || !out || len < 4)
		return JN_EPARSE;
	/* 2.3: the R bit is reserved, "MUST be set to 0 by the sender"; a
	 * block with it set is not one we understand. */
	if (p[1] & 0x40)
		return JN_EPARSE;
	out->event = p[0];
	out->end = (p[1] & 0x80) != 0;
	out->volume = p[1] & 0x3f;
	out->duration = (uint16_t)(p[2] << 8 | p[3]);
	return 0;
}

void dtmf_rfc4733_write(const dtmf_rfc4733_block_t *b, uint8_t out[4])
{
	out[0] = b->event;
	out[1] = (uint8_t)((b->end ? 0x80 : 0) | (b->volume & 0x3f));
	out[2] = (uint8_t)(b->duration >> 8);
	out[3] = (uint8_t)(b->duration & 0xff);
}

/* ---- receiver ------------------------------------------------------------ */

struct dtmf_rfc4733_rx {
	unsigned rate;
	dtmf_event_cb cb;
	void *data;
	int active;   /* an event is current (reported or not) */
	int reported; /* ... and was reported: later packets are echoes */
	uint8_t code;
	uint8_t volume;
	uint32_t ts;       /* timestamp of the current segment */
	uint32_t ts0;      /* timestamp of the first segment: the event's id */
	uint64_t seg_base; /* units covered by the completed segments */
	uint32_t dur;      /* largest duration seen in the current segment */
	uint64_t start_ms; /* caller clock */
	uint64_t last_ms;  /* last packet of the current event */
};

dtmf_rfc4733_rx_t *dtmf_rfc4733_rx_new(unsigned clock_rate, dtmf_event_cb cb, void *data)
{
	dtmf_rfc4733_rx_t *rx;

	if (clock_rate == 0 || clock_rate > MAX_RATE || !cb)
		return NULL;
	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return NULL;
	rx->rate = clock_rate;
	rx->cb = cb;
	rx->data = data;
	return rx;
}

void dtmf_rfc4733_rx_free(dtmf_rfc4733_rx_t *rx)
{
	free(rx);
}

void dtmf_rfc4733_rx_reset(dtmf_rfc4733_rx_t *rx)
{
	if (rx)
		rx->active = 0;
}

static uint64_t units_to_ms(const dtmf_rfc4733_rx_t *rx, uint64_t units)
{
	return units * 1000 / rx->rate;
}

static void report(dtmf_rfc4733_rx_t *rx)
{
	dtmf_event_t ev;

	dtmf_event_init(&ev, dtmf_digit_from_code(rx->code), DTMF_SRC_RFC4733);
	ev.start_ms = rx->start_ms;
	ev.duration_ms = (uint32_t)units_to_ms(rx, rx->seg_base + rx->dur);
	ev.volume = rx->volume;
	ev.rtp_ts = rx->ts0;
	rx->reported = 1;
	rx->cb(&ev, rx->data);
}

/* One event block with its own timestamp. Returns the digits reported. */
static int feed_block(dtmf_rfc4733_rx_t *rx, uint32_t ts, const dtmf_rfc4733_block_t *b,
                      uint64_t now_ms)
{
	int n = 0;

	/* Codes above 15 (flash, tones, 3.2 and RFC 4734) are not digits. */
	if (!dtmf_digit_from_code(b->event))
		return 0;
	if (rx->active) {
		int32_t d = (int32_t)(ts - rx->ts); /* serial arithmetic: ts wraps */

		if (d == 0 && b->event == rx->code) {
			/* 2.5.2.1: same timestamp, same event: an update, a
			 * retransmitted end, or an echo after we reported. */
			if (rx->reported)
				return 0;
			if (b->duration > rx->dur)
				rx->dur = b->duration;
			rx->volume = b->volume;
			rx->last_ms = now_ms;
			if (b->end) {
				report(rx);
				return 1;
			}
			return 0;
		}
		if (d < 0)
			return 0; /* late packet of an older event or segment */
		/* 2.5.2.3: a long event goes on in a new segment whose
		 * timestamp is the previous one plus 0xFFFF. */
		if (d > 0 && !rx->reported && b->event == rx->code && (uint32_t)d == SEG_MAX) {
			rx->seg_base += SEG_MAX;
			rx->ts = ts;
			rx->dur = b->duration;
			rx->volume = b->volume;
			rx->last_ms = now_ms;
			if (b->end) {
				report(rx);
				return 1;
			}
			return 0;
		}
		/* A new event while the current one never saw its end (all
		 * three end packets lost): the old digit is over now. */
		if (!rx->reported) {
			report(rx);
			n++;
		}
	}
	rx->active = 1;
	rx->reported = 0;
	rx->code = b->event;
	rx->volume = b->volume;
	rx->ts = rx->ts0 = ts;
	rx->seg_base = 0;
	rx->dur = b->duration;
	/* The first packet seen may be late in the event (lost start): the
	 * digit began duration units before it. */
	{
		uint64_t back = units_to_ms(rx, b->duration);
		rx->start_ms = now_ms > back ? now_ms - back : 0;
	}
	rx->last_ms = now_ms;
	if (b->end) {
		/* Start and updates lost: the end alone still is the digit. */
		report(rx);
		n++;
	}
	return n;
}

int dtmf_rfc4733_rx_feed(dtmf_rfc4733_rx_t *rx, uint32_t rtp_ts, int marker, const uint8_t *payload,
                         size_t len, uint64_t now_ms)
{
	dtmf_rfc4733_block_t b;
	uint32_t ts = rtp_ts;
	int n = 0, rc;

	(void)marker; /* events are told apart by timestamp, not by marker
	                 (the marked packet may be the one lost) */
	if (!rx)
		return JN_EINVAL;
	if ((rc = dtmf_rfc4733_parse(payload, len, &b)) < 0)
		return rc;
	/* 2.5.1.5: several short events may share a packet; the first starts
	 * at the RTP timestamp, each next one where the previous ended. */
	for (size_t off = 0; off + 4 <= len; off += 4) {
		if (off && dtmf_rfc4733_parse(payload + off, len - off, &b) < 0)
			break;
		n += feed_block(rx, ts, &b, now_ms);
		ts += b.duration;
	}
	return n;
}

int dtmf_rfc4733_rx_poll(dtmf_rfc4733_rx_t *rx, uint64_t now_ms)
{
	if (!rx || !rx->active || rx->reported)
		return 0;
	if (now_ms < rx->last_ms + DTMF_RFC4733_RX_TIMEOUT_MS)
		return 0;
	report(rx);
	return 1;
}

/* ---- sender ---------------------------------------------------------------- */

int dtmf_rfc4733_tx_init(dtmf_rfc4733_tx_t *tx, char digit, unsigned duration_ms, unsigned volume,
                         unsigned clock_rate, unsigned interval_ms, uint32_t rtp_ts)
{
	int code = dtmf_digit_to_code(digit);
	uint64_t total;

	if (!tx || code < 0 || duration_ms == 0 || duration_ms > MAX_DURATION_MS ||
	    clock_rate == 0 || clock_rate > MAX_RATE || volume > 63 || interval_ms > 1000)
		return JN_EINVAL;
	if (interval_ms == 0)
		interval_ms = 50; /* 2.5.1.2: "every 50 ms" is the recommended rate */
	total = (uint64_t)duration_ms * clock_rate / 1000;
	if (total == 0)
		return JN_EINVAL;
	memset(tx, 0, sizeof(*tx));
	tx->ts0 = rtp_ts;
	tx->total = (uint32_t)total;
	tx->rate = clock_rate;
	tx->interval_ms = interval_ms;
	tx->interval = (uint32_t)((uint64_t)interval_ms * clock_rate / 1000);
	if (tx->interval == 0)
		tx->interval = 1;
	tx->code = (uint8_t)code;
	tx->volume = (uint8_t)volume;
	return 0;
}

uint32_t dtmf_rfc4733_tx_duration(const dtmf_rfc4733_tx_t *tx)
{
	return tx ? tx->total : 0;
}

int dtmf_rfc4733_tx_next(dtmf_rfc4733_tx_t *tx, dtmf_rfc4733_pkt_t *pkt)
{
	dtmf_rfc4733_block_t b;
	uint64_t seg_base, cum, off_units;
	uint32_t seg_len;
	int last, final = 0;

	if (!tx || !pkt || tx->total == 0 || tx->ends_sent >= 3)
		return 0;
	seg_base = (uint64_t)tx->seg * SEG_MAX;
	seg_len = (uint32_t)(tx->total - seg_base < SEG_MAX ? tx->total - seg_base : SEG_MAX);
	last = seg_base + seg_len >= tx->total;
	memset(pkt, 0, sizeof(*pkt));

	if (tx->ends_sent == 0) {
		uint64_t next = (uint64_t)tx->seg_dur + tx->interval;
		if (next < seg_len) {
			tx->seg_dur = (uint32_t)next; /* 2.5.1.2: an update */
		} else {
			tx->seg_dur = seg_len;
			final = 1;
		}
	} else {
		final = 1; /* 2.5.1.4: the final packet goes out three times */
	}
	b.event = tx->code;
	b.volume = tx->volume;
	b.duration = (uint16_t)tx->seg_dur;
	b.end = (uint8_t)(final && last);
	dtmf_rfc4733_write(&b, pkt->payload);
	pkt->rtp_ts = tx->ts0 + (uint32_t)seg_base;
	pkt->marker = !tx->started; /* 2.5.1.2: marker on the first packet only */
	pkt->end = b.end;
	tx->started = 1;

	/* A packet goes out when the audio it covers is over, like audio:
	 * the one covering up to cum units leaves one interval after the
	 * first, which covers the first interval. */
	cum = seg_base + tx->seg_dur;
	off_units = cum > tx->interval ? cum - tx->interval : 0;
	pkt->offset_ms = (uint32_t)(off_units * 1000 / tx->rate) +
	                 (pkt->end ? tx->ends_sent * tx->interval_ms : 0);

	if (pkt->end) {
		tx->ends_sent++;
	} else if (final) {
		/* 2.5.1.3: segment full, the event goes on with timestamp
		 * + 0xFFFF and the duration counting from zero again. */
		tx->seg++;
		tx->seg_dur = 0;
	}
	return 1;
}
