/* test_relay.c - the engine end to end through the "media" API on a real
 * SIP-thread loop and real worker threads: two sessions negotiated with
 * SDP, bridged with connect(), RTP from two UDP "phones" relayed both ways
 * with the payload type rewritten, symmetric RTP latching (RFC 4961: we
 * send to the source we actually saw, not to the SDP address), the
 * anti-hijack rule, RTCP termination, the RTP timeout event, echo, IPv6,
 * RFC 4733 events sent into a relayed and into an own stream, in-band DTMF
 * detected beside the relay, and the relay rate of one worker. */
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

#include <math.h>

#include <spandsp.h>

#include "../dtmf/dtmf.h"
#include "media.h"
#include "media_fixture.h"
#include "rtp.h"

static const media_api_t *api = &media_api_v1;

/* The parts of the dtmf module's table the engine uses. */
static const dtmf_api_t dtmf = {
    .size = sizeof(dtmf_api_t),
    .digit_to_code = dtmf_digit_to_code,
    .rfc4733_rx_new = dtmf_rfc4733_rx_new,
    .rfc4733_rx_free = dtmf_rfc4733_rx_free,
    .rfc4733_rx_feed = dtmf_rfc4733_rx_feed,
    .rfc4733_rx_poll = dtmf_rfc4733_rx_poll,
    .rfc4733_tx_init = dtmf_rfc4733_tx_init,
    .rfc4733_tx_next = dtmf_rfc4733_tx_next,
    .inband_rx_new = dtmf_inband_rx_new,
    .inband_rx_free = dtmf_inband_rx_free,
    .inband_rx_feed = dtmf_inband_rx_feed,
    .inband_rx_fillin = dtmf_inband_rx_fillin,
};

struct evlog {
	int n, latched, timeout;
	char addr[48];
	unsigned port;
	char digits[16];
	int ndigits, inband;
};

static void on_event(const media_event_t *ev, void *data)
{
	struct evlog *l = data;
	l->n++;
	if (ev->type == MEDIA_EV_LATCHED) {
		l->latched++;
		snprintf(l->addr, sizeof(l->addr), "%s", ev->addr);
		l->port = ev->port;
	}
	if (ev->type == MEDIA_EV_RTP_TIMEOUT)
		l->timeout++;
	if (ev->type == MEDIA_EV_DTMF && l->ndigits < (int)sizeof(l->digits) - 1) {
		l->digits[l->ndigits++] = ev->digit;
		l->inband += ev->dtmf_inband;
	}
}

static int phone(int family, unsigned *port)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (void *)&ss;
		a->sin6_family = AF_INET6;
		inet_pton(AF_INET6, "::1", &a->sin6_addr);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (void *)&ss;
		a->sin_family = AF_INET;
		inet_pton(AF_INET, "127.0.0.1", &a->sin_addr);
		sl = sizeof(*a);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	*port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					 : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void send_rtp(int fd, int family, unsigned port, unsigned pt, uint16_t seq, uint32_t ssrc)
{
	uint8_t pay[160], buf[200];
	memset(pay, (int)(seq & 0xff), sizeof(pay));
	rtp_hdr_t h = {.pt = pt, .seq = seq, .ts = seq * 160u, .ssrc = ssrc, .payload = pay,
		       .payload_len = sizeof(pay)};
	int n = rtp_build(&h, buf, sizeof(buf));
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (void *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, "::1", &a->sin6_addr);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (void *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, "127.0.0.1", &a->sin_addr);
		sl = sizeof(*a);
	}
	assert_int_equal(sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss, sl), n);
}

/* Receives one RTP packet within ms; returns its length or -1. */
static int recv_rtp(int fd, unsigned ms, rtp_hdr_t *h, uint8_t *buf, size_t len, unsigned *from)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, (int)ms) != 1)
		return -1;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	ssize_t n = recvfrom(fd, buf, len, 0, (struct sockaddr *)&ss, &sl);
	if (n < 0 || rtp_parse(buf, (size_t)n, h) != 0)
		return -1;
	if (from)
		*from = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						       : ((struct sockaddr_in *)&ss)->sin_port);
	return (int)n;
}

static char *sdp_of(int family, unsigned port, const char *fmt_lines)
{
	char *s = NULL;
	const char *ipv = family == AF_INET6 ? "IP6" : "IP4";
	const char *ip = family == AF_INET6 ? "::1" : "127.0.0.1";
	assert_true(asprintf(&s, "v=0\r\no=p 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n"
				 "m=audio %u RTP/AVP %s",
			     ipv, ip, ipv, ip, port, fmt_lines) > 0);
	return s;
}

