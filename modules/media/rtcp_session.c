/* rtcp_session.c - per-leg RTCP: statistics, reports, RTT and MOS (see
 * rtcp_session.h). Worker thread only, except what it publishes in s->st. */
#include "rtcp_session.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "emodel.h"
#include "media.h"
#include "rtp.h"
#include "srtp.h"

#define PUT(s, f, v) __atomic_store_n(&(s)->st.f, (v), __ATOMIC_RELAXED)
#define GET(s, f)    __atomic_load_n(&(s)->st.f, __ATOMIC_RELAXED)
#define STAT_ADD(s, f, v) __atomic_fetch_add(&(s)->st.f, (v), __ATOMIC_RELAXED)

/* Seconds from 1900 (NTP era 0) to 1970. */
#define NTP_UNIX_OFFSET 2208988800u

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void ntp_now(uint32_t *sec, uint32_t *frac)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = (uint32_t)((uint64_t)ts.tv_sec + NTP_UNIX_OFFSET);
	*frac = (uint32_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}

uint32_t rtcp_ntp32(uint32_t ntp_sec, uint32_t ntp_frac)
{
	return ntp_sec << 16 | ntp_frac >> 16;
}

int64_t rtcp_rtt_q16(uint32_t now32, uint32_t lsr, uint32_t dlsr)
{
	if (!lsr)
		return -1;
	/* Modulo 2^32 as the fields are; a round trip longer than half of
	 * 65536 s is not one. */
	uint32_t rtt = now32 - lsr - dlsr;
	if (rtt & 0x80000000u)
		return -1;
	return rtt;
}

static uint64_t xorshift(struct rtcp_sess *r)
{
	uint64_t x = r->rnd;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return r->rnd = x;
}

/* RFC 3550 6.3.1 randomisation: the interval times 0.5 .. 1.5. */
static uint64_t interval_ms(struct rtcp_sess *r, unsigned base)
{
	return base / 2 + xorshift(r) % (base + 1);
}

static void sess_init(struct media_session *s)
{
	struct rtcp_sess *r = &s->rtcp;
	if (r->init)
		return;
	uint64_t rnd[2] = {0, 0};
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		rnd[0] = (uint64_t)(uintptr_t)s ^ mono_us();
		rnd[1] = mono_us() * 0x9e3779b97f4a7c15ull;
	}
	r->own_ssrc = (uint32_t)rnd[0];
	r->rnd = rnd[1] | 1;
	rtpstats_init(&r->rx);
	r->init = 1;
}

static unsigned clock_rate(const struct media_session *s)
{
	return s->have_params && s->p.codec && s->p.codec->clock_rate ? s->p.codec->clock_rate
								       : 8000;
}

void rtcp_sess_rx_rtp(struct media_session *s, const uint8_t *buf, size_t len)
{
	if (len < RTP_HDR_LEN)
		return;
	sess_init(s);
	unsigned rate = clock_rate(s);
	/* Arrival time in timestamp units (A.8); only differences count. */
	uint32_t arrival = (uint32_t)(mono_us() * rate / 1000000u);
	uint16_t seq = (uint16_t)(buf[2] << 8 | buf[3]);
	/* RFC 4733 events keep the timestamp of the event's start: they
	 * count for loss, not for jitter. */
	int media = s->have_params && (int)(buf[1] & 0x7f) == s->p.pt;
	rtpstats_update(&s->rtcp.rx, rtp_rd32(buf + 8), seq, rtp_rd32(buf + 4), arrival, media);
}

void rtcp_sess_tx_rtp(struct media_session *s, const uint8_t *buf, size_t len)
{
	if (len < RTP_HDR_LEN)
		return;
	sess_init(s);
	struct rtcp_sess *r = &s->rtcp;
	uint32_t ssrc = rtp_rd32(buf + 8);
	if (!r->tx_active || ssrc != r->tx_ssrc) {
		/* SR counts are per SSRC (RFC 3550 6.4.1). */
		r->tx_active = 1;
		r->tx_ssrc = ssrc;
		r->tx_packets = r->tx_octets = 0;
		r->tx_at_report = 0;
	}
	size_t hdr = RTP_HDR_LEN + 4u * (buf[0] & 0x0f);
	r->tx_packets++;
	r->tx_octets += len > hdr ? (uint32_t)(len - hdr) : 0;
	r->tx_last_ts = rtp_rd32(buf + 4);
	r->tx_last_us = mono_us();
}

/* The SSRC our reports go under: the one of the RTP the leg gets from us,
 * so that it can tie our SR to that stream; our own while we send nothing,
 * or when that is the leg's own SSRC coming back (echo), which it would
 * take for a collision (RFC 3550 8.2). */
