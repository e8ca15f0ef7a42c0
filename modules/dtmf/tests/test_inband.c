/* test_inband.c - in-band DTMF (ITU-T Q.23/Q.24 tones) through spandsp:
 * the generator's tones, mixed with noise, come back through the detector
 * as the same digits, one event each, with duration and level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <spandsp.h>

#include "dtmf.h"

#define FRAME 160 /* 20 ms at 8 kHz */

struct got {
	dtmf_event_t ev[64];
	int n;
	char digits[65];
};

static void collect(const dtmf_event_t *ev, void *data)
{
	struct got *g = data;

	assert_true(g->n < 64);
	g->ev[g->n] = *ev;
	g->digits[g->n++] = ev->digit;
	g->digits[g->n] = '\0';
}

/* Generates digits with the module's generator (spandsp dtmf_tx) at level
 * dBm0 per tone, adds white noise at noise_dbm0, and feeds the detector
 * 20 ms frames. */
static void run(const char *digits, int level, unsigned on_ms, unsigned off_ms, float noise_dbm0,
                struct got *g)
{
	dtmf_inband_tx_t *tx = dtmf_inband_tx_new(level, on_ms, off_ms);
	dtmf_inband_rx_t *rx = dtmf_inband_rx_new(collect, g);
	awgn_state_t *noise = awgn_init_dbm0(NULL, 1234567, noise_dbm0);
	int16_t pcm[FRAME];
	uint64_t now = 0;
	int idle = 0, frames = 0;

	assert_non_null(tx);
	assert_non_null(rx);
	assert_non_null(noise);
	assert_int_equal(dtmf_inband_tx_put(tx, digits), 0);
	/* until the queue is empty, plus 200 ms of noise; bounded */
	while (idle < 10 && frames < 5000) {
		int n = dtmf_inband_tx_fill(tx, pcm, FRAME);
		assert_true(n >= 0);
		idle = n ? 0 : idle + 1;
		for (int i = 0; i < FRAME; i++) {
			int s = pcm[i] + awgn(noise);
			pcm[i] = (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
		}
		assert_true(dtmf_inband_rx_feed(rx, pcm, FRAME, now) >= 0);
		now += 20;
		frames++;
	}
	assert_true(frames < 5000);
	awgn_free(noise);
	dtmf_inband_rx_free(rx);
	dtmf_inband_tx_free(tx);
}

/* All sixteen digits at -10 dBm0 with -40 dBm0 noise: the same string
 * back, one event per digit, durations and spacing as sent. */
static void test_all_digits(void **state)
{
	struct got g = {0};

	run("0123456789*#ABCD", -10, 100, 60, -40.0f, &g);
	assert_string_equal(g.digits, "0123456789*#ABCD");
	for (int i = 0; i < g.n; i++) {
		assert_int_equal(g.ev[i].source, DTMF_SRC_INBAND);
		if (g.ev[i].duration_ms < 70 || g.ev[i].duration_ms > 130)
			fail_msg("digit %c lasted %u ms, sent 100", g.ev[i].digit,
			         g.ev[i].duration_ms);
		/* two tones at -10 dBm0 each: about -7 dBm0 together */
		if (g.ev[i].volume < 4 || g.ev[i].volume > 10)
			fail_msg("digit %c at -%d dBm0", g.ev[i].digit, g.ev[i].volume);
		if (i) {
			uint64_t gap = g.ev[i].start_ms - g.ev[i - 1].start_ms;
			if (gap < 140 || gap > 180)
				fail_msg("digits %d and %d %llu ms apart, sent 160", i - 1, i,
				         (unsigned long long)gap);
		}
	}
}

/* Long and repeated digits: "55" is two events, a 1 s tone is one. */
static void test_repeats_and_long(void **state)
{
	struct got g = {0};

	run("55", -15, 80, 80, -45.0f, &g);
	assert_string_equal(g.digits, "55");
	memset(&g, 0, sizeof(g));
	run("#", -10, 1000, 50, -40.0f, &g);
	assert_string_equal(g.digits, "#");
	assert_in_range(g.ev[0].duration_ms, 950, 1050);
}

/* Noise alone and silence are no digits; lost frames keep the timing. */
static void test_no_talk_off(void **state)
{
	struct got g = {0};
	dtmf_inband_rx_t *rx = dtmf_inband_rx_new(collect, &g);
	awgn_state_t *noise = awgn_init_dbm0(NULL, 42, -20.0f);
	int16_t pcm[FRAME];

	for (int f = 0; f < 250; f++) { /* 5 s */
		for (int i = 0; i < FRAME; i++)
			pcm[i] = awgn(noise);
		assert_int_equal(dtmf_inband_rx_feed(rx, pcm, FRAME, (uint64_t)f * 20), 0);
	}
	memset(pcm, 0, sizeof(pcm));
	assert_int_equal(dtmf_inband_rx_feed(rx, pcm, FRAME, 5000), 0);
	assert_int_equal(dtmf_inband_rx_fillin(rx, FRAME, 5020), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(dtmf_inband_rx_feed(rx, NULL, 5, 0), JN_EINVAL);
	awgn_free(noise);
	dtmf_inband_rx_free(rx);
}

/* The generator: bad digits refused, silence once idle. */
static void test_generator(void **state)
{
	dtmf_inband_tx_t *tx = dtmf_inband_tx_new(-10, 50, 50);
	int16_t pcm[FRAME];
	int total = 0, n;

	assert_non_null(tx);
	assert_int_equal(dtmf_inband_tx_put(tx, "12x"), JN_EINVAL);
	assert_int_equal(dtmf_inband_tx_put(tx, ""), JN_EINVAL);
	assert_int_equal(dtmf_inband_tx_put(tx, "1"), 0);
	while ((n = dtmf_inband_tx_fill(tx, pcm, FRAME)) > 0 && total < 8000)
		total += n;
	assert_in_range(total, 800, 880); /* 50 ms tone + 50 ms gap = 800 samples */
	for (int i = 0; i < FRAME; i++)
		pcm[i] = 1;
	assert_int_equal(dtmf_inband_tx_fill(tx, pcm, FRAME), 0);
	for (int i = 0; i < FRAME; i++)
		assert_int_equal(pcm[i], 0);
	dtmf_inband_tx_free(tx);
	assert_null(dtmf_inband_tx_new(5, 50, 50));
	assert_null(dtmf_inband_rx_new(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_digits),
	    cmocka_unit_test(test_repeats_and_long),
	    cmocka_unit_test(test_no_talk_off),
	    cmocka_unit_test(test_generator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