static void test_bridge_relay_and_latch(void **st)
{
	struct evlog la = {0}, lb = {0};
	unsigned pa_port, pb_port;
	int pa = phone(AF_INET, &pa_port), pb = phone(AF_INET, &pb_port);

	media_session_opts_t o = {.size = sizeof(o), .telephone_event = 1, .on_event = on_event,
				  .data = &la};
	media_session_t *a, *b;
	assert_int_equal(api->session_create(&o, &a), 0);
	o.near = a;
	o.data = &lb;
	assert_int_equal(api->session_create(&o, &b), 0);

	/* Leg A: phone A offers PCMU with its dynamic telephone-event 96. */
	char *offer = sdp_of(AF_INET, pa_port, "0 96\r\na=rtpmap:96 telephone-event/8000\r\n");
	char *answer = NULL, err[128];
	assert_int_equal(api->sdp_answer(a, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(offer);
	media_stream_info_t ia = {.size = sizeof(ia)};
	assert_int_equal(api->stream_info(a, &ia), 0);
	assert_string_equal(ia.codec, "PCMU");
	assert_int_equal(ia.te_pt, 96);
	free(answer);

	/* Leg B: we offer; phone B answers PCMU, telephone-event 101, but
	 * with a wrong port in its SDP (as behind a NAT). */
	char *boffer = NULL;
	assert_int_equal(api->sdp_offer(b, &boffer), 0);
	media_stream_info_t ib = {.size = sizeof(ib)};
	api->stream_info(b, &ib);
	free(boffer);
	char *banswer = sdp_of(AF_INET, 9, "0 101\r\na=rtpmap:101 telephone-event/8000\r\n");
	assert_int_equal(api->sdp_apply_answer(b, banswer, strlen(banswer), err, sizeof(err)), 0);
	free(banswer);
	assert_int_equal(api->sdp_apply_answer(b, "x", 1, err, sizeof(err)), JN_ESTATE);

	assert_int_equal(api->connect(a, b), 0);
	spin(50);

	/* Phone B speaks first: B latches to its real port. */
	send_rtp(pb, AF_INET, ib.local_port, 0, 1, 0xb0b);
	uint8_t buf[256];
	rtp_hdr_t h;
	unsigned from;
	assert_true(recv_rtp(pa, 1000, &h, buf, sizeof(buf), &from) > 0);
	assert_int_equal(h.ssrc, 0xb0b);
	assert_int_equal(from, ia.local_port); /* symmetric: sent from A's own port */
	spin(50);
	assert_int_equal(lb.latched, 1);
	assert_int_equal(lb.port, pb_port);
	api->stream_info(b, &ib);
	assert_true(ib.latched);
	assert_int_equal(ib.remote_port, pb_port);

	/* Phone A -> B: relayed to the latched port; PCMU and the DTMF PT
	 * rewritten from A's 96 to B's 101. */
	send_rtp(pa, AF_INET, ia.local_port, 0, 7, 0xa0a);
	assert_true(recv_rtp(pb, 1000, &h, buf, sizeof(buf), &from) > 0);
	assert_int_equal(h.pt, 0);
	assert_int_equal(h.seq, 7);
	assert_int_equal(from, ib.local_port);
	send_rtp(pa, AF_INET, ia.local_port, 96, 8, 0xa0a);
	assert_true(recv_rtp(pb, 1000, &h, buf, sizeof(buf), NULL) > 0);
	assert_int_equal(h.pt, 101);
	assert_int_equal(h.seq, 8);

	/* An unknown PT is dropped, not relayed. */
	send_rtp(pa, AF_INET, ia.local_port, 34, 9, 0xa0a);
	assert_int_equal(recv_rtp(pb, 200, &h, buf, sizeof(buf), NULL), -1);

	/* A stranger with another SSRC cannot take B's stream over. */
	unsigned px_port;
	int px = phone(AF_INET, &px_port);
	send_rtp(px, AF_INET, ib.local_port, 0, 100, 0xbad);
	assert_int_equal(recv_rtp(pa, 200, &h, buf, sizeof(buf), NULL), -1);
	send_rtp(pa, AF_INET, ia.local_port, 0, 10, 0xa0a);
	assert_true(recv_rtp(pb, 1000, &h, buf, sizeof(buf), NULL) > 0);
	assert_int_equal(recv_rtp(px, 100, &h, buf, sizeof(buf), NULL), -1);
	/* ... but B's own SSRC from a new port (NAT rebinding) moves it. */
	send_rtp(px, AF_INET, ib.local_port, 0, 101, 0xb0b);
	assert_true(recv_rtp(pa, 1000, &h, buf, sizeof(buf), NULL) > 0);
	send_rtp(pa, AF_INET, ia.local_port, 0, 11, 0xa0a);
	assert_true(recv_rtp(px, 1000, &h, buf, sizeof(buf), NULL) > 0);

	spin(50); /* the worker counts a packet just after sending it */
	media_stats_t sa = {.size = sizeof(sa)}, sb = {.size = sizeof(sb)};
	api->stats(a, &sa);
	api->stats(b, &sb);
	assert_int_equal(sa.rx_packets, 5);
	assert_int_equal(sa.rx_dropped, 1);
	assert_int_equal(sb.rx_packets, 2);
	assert_int_equal(sb.rx_dropped, 1);
	assert_int_equal(sb.tx_packets, 4);

	/* RTCP is terminated per leg (rtcp_session.h): counted, not relayed;
	 * each leg gets Junction's own reports instead (test_rtpstats.c). */
	uint8_t rr[64];
	size_t off = 0;
	rtcp_build_rr(rr, sizeof(rr), &off, 0xa0a, NULL, 0);
	unsigned prc_port;
	int prc = phone(AF_INET, &prc_port);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(ib.local_port + 1))};
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	assert_int_equal(sendto(prc, rr, off, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)off);
	to.sin_port = htons((uint16_t)(ia.local_port + 1));
	sendto(pa, rr, off, 0, (struct sockaddr *)&to, sizeof(to));
	spin(100);
	api->stats(b, &sb);
	api->stats(a, &sa);
	assert_int_equal(sb.rtcp_rx, 1);
	assert_int_equal(sa.rtcp_rx, 1);
	assert_int_equal(sb.rtcp_tx, 0);
	assert_int_equal(sa.rtcp_tx, 0);

	api->session_destroy(a);
	api->session_destroy(b);
	spin(50);
	close(pa);
	close(pb);
	close(px);
	close(prc);
}

