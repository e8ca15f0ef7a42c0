/* test_transcode.c - the PCM pipeline end to end through the "media" API,
 * real workers and real UDP "phones" paced in real time:
 *   - transcoding PCMU <-> Opus and PCMU <-> G.729 (both directions at
 *     once): a 1 kHz tone keeps its frequency, a chirp keeps its waveform
 *     (normalised cross-correlation), and the added latency is measured;
 *   - sources: a 16 kHz WAV played into a PCMU call (resampled), a spandsp
 *     tone, silence stopped by id, each ending with PLAYBACK_DONE;
 *   - recorder: what a phone sends lands in a WAV, RECORD_DONE on stop;
 *   - the engine's transcoding cost against the raw codec cost.
 * RFC 3550 5.1 (our own SSRC, sequence and timestamp on generated
 * streams), RFC 3551 4.5.14 / 4.5.6, RFC 7587 (Opus clock 48000). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>
#include <spandsp.h>

#include "media.h"
#include "media_fixture.h"
#include "rtp.h"

static const media_api_t *api = &media_api_v1;

struct evlog {
	int playback_done, record_done;
	uint32_t last_id;
	int last_status;
};

static void on_event(const media_event_t *ev, void *data)
{
	struct evlog *l = data;
	if (!l)
		return;
	if (ev->type == MEDIA_EV_PLAYBACK_DONE) {
		l->playback_done++;
		l->last_id = ev->id;
		l->last_status = ev->status;
	}
	if (ev->type == MEDIA_EV_RECORD_DONE) {
		l->record_done++;
		l->last_id = ev->id;
		l->last_status = ev->status;
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int phone(unsigned *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	socklen_t sl = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sl), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	int sz = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	*port = ntohs(a.sin_port);
	return fd;
}

static void send_pkt(int fd, unsigned port, unsigned pt, uint16_t seq, uint32_t ts,
                     const uint8_t *pay, size_t len)
{
	uint8_t buf[1600];
	rtp_hdr_t h = {.pt = pt,
	               .seq = seq,
	               .ts = ts,
	               .ssrc = 0x5150u + pt,
	               .payload = pay,
	               .payload_len = len};
	int n = rtp_build(&h, buf, sizeof(buf));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&a, sizeof(a)), n);
}

/* A phone's receive side: decodes what arrives with its own codec channel
 * into pcm[], remembers when the first loud packet came. */
struct rx {
	int fd;
	media_codec_t *dec;
	int pt;
	int16_t *pcm;
	size_t n, cap;
	unsigned packets;
	double first_loud;
	uint32_t ssrc;
	int ssrc_changes;
};

static void rx_drain(struct rx *r)
{
	uint8_t buf[2048];
	for (;;) {
		ssize_t n = recv(r->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return;
		rtp_hdr_t h;
		if (rtp_parse(buf, (size_t)n, &h) || (int)h.pt != r->pt)
			continue;
		if (r->packets && h.ssrc != r->ssrc)
			r->ssrc_changes++;
		r->ssrc = h.ssrc;
		r->packets++;
		if (r->n + 5760 > r->cap)
			continue;
		int got =
		    r->dec->def->decode(r->dec, h.payload, h.payload_len, r->pcm + r->n, 5760);
		assert_true(got > 0);
		double e = 0;
		for (int i = 0; i < got; i++)
			e += (double)r->pcm[r->n + i] * r->pcm[r->n + i];
		if (!r->first_loud && sqrt(e / got) > 1000)
			r->first_loud = now_s();
		r->n += (size_t)got;
	}
}

static void rx_init(struct rx *r, int fd, const char *codec, unsigned rate, int pt)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->pt = pt;
	r->cap = 48000 * 10;
	r->pcm = calloc(r->cap, sizeof(int16_t));
	assert_non_null(r->pcm);
	assert_int_equal(media_codec_open(media_codec_find(codec), rate, NULL, &r->dec), 0);
}

static void rx_free(struct rx *r)
{
	media_codec_close(r->dec);
	free(r->pcm);
}

/* Best normalised cross-correlation of ref[off..off+len) against y at any
 * lag in 0..maxlag; *lag_out gets the lag. */
