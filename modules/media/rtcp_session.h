/* rtcp_session.h - the RTCP of one session (one leg), run by the worker that
 * owns it (RFC 3550 6):
 *
 *  - receive statistics of every RTP packet the leg sends us (rtpstats.c:
 *    RFC 3550 A.1/A.3/A.8), relayed streams included;
 *  - every 5 s (x 0.5..1.5 at random, RFC 3550 6.2/6.3.1; the first after
 *    2.5 s x 0.5..1.5) a compound report to the leg: SR when we sent it
 *    RTP since the last report, else RR, with one report block about the
 *    stream it sends us, and SDES CNAME; BYE when the session goes;
 *  - incoming SR give the LSR/DLSR of our next block; incoming report
 *    blocks about the SSRC we send with give the round-trip time
 *    (now - LSR - DLSR, RFC 3550 6.4.1) and the leg's view of our stream;
 *  - a MOS estimate (emodel.c) after each of these.
 *
 * RTCP is terminated per leg, never relayed: each leg gets reports about
 * what it exchanges with Junction, under the SSRC of the RTP it gets from
 * us (the relayed source's, or the pipeline's when we encode), so the
 * phone can match our SR to the stream (its LSR, hence our RTT). A relayed
 * peer's own reports would describe a hop the leg does not see (and a
 * transcoded stream has other SSRCs and sequence numbers altogether).
 * The results go to s->st (atomics) for the SIP thread. */
#ifndef JUNCTION_MEDIA_RTCP_SESSION_H
#define JUNCTION_MEDIA_RTCP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "rtpstats.h"

struct media_session;

#define RTCP_INTERVAL_MS 5000u /* RFC 3550 6.2 minimum */

struct rtcp_sess {
	int init;
	uint32_t own_ssrc; /* before we send RTP, or when the leg's own SSRC
	                      comes back to it (echo) */
	uint64_t rnd;      /* xorshift state for the interval */
	rtpstats_t rx;     /* what the leg sends us */
	/* What we send the leg. */
	int tx_active;
	uint32_t tx_ssrc, tx_last_ts, tx_packets, tx_octets;
	uint64_t tx_last_us;   /* monotonic time of the last RTP sent */
	uint32_t tx_at_report; /* tx_packets at our last report */
	/* The leg's last SR (for LSR/DLSR). */
	uint32_t sr_ssrc, sr_ntp32;
	uint64_t sr_rx_us;
	int have_sr;
	uint64_t next_ms; /* next report due (worker's ms clock) */
	int32_t remote_lost;
	uint32_t rtt_ms;
	int have_rtt;
};

/* ---- engine hooks (worker thread) ---- */
/* An RTP packet the session accepted (validated and latched). */
void rtcp_sess_rx_rtp(struct media_session *s, const uint8_t *buf, size_t len);
/* An RTP packet we sent to the session's remote (relay or encoder). */
void rtcp_sess_tx_rtp(struct media_session *s, const uint8_t *buf, size_t len);
/* An RTCP compound packet from the leg. */
void rtcp_sess_rx_rtcp(struct media_session *s, const uint8_t *buf, size_t len);
/* Sends a report when one is due (called every 100 ms or so). */
void rtcp_sess_poll(struct media_session *s, uint64_t now_ms);
/* RTCP BYE (RFC 3550 6.6) for the SSRC we used, before the sockets close. */
void rtcp_sess_bye(struct media_session *s);

/* ---- pure helpers (unit tests) ---- */
/* The middle 32 bits of an NTP timestamp (RFC 3550 4): sec.frac. */
uint32_t rtcp_ntp32(uint32_t ntp_sec, uint32_t ntp_frac);
/* RFC 3550 6.4.1: round trip in 1/65536 s from our clock now (NTP middle
 * 32 bits) and a report block's LSR/DLSR; -1 when LSR is 0 (no SR seen
 * yet) or the numbers are inconsistent (a negative delay). */
int64_t rtcp_rtt_q16(uint32_t now32, uint32_t lsr, uint32_t dlsr);

#endif
