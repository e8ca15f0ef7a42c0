/* codec_g722.c - G.722 at 64 kbit/s with spandsp (RFC 3551 4.5.2: the
 * RTP clock is 8000 for historical reasons, the audio is 16 kHz). */
#include <stdlib.h>

#include <spandsp.h>

#include <junction/junction.h>

#include "codec.h"

struct g722 {
	g722_encode_state_t *enc;
	g722_decode_state_t *dec;
};

static void g722_destroy(media_codec_t *c)
{
	struct g722 *g = c->priv;
	if (!g)
		return;
	if (g->enc)
		g722_encode_free(g->enc);
	if (g->dec)
		g722_decode_free(g->dec);
	free(g);
	c->priv = NULL;
}

static int g722_create(media_codec_t *c, const char *fmtp)
{
	if (c->pcm_rate != 16000 && c->pcm_rate != 8000)
		return JN_ENOTSUP;
	int opt = c->pcm_rate == 8000 ? G722_SAMPLE_RATE_8000 : 0;
	struct g722 *g = calloc(1, sizeof(*g));
	if (!g)
		return JN_ENOMEM;
	c->priv = g;
	g->enc = g722_encode_init(NULL, 64000, opt);
	g->dec = g722_decode_init(NULL, 64000, opt);
	if (!g->enc || !g->dec) {
		g722_destroy(c);
		return JN_ENOMEM;
	}
	return 0;
}

static int g722_enc(media_codec_t *c, const int16_t *pcm, size_t n, uint8_t *out, size_t outlen)
{
	struct g722 *g = c->priv;
	/* 16 kHz: 2 samples per octet; at 8 kHz spandsp upsamples: 1:1. */
	size_t need = c->pcm_rate == 16000 ? n / 2 : n;
	if (need > outlen || n > 0x7fffffff)
		return JN_ERANGE;
	return g722_encode(g->enc, out, pcm, (int)n);
}

static int g722_dec(media_codec_t *c, const uint8_t *in, size_t len, int16_t *pcm, size_t max)
{
	struct g722 *g = c->priv;
	size_t need = c->pcm_rate == 16000 ? 2 * len : len;
	if (need > max || len > 0x7fffffff)
		return JN_ERANGE;
	return g722_decode(g->dec, pcm, in, (int)len);
}

const media_codec_def_t media_codec_g722 = {
	.size = sizeof(media_codec_def_t),
	.name = "G722",
	.clock_rate = 8000,
	.sdp_channels = 1,
	.static_pt = 9,
	.default_pt = 9,
	.frame_ms = 10,
	.native_rate = 16000,
	.create = g722_create,
	.destroy = g722_destroy,
	.encode = g722_enc,
	.decode = g722_dec,
};