/* A session expecting RTP that gets none reports MEDIA_EV_RTP_TIMEOUT
 * once; one that put the peer on hold (remote sendonly->we recvonly is
 * fine, but remote inactive) does not. */
static void test_rtp_timeout(void **st)
{
	struct evlog l1 = {0}, l2 = {0};
	media_session_opts_t o = {.size = sizeof(o), .rtp_timeout_ms = 300, .on_event = on_event,
				  .data = &l1};
	media_session_t *s1, *s2;
	assert_int_equal(api->session_create(&o, &s1), 0);
	o.data = &l2;
	assert_int_equal(api->session_create(&o, &s2), 0);
	char *answer, err[64];
	char *offer = sdp_of(AF_INET, 5004, "0\r\n");
	assert_int_equal(api->sdp_answer(s1, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(answer);
	free(offer);
	offer = sdp_of(AF_INET, 5006, "0\r\na=inactive\r\n");
	assert_int_equal(api->sdp_answer(s2, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(answer);
	free(offer);
	spin(900);
	assert_int_equal(l1.timeout, 1);
	assert_int_equal(l2.timeout, 0);
	api->session_destroy(s1);
	api->session_destroy(s2);
	/* Destroyed: no event is delivered any more even if one was queued. */
	int before = l1.n;
	spin(400);
	assert_int_equal(l1.n, before);
}

/* connect(s, s) echoes a caller's RTP back to it, over IPv6 too. */
static void test_echo_ipv6(void **st)
{
	unsigned pp;
	int p = phone(AF_INET6, &pp);
	media_session_opts_t o = {.size = sizeof(o), .family = AF_INET6};
	media_session_t *s;
	assert_int_equal(api->session_create(&o, &s), 0);
	char *offer = sdp_of(AF_INET6, pp, "8\r\n"), *answer, err[64];
	assert_int_equal(api->sdp_family(offer, strlen(offer)), AF_INET6);
	assert_int_equal(api->sdp_answer(s, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	assert_non_null(strstr(answer, "c=IN IP6 ::1"));
	free(answer);
	free(offer);
	assert_int_equal(api->connect(s, s), 0);
	media_stream_info_t i = {.size = sizeof(i)};
	api->stream_info(s, &i);
	spin(20);
	send_rtp(p, AF_INET6, i.local_port, 8, 42, 0xecc0);
	uint8_t buf[256];
	rtp_hdr_t h;
	assert_true(recv_rtp(p, 1000, &h, buf, sizeof(buf), NULL) > 0);
	assert_int_equal(h.seq, 42);
	assert_int_equal(h.pt, 8);
	api->session_destroy(s);
	spin(20);
	close(p);
}

/* Bad arguments and states are refused, not crashed on. */
static void test_api_errors(void **st)
{
	media_session_t *s, *t;
	media_session_opts_t o = {.size = sizeof(o)};
	const char *bad[] = {"PCMU", "NOPE", NULL};
	o.codecs = bad;
	assert_int_equal(api->session_create(&o, &s), JN_ENOENT);
	o.codecs = NULL;
	o.srtp = (media_srtp_t)7; /* no such policy */
	assert_int_equal(api->session_create(&o, &s), JN_EINVAL);
	o.srtp = MEDIA_SRTP_OFF;
	o.family = 12345;
	assert_int_equal(api->session_create(&o, &s), JN_EINVAL);
	o.family = 0;
	assert_int_equal(api->session_create(&o, &s), 0);
	const char *g729[] = {"G729", NULL};
	o.codecs = g729;
	assert_int_equal(api->session_create(&o, &t), 0);
	char *answer = NULL, err[64] = "";
	char *offer = sdp_of(AF_INET, 4000, "0\r\n");
	assert_int_equal(api->sdp_answer(t, offer, strlen(offer), &answer, err, sizeof(err)),
			 JN_ENOTSUP);
	assert_string_equal(err, "no common codec");
	assert_int_equal(api->sdp_answer(s, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(answer);
	free(offer);
	offer = sdp_of(AF_INET, 4002, "18\r\n");
	assert_int_equal(api->sdp_answer(t, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(answer);
	free(offer);
	uint32_t id;
	assert_int_equal(api->play_file(s, "/nonexistent/x.wav", 1, &id), JN_ENOENT);
	assert_int_equal(api->stop(s, 12345), JN_ENOENT);
	assert_int_equal(api->set_direction(s, (media_dir_t)7), JN_EINVAL);
	/* PCMU leg and G.729 leg: transcoded (test_transcode.c), so
	 * connect() accepts them when they share a worker. */
	int r = api->connect(s, t);
	assert_true(r == 0 || r == JN_EINVAL);
	api->session_destroy(s);
	api->session_destroy(t);
	spin(20);
}

/* Relay rate of one worker: bursts of 50 packets A -> B, received and
 * counted, for at most 2 s. Printed, and must reach 20k packets/s. */
static void test_relay_rate(void **st)
{
	unsigned pa_port, pb_port;
	int pa = phone(AF_INET, &pa_port), pb = phone(AF_INET, &pb_port);
	int sz = 1 << 20;
	setsockopt(pb, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	media_session_opts_t o = {.size = sizeof(o)};
	media_session_t *a, *b;
	assert_int_equal(api->session_create(&o, &a), 0);
	o.near = a;
	assert_int_equal(api->session_create(&o, &b), 0);
	char *answer, err[64];
	char *offer = sdp_of(AF_INET, pa_port, "0\r\n");
	assert_int_equal(api->sdp_answer(a, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(answer);
	free(offer);
	offer = sdp_of(AF_INET, pb_port, "0\r\n");
	assert_int_equal(api->sdp_answer(b, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(answer);
	free(offer);
	assert_int_equal(api->connect(a, b), 0);
	media_stream_info_t ia = {.size = sizeof(ia)};
	api->stream_info(a, &ia);
	spin(20);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned sent = 0, got = 0;
	double el = 0;
	uint8_t buf[256];
	rtp_hdr_t h;
	while (el < 2.0 && sent < 200000) {
		for (int i = 0; i < 50; i++)
			send_rtp(pa, AF_INET, ia.local_port, 0, (uint16_t)sent++, 1);
		for (int i = 0; i < 50 && recv_rtp(pb, 100, &h, buf, sizeof(buf), NULL) > 0; i++)
			got++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		el = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	print_message("relay: %u sent, %u relayed in %.2f s: %.0f packets/s through one worker "
		      "(sender and receiver in the same process)\n",
		      sent, got, el, got / el);
	assert_true(got >= sent * 95 / 100);
	assert_true(got / el > 20000);
	api->session_destroy(a);
	api->session_destroy(b);
	spin(20);
	close(pa);
	close(pb);
}

/* A stream as one phone received it: audio and RFC 4733 packets. */
struct rxlog {
	unsigned n, audio, events, ends, markers, seq_breaks, ssrcs;
	uint32_t ssrc, ev_ts, ts_before, ts_after;
	uint16_t last_seq;
	unsigned duration, code;
	int ts_after_set;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* What fd receives during the next ms milliseconds. */
static void rx_take(int fd, struct rxlog *r, int te_pt, unsigned ms)
{
	uint8_t buf[1500];
	rtp_hdr_t h;
	double end = now_s() + ms / 1000.0, left;
	while ((left = end - now_s()) > 0 &&
	       recv_rtp(fd, (unsigned)(left * 1000) + 1, &h, buf, sizeof(buf), NULL) > 0) {
		if (!r->n || h.ssrc != r->ssrc)
			r->ssrcs++;
		if (r->n && h.seq != (uint16_t)(r->last_seq + 1))
			r->seq_breaks++;
		r->ssrc = h.ssrc;
		r->last_seq = h.seq;
		r->n++;
		if ((int)h.pt != te_pt) {
			r->audio++;
			if (!r->events)
				r->ts_before = h.ts;
			else if (!r->ts_after_set) {
				r->ts_after = h.ts;
				r->ts_after_set = 1;
			}
			continue;
		}
		assert_int_equal(h.payload_len, 4);
		r->events++;
		r->ev_ts = h.ts;
		r->code = h.payload[0];
		r->markers += h.marker;
		if (h.payload[1] & 0x80) {
			r->ends++;
			r->duration = (unsigned)(h.payload[2] << 8 | h.payload[3]);
		}
	}
}

static void rx_check_event(const struct rxlog *r, unsigned code, unsigned duration)
{
	assert_int_equal(r->ssrcs, 1);      /* RFC 4733 2.1: in the stream itself */
	assert_int_equal(r->seq_breaks, 0); /* RFC 3550 A.1: gapless around it */
	assert_int_equal(r->code, code);
	assert_int_equal(r->markers, 1); /* 2.5.1.1 */
	assert_int_equal(r->ends, 3);    /* 2.5.1.4 */
	assert_int_equal(r->duration, duration);
	assert_true(r->events >= 4);     /* start, updates every 50 ms, ends */
	/* On the stream's clock: between the audio around it (+ a packet). */
	assert_true(r->ev_ts - r->ts_before < 8000u);
	assert_true(r->ts_after_set && r->ts_after + 160u - r->ev_ts < 8000u);
}

static char *answer_to(media_session_t *s, unsigned port, const char *fmt_lines)
{
	char *answer = NULL, err[64] = "";
	char *offer = sdp_of(AF_INET, port, fmt_lines);
	assert_int_equal(api->sdp_answer(s, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(offer);
	return answer;
}

/* send_dtmf: an RFC 4733 event put into the relayed stream (the relayed
 * packets after it move up by the packets it took), then into the stream
 * the session sends itself (a prompt playing); the API's refusals. */
static void test_send_dtmf(void **st)
{
	unsigned pa_port, pb_port;
	int pa = phone(AF_INET, &pa_port), pb = phone(AF_INET, &pb_port);
	media_session_opts_t o = {.size = sizeof(o), .telephone_event = 1};
	media_session_t *a, *b, *plain;
	assert_int_equal(api->session_create(&o, &plain), 0);
	o.dtmf = &dtmf;
	assert_int_equal(api->session_create(&o, &a), 0);
	o.near = a;
	assert_int_equal(api->session_create(&o, &b), 0);
	assert_int_equal(api->send_dtmf(a, '1', 100), JN_ESTATE); /* nothing negotiated */
	assert_int_equal(api->send_dtmf(plain, '1', 100), JN_ENOTSUP);
	assert_int_equal(api->send_dtmf(a, 'x', 100), JN_EINVAL);
	assert_int_equal(api->send_dtmf(a, '1', 20000), JN_EINVAL);
	api->session_destroy(plain);
	const char *te = "0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
	free(answer_to(a, pa_port, te));
	free(answer_to(b, pb_port, te));
	assert_int_equal(api->connect(a, b), 0);
	media_stream_info_t ia = {.size = sizeof(ia)};
	api->stream_info(a, &ia);
	spin(20);

	/* Relayed: 40 packets from A at 20 ms, '9' for 100 ms after the 10th. */
	struct rxlog r = {0};
	for (unsigned k = 0; k < 40; k++) {
		send_rtp(pa, AF_INET, ia.local_port, 0, (uint16_t)(500 + k), 0x1111);
		if (k == 10)
			assert_int_equal(api->send_dtmf(b, '9', 100), 0);
		rx_take(pb, &r, 101, 20);
	}
	rx_take(pb, &r, 101, 100);
	print_message("relayed stream: %u packets, %u audio, %u event packets, ssrc %08x\n", r.n,
	              r.audio, r.events, r.ssrc);
	assert_int_equal(r.audio, 40);
	assert_int_equal(r.ssrc, 0x1111);
	rx_check_event(&r, 9, 800);

	/* Its own stream: silence playing to A, '#' for 120 ms in it. */
	assert_int_equal(api->disconnect(a), 0);
	uint32_t id;
	assert_int_equal(api->play_silence(a, 800, &id), 0);
	spin(100);
	struct rxlog q = {0};
	rx_take(pa, &q, 101, 10); /* what was sent so far */
	memset(&q, 0, sizeof(q));
	assert_int_equal(api->send_dtmf(a, '#', 120), 0);
	rx_take(pa, &q, 101, 450);
	print_message("own stream: %u packets, %u audio, %u event packets\n", q.n, q.audio, q.events);
	assert_true(q.audio >= 15);
	rx_check_event(&q, 11, 960);

	api->session_destroy(a);
	api->session_destroy(b);
	spin(20);
	close(pa);
	close(pb);
}

/* A telephone-event relayed to a leg that transcodes (PCMU in, PCMA out)
 * joins that leg's own stream: its SSRC, its sequence numbers, a
 * timestamp on its clock (RFC 4733 2.1), the same for all packets of the
 * event, duration and end bits as sent. */
static void test_event_into_transcoded_stream(void **st)
{
	unsigned pa_port, pb_port;
	int pa = phone(AF_INET, &pa_port), pb = phone(AF_INET, &pb_port);
	media_session_opts_t o = {.size = sizeof(o), .telephone_event = 1, .dtmf = &dtmf};
	media_session_t *a, *b;
	assert_int_equal(api->session_create(&o, &a), 0);
	o.near = a;
	assert_int_equal(api->session_create(&o, &b), 0);
	free(answer_to(a, pa_port, "0 101\r\na=rtpmap:101 telephone-event/8000\r\n"));
	free(answer_to(b, pb_port, "8 101\r\na=rtpmap:101 telephone-event/8000\r\n"));
	assert_int_equal(api->connect(a, b), 0);
	media_stream_info_t ia = {.size = sizeof(ia)};
	api->stream_info(a, &ia);
	spin(20);
	struct rxlog r = {0};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ia.local_port)};
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	uint16_t seq = 300;
	for (unsigned k = 0; k < 40; k++) {
		send_rtp(pa, AF_INET, ia.local_port, 0, seq++, 0x3333);
		if (k >= 10 && k < 15) { /* '7', 100 ms: start, update, three ends */
			uint8_t pay[4] = {7, (uint8_t)(k >= 12 ? 0x8a : 0x0a), 0, 0};
			unsigned dur = k == 10 ? 160 : k == 11 ? 480 : 800;
			pay[2] = (uint8_t)(dur >> 8);
			pay[3] = (uint8_t)dur;
			uint8_t buf[64];
			rtp_hdr_t h = {.marker = k == 10, .pt = 101, .seq = seq++, .ts = 12345,
			               .ssrc = 0x3333, .payload = pay, .payload_len = 4};
			int n = rtp_build(&h, buf, sizeof(buf));
			assert_int_equal(sendto(pa, buf, (size_t)n, 0, (struct sockaddr *)&to,
			                        sizeof(to)), n);
		}
		rx_take(pb, &r, 101, 20);
	}
	rx_take(pb, &r, 101, 100);
	print_message("transcoded stream: %u packets, %u audio, %u event packets, ssrc %08x\n",
	              r.n, r.audio, r.events, r.ssrc);
	assert_true(r.ssrc != 0x3333); /* ours, not the caller's */
	assert_true(r.audio >= 30);
	assert_int_equal(r.events, 5);
	rx_check_event(&r, 7, 800);
	api->session_destroy(a);
	api->session_destroy(b);
	spin(20);
	close(pa);
	close(pb);
}

/* In-band DTMF (opts.inband_dtmf AUTO, no telephone-event negotiated) on a
 * relayed leg: tones synthesised here (Q.23 pairs, -10 dBm0 each, 100 ms
 * on and off) are reported once each as in-band digits, and every packet
 * still reaches the other phone unchanged. */
static void test_inband_relay(void **st)
{
	unsigned pa_port, pb_port;
	int pa = phone(AF_INET, &pa_port), pb = phone(AF_INET, &pb_port);
	struct evlog la = {0};
	media_session_opts_t o = {.size = sizeof(o), .telephone_event = 1, .dtmf = &dtmf,
	                          .inband_dtmf = MEDIA_INBAND_AUTO, .on_event = on_event,
	                          .data = &la};
	media_session_t *a, *b;
	assert_int_equal(api->session_create(&o, &a), 0);
	o.near = a;
	o.on_event = NULL;
	assert_int_equal(api->session_create(&o, &b), 0);
	free(answer_to(a, pa_port, "0\r\n"));
	free(answer_to(b, pb_port, "0\r\n"));
	assert_int_equal(api->connect(a, b), 0);
	media_stream_info_t ia = {.size = sizeof(ia)};
	api->stream_info(a, &ia);
	spin(20);

	static const struct { char d; double f1, f2; } tones[] = {
	    {'1', 697, 1209}, {'5', 770, 1336}, {'#', 941, 1477}};
	double amp = 32767 * pow(10, -3.14 / 20) * pow(10, -10.0 / 20);
	unsigned k = 0, same = 0, got = 0;
	uint8_t sent[64][160];
	for (unsigned t = 0; t < 3; t++) {
		for (unsigned f = 0; f < 10; f++, k++) { /* 5 packets tone, 5 silence */
			uint8_t pay[160], buf[200], rbuf[1500];
			for (unsigned i = 0; i < 160; i++) {
				double x = 0, s = (f * 160 + i) / 8000.0;
				if (f < 5)
					x = amp * (sin(2 * M_PI * tones[t].f1 * s) +
					           sin(2 * M_PI * tones[t].f2 * s));
				pay[i] = linear_to_ulaw((int)x);
			}
			memcpy(sent[k], pay, 160);
			rtp_hdr_t h = {.pt = 0, .seq = (uint16_t)(900 + k), .ts = 7000 + k * 160,
			               .ssrc = 0x2222, .payload = pay, .payload_len = 160};
			int n = rtp_build(&h, buf, sizeof(buf));
			struct sockaddr_in to = {.sin_family = AF_INET,
			                         .sin_port = htons((uint16_t)ia.local_port)};
			inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
			assert_int_equal(sendto(pa, buf, (size_t)n, 0, (struct sockaddr *)&to,
			                        sizeof(to)), n);
			rtp_hdr_t rh;
			while (recv_rtp(pb, 20, &rh, rbuf, sizeof(rbuf), NULL) > 0) {
				unsigned j = (uint16_t)(rh.seq - 900);
				got++;
				if (j < k + 1 && rh.payload_len == 160 && !memcmp(rh.payload, sent[j], 160))
					same++;
			}
		}
	}
	spin(300);
	print_message("in-band beside the relay: digits \"%s\" (%d in-band), %u of %u packets "
	              "relayed unchanged\n", la.digits, la.inband, same, k);
	assert_string_equal(la.digits, "15#");
	assert_int_equal(la.inband, 3);
	assert_int_equal(got, k);
	assert_int_equal(same, k);
	api->session_destroy(a);
	api->session_destroy(b);
	spin(20);
	close(pa);
	close(pb);
}

static int setup(void **st)
{
	return fx_engine_start(2, 41000, 41199, "PCMU,PCMA,G722,opus,G729");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bridge_relay_and_latch),
		cmocka_unit_test(test_rtp_timeout),
		cmocka_unit_test(test_echo_ipv6),
		cmocka_unit_test(test_api_errors),
		cmocka_unit_test(test_send_dtmf),
		cmocka_unit_test(test_event_into_transcoded_stream),
		cmocka_unit_test(test_inband_relay),
		cmocka_unit_test(test_relay_rate),
	};
	return cmocka_run_group_tests(tests, setup, fx_engine_stop);
}
