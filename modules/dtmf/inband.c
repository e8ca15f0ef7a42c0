/*
 * inband.c - DTMF tones in 8 kHz linear PCM, with spandsp's detector
 * (dtmf_rx) and generator (dtmf_tx).
 *
 * The detector is used with its digits callback only: once spandsp's
 * realtime callback is set, the digits callback receives nothing, and the
 * start/end pairs it gives instead lost digits in our round trip. The end
 * of a digit (and so its duration) is read with dtmf_rx_status(), which
 * names the digit while its tone lasts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include <junction/junction.h>

#include "dtmf.h"

#define RATE 8000
/* Status is checked every CHUNK samples: the duration is measured to
 * 10 ms. */
#define CHUNK 80

struct dtmf_inband_rx {
	dtmf_rx_state_t *rx;
	dtmf_event_cb cb;
	void *data;
	int reported; /* digits reported by the current feed call */
	char cur;     /* digit whose tone is on, or 0 */
	uint64_t start_ms;
	uint64_t samples; /* samples of cur so far */
	double energy;    /* sum of squares over those samples */
	char pending[8];  /* digits the callback gave during this chunk */
	int npending;
};

static void finish(dtmf_inband_rx_t *r)
{
	dtmf_event_t ev;

	if (!r->cur)
		return;
	dtmf_event_init(&ev, r->cur, DTMF_SRC_INBAND);
	ev.start_ms = r->start_ms;
	ev.duration_ms = (uint32_t)(r->samples * 1000 / RATE);
	if (r->samples && r->energy > 0) {
		/* Power against a full-scale sine, which spandsp puts at
		 * +3.14 dBm0; RFC 4733 codes the level as -dBm0. */
		double ms = r->energy / (double)r->samples;
		double dbm0 = 10.0 * log10(ms / (32767.0 * 32767.0 / 2.0)) + 3.14;
		int vol = (int)lround(-dbm0);
		ev.volume = vol < 0 ? 0 : vol > 63 ? 63 : vol;
	}
	r->cur = 0;
	r->reported++;
	r->cb(&ev, r->data);
}

static void digits_cb(void *user, const char *digits, int len)
{
	dtmf_inband_rx_t *r = user;

	for (int i = 0; i < len && r->npending < (int)sizeof(r->pending); i++)
		r->pending[r->npending++] = digits[i];
}

dtmf_inband_rx_t *dtmf_inband_rx_new(dtmf_event_cb cb, void *data)
{
	dtmf_inband_rx_t *r;

	if (!cb)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->rx = dtmf_rx_init(NULL, digits_cb, r);
	if (!r->rx) {
		free(r);
		return NULL;
	}
	r->cb = cb;
	r->data = data;
	return r;
}

void dtmf_inband_rx_free(dtmf_inband_rx_t *r)
{
	if (!r)
		return;
	dtmf_rx_free(r->rx);
	free(r);
}

/* After a chunk: start digits the detector announced, end the one whose
 * tone stopped, and account the chunk to the digit that is on. */
static void after_chunk(dtmf_inband_rx_t *r, const int16_t *pcm, size_t n, uint64_t now_ms)
{
	int status;

	for (int i = 0; i < r->npending; i++) {
		finish(r); /* a digit follows another without a gap we saw */
		r->cur = dtmf_digit_normalize(r->pending[i]);
		r->start_ms = now_ms;
		r->samples = 0;
		r->energy = 0;
	}
	r->npending = 0;
	if (!r->cur)
		return;
	status = dtmf_rx_status(r->rx);
	if (status != r->cur) {
		finish(r);
		return;
	}
	r->samples += n;
	for (size_t i = 0; pcm && i < n; i++)
		r->energy += (double)pcm[i] * pcm[i];
}

int dtmf_inband_rx_feed(dtmf_inband_rx_t *r, const int16_t *pcm, size_t n, uint64_t now_ms)
{
	if (!r || (!pcm && n))
		return JN_EINVAL;
	r->reported = 0;
	for (size_t off = 0; off < n; off += CHUNK) {
		size_t k = n - off < CHUNK ? n - off : CHUNK;
		dtmf_rx(r->rx, pcm + off, (int)k);
		after_chunk(r, pcm + off, k, now_ms + off * 1000 / RATE);
	}
	return r->reported;
}

int dtmf_inband_rx_fillin(dtmf_inband_rx_t *r, size_t n, uint64_t now_ms)
{
	if (!r)
		return JN_EINVAL;
	r->reported = 0;
	for (size_t off = 0; off < n; off += CHUNK) {
		size_t k = n - off < CHUNK ? n - off : CHUNK;
		dtmf_rx_fillin(r->rx, (int)k);
		after_chunk(r, NULL, k, now_ms + off * 1000 / RATE);
	}
	return r->reported;
}

/* ---- generator ------------------------------------------------------------ */

struct dtmf_inband_tx {
	dtmf_tx_state_t *tx;
};

dtmf_inband_tx_t *dtmf_inband_tx_new(int level_dbm0, unsigned on_ms, unsigned off_ms)
{
	dtmf_inband_tx_t *t;

	if (level_dbm0 > 0 || level_dbm0 < -60 || on_ms < 20 || on_ms > 10000 || off_ms > 10000)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tx = dtmf_tx_init(NULL);
	if (!t->tx) {
		free(t);
		return NULL;
	}
	dtmf_tx_set_level(t->tx, level_dbm0, 0);
	dtmf_tx_set_timing(t->tx, (int)on_ms, (int)off_ms);
	return t;
}

void dtmf_inband_tx_free(dtmf_inband_tx_t *t)
{
	if (!t)
		return;
	dtmf_tx_free(t->tx);
	free(t);
}

int dtmf_inband_tx_put(dtmf_inband_tx_t *t, const char *digits)
{
	char buf[64];
	size_t n;

	if (!t || !digits || (n = strlen(digits)) == 0 || n >= sizeof(buf))
		return JN_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(buf[i] = dtmf_digit_normalize(digits[i])))
			return JN_EINVAL;
	buf[n] = '\0';
	/* spandsp queues what fits and returns how many did not. */
	return dtmf_tx_put(t->tx, buf, (int)n) == 0 ? 0 : JN_EAGAIN;
}

int dtmf_inband_tx_fill(dtmf_inband_tx_t *t, int16_t *pcm, size_t n)
{
	int got;

	if (!t || (!pcm && n) || n > (size_t)INT32_MAX)
		return JN_EINVAL;
	got = dtmf_tx(t->tx, pcm, (int)n);
	if (got < 0)
		got = 0;
	memset(pcm + got, 0, (n - (size_t)got) * sizeof(*pcm));
	return got;
}