static uint32_t report_ssrc(const struct rtcp_sess *r)
{
	if (r->tx_active && !(r->rx.active && r->rx.ssrc == r->tx_ssrc))
		return r->tx_ssrc;
	return r->own_ssrc;
}

/* Loss, jitter, RTT and MOS of the stream the leg sends us, to s->st. */
static void publish(struct media_session *s)
{
	struct rtcp_sess *r = &s->rtcp;
	rtpstats_report_t rep;
	rtpstats_peek(&r->rx, &rep);
	unsigned rate = clock_rate(s);
	uint32_t jitter_ms = (uint32_t)((uint64_t)rep.jitter * 1000u / rate);
	uint32_t lost = rep.lost > 0 ? (uint32_t)rep.lost : 0;
	PUT(s, rx_expected, rep.expected);
	PUT(s, rx_lost, lost);
	PUT(s, rx_jitter_ms, jitter_ms);
	if (r->have_rtt)
		PUT(s, rtt_ms, r->rtt_ms);
	if (!rep.expected) {
		PUT(s, mos_x100, 0u);
		return;
	}
	/* A decoding session also loses what came too late for playout. */
	uint32_t jb_lost = GET(s, lost);
	double loss = 100.0 * (jb_lost > lost ? jb_lost : lost) / rep.expected;
	/* One way: half the round trip, plus the receiver's jitter buffer,
	 * taken as an adaptive one holds it: about twice the jitter and one
	 * packet. */
	unsigned ptime = s->have_params && s->p.ptime ? s->p.ptime : 20;
	double delay = (r->have_rtt ? r->rtt_ms / 2.0 : 0.0) + 2.0 * jitter_ms + ptime;
	/* The receiver conceals loss: our pipeline does (spandsp PLC or the
	 * codec's own), and so do the phones that matter. */
	const emodel_codec_t *c = emodel_codec(s->have_params && s->p.codec ? s->p.codec->name
									  : NULL,
					       rate, 1);
	double mos = emodel_mos(emodel_r(c, delay, loss));
	PUT(s, mos_x100, (uint32_t)(mos * 100.0 + 0.5));
}

/* The one place our RTCP leaves: every report and BYE is sent here. */
static int rtcp_send(struct media_session *s, uint8_t *buf, size_t len, size_t cap)
{
	/* SRTCP (RFC 3711 3.4) on an SRTP session; a no-op otherwise. */
	if (msrtp_protect_rtcp(s, buf, &len, cap) < 0)
		return -1;
	if (sendto(s->rtcp_fd, buf, len, 0, (const struct sockaddr *)&s->rtcp_to, s->to_len) !=
	    (ssize_t)len)
		return -1;
	STAT_ADD(s, rtcp_tx, 1);
	return 0;
}

static int can_send(const struct media_session *s)
{
	return s->rtcp_fd >= 0 && s->have_params && s->to_len &&
	       (s->rtcp_to.ss_family == AF_INET || s->rtcp_to.ss_family == AF_INET6);
}

static void cname(const struct rtcp_sess *r, char *out, size_t n)
{
	/* RFC 7022 short-term persistent CNAME: random, per session. */
	snprintf(out, n, "%08x%08x@junction", r->own_ssrc, (uint32_t)(r->own_ssrc * 2654435761u));
}

static void send_report(struct media_session *s)
{
	struct rtcp_sess *r = &s->rtcp;
	uint8_t buf[256 + MSRTP_ROOM];
	size_t off = 0;
	uint32_t ssrc = report_ssrc(r);
	rtcp_rb_t rb = {0};
	unsigned nrb = 0;
	if (r->rx.active && !r->rx.probation) {
		rtpstats_report_t rep;
		rtpstats_report(&r->rx, &rep);
		rb.ssrc = r->rx.ssrc;
		rb.fraction_lost = rep.fraction;
		rb.cum_lost = rep.lost;
		rb.ext_high_seq = rep.ext_max_seq;
		rb.jitter = rep.jitter;
		if (r->have_sr && r->sr_ssrc == r->rx.ssrc) {
			rb.lsr = r->sr_ntp32;
			/* 1/65536 s since that SR arrived. */
			rb.dlsr = (uint32_t)((mono_us() - r->sr_rx_us) * 65536u / 1000000u);
		}
		PUT(s, fraction_lost, (uint32_t)rep.fraction);
		nrb = 1;
	}
	/* An SR whenever we sent RTP since the last report, also under our
	 * own SSRC on an echo line (report_ssrc()): its NTP time is what the
	 * leg's LSR/DLSR, hence our RTT, is made of. */
	int sent = r->tx_active && r->tx_packets != r->tx_at_report;
	int rc;
	if (sent) {
		rtcp_sr_info_t sr;
		ntp_now(&sr.ntp_sec, &sr.ntp_frac);
		/* The RTP timestamp of this instant on the stream's clock
		 * (RFC 3550 6.4.1): the last packet's plus the time since. */
		uint64_t us = mono_us() - r->tx_last_us;
		sr.rtp_ts = r->tx_last_ts + (uint32_t)(us * clock_rate(s) / 1000000u);
		sr.packets = r->tx_packets;
		sr.octets = r->tx_octets;
		r->tx_at_report = r->tx_packets;
		rc = rtcp_build_sr(buf, sizeof(buf), &off, ssrc, &sr, &rb, nrb);
	} else {
		rc = rtcp_build_rr(buf, sizeof(buf), &off, ssrc, &rb, nrb);
	}
	char cn[40];
	cname(r, cn, sizeof(cn));
	if (rc || rtcp_build_sdes_cname(buf, sizeof(buf), &off, ssrc, cn))
		return;
	rtcp_send(s, buf, off, sizeof(buf));
}

