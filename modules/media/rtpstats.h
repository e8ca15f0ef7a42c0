/* rtpstats.h - receive statistics of one RTP source, as RFC 3550 appendix A
 * computes them: sequence number tracking with wrap and restart (A.1), the
 * expected and lost counts and the fraction lost of a report interval
 * (A.3), and the interarrival jitter (A.8). Pure functions on a struct the
 * caller owns: no clock, no I/O, so a unit test feeds it exact sequences. */
#ifndef JUNCTION_MEDIA_RTPSTATS_H
#define JUNCTION_MEDIA_RTPSTATS_H

#include <stdint.h>

/* RFC 3550 A.1 constants. */
#define RS_MAX_DROPOUT  3000
#define RS_MAX_MISORDER 100
#define RS_MIN_SEQUENTIAL 2

typedef struct rtpstats {
	int active;          /* a source was seen */
	uint32_t ssrc;
	uint16_t max_seq;    /* highest seq. number seen */
	uint32_t cycles;     /* shifted count of seq. number cycles */
	uint32_t base_seq;   /* base seq number */
	uint32_t bad_seq;    /* last 'bad' seq number + 1 */
	uint32_t probation;  /* sequ. packets till source is valid */
	uint32_t received;   /* packets received (duplicates and late ones included) */
	uint32_t expected_prior, received_prior; /* at the last report (A.3) */
	/* A.8: the jitter estimate scaled by 16, in timestamp units. */
	uint32_t jitter_q4;
	uint32_t transit;
	int have_transit;
} rtpstats_t;

/* A report about the source (the numbers of an RFC 3550 6.4.1 block). */
typedef struct rtpstats_report {
	uint32_t ext_max_seq; /* cycles + max_seq */
	uint32_t expected;    /* ext_max_seq - base_seq + 1 */
	int32_t lost;         /* expected - received, clamped to 24-bit signed */
	uint8_t fraction;     /* lost in the interval / expected in it, x256 */
	uint32_t jitter;      /* timestamp units */
} rtpstats_report_t;

void rtpstats_init(rtpstats_t *rs);

/* One RTP packet: its SSRC, sequence number, timestamp, and its arrival
 * time in the same clock units as the timestamp (wrapping, only the
 * difference between packets matters). A new SSRC restarts the source.
 * jitter 0 skips the A.8 update (packets whose timestamp does not follow
 * the media clock, e.g. RFC 4733 events). Returns 1 when the packet counts
 * (a valid source), 0 while on probation or for a bad jump (A.1). */
int rtpstats_update(rtpstats_t *rs, uint32_t ssrc, uint16_t seq, uint32_t ts, uint32_t arrival,
		    int jitter);

/* Cumulative numbers, without starting a new interval. */
void rtpstats_peek(const rtpstats_t *rs, rtpstats_report_t *r);
/* The numbers for a report block: as peek, and the fraction lost since
 * the previous call (A.3), which starts a new interval. */
void rtpstats_report(rtpstats_t *rs, rtpstats_report_t *r);

#endif
