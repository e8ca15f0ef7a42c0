/* pipeline.h - the linear-PCM frame pipeline of a session (pipeline.c),
 * run by the worker that owns the session on its 20 ms tick:
 *
 *   RTP in -> jitter buffer -> decoder (+PLC) -> 20 ms frame --> recorder
 *                                                     |----> DTMF detector (8 kHz)
 *                                                     |
 *   source (file, tone, silence)  or  peer's frame --resample--> encoder -> RTP out
 *
 * A session gets a pipeline when it transcodes (connected to a peer with
 * another codec), plays a source, records or detects in-band DTMF; plain
 * relay never decodes (a relayed leg with a recorder or detector is decoded
 * beside the relay, which goes on untouched).
 * Everything here runs on the worker thread except msrc_open_*() and
 * mrec_open(), which the SIP thread calls so the caller learns about a
 * missing file at once. */
#ifndef JUNCTION_MEDIA_PIPELINE_H
#define JUNCTION_MEDIA_PIPELINE_H

#include <stdint.h>

struct media_session;
struct msrc;
struct mrec;

#define PIPE_TICK_MS 20

/* ---- SIP thread ---- */
/* A WAV file (any rate, mono or stereo: mixed down), played loops times
 * (0: forever). JN_ENOENT / JN_EPARSE when it cannot be opened. */
int msrc_open_file(const char *path, unsigned loops, uint32_t id, struct msrc **out);
/* spandsp tone: f1 (+ f2), level dBm0, cadence on/off ms, total ms (0: until
 * stopped). on_ms 0 means continuous. */
int msrc_open_tone(unsigned f1, unsigned f2, int level, unsigned on_ms, unsigned off_ms,
                   unsigned duration_ms, uint32_t id, struct msrc **out);
int msrc_open_silence(unsigned duration_ms, uint32_t id, struct msrc **out);
void msrc_free(struct msrc *src);
/* 16-bit mono WAV at rate; max_ms 0: until stopped. */
int mrec_open(const char *path, unsigned rate, unsigned max_ms, uint32_t id, struct mrec **out);
void mrec_free(struct mrec *rec);

/* ---- worker thread ---- */
/* Re-evaluates what s needs after a change of parameters, peer, source or
 * recorder: creates, re-creates (codec or rate changed) or frees its
 * pipeline. */
void pipe_update(struct media_session *s);
void pipe_free(struct media_session *s);
/* An RTP packet for s (already validated and latched). 1: consumed (by the
 * transcoder, or dropped as malformed), 0: let the relay have it (it may
 * also have been queued for a recorder or the DTMF detector). */
int pipe_rx(struct media_session *s, const uint8_t *buf, size_t len, uint64_t now_ms);
/* 1 while s plays a source: the relay must not send the peer's audio. */
int pipe_muted(const struct media_session *s);
/* Attach (replacing, with its DONE event, any previous one) or stop. */
void pipe_play(struct media_session *s, struct msrc *src);
void pipe_record(struct media_session *s, struct mrec *rec);
void pipe_stop(struct media_session *s, uint32_t id);
/* 1 while the pipeline sends a stream of its own (it encodes: transcoding
 * or a source): its SSRC, its sequence counter (an event sender takes
 * numbers from it) and the timestamp of its next frame. */
int pipe_out_stream(struct media_session *s, uint32_t *ssrc, uint16_t **seq, uint32_t *ts);
/* One 20 ms tick over the worker's session list. */
void pipe_tick(struct media_session *list, uint64_t now_ms);

#endif
