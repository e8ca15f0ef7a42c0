/* dtmf_tx.c - RFC 4733 telephone-events a session sends (send_dtmf), on
 * the worker thread.
 *
 * The events go into the stream the session already sends (RFC 4733 2.1:
 * same SSRC, sequence numbers continuing, the event's timestamp from the
 * stream's clock): the pipeline's own stream while it encodes (transcoding,
 * a prompt), else the relayed stream of the peer. The relayed stream is
 * re-stamped from the first event on: each packet we put in it shifts the
 * sequence numbers of the relayed packets that follow by one, so the
 * receiver sees one gapless sequence (RFC 3550 A.1). Digits are queued and
 * sent one after the other, each as dtmf's rfc4733_tx series (a first
 * packet with the marker bit, updates every 50 ms, three end packets). */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "../dtmf/dtmf_api.h"
#include "media.h"
#include "pipeline.h"
#include "rtp.h"

#define STAT_ADD(s, f, v) __atomic_fetch_add(&(s)->st.f, (v), __ATOMIC_RELAXED)

#define QMAX 32

struct mdtmf {
	char q[QMAX];
	unsigned qdur[QMAX];
	unsigned qn;
	int on;              /* an event is being sent */
	dtmf_rfc4733_tx_t tx;
	dtmf_rfc4733_pkt_t next; /* the next packet of the series */
	int have_next;
	uint64_t t0;         /* when its first packet went */
	uint32_t ssrc;       /* the stream it goes into */
	int own;             /* the pipeline's stream (else the relayed one) */
};

void mdtmf_free(struct media_session *s)
{
	free(s->dtx);
	s->dtx = NULL;
}

void mdtmf_queue(struct media_session *s, char digit, unsigned duration_ms)
{
	if (!s->dtx && !(s->dtx = calloc(1, sizeof(*s->dtx))))
		return;
	struct mdtmf *d = s->dtx;
	if (d->qn == QMAX)
		return; /* 32 digits waiting already: this one is dropped */
	d->q[d->qn] = digit;
	d->qdur[d->qn] = duration_ms;
	d->qn++;
}

/* A relayed packet towards s: its sequence number moved past the events we
 * put in the stream; remember where the stream is for the next event. */
void mdtmf_relayed(struct media_session *s, uint8_t *buf, uint64_t now)
{
	uint16_t seq = (uint16_t)(rtp_rd16(buf + 2) + s->relay_seq_off);
	rtp_wr16(buf + 2, seq);
	s->relay_seq = seq;
	s->relay_ts = rtp_rd32(buf + 4);
	s->relay_ssrc = rtp_rd32(buf + 8);
	s->relay_ms = now;
	s->relayed = 1;
}

/* A telephone-event packet of the peer, relayed to s while s sends a stream
 * of its own (it transcodes): it joins that stream (SSRC, next sequence
 * number) and its timestamp is moved to s's clock, the same for every
 * packet of one event; a duration is rescaled when the two legs' event
 * clocks differ. 1 when done, 0 when s has no stream of its own (relay
 * re-stamping applies). */
int mdtmf_restamp_event(struct media_session *s, const struct media_session *from, uint8_t *buf,
                        size_t len)
{
	uint32_t ssrc, ts;
	uint16_t *seqp;
	if (len < 16 || !pipe_out_stream(s, &ssrc, &seqp, &ts))
		return 0;
	uint32_t in_ts = rtp_rd32(buf + 4);
	if (!s->tev_have || in_ts != s->tev_in_ts) {
		s->tev_have = 1;
		s->tev_in_ts = in_ts;
		s->tev_out_ts = ts;
	}
	rtp_wr16(buf + 2, (*seqp)++);
	rtp_wr32(buf + 4, s->tev_out_ts);
	rtp_wr32(buf + 8, ssrc);
	unsigned rin = from->p.te_rate ? from->p.te_rate : 8000;
	unsigned rout = s->p.te_rate ? s->p.te_rate : 8000;
	size_t off = 12 + 4u * (buf[0] & 0x0f); /* after the CSRCs */
	if (rin != rout && off + 4 <= len) {
		uint64_t d = (uint64_t)rtp_rd16(buf + off + 2) * rout / rin;
		rtp_wr16(buf + off + 2, (uint16_t)(d > 0xffff ? 0xffff : d));
	}
	return 1;
}

