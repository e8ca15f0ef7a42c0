/*
 * jitter.h - adaptive jitter buffer (jitter.c). It sits between the socket
 * and the decoder of a session that decodes (play, record, DTMF in-band,
 * transcode, conference); plain relay bypasses it.
 *
 * Model: packets go in as they arrive (any order, duplicates, gaps) and are
 * kept in a ring indexed by sequence number; the decoder pulls one packet's
 * worth (jb_get) whenever its PCM runs short, i.e. once per packet time on
 * average. Playout starts target_ms after the first packet of a talk spurt.
 *
 * Target delay: frame + 3 x the RFC 3550 A.8 interarrival jitter, between
 * min_ms and max_ms; it grows at once and decays slowly (1/128 per packet).
 * The fill level (audio buffered ahead of the playout point) is averaged
 * over a window of JB_WINDOW pulls and steered towards the target: one
 * frame is dropped when it is more than 1.5 frames above, one is inserted
 * (a concealed frame, the playout point holds) when it is more than one
 * frame below. The same rule absorbs clock skew between the sender and our
 * tick: a sender 0.1 % fast gains 20 ms every 20 s, which costs one dropped
 * frame per 20 s. An underrun (nothing buffered at the playout point)
 * conceals without advancing; after JB_IDLE_FRAMES underruns in a row the
 * stream is considered paused (hold, DTX, end) and the buffer re-anchors
 * on the next packet. A sequence jump of JB_SLOTS or more re-anchors too.
 *
 * Pull results:
 *   JB_FRAME    a packet is due: decode it
 *   JB_LOST     the due packet is missing, or a frame is inserted: conceal
 *               (codec plc(), with *next as FEC when the codec has it,
 *               else spandsp plc)
 *   JB_EMPTY    nothing received yet / talk spurt not started: silence
 *
 * Sequence numbers and timestamps are compared modulo 2^16 and 2^32, so
 * both wrap freely. Single-threaded: owned by the worker that owns the
 * session.
 */
#ifndef JUNCTION_MEDIA_JITTER_H
#define JUNCTION_MEDIA_JITTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct jb jb_t;

#define JB_SLOTS       64   /* packets held at most */
#define JB_MAX_PAYLOAD 1200 /* larger packets are dropped (counted as late) */
#define JB_WINDOW      25   /* pulls per fill-level decision */
#define JB_IDLE_FRAMES 10   /* underruns in a row that mean "paused" */

typedef struct jb_conf {
	unsigned clock_rate;     /* RTP timestamp units per second */
	unsigned frame_ts;       /* timestamp units per packet (ptime); learnt
	                            from the stream when it differs */
	unsigned min_ms, max_ms; /* target delay bounds, e.g. 20 and 200 */
} jb_conf_t;

enum { JB_EMPTY = 0, JB_FRAME = 1, JB_LOST = 2 };

typedef struct jb_stats {
	uint64_t in;   /* packets stored */
	uint64_t late; /* arrived after their playout time (or too big) */
	uint64_t duplicate;
	uint64_t lost;         /* never arrived in time: skipped at playout */
	uint64_t concealed;    /* JB_LOST returned (lost + inserted) */
	uint64_t dropped_skew; /* dropped to shrink the delay (skew, jitter fell) */
	uint64_t inserted;     /* concealed frames added to grow the delay */
	uint64_t resync;       /* re-anchored (sequence jump, pause) */
	unsigned delay_ms;     /* current target */
	unsigned level_ms;     /* audio buffered ahead of playout now */
	double jitter_ms;      /* RFC 3550 A.8 estimate */
} jb_stats_t;

jb_t *jb_create(const jb_conf_t *conf);
void jb_destroy(jb_t *jb);
/* Forgets every packet and the playout point (SSRC change). */
void jb_reset(jb_t *jb);

/* Copies a packet in (payload only; seq/ts/marker from the header).
 * now_ms is the arrival time. Returns 0 when stored, 1 when dropped (late,
 * duplicate, too big; counted). */
int jb_put(jb_t *jb, uint16_t seq, uint32_t ts, int marker, const uint8_t *payload, size_t len,
           uint64_t now_ms);

/* The next packet in playout order: JB_FRAME with *payload, *len valid until
 * the next call (and *next, *next_len set to the following packet when it
 * is buffered, for FEC, else NULL/0), JB_LOST or JB_EMPTY. *samples_ts is
 * the duration the caller should produce, in timestamp units. */
int jb_get(jb_t *jb, uint64_t now_ms, const uint8_t **payload, size_t *len, const uint8_t **next,
           size_t *next_len, unsigned *samples_ts);

void jb_stats(const jb_t *jb, jb_stats_t *st);

#endif
