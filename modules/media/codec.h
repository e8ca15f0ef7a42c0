/*
 * codec.h - the codec interface of the media engine.
 *
 * A codec is a const media_codec_def_t (the class) and per-channel state
 * made by create() (one encoder + decoder pair for one direction pair of
 * one stream). Channels are independent: a worker thread owns each one,
 * so implementations need no locks but must keep no mutable globals.
 *
 * The PCM side is signed 16-bit mono at pcm_rate, chosen at create():
 * G.711 and G.729 run at 8000, G.722 at 16000, Opus at any of 8000, 12000,
 * 16000, 24000, 48000. Encoders take a whole number of frames (frame_ms);
 * an RTP packet of ptime ms holds ptime / frame_ms frames.
 *
 * Built-in: PCMU, PCMA (RFC 3551 4.5.14), G722 (RFC 3551 4.5.2: clock
 * rate 8000 in SDP, 16 kHz audio), G729 (annex A, no annex B), opus
 * (RFC 7587: opus/48000/2 in SDP, mono here, FEC on, complexity 5, VOICE).
 * A third-party module adds its own with media_api_t.codec_register().
 */
#ifndef JUNCTION_MEDIA_CODEC_H
#define JUNCTION_MEDIA_CODEC_H

#include <stddef.h>
#include <stdint.h>

typedef struct media_codec_def media_codec_def_t;
typedef struct media_codec media_codec_t; /* a channel: def + private state */

struct media_codec {
	const media_codec_def_t *def;
	unsigned pcm_rate; /* samples/s on the PCM side */
	void *priv;        /* the implementation's state */
};

struct media_codec_def {
	uint32_t size;        /* sizeof(media_codec_def_t) */
	const char *name;     /* SDP encoding name, e.g. "PCMU" */
	unsigned clock_rate;  /* RTP clock rate as in a=rtpmap */
	unsigned sdp_channels; /* channels as in a=rtpmap (opus: 2), 1 otherwise */
	int static_pt;        /* RFC 3551 static payload type, or -1 (dynamic) */
	int default_pt;       /* payload type we offer it with */
	const char *fmtp;     /* a=fmtp we offer/answer, or NULL */
	unsigned frame_ms;    /* encoder frame duration */
	unsigned native_rate; /* preferred PCM rate (pcm_rate 0 -> this) */

	/* Fills c->priv for pcm_rate (already stored in c->pcm_rate); fmtp is
	 * the remote's a=fmtp or NULL. 0 or a negative JN_E* (JN_ENOTSUP
	 * for a pcm_rate the codec cannot run at). */
	int (*create)(media_codec_t *c, const char *fmtp);
	void (*destroy)(media_codec_t *c);
	/* Encodes n samples (a multiple of the frame size) into out (room for
	 * outlen bytes). Returns the payload length or a negative JN_E*. */
	int (*encode)(media_codec_t *c, const int16_t *pcm, size_t n, uint8_t *out, size_t outlen);
	/* Decodes one payload into pcm (room for max samples). Returns the
	 * number of samples or a negative JN_E*. */
	int (*decode)(media_codec_t *c, const uint8_t *in, size_t len, int16_t *pcm, size_t max);
	/* Conceals one lost packet of n samples (n = ptime of the stream).
	 * fec/fec_len: the packet after the lost one, when the codec can
	 * recover from in-band FEC (Opus), else NULL. Returns samples written
	 * or a negative JN_E*. NULL: the engine uses spandsp's PLC. */
	int (*plc)(media_codec_t *c, const uint8_t *fec, size_t fec_len, int16_t *pcm, size_t n);
};

/* The functions below are the media module's own (hidden in media.so):
 * other modules reach the registry through media_api_t. */

/* Creates a channel of def at pcm_rate (0: def->native_rate). */
int media_codec_open(const media_codec_def_t *def, unsigned pcm_rate, const char *fmtp,
		     media_codec_t **out);
void media_codec_close(media_codec_t *c);

/* Registry (SIP thread, module load time). */
int media_codec_register(const media_codec_def_t *def);
const media_codec_def_t *media_codec_find(const char *name);
/* Finds by SDP encoding name and clock rate (case-insensitive). */
const media_codec_def_t *media_codec_find_rate(const char *name, unsigned clock_rate);
/* The built-in table registers itself on first use; tests may call it. */
void media_codecs_builtin(void);
void media_codecs_reset(void);

extern const media_codec_def_t media_codec_pcmu, media_codec_pcma, media_codec_g722,
	media_codec_g729, media_codec_opus;

#endif
