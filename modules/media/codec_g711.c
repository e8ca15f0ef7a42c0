/* codec_g711.c - PCMU and PCMA (ITU-T G.711, RFC 3551 4.5.14) with
 * spandsp's inline companding. Stateless: no per-channel memory. */
#include <spandsp.h>

#include <junction/junction.h>

#include "codec.h"

static int g711_create(media_codec_t *c, const char *fmtp)
{
	return c->pcm_rate == 8000 ? 0 : JN_ENOTSUP;
}

static int ulaw_encode(media_codec_t *c, const int16_t *pcm, size_t n, uint8_t *out, size_t outlen)
{
	if (n > outlen)
		return JN_ERANGE;
	for (size_t i = 0; i < n; i++)
		out[i] = linear_to_ulaw(pcm[i]);
	return (int)n;
}

static int ulaw_decode(media_codec_t *c, const uint8_t *in, size_t len, int16_t *pcm, size_t max)
{
	if (len > max)
		return JN_ERANGE;
	for (size_t i = 0; i < len; i++)
		pcm[i] = ulaw_to_linear(in[i]);
	return (int)len;
}

static int alaw_encode(media_codec_t *c, const int16_t *pcm, size_t n, uint8_t *out, size_t outlen)
{
	if (n > outlen)
		return JN_ERANGE;
	for (size_t i = 0; i < n; i++)
		out[i] = linear_to_alaw(pcm[i]);
	return (int)n;
}

static int alaw_decode(media_codec_t *c, const uint8_t *in, size_t len, int16_t *pcm, size_t max)
{
	if (len > max)
		return JN_ERANGE;
	for (size_t i = 0; i < len; i++)
		pcm[i] = alaw_to_linear(in[i]);
	return (int)len;
}

const media_codec_def_t media_codec_pcmu = {
	.size = sizeof(media_codec_def_t),
	.name = "PCMU",
	.clock_rate = 8000,
	.sdp_channels = 1,
	.static_pt = 0,
	.default_pt = 0,
	.frame_ms = 10,
	.native_rate = 8000,
	.create = g711_create,
	.encode = ulaw_encode,
	.decode = ulaw_decode,
};

const media_codec_def_t media_codec_pcma = {
	.size = sizeof(media_codec_def_t),
	.name = "PCMA",
	.clock_rate = 8000,
	.sdp_channels = 1,
	.static_pt = 8,
	.default_pt = 8,
	.frame_ms = 10,
	.native_rate = 8000,
	.create = g711_create,
	.encode = alaw_encode,
	.decode = alaw_decode,
};