static double best_corr(const int16_t *ref, size_t off, size_t len, const int16_t *y, size_t yn,
                        size_t maxlag, size_t *lag_out)
{
	double best = 0, er = 0;
	for (size_t i = 0; i < len; i++)
		er += (double)ref[off + i] * ref[off + i];
	for (size_t lag = 0; lag <= maxlag && off + lag + len <= yn; lag++) {
		double xy = 0, ey = 0;
		for (size_t i = 0; i < len; i++) {
			double v = y[off + lag + i];
			xy += ref[off + i] * v;
			ey += v * v;
		}
		double c = ey > 0 ? xy / sqrt(er * ey) : 0;
		if (c > best) {
			best = c;
			if (lag_out)
				*lag_out = lag;
		}
	}
	return best;
}

/* The share of ref's 100 ms blocks in [off, off+len) that y holds
 * (correlation > thr at some lag 0..maxlag). A frame concealed because its
 * packet came late shifts what follows; block by block that still counts. */
static double blocks_found(const int16_t *ref, size_t off, size_t len, const int16_t *y,
                           size_t yn, size_t maxlag, double thr)
{
	size_t blk = 800, found = 0, total = 0;
	for (size_t b = off; b + blk <= off + len; b += blk, total++)
		if (best_corr(ref, b, blk, y, yn, maxlag, NULL) > thr)
			found++;
	return total ? (double)found / (double)total : 0;
}

/* A linear sweep 300 -> 3000 Hz at 8 kHz, amplitude 8000. */
static void chirp(int16_t *x, size_t n, unsigned rate)
{
	double dur = (double)n / rate, f0 = 300, f1 = 3000;
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / rate;
		x[i] = (int16_t)(8000 * sin(2 * M_PI * (f0 * t + (f1 - f0) * t * t / (2 * dur))));
	}
}

static char *sdp_of(unsigned port, const char *fmt_lines)
{
	char *s = NULL;
	assert_true(asprintf(&s,
	                     "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	                     "t=0 0\r\nm=audio %u RTP/AVP %s",
	                     port, fmt_lines) > 0);
	return s;
}

/* A session answering a phone's one-codec offer. */
static media_session_t *leg(unsigned phone_port, const char *fmt, media_session_t *near,
                            struct evlog *log, unsigned *local_port)
{
	media_session_opts_t o = {
	    .size = sizeof(o), .near = near, .on_event = on_event, .data = log};
	media_session_t *s;
	assert_int_equal(api->session_create(&o, &s), 0);
	char *offer = sdp_of(phone_port, fmt), *answer = NULL, err[128];
	assert_int_equal(api->sdp_answer(s, offer, strlen(offer), &answer, err, sizeof(err)), 0);
	free(offer);
	free(answer);
	media_stream_info_t i = {.size = sizeof(i)};
	api->stream_info(s, &i);
	*local_port = i.local_port;
	return s;
}

#define SECS       2.0
#define TONE_START 10 /* packets of silence first, for the latency */

/* Phone A (PCMU) sends 200 ms of silence then a 1 kHz tone with one packet
 * missing; phone B (codec b) sends a chirp. Both directions are transcoded
 * at once. The 1 kHz check spans the concealed packet. */
