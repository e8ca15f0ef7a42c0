/* codec_g729.c - G.729 annex A with bcg729 (RFC 3551 4.5.6): 10 ms frames
 * of 10 octets; a payload holds several. VAD is off (annexb=no), so no
 * SID frames are sent; received 2-octet SID frames are decoded as such. */
#include <stdlib.h>

#include <bcg729/decoder.h>
#include <bcg729/encoder.h>

#include <junction/junction.h>

#include "codec.h"

struct g729 {
	bcg729EncoderChannelContextStruct *enc;
	bcg729DecoderChannelContextStruct *dec;
};

static void g729_destroy(media_codec_t *c)
{
	struct g729 *g = c->priv;
	if (!g)
		return;
	if (g->enc)
		closeBcg729EncoderChannel(g->enc);
	if (g->dec)
		closeBcg729DecoderChannel(g->dec);
	free(g);
	c->priv = NULL;
}

static int g729_create(media_codec_t *c, const char *fmtp)
{
	if (c->pcm_rate != 8000)
		return JN_ENOTSUP;
	struct g729 *g = calloc(1, sizeof(*g));
	if (!g)
		return JN_ENOMEM;
	c->priv = g;
	g->enc = initBcg729EncoderChannel(0);
	g->dec = initBcg729DecoderChannel();
	if (!g->enc || !g->dec) {
		g729_destroy(c);
		return JN_ENOMEM;
	}
	return 0;
}

static int g729_enc(media_codec_t *c, const int16_t *pcm, size_t n, uint8_t *out, size_t outlen)
{
	struct g729 *g = c->priv;
	if (n % 80 || n / 80 * 10 > outlen)
		return JN_ERANGE;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 80) {
		uint8_t len = 0;
		bcg729Encoder(g->enc, pcm + i, out + o, &len);
		o += len;
	}
	return (int)o;
}

static int g729_dec(media_codec_t *c, const uint8_t *in, size_t len, int16_t *pcm, size_t max)
{
	struct g729 *g = c->priv;
	size_t o = 0;
	/* Full frames first, then at most one 2-octet SID (RFC 3551 4.5.6). */
	while (len >= 10) {
		if (o + 80 > max)
			return JN_ERANGE;
		bcg729Decoder(g->dec, in, 10, 0, 0, 0, pcm + o);
		in += 10;
		len -= 10;
		o += 80;
	}
	if (len == 2) {
		if (o + 80 > max)
			return JN_ERANGE;
		bcg729Decoder(g->dec, in, 2, 0, 1, 0, pcm + o);
		o += 80;
	} else if (len) {
		return JN_EPARSE;
	}
	return (int)o;
}

static int g729_plc(media_codec_t *c, const uint8_t *fec, size_t fec_len, int16_t *pcm, size_t n)
{
	struct g729 *g = c->priv;
	if (n % 80)
		return JN_ERANGE;
	for (size_t o = 0; o < n; o += 80)
		bcg729Decoder(g->dec, NULL, 0, 1, 0, 0, pcm + o);
	return (int)n;
}

const media_codec_def_t media_codec_g729 = {
	.size = sizeof(media_codec_def_t),
	.name = "G729",
	.clock_rate = 8000,
	.sdp_channels = 1,
	.static_pt = 18,
	.default_pt = 18,
	.fmtp = "annexb=no",
	.frame_ms = 10,
	.native_rate = 8000,
	.create = g729_create,
	.destroy = g729_destroy,
	.encode = g729_enc,
	.decode = g729_dec,
	.plc = g729_plc,
};