/* Picks the stream for the next event and its start timestamp. */
static int start_event(struct media_session *s, uint64_t now)
{
	struct mdtmf *d = s->dtx;
	uint32_t ts, ssrc;
	uint16_t *seqp;
	unsigned rate = s->p.te_rate ? s->p.te_rate : 8000;
	d->own = pipe_out_stream(s, &ssrc, &seqp, &ts);
	if (!d->own) {
		if (!s->relayed) {
			/* Nothing sent yet: a stream of our own (RFC 3550 5.1). */
			uint32_t rnd[2] = {0, 0};
			if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
				rnd[0] = (uint32_t)(uintptr_t)s;
			s->relay_ssrc = rnd[0];
			s->relay_ts = rnd[1];
			s->relay_seq = (uint16_t)(rnd[1] >> 16);
			s->relay_ms = now;
			s->relayed = 1;
		}
		ssrc = s->relay_ssrc;
		/* Where the relayed stream's clock (the audio's) is now. */
		unsigned clk = s->p.codec ? s->p.codec->clock_rate : rate;
		ts = s->relay_ts + (uint32_t)((now - s->relay_ms) * clk / 1000u);
	}
	char digit = d->q[0];
	unsigned dur = d->qdur[0];
	d->qn--;
	memmove(d->q, d->q + 1, d->qn);
	memmove(d->qdur, d->qdur + 1, d->qn * sizeof(d->qdur[0]));
	if (s->dtmf->rfc4733_tx_init(&d->tx, digit, dur, 10, rate, 50, ts) < 0)
		return -1;
	d->have_next = s->dtmf->rfc4733_tx_next(&d->tx, &d->next);
	d->ssrc = ssrc;
	d->t0 = now;
	d->on = d->have_next;
	return 0;
}

static void send_event_pkt(struct media_session *s, const dtmf_rfc4733_pkt_t *k)
{
	struct mdtmf *d = s->dtx;
	uint32_t ts, ssrc;
	uint16_t *seqp, seq;
	if (d->own && pipe_out_stream(s, &ssrc, &seqp, &ts) && ssrc == d->ssrc) {
		seq = (*seqp)++;
	} else {
		seq = ++s->relay_seq;
		s->relay_seq_off++;
	}
	rtp_hdr_t h = {.marker = (unsigned)k->marker,
	               .pt = (unsigned)s->p.te_pt,
	               .seq = seq,
	               .ts = k->rtp_ts,
	               .ssrc = d->ssrc,
	               .payload = k->payload,
	               .payload_len = sizeof(k->payload)};
	uint8_t pkt[64];
	int len = rtp_build(&h, pkt, sizeof(pkt));
	size_t wlen = len > 0 ? (size_t)len : 0;
	if (len > 0 && msrtp_protect_rtp(s, pkt, &wlen, sizeof(pkt)) == 0 &&
	    sendto(s->rtp_fd, pkt, wlen, 0, (struct sockaddr *)&s->rtp_to, s->to_len) ==
	        (ssize_t)wlen) {
		STAT_ADD(s, tx_packets, 1);
		STAT_ADD(s, tx_bytes, (uint64_t)len);
		rtcp_sess_tx_rtp(s, pkt, (size_t)len);
	}
}

/* On the 20 ms tick: the packets of the current event that are due, then
 * the next queued digit. */
void mdtmf_tick(struct media_session *s, uint64_t now)
{
	struct mdtmf *d = s->dtx;
	if (!d || !s->have_params || s->p.te_pt < 0 || !s->to_len ||
	    !(s->p.local_dir & MEDIA_SENDONLY)) {
		if (d && !d->on)
			d->qn = 0; /* nothing can carry them */
		return;
	}
	for (int guard = 0; guard < 2 * QMAX; guard++) {
		if (!d->on) {
			if (!d->qn || start_event(s, now) < 0)
				return;
			if (!d->on)
				continue;
		}
		if (now < d->t0 + d->next.offset_ms)
			return;
		send_event_pkt(s, &d->next);
		d->have_next = s->dtmf->rfc4733_tx_next(&d->tx, &d->next);
		if (!d->have_next) {
			d->on = 0;
			/* The pipeline's audio goes on after the event (RFC 4733
			 * 2.5.1.5 leaves the choice; we keep its clock). */
			return; /* one event per tick: a gap between digits */
		}
	}
}