void rtcp_sess_poll(struct media_session *s, uint64_t now_ms)
{
	sess_init(s);
	struct rtcp_sess *r = &s->rtcp;
	if (!can_send(s)) {
		r->next_ms = 0;
		return;
	}
	if (!r->next_ms) {
		/* RFC 3550 6.2: the first report after half the minimum. */
		r->next_ms = now_ms + interval_ms(r, RTCP_INTERVAL_MS / 2);
		return;
	}
	publish(s);
	if (now_ms < r->next_ms)
		return;
	r->next_ms = now_ms + interval_ms(r, RTCP_INTERVAL_MS);
	send_report(s);
}

void rtcp_sess_bye(struct media_session *s)
{
	struct rtcp_sess *r = &s->rtcp;
	if (!r->init || !can_send(s) || !GET(s, rtcp_tx))
		return;
	/* RFC 3550 6.1: a BYE is sent in a compound packet that starts with
	 * a report. */
	uint8_t buf[128 + MSRTP_ROOM];
	size_t off = 0;
	uint32_t ssrc = report_ssrc(r);
	char cn[40];
	cname(r, cn, sizeof(cn));
	if (rtcp_build_rr(buf, sizeof(buf), &off, ssrc, NULL, 0) ||
	    rtcp_build_sdes_cname(buf, sizeof(buf), &off, ssrc, cn) ||
	    rtcp_build_bye(buf, sizeof(buf), &off, ssrc, NULL))
		return;
	rtcp_send(s, buf, off, sizeof(buf));
}

void rtcp_sess_rx_rtcp(struct media_session *s, const uint8_t *buf, size_t len)
{
	sess_init(s);
	struct rtcp_sess *r = &s->rtcp;
	if (rtcp_validate(buf, len, 1) < 0) {
		STAT_ADD(s, rx_dropped, 1);
		return;
	}
	uint32_t mine = report_ssrc(r);
	size_t off = 0;
	rtcp_pkt_t p;
	while (rtcp_next(buf, len, &off, &p) > 0) {
		if (p.type == RTCP_SR) {
			r->sr_ssrc = p.ssrc;
			r->sr_ntp32 = rtcp_ntp32(p.sr.ntp_sec, p.sr.ntp_frac);
			r->sr_rx_us = mono_us();
			r->have_sr = 1;
		}
		if (p.type != RTCP_SR && p.type != RTCP_RR)
			continue;
		for (unsigned i = 0; i < p.count; i++) {
			const rtcp_rb_t *b = &p.rb[i];
			/* Blocks about what we send (own SSRC or the relayed one). */
			if (b->ssrc != mine && b->ssrc != r->own_ssrc &&
			    !(r->tx_active && b->ssrc == r->tx_ssrc))
				continue;
			uint32_t sec, frac;
			ntp_now(&sec, &frac);
			int64_t q = rtcp_rtt_q16(rtcp_ntp32(sec, frac), b->lsr, b->dlsr);
			if (q >= 0) {
				r->rtt_ms = (uint32_t)((q * 1000 + 32768) / 65536);
				r->have_rtt = 1;
			}
			PUT(s, remote_fraction_lost, (uint32_t)b->fraction_lost);
			PUT(s, remote_lost, b->cum_lost);
			PUT(s, remote_jitter_ms, (uint32_t)((uint64_t)b->jitter * 1000u /
							    clock_rate(s)));
		}
	}
	publish(s);
}
