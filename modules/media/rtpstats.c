/* rtpstats.c - RFC 3550 A.1, A.3 and A.8, written as the appendix gives
 * them so that the numbers match any other implementation of it. */
#include "rtpstats.h"

#include <string.h>

#define RTP_SEQ_MOD (1u << 16)

void rtpstats_init(rtpstats_t *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static void init_seq(rtpstats_t *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

/* RFC 3550 A.1 update_seq(), including the probation of a new source. */
static int update_seq(rtpstats_t *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		/* packet is in sequence */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->received++;
				return 1;
			}
		} else {
			s->probation = RS_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return 0;
	} else if (udelta < RS_MAX_DROPOUT) {
		/* in order, with permissible gap */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD; /* sequence number wrapped */
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - RS_MAX_MISORDER) {
		/* the sequence number made a very large jump */
		if (seq == s->bad_seq) {
			/* Two sequential packets: assume the other side
			 * restarted without telling us, re-sync. */
			init_seq(s, seq);
		} else {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return 0;
		}
	} else {
		/* duplicate or reordered packet */
	}
	s->received++;
	return 1;
}

int rtpstats_update(rtpstats_t *rs, uint32_t ssrc, uint16_t seq, uint32_t ts, uint32_t arrival,
		    int jitter)
{
	if (!rs->active || rs->ssrc != ssrc) {
		/* A.1: a new source starts on probation; the stream it
		 * replaces is forgotten. */
		rtpstats_init(rs);
		rs->active = 1;
		rs->ssrc = ssrc;
		init_seq(rs, seq);
		rs->max_seq = (uint16_t)(seq - 1);
		rs->probation = RS_MIN_SEQUENTIAL;
	}
	int ok = update_seq(rs, seq);
	if (!ok || !jitter)
		return ok;
	/* A.8: transit = arrival - timestamp; D = transit - previous transit;
	 * J += (|D| - J) / 16, kept scaled by 16 in integers. */
	uint32_t transit = arrival - ts;
	if (rs->have_transit) {
		int32_t d = (int32_t)(transit - rs->transit);
		if (d < 0)
			d = -d;
		rs->jitter_q4 += (uint32_t)d - ((rs->jitter_q4 + 8) >> 4);
	}
	rs->transit = transit;
	rs->have_transit = 1;
	return 1;
}

void rtpstats_peek(const rtpstats_t *rs, rtpstats_report_t *r)
{
	memset(r, 0, sizeof(*r));
	if (!rs->active || rs->probation)
		return;
	/* A.3 */
	r->ext_max_seq = rs->cycles + rs->max_seq;
	r->expected = r->ext_max_seq - rs->base_seq + 1;
	int64_t lost = (int64_t)r->expected - rs->received;
	/* The report block carries 24 signed bits (RFC 3550 6.4.1). */
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	r->lost = (int32_t)lost;
	r->jitter = rs->jitter_q4 >> 4;
}

void rtpstats_report(rtpstats_t *rs, rtpstats_report_t *r)
{
	rtpstats_peek(rs, r);
	if (!rs->active || rs->probation)
		return;
	uint32_t expected_interval = r->expected - rs->expected_prior;
	rs->expected_prior = r->expected;
	uint32_t received_interval = rs->received - rs->received_prior;
	rs->received_prior = rs->received;
	int32_t lost_interval = (int32_t)(expected_interval - received_interval);
	if (expected_interval == 0 || lost_interval <= 0)
		r->fraction = 0;
	else
		r->fraction = (uint8_t)(((uint32_t)lost_interval << 8) / expected_interval);
}
