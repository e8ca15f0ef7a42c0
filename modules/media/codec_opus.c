/* codec_opus.c - Opus (RFC 6716) over RTP (RFC 7587): always "opus/48000/2"
 * in SDP whatever the real rate; mono here at any Opus rate, FEC on
 * (useinbandfec=1), complexity 5 with the VOICE signal hint (the cost
 * table in deps.md 4). */
#include <stdlib.h>

#include <opus.h>

#include <junction/junction.h>

#include "codec.h"

struct opus {
	OpusEncoder *enc;
	OpusDecoder *dec;
};

static void opus_destroy(media_codec_t *c)
{
	struct opus *o = c->priv;
	if (!o)
		return;
	if (o->enc)
		opus_encoder_destroy(o->enc);
	if (o->dec)
		opus_decoder_destroy(o->dec);
	free(o);
	c->priv = NULL;
}

static int opus_create(media_codec_t *c, const char *fmtp)
{
	switch (c->pcm_rate) {
	case 8000: case 12000: case 16000: case 24000: case 48000:
		break;
	default:
		return JN_ENOTSUP;
	}
	struct opus *o = calloc(1, sizeof(*o));
	if (!o)
		return JN_ENOMEM;
	c->priv = o;
	int err;
	o->enc = opus_encoder_create((opus_int32)c->pcm_rate, 1, OPUS_APPLICATION_VOIP, &err);
	o->dec = opus_decoder_create((opus_int32)c->pcm_rate, 1, &err);
	if (!o->enc || !o->dec) {
		opus_destroy(c);
		return JN_ENOMEM;
	}
	opus_encoder_ctl(o->enc, OPUS_SET_COMPLEXITY(5));
	opus_encoder_ctl(o->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
	opus_encoder_ctl(o->enc, OPUS_SET_INBAND_FEC(1));
	opus_encoder_ctl(o->enc, OPUS_SET_PACKET_LOSS_PERC(5));
	opus_encoder_ctl(o->enc, OPUS_SET_BITRATE(c->pcm_rate >= 16000 ? 24000 : 16000));
	return 0;
}

static int opus_enc(media_codec_t *c, const int16_t *pcm, size_t n, uint8_t *out, size_t outlen)
{
	struct opus *o = c->priv;
	if (n > 5760 || outlen > 0x7fffffff)
		return JN_ERANGE;
	int r = opus_encode(o->enc, pcm, (int)n, out, (opus_int32)outlen);
	return r < 0 ? JN_EINVAL : r;
}

static int opus_dec(media_codec_t *c, const uint8_t *in, size_t len, int16_t *pcm, size_t max)
{
	struct opus *o = c->priv;
	if (len > 0x7fffffff || max > 0x7fffffff)
		return JN_ERANGE;
	int r = opus_decode(o->dec, in, (opus_int32)len, pcm, (int)max, 0);
	return r < 0 ? JN_EPARSE : r;
}

/* Opus conceals a loss itself: from the next packet's in-band FEC when it
 * is there (decode_fec=1), else by its own PLC (data NULL). */
static int opus_plc(media_codec_t *c, const uint8_t *fec, size_t fec_len, int16_t *pcm, size_t n)
{
	struct opus *o = c->priv;
	if (n > 5760 || fec_len > 0x7fffffff)
		return JN_ERANGE;
	int r = fec ? opus_decode(o->dec, fec, (opus_int32)fec_len, pcm, (int)n, 1)
		    : opus_decode(o->dec, NULL, 0, pcm, (int)n, 0);
	return r < 0 ? JN_EPARSE : r;
}

const media_codec_def_t media_codec_opus = {
	.size = sizeof(media_codec_def_t),
	.name = "opus",
	.clock_rate = 48000,
	.sdp_channels = 2,
	.static_pt = -1,
	.default_pt = 111,
	.fmtp = "useinbandfec=1",
	.frame_ms = 20,
	.native_rate = 48000,
	.create = opus_create,
	.destroy = opus_destroy,
	.encode = opus_enc,
	.decode = opus_dec,
	.plc = opus_plc,
};
