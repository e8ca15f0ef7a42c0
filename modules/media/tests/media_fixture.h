/* media_fixture.h - what the media module's unit tests share: the engine
 * started on a real SIP-thread loop (loop.h) with real workers, running
 * that loop for a while (events are delivered there), and a tone meter. */
#ifndef JUNCTION_MEDIA_FIXTURE_H
#define JUNCTION_MEDIA_FIXTURE_H

#include <math.h>
#include <string.h>

#include "loop.h"
#include "media.h"

static inline void fx_stop_cb(jn_timer_t *t, void *data)
{
	(void)t;
	(void)data;
	loop_break();
}

/* Runs the SIP loop for ms milliseconds. */
static inline void spin(unsigned ms)
{
	jn_timer_start(ms, fx_stop_cb, NULL);
	loop_run();
}

/* The loop, the built-in codecs and an engine of workers on 127.0.0.1 and
 * ::1 with RTP ports rtp_min..rtp_max and the codec preference codecs:
 * 0, or -1 (a cmocka group setup fails). */
static inline int fx_engine_start(unsigned workers, unsigned rtp_min, unsigned rtp_max,
                                  const char *codecs)
{
	if (loop_init() < 0)
		return -1;
	media_codecs_builtin();
	struct media_conf c = {
	    .workers = workers, .rtp_min = rtp_min, .rtp_max = rtp_max, .ptime = 20};
	strcpy(c.ip, "127.0.0.1");
	strcpy(c.ip6, "::1");
	if (media_parse_codecs(codecs, &c) < 0)
		return -1;
	return media_engine_start(&c);
}

static inline int fx_engine_stop(void **st)
{
	(void)st;
	media_engine_stop();
	spin(20); /* run the frees the workers posted */
	loop_deinit();
	return 0;
}

/* The share of x's energy at frequency f (Goertzel): 1.0 for a pure sine
 * of f, about 0 without it. */
static inline double goertzel_ratio(const int16_t *x, size_t n, double f, double fs)
{
	double w = 2 * M_PI * f / fs, c = 2 * cos(w), s1 = 0, s2 = 0, tot = 0;
	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
		tot += (double)x[i] * x[i];
	}
	double p = s1 * s1 + s2 * s2 - c * s1 * s2;
	/* |X(f)|^2 of a sine of n samples is (A n / 2)^2, its energy A^2 n / 2. */
	return tot > 0 ? 2 * p / (n * tot) : 0;
}

#endif
