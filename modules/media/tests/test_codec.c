/* test_codec.c - every built-in codec round-trips a sine: the decoded
 * signal keeps its frequency (Goertzel power at the tone >= 90 % of the
 * total) and its SNR after delay alignment stays above a per-codec floor.
 * Also prints the cost per 20 ms (encode + decode) to compare with
 * deps.md. PLC: a lost packet is concealed with the right length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <junction/junction.h>

#include "codec.h"
#include "media_fixture.h"

#define SECONDS 1

struct ccase {
	const char *name;
	unsigned rate;
	double min_snr_db;
};

/* Floors sit a few dB under what the codecs measured here: G.711 is
 * near-transparent (RFC 3551), G.722 a waveform codec, G.729 and Opus
 * parametric ones whose waveform SNR on a pure tone is modest. */
static const struct ccase cases[] = {
	{"PCMU", 8000, 45}, {"PCMA", 8000, 40}, {"G722", 16000, 35},
	{"G729", 8000, 8},  {"opus", 8000, 15}, {"opus", 16000, 15},
	{"opus", 48000, 20},
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void run_case(const struct ccase *c)
{
	const media_codec_def_t *d = media_codec_find(c->name);
	assert_non_null(d);
	media_codec_t *enc, *dec;
	assert_int_equal(media_codec_open(d, c->rate, NULL, &enc), 0);
	assert_int_equal(media_codec_open(d, c->rate, NULL, &dec), 0);
	size_t n = c->rate * SECONDS, fr = c->rate / 50; /* 20 ms */
	int16_t *x = calloc(n, sizeof(*x)), *y = calloc(n, sizeof(*y));
	assert_non_null(x);
	assert_non_null(y);
	const double f = 1000;
	for (size_t i = 0; i < n; i++)
		x[i] = (int16_t)(8000 * sin(2 * M_PI * f * (double)i / c->rate));
	uint8_t pkt[1500];
	double t0 = now_us();
	for (size_t o = 0; o + fr <= n; o += fr) {
		int len = d->encode(enc, x + o, fr, pkt, sizeof(pkt));
		assert_true(len > 0);
		int got = d->decode(dec, pkt, (size_t)len, y + o, fr);
		assert_int_equal(got, (int)fr);
	}
	double us = (now_us() - t0) / (double)(n / fr);

	/* Align: the codec's delay is the lag with the best correlation. */
	size_t skip = c->rate / 10, len = n - skip - c->rate / 20, best_lag = 0;
	double best = -1e300;
	for (size_t lag = 0; lag < c->rate / 50; lag++) {
		double acc = 0;
		for (size_t i = skip; i < skip + len; i++)
			acc += (double)x[i - lag] * y[i];
		if (acc > best)
			best = acc, best_lag = lag;
	}
	double sxx = 0, sxy = 0;
	for (size_t i = skip; i < skip + len; i++) {
		sxx += (double)x[i - best_lag] * x[i - best_lag];
		sxy += (double)x[i - best_lag] * y[i];
	}
	double g = sxy / sxx, sig = 0, err = 0;
	for (size_t i = skip; i < skip + len; i++) {
		double r = g * x[i - best_lag];
		sig += r * r;
		err += (y[i] - r) * (y[i] - r);
	}
	double snr = 10 * log10(sig / (err > 0 ? err : 1e-9));
	double ratio = goertzel_ratio(y + skip, len, f, c->rate);
	print_message("%-5s %5u Hz: SNR %.1f dB (floor %.0f), tone %.1f %%, gain %.2f, delay %zu, "
		      "%.1f us per 20 ms enc+dec\n",
		      c->name, c->rate, snr, c->min_snr_db, 100 * ratio, g, best_lag, us);
	assert_true(snr >= c->min_snr_db);
	assert_true(ratio >= 0.90);
	assert_true(g > 0.5 && g < 1.5);

	/* PLC: one lost packet is concealed with exactly one packet of audio. */
	if (d->plc) {
		int got = d->plc(dec, NULL, 0, y, fr);
		assert_int_equal(got, (int)fr);
	}
	free(x);
	free(y);
	media_codec_close(enc);
	media_codec_close(dec);
}

static void test_roundtrip(void **st)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

/* Opus recovers a lost packet from the next one's in-band FEC (RFC 7587
 * 3.3, useinbandfec=1) without error. */
static void test_opus_fec(void **st)
{
	media_codec_t *enc, *dec;
	assert_int_equal(media_codec_open(&media_codec_opus, 16000, NULL, &enc), 0);
	assert_int_equal(media_codec_open(&media_codec_opus, 16000, NULL, &dec), 0);
	int16_t x[320], y[320];
	uint8_t pkt[2][400];
	int len[2];
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 320; i++)
			x[i] = (int16_t)(6000 * sin(2 * M_PI * 440 * (k * 320 + i) / 16000.0));
		len[k] = media_codec_opus.encode(enc, x, 320, pkt[k], sizeof(pkt[k]));
		assert_true(len[k] > 0);
	}
	assert_int_equal(media_codec_opus.plc(dec, pkt[1], (size_t)len[1], y, 320), 320);
	assert_int_equal(media_codec_opus.decode(dec, pkt[1], (size_t)len[1], y, 320), 320);
	media_codec_close(enc);
	media_codec_close(dec);
}

/* Codecs refuse PCM rates they cannot run at; the registry refuses
 * duplicates (a third-party codec cannot shadow a built-in). */
static void test_rates_and_registry(void **st)
{
	media_codec_t *c;
	assert_int_equal(media_codec_open(&media_codec_g729, 16000, NULL, &c), JN_ENOTSUP);
	assert_int_equal(media_codec_open(&media_codec_pcmu, 48000, NULL, &c), JN_ENOTSUP);
	assert_int_equal(media_codec_open(&media_codec_opus, 44100, NULL, &c), JN_ENOTSUP);
	assert_int_equal(media_codec_register(&media_codec_pcmu), JN_EEXIST);
	assert_ptr_equal(media_codec_find("pcma"), &media_codec_pcma);
	assert_ptr_equal(media_codec_find("opus/48000"), &media_codec_opus);
	assert_null(media_codec_find("opus/8000"));
	assert_null(media_codec_find("PCMU/x"));
	/* G.729 refuses a payload that is not frames + optional SID. */
	assert_int_equal(media_codec_open(&media_codec_g729, 0, NULL, &c), 0);
	int16_t pcm[160];
	uint8_t bad[7] = {0};
	assert_int_equal(media_codec_g729.decode(c, bad, sizeof(bad), pcm, 160), JN_EPARSE);
	media_codec_close(c);
}

static int setup(void **st)
{
	media_codecs_builtin();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_opus_fec),
		cmocka_unit_test(test_rates_and_registry),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
