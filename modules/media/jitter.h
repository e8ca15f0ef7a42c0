/*
 * jitter.h - adaptive jitter buffer: INTERFACE ONLY in this step (no
 * jitter.c yet); the transcoding/pipeline step implements it. It sits
 * between the socket and the decoder of a session that decodes (play,
 * record, DTMF in-band, transcode, conference); plain relay bypasses it.
 *
 * Model: packets go in as they arrive (any order, duplicates, gaps); the
 * worker's 10/20 ms media tick pulls one frame's worth per tick. The
 * buffer keeps a target delay between min_ms and max_ms that follows the
 * measured inter-arrival jitter (RFC 3550 A.8 estimator, grows at once,
 * shrinks slowly during silence), and re-anchors on a timestamp jump or
 * an SSRC change. Clock skew between the sender's clock and ours is
 * absorbed by dropping or concealing one frame when the fill level drifts
 * outside the target window for long enough.
 *
 * Pull results:
 *   JB_FRAME    a packet is due: decode it
 *   JB_LOST     the due packet is missing: conceal (codec plc(), with the
 *               next packet as FEC when the codec has it, else spandsp plc)
 *   JB_EMPTY    nothing received yet / talk spurt not started: silence
 *
 * Single-threaded: owned by the worker that owns the session.
 */
#ifndef JUNCTION_MEDIA_JITTER_H
#define JUNCTION_MEDIA_JITTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct jb jb_t;

typedef struct jb_conf {
	unsigned clock_rate; /* RTP timestamp units per second */
	unsigned frame_ts;   /* timestamp units per pulled frame (ptime) */
	unsigned min_ms, max_ms; /* target delay bounds, e.g. 20 and 200 */
} jb_conf_t;

enum { JB_EMPTY = 0, JB_FRAME = 1, JB_LOST = 2 };

typedef struct jb_stats {
	uint64_t in, late, duplicate, lost, concealed, dropped_skew, resync;
	unsigned delay_ms; /* current target */
} jb_stats_t;

jb_t *jb_create(const jb_conf_t *conf);
void jb_destroy(jb_t *jb);

/* Copies a packet in (payload only; seq/ts/marker from the header).
 * now_ms is the arrival time. Late (already played) and duplicate
 * packets are counted and dropped. */
int jb_put(jb_t *jb, uint16_t seq, uint32_t ts, int marker, const uint8_t *payload, size_t len,
	   uint64_t now_ms);

/* The frame due at now_ms: JB_FRAME with *payload/*len valid until the next
 * call (and *next / *next_len set to the following packet when present,
 * for FEC), JB_LOST or JB_EMPTY. */
int jb_get(jb_t *jb, uint64_t now_ms, const uint8_t **payload, size_t *len, const uint8_t **next,
	   size_t *next_len);

void jb_stats(const jb_t *jb, jb_stats_t *st);

#endif