static void transcode_case(const char *bname, const char *bfmt, int bpt, unsigned brate,
                           double min_corr)
{
	unsigned pa_port, pb_port, la, lb;
	int pa = phone(&pa_port), pb = phone(&pb_port);
	media_session_t *a = leg(pa_port, "0\r\n", NULL, NULL, &la);
	media_session_t *b = leg(pb_port, bfmt, a, NULL, &lb);
	media_stream_info_t ib = {.size = sizeof(ib)};
	api->stream_info(b, &ib);
	assert_string_equal(ib.codec, bname);
	assert_int_equal(api->connect(a, b), 0);
	spin(30);

	media_codec_t *enc_a, *enc_b;
	assert_int_equal(media_codec_open(&media_codec_pcmu, 8000, NULL, &enc_a), 0);
	assert_int_equal(media_codec_open(media_codec_find(bname), brate, NULL, &enc_b), 0);
	struct rx ra, rb;
	rx_init(&ra, pa, "PCMU", 8000, 0);
	rx_init(&rb, pb, bname, 8000, bpt);

	unsigned npk = (unsigned)(SECS * 50);
	size_t na = npk * 160, nb = npk * (brate / 50);
	int16_t *tone = calloc(na, sizeof(int16_t)), *ch = calloc(nb, sizeof(int16_t));
	int16_t *ch8 = calloc(na, sizeof(int16_t));
	for (size_t i = TONE_START * 160; i < na; i++)
		tone[i] = (int16_t)(8000 * sin(2 * M_PI * 1000 * (double)i / 8000));
	chirp(ch, nb, brate);
	chirp(ch8, na, 8000);
	uint32_t tsinc_b = media_codec_find(bname)->clock_rate / 50;
	double t0 = now_s(), tone_sent = 0;
	for (unsigned k = 0; k < npk; k++) {
		uint8_t pay[1500];
		int n = enc_a->def->encode(enc_a, tone + k * 160, 160, pay, sizeof(pay));
		/* One packet of the tone is lost: concealed by spandsp's PLC. */
		if (k != TONE_START + 30)
			send_pkt(pa, la, 0, (uint16_t)k, k * 160u, pay, (size_t)n);
		if (k == TONE_START)
			tone_sent = now_s();
		n = enc_b->def->encode(enc_b, ch + k * (brate / 50), brate / 50, pay, sizeof(pay));
		assert_true(n > 0);
		send_pkt(pb, lb, (unsigned)bpt, (uint16_t)(100 + k), k * tsinc_b, pay, (size_t)n);
		double next = t0 + (k + 1) * 0.02;
		while (now_s() < next) {
			struct pollfd p[2] = {{.fd = pa, .events = POLLIN},
			                      {.fd = pb, .events = POLLIN}};
			int ms = (int)((next - now_s()) * 1000) + 1;
			poll(p, 2, ms);
			rx_drain(&ra);
			rx_drain(&rb);
		}
	}
	for (int i = 0; i < 15; i++) {
		usleep(20000);
		rx_drain(&ra);
		rx_drain(&rb);
	}
	/* B got the tone, in B's codec: 1 kHz dominates after the onset. */
	assert_true(rb.packets >= npk * 9 / 10);
	assert_int_equal(rb.ssrc_changes, 0);
	double lat = rb.first_loud - tone_sent;
	size_t onset = 0;
	while (onset < rb.n && abs(rb.pcm[onset]) < 2000)
		onset++;
	assert_true(onset + 400 + 8000 <= rb.n);
	double ratio = goertzel_ratio(rb.pcm + onset + 400, 8000, 1000, 8000);
	/* A got the chirp in PCMU, waveform kept. */
	assert_true(ra.packets >= npk * 9 / 10);
	size_t lag = 0;
	double corr = best_corr(ch8, 2000, 6000, ra.pcm, ra.n, 4000, &lag);
	print_message("PCMU -> %s: %u packets, 1 kHz power ratio %.3f, added latency %.1f ms\n"
	              "%s -> PCMU: %u packets, chirp correlation %.3f at lag %.1f ms\n",
	              bname, rb.packets, ratio, lat * 1000, bname, ra.packets, corr, lag / 8.0);
	assert_true(ratio > 0.9);
	assert_true(lat > 0 && lat < 0.2);
	assert_true(corr > min_corr);

	media_stats_t st = {.size = sizeof(st)};
	api->stats(b, &st);
	assert_true(st.tx_packets >= npk * 9 / 10);
	api->stats(a, &st);
	assert_int_equal(st.lost, 1);
	assert_true(st.jitter_ms < 20);
	api->session_destroy(a);
	api->session_destroy(b);
	spin(30);
	media_codec_close(enc_a);
	media_codec_close(enc_b);
	rx_free(&ra);
	rx_free(&rb);
	free(tone);
	free(ch);
	free(ch8);
	close(pa);
	close(pb);
}

static void test_pcmu_opus(void **st)
{
	transcode_case("opus", "111\r\na=rtpmap:111 opus/48000/2\r\n", 111, 8000, 0.8);
}

static void test_pcmu_g729(void **st)
{
	transcode_case("G729", "18\r\na=fmtp:18 annexb=no\r\n", 18, 8000, 0.6);
}

/* A 16 kHz WAV (the chirp) played into a PCMU call: resampled to 8 kHz,
 * sent with our own SSRC, waveform kept; PLAYBACK_DONE with its id. Then
 * a tone and a silence stopped by id. */
static void test_play_file_tone_silence(void **st)
{
	const char *path = "/tmp/jn-media-test-play.wav";
	size_t n16 = 16000 * 3 / 2;
	int16_t *x16 = calloc(n16, sizeof(int16_t)), *x8 = calloc(n16 / 2, sizeof(int16_t));
	chirp(x16, n16, 16000);
	chirp(x8, n16 / 2, 8000);
	SF_INFO si = {
	    .samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
	SNDFILE *f = sf_open(path, SFM_WRITE, &si);
	assert_non_null(f);
	assert_int_equal(sf_write_short(f, x16, (sf_count_t)n16), (sf_count_t)n16);
	sf_close(f);

	struct evlog log = {0};
	unsigned pp, lp;
	int p = phone(&pp);
	media_session_t *s = leg(pp, "0\r\n", NULL, &log, &lp);
	uint32_t id = 0;
	assert_int_equal(api->play_file(s, "/nonexistent/nope.wav", 1, &id), JN_ENOENT);
	assert_int_equal(api->play_file(s, path, 1, &id), 0);
	assert_true(id > 0);
	struct rx r;
	rx_init(&r, p, "PCMU", 8000, 0);
	for (int i = 0; i < 100 && !log.playback_done; i++) {
		spin(20);
		rx_drain(&r);
	}
	spin(60);
	rx_drain(&r);
	assert_int_equal(log.playback_done, 1);
	assert_int_equal(log.last_id, id);
	assert_int_equal(log.last_status, 0);
	assert_int_equal(api->stop(s, id), JN_ENOENT); /* already done */
	size_t lag = 0;
	double corr = best_corr(x8, 1000, 8000, r.pcm, r.n, 2000, &lag);
	print_message("play 16 kHz WAV into PCMU: %u packets, correlation %.3f, lag %zu\n",
	              r.packets, corr, lag);
	assert_true(r.packets >= 70 && r.packets <= 80);
	assert_true(corr > 0.95);

	/* Tone: 1 kHz for 400 ms. */
	r.n = 0;
	r.packets = 0;
	assert_int_equal(api->play_tone(s, 1000, 0, -10, 0, 0, 400, &id), 0);
	for (int i = 0; i < 50 && log.playback_done < 2; i++) {
		spin(20);
		rx_drain(&r);
	}
	spin(40);
	rx_drain(&r);
	assert_int_equal(log.playback_done, 2);
	assert_int_equal(log.last_id, id);
	assert_true(r.packets >= 19 && r.packets <= 21);
	assert_true(goertzel_ratio(r.pcm + 80, r.n - 160, 1000, 8000) > 0.9);

	/* Silence until stopped. */
	r.n = 0;
	r.packets = 0;
	assert_int_equal(api->play_silence(s, 0, &id), 0);
	spin(200);
	rx_drain(&r);
	assert_int_equal(log.playback_done, 2);
	assert_int_equal(api->stop(s, id), 0);
	spin(60);
	assert_int_equal(log.playback_done, 3);
	assert_int_equal(log.last_id, id);
	assert_true(r.packets >= 5);
	for (size_t i = 0; i < r.n; i++)
		assert_true(abs(r.pcm[i]) < 16);

	api->session_destroy(s);
	spin(30);
	rx_free(&r);
	close(p);
	unlink(path);
	free(x16);
	free(x8);
}

/* What a phone sends (PCMU chirp, 1.2 s) is recorded to an 8 kHz WAV;
 * stop() ends it with RECORD_DONE; the file matches what was sent. */
static void test_record(void **st)
{
	const char *path = "/tmp/jn-media-test-rec.wav";
	struct evlog log = {0};
	unsigned pp, lp;
	int p = phone(&pp);
	media_session_opts_t o = {.size = sizeof(o)};
	media_session_t *s;
	assert_int_equal(api->session_create(&o, &s), 0);
	uint32_t id;
	assert_int_equal(api->record(s, path, 0, &id), JN_ESTATE); /* not negotiated */
	api->session_destroy(s);
	s = leg(pp, "0\r\n", NULL, &log, &lp);
	assert_int_equal(api->record(s, path, 0, &id), 0);
	spin(20);
	size_t n = 8000 * 6 / 5;
	int16_t *x = calloc(n, sizeof(int16_t));
	chirp(x, n, 8000);
	double t0 = now_s();
	for (unsigned k = 0; k < n / 160; k++) {
		uint8_t pay[160];
		for (int i = 0; i < 160; i++)
			pay[i] = linear_to_ulaw(x[k * 160 + (unsigned)i]);
		send_pkt(p, lp, 0, (uint16_t)(7 + k), 1000 + k * 160u, pay, 160);
		double next = t0 + (k + 1) * 0.02;
		while (now_s() < next)
			usleep(1000);
	}
	spin(200);
	assert_int_equal(api->stop(s, id), 0);
	spin(60);
	assert_int_equal(log.record_done, 1);
	assert_int_equal(log.last_id, id);
	SF_INFO si;
	memset(&si, 0, sizeof(si));
	SNDFILE *f = sf_open(path, SFM_READ, &si);
	assert_non_null(f);
	assert_int_equal(si.samplerate, 8000);
	assert_int_equal(si.channels, 1);
	int16_t *y = calloc((size_t)si.frames + 1, sizeof(int16_t));
	sf_count_t got = sf_read_short(f, y, si.frames);
	sf_close(f);
	size_t lag = 0;
	double corr = best_corr(x, 800, 6000, y, (size_t)got, 4000, &lag);
	double share = blocks_found(x, 800, 8000, y, (size_t)got, 4000, 0.95);
	media_stats_t ms = {.size = sizeof(ms)};
	api->stats(s, &ms);
	print_message("record PCMU: %lld samples (%.2f s), correlation %.3f, lag %.1f ms; "
	              "%.0f %% of 100 ms blocks found; %u concealed\n",
	              (long long)got, got / 8000.0, corr, lag / 8.0, share * 100, ms.lost);
	assert_true(got >= 8000 && got <= 8000 * 2);
	/* On a quiet machine the whole sweep correlates above 0.95; on a loaded
	 * one a packet that comes late is concealed and shifts what follows, so
	 * the sweep must be there block by block (8 of 10 blocks at least). */
	assert_true(share >= 0.8);
	api->session_destroy(s);
	spin(30);
	close(p);
	unlink(path);
	free(x);
	free(y);
}

static uint64_t cpu_us(int who)
{
	struct timespec ts;
	if (who == 0) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	} else {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	}
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Cost: K PCMU<->b bridges, both directions carrying audio, for 1 s on
 * one worker. The worker's CPU (process minus this thread) per channel
 * and 20 ms is compared with the four codec calls of one channel timed
 * alone (PCMU dec + b enc, b dec + PCMU enc): the engine's overhead. */
static void cost_case(const char *bname, const char *bfmt, int bpt)
{
	enum { K = 20 };
	unsigned pa_port[K], pb_port[K], la[K], lb[K];
	int pa[K], pb[K];
	media_session_t *a[K], *b[K];
	for (int i = 0; i < K; i++) {
		pa[i] = phone(&pa_port[i]);
		pb[i] = phone(&pb_port[i]);
		a[i] = leg(pa_port[i], "0\r\n", NULL, NULL, &la[i]);
		b[i] = leg(pb_port[i], bfmt, a[i], NULL, &lb[i]);
		assert_int_equal(api->connect(a[i], b[i]), 0);
	}
	spin(30);
	const media_codec_def_t *bd = media_codec_find(bname);
	media_codec_t *enc_a, *enc_b, *dec_b, *dec_a;
	assert_int_equal(media_codec_open(&media_codec_pcmu, 8000, NULL, &enc_a), 0);
	assert_int_equal(media_codec_open(bd, 8000, NULL, &enc_b), 0);
	assert_int_equal(media_codec_open(bd, 8000, NULL, &dec_b), 0);
	assert_int_equal(media_codec_open(&media_codec_pcmu, 8000, NULL, &dec_a), 0);
	int16_t x[160], y[5760];
	chirp(x, 160, 8000);
	uint8_t pa_pay[160], pb_pay[400], tmp[400];
	int na = enc_a->def->encode(enc_a, x, 160, pa_pay, sizeof(pa_pay));
	int nb = enc_b->def->encode(enc_b, x, 160, pb_pay, sizeof(pb_pay));
	/* Raw: the engine's four codec calls per channel and 20 ms. */
	unsigned reps = 2000;
	uint64_t c0 = cpu_us(1);
	for (unsigned r = 0; r < reps; r++) {
		dec_a->def->decode(dec_a, pa_pay, (size_t)na, y, 5760);
		enc_b->def->encode(enc_b, y, 160, tmp, sizeof(tmp));
		dec_b->def->decode(dec_b, pb_pay, (size_t)nb, y, 5760);
		enc_a->def->encode(enc_a, y, 160, tmp, sizeof(tmp));
	}
	double raw_us = (double)(cpu_us(1) - c0) / reps;

	uint64_t p0 = cpu_us(0), m0 = cpu_us(1);
	double t0 = now_s();
	unsigned npk = 50;
	uint32_t tsb = bd->clock_rate / 50;
	uint8_t buf[2048];
	unsigned got = 0;
	for (unsigned k = 0; k < npk; k++) {
		for (int i = 0; i < K; i++) {
			send_pkt(pa[i], la[i], 0, (uint16_t)k, k * 160u, pa_pay, (size_t)na);
			send_pkt(pb[i], lb[i], (unsigned)bpt, (uint16_t)k, k * tsb, pb_pay,
			         (size_t)nb);
		}
		double next = t0 + (k + 1) * 0.02;
		while (now_s() < next) {
			usleep(2000);
			for (int i = 0; i < K; i++) {
				while (recv(pa[i], buf, sizeof(buf), 0) > 0)
					got++;
				while (recv(pb[i], buf, sizeof(buf), 0) > 0)
					got++;
			}
		}
	}
	double el = now_s() - t0;
	double worker_us = (double)((cpu_us(0) - p0) - (cpu_us(1) - m0));
	/* per channel (both directions) and 20 ms */
	double eng_us = worker_us / K / (el / 0.02);
	print_message("PCMU<->%s x%d for %.1f s: %u packets out; engine %.1f us per channel per "
	              "20 ms, raw codecs %.1f us: overhead %.2fx; %.0f channels per core "
	              "(raw %.0f)\n",
	              bname, K, el, got, eng_us, raw_us, eng_us / raw_us, 20000 / eng_us,
	              20000 / raw_us);
	assert_true(got >= 2u * K * npk * 8 / 10);
	assert_true(eng_us / raw_us < 3.0);
	for (int i = 0; i < K; i++) {
		api->session_destroy(a[i]);
		api->session_destroy(b[i]);
		close(pa[i]);
		close(pb[i]);
	}
	spin(30);
	media_codec_close(enc_a);
	media_codec_close(enc_b);
	media_codec_close(dec_a);
	media_codec_close(dec_b);
}

static void test_cost_opus(void **st)
{
	cost_case("opus", "111\r\na=rtpmap:111 opus/48000/2\r\n", 111);
}

static void test_cost_g729(void **st)
{
	cost_case("G729", "18\r\na=fmtp:18 annexb=no\r\n", 18);
}

static int setup(void **st)
{
	return fx_engine_start(1, 42000, 42399, "PCMU,PCMA,G722,opus,G729");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pcmu_opus),
	    cmocka_unit_test(test_pcmu_g729),
	    cmocka_unit_test(test_play_file_tone_silence),
	    cmocka_unit_test(test_record),
	    cmocka_unit_test(test_cost_opus),
	    cmocka_unit_test(test_cost_g729),
	};
	return cmocka_run_group_tests(tests, setup, fx_engine_stop);
}
