/*
 * media_api.h - the media engine's C API for other modules ("media",
 * version 1).
 *
 * The call, dtmf, ivr, conference and recording modules drive RTP through
 * this table. A module that uses it lists "media" in its .depends and
 * fetches the table in load() or start():
 *
 *     #include "../media/media_api.h"          (in-tree modules)
 *     const media_api_t *media = jn_api_get(m, MEDIA_API_NAME, MEDIA_API_VERSION);
 *
 * Threads. Every function in the table is called on the SIP thread and
 * never blocks: it validates, updates the SIP-side state and queues a
 * command to the media worker that owns the session (see README.md). Events
 * come back on the SIP thread through jn_loop_post(), in the order the
 * worker produced them.
 *
 * Lifetime. A media_session_t is created by session_create() and is valid
 * until session_destroy() returns; no event callback runs for a session
 * after session_destroy() returned, even if the worker had queued one.
 *
 * Strings. Every string argument is borrowed for the duration of the call.
 * SDP bodies returned (char **out) are malloc()ed, NUL-terminated, and the
 * caller free()s them.
 *
 * Errors are 0 or a negative JN_E* code (jn_strerror() names it). For the
 * SDP functions the mapping to SIP is: JN_EPARSE (malformed SDP) and
 * JN_ENOTSUP (no acceptable stream, codec, transport or address family)
 * -> 488 Not Acceptable Here, with the text written to err as a Warning
 * (RFC 3261 20.43, code 304/305/399); JN_ESTATE (an answer without an
 * offer outstanding, RFC 3264 4) -> 500 or 491 by the caller's judgement.
 *
 * Extending. Structs that cross the boundary start with a size field;
 * version 1 only grows at the end. Functions marked NOT YET IMPLEMENTED
 * return JN_ENOTSUP in this version so callers can be written now.
 */
#ifndef JUNCTION_MEDIA_API_H
#define JUNCTION_MEDIA_API_H

#include <sys/socket.h>

#include <junction/junction.h>

#include "codec.h"

#define MEDIA_API_NAME    "media"
#define MEDIA_API_VERSION 1

typedef struct media_session media_session_t; /* opaque */
struct dtmf_api;                              /* ../dtmf/dtmf_api.h */

/* Stream direction from the point of view of the side that states it
 * (RFC 3264 5.1, 6.1). As bit flags: send = 1, recv = 2. */
typedef enum {
	MEDIA_INACTIVE = 0,
	MEDIA_SENDONLY = 1,
	MEDIA_RECVONLY = 2,
	MEDIA_SENDRECV = 3,
} media_dir_t;

/* SRTP policy of a leg: SRTP (RFC 3711) keyed with SDES (RFC 4568),
 * suites AES_CM_128_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32, keys from
 * getrandom(). DTLS-SRTP (UDP/TLS/RTP/SAVP) and RTP/SAVPF are not
 * supported: such streams are rejected like any unknown transport. */
typedef enum {
	/* Plain RTP/AVP. An offer's a=crypto lines on RTP/AVP are ignored
	 * (answered plain); an RTP/SAVP stream is rejected (port 0), so an
	 * offer whose only audio is RTP/SAVP gets JN_ENOTSUP (488). */
	MEDIA_SRTP_OFF = 0,
	/* Best effort. Offers RTP/AVP with a=crypto (one line per suite), so
	 * a peer without SRTP answers plain and one with SDES picks a line.
	 * Answers RTP/AVP plain, RTP/AVP + a=crypto and RTP/SAVP + a=crypto
	 * (one line: the offerer's first usable one, same tag, our key). */
	MEDIA_SRTP_OFFER = 1,
	/* Offers RTP/SAVP with a=crypto; accepts only a stream with a usable
	 * a=crypto line (else JN_ENOTSUP: 488, RFC 4568 7.5). */
	MEDIA_SRTP_REQUIRE = 2,
} media_srtp_t;

/* ---- events --------------------------------------------------------- */
typedef enum {
	/* No RTP arrived for rtp_timeout ms while the remote side was
	 * expected to send (its direction is sendonly or sendrecv). Sent
	 * once; re-armed by the next packet or a new offer/answer. */
	MEDIA_EV_RTP_TIMEOUT = 1,
	/* The first RTP packet arrived and the session latched to its source
	 * (symmetric RTP); addr/port say where from. */
	MEDIA_EV_LATCHED = 2,
	/* A source attached with play_*() finished (or was stopped); id and
	 * status (0, or a negative JN_E* on a read error) are set. */
	MEDIA_EV_PLAYBACK_DONE = 3,
	/* A recorder stopped (max time, silence or record_stop()); id set. */
	MEDIA_EV_RECORD_DONE = 4,
	/* A DTMF digit ended (RFC 4733 end bit, or in-band tone ended):
	 * digit is one of "0123456789*#ABCD", duration_ms how long it lasted.
	 * Only for sessions created with opts.dtmf. */
	MEDIA_EV_DTMF = 5,
} media_event_type_t;

typedef struct media_event {
	uint32_t size; /* sizeof(media_event_t) */
	media_event_type_t type;
	media_session_t *session;
	uint32_t id;         /* source or recorder id (PLAYBACK_DONE, RECORD_DONE) */
	int status;          /* 0 or a negative JN_E* */
	char digit;          /* MEDIA_EV_DTMF */
	unsigned duration_ms; /* MEDIA_EV_DTMF */
	char addr[48];       /* MEDIA_EV_LATCHED: numeric host */
	unsigned port;       /* MEDIA_EV_LATCHED */
	/* ---- since in-band DTMF ---- */
	int dtmf_inband;     /* MEDIA_EV_DTMF: 1 detected in the audio, 0 RFC 4733 */
} media_event_t;

/* Runs on the SIP thread. The event is borrowed for the call. The callback
 * may call any function of the API, including session_destroy() on
 * ev->session. */
typedef void (*media_event_cb)(const media_event_t *ev, void *data);

/* ---- sessions ------------------------------------------------------- */
typedef enum {
	MEDIA_INBAND_OFF = 0,
	MEDIA_INBAND_AUTO = 1,
	MEDIA_INBAND_ON = 2,
} media_inband_t;

typedef struct media_session_opts {
	uint32_t size; /* sizeof(media_session_opts_t) */
	/* AF_INET or AF_INET6; 0: AF_INET. Use sdp_family() on an incoming
	 * offer to pick the family the offerer can reach. */
	int family;
	/* Address to bind RTP/RTCP to; NULL: the module parameter ip / ip6. */
	const char *bind_ip;
	/* Address written into c= lines; NULL: the bound address (set it
	 * when Junction is behind a 1:1 NAT). */
	const char *advertise_ip;
	/* Codec preference, best first: SDP encoding names, optionally with
	 * the clock rate ("PCMU", "opus/48000", "G722"). NULL: the module
	 * parameter codecs. Unknown names are an error (JN_ENOENT). */
	const char *const *codecs;
	unsigned ptime;          /* ms per packet we ask for; 0: 20 */
	int telephone_event;     /* offer/accept RFC 4733 telephone-event */
	media_srtp_t srtp;
	unsigned rtp_timeout_ms; /* 0: the module parameter rtp_timeout; no timeout
	                            when both are 0 */
	/* Place the session on the same worker as near (a bridge peer or a
	 * conference), so connect() is possible; NULL: least loaded worker. */
	media_session_t *near;
	media_event_cb on_event; /* may be NULL */
	void *data;              /* passed to on_event */
	/* DTMF reception (MEDIA_EV_DTMF): the dtmf module's API table
	 * (dtmf_api.h, fetched by the caller, which lists "dtmf" in its
	 * .depends), or NULL for none. With it, telephone-event packets of
	 * the negotiated PT go to an RFC 4733 receiver on the worker (and are
	 * still relayed to a connected peer); one event per digit when it
	 * ends. The media module itself does not depend on dtmf. */
	const struct dtmf_api *dtmf;
	/* ---- since in-band DTMF ---- */
	/* In-band DTMF detection (spandsp, through dtmf's in-band receiver;
	 * needs dtmf above): what the leg sends is decoded and its tones are
	 * reported as MEDIA_EV_DTMF with dtmf_inband set. AUTO detects while
	 * the negotiation has no telephone-event (a phone that can only send
	 * tones), ON always. A relayed stream is still relayed untouched; the
	 * decode costs about what one direction of transcoding does. */
	media_inband_t inband_dtmf;
} media_session_opts_t;

/* What an offer/answer exchange agreed on, for the caller's decisions
 * (e.g. whether two legs can be relayed without transcoding). */
typedef struct media_stream_info {
	uint32_t size;          /* sizeof(media_stream_info_t) */
	int negotiated;         /* 0 until an offer/answer completed */
	char codec[32];         /* SDP encoding name, e.g. "PCMU" */
	unsigned clock_rate;    /* RTP clock rate */
	unsigned channels;
	int pt;                 /* payload type we send with */
	int te_pt;              /* telephone-event PT, or -1 */
	unsigned ptime;         /* ms */
	media_dir_t local_dir;  /* what we agreed to do */
	media_dir_t remote_dir; /* what the peer said it does */
	char local_addr[48];    /* our RTP address and port */
	unsigned local_port;
	char remote_addr[48];   /* from SDP, or the latched source */
	unsigned remote_port;
	int latched;            /* remote_* is the source actually seen */
	char srtp_suite[32];    /* e.g. "AES_CM_128_HMAC_SHA1_80"; "": plain RTP */
} media_stream_info_t;

/* Per-stream counters; packets/bytes are exact. The receive statistics are
 * RFC 3550's (appendix A.1/A.3/A.8) about the stream the leg sends us,
 * computed on arrival for every stream, relayed ones included; RTT and the
 * remote_* fields come from the leg's RTCP (Junction terminates RTCP per
 * leg and sends its own SR/RR every 5 s on average), 0 until it reported.
 * mos_x100 is the ITU-T G.107 E-model estimate for what we receive from
 * the leg (codec, loss, RTT/2 plus a jitter buffer), 0 before any RTP. */
typedef struct media_stats {
	uint32_t size; /* sizeof(media_stats_t) */
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_dropped;  /* malformed, unexpected source or PT, SRTP
	                         authentication failure or replay */
	uint64_t rtcp_rx, rtcp_tx;
	uint32_t lost;        /* RFC 3550 A.3 cumulative lost (never below 0); while
	                         the session decodes, the jitter buffer's count
	                         (missing at playout, late ones too) when higher */
	uint32_t jitter_ms;   /* RFC 3550 A.8 interarrival jitter */
	uint32_t rtt_ms;      /* RFC 3550 6.4.1 now - LSR - DLSR, last report */
	uint32_t mos_x100;    /* E-model MOS x100 (100..450), 0: no RTP yet */
	/* ---- since the RTCP step ---- */
	uint32_t expected;      /* RFC 3550 A.3 packets expected (loss % = lost/expected) */
	uint32_t fraction_lost; /* A.3 fraction lost of our last report, x256 */
	int32_t remote_lost;    /* the leg's report about what we send: cumulative */
	uint32_t remote_fraction_lost; /* its fraction lost, x256 */
	uint32_t remote_jitter_ms;     /* its interarrival jitter */
} media_stats_t;

typedef struct media_api {
	uint32_t size; /* sizeof(media_api_t) */

	/* Allocates an RTP/RTCP port pair (even/odd) from rtp_min..rtp_max,
	 * binds both, and hands the session to a worker. JN_EAGAIN when the
	 * range is exhausted, JN_EINVAL for a bad option, JN_ENOENT for an
	 * unknown codec name, JN_EIO when no random key could be had. */
	int (*session_create)(const media_session_opts_t *opts, media_session_t **out);

	/* Disconnects, stops sources, closes the sockets (on the worker) and
	 * frees the session once the worker let go of it. No event is
	 * delivered after it returns. NULL is a no-op. */
	void (*session_destroy)(media_session_t *s);

	/* The family an SDP body's first audio stream uses (AF_INET or
	 * AF_INET6), or JN_EPARSE. Lets the caller create the session with
	 * the family the offerer can reach before calling sdp_answer(). */
	int (*sdp_family)(const char *sdp, size_t len);

	/* RFC 3264 6: applies a remote offer and writes our answer. The first
	 * audio stream with a common codec is accepted (our preference
	 * order decides the codec; the answer uses the offer's payload type
	 * numbers and lists the chosen codec plus telephone-event), every
	 * other m= line is rejected with port 0 in the same position.
	 * Applies to an initial offer and to re-offers (hold, codec change,
	 * new address): the remote address is updated and latching re-armed.
	 * err (may be NULL) receives a reason on failure. */
	int (*sdp_answer)(media_session_t *s, const char *offer, size_t len, char **answer,
			  char *err, size_t errlen);

	/* RFC 3264 5: writes an offer with every preferred codec (plus
	 * telephone-event), our direction (set_direction) and a new o=
	 * version. The offer is outstanding until sdp_apply_answer(). */
	int (*sdp_offer)(media_session_t *s, char **offer);

	/* RFC 3264 5.1/6: applies the answer to our outstanding offer. The
	 * first codec of the answer that we offered is used to send. A
	 * rejected stream (port 0) or a codec we did not offer gives
	 * JN_ENOTSUP; no outstanding offer gives JN_ESTATE. */
	int (*sdp_apply_answer)(media_session_t *s, const char *answer, size_t len, char *err,
				size_t errlen);

	/* The direction we state in our next offer or answer, e.g. SENDONLY
	 * to put the peer on hold (RFC 3264 8.4) and SENDRECV to resume.
	 * Takes effect on the wire after the next offer/answer completes. */
	int (*set_direction)(media_session_t *s, media_dir_t dir);

	/* Replaces the codec preference (see opts.codecs) for the next
	 * offer/answer, e.g. to put the other leg's codec first so that a
	 * bridge can relay. */
	int (*set_codecs)(media_session_t *s, const char *const *codecs);

	/* Connects a to b: what a receives is sent by b and vice versa.
	 * When both legs negotiated the same codec (name and clock rate) the
	 * packets are relayed unchanged but for the payload type (no
	 * decode); otherwise they are transcoded (jitter buffer, decode,
	 * resample, encode on the worker's 20 ms tick, our own SSRC towards
	 * each leg; the worker switches between the two whenever a new
	 * offer/answer changes a codec). a == b loops a session's
	 * media back to its sender (echo). Both sessions must live on the
	 * same worker (create the second with opts.near = first), else
	 * JN_EINVAL. A session is connected to at most one other; connecting
	 * again replaces the old link. Safe before negotiation finished:
	 * media flows once both sides have a remote address. */
	int (*connect)(media_session_t *a, media_session_t *b);

	/* Undoes connect() for s and its peer. */
	int (*disconnect)(media_session_t *s);

	/* Fills *info (set info->size first). */
	int (*stream_info)(media_session_t *s, media_stream_info_t *info);

	/* Fills *st (set st->size first) with the worker's latest counters. */
	int (*stats)(media_session_t *s, media_stats_t *st);

	/* ---- sources and sinks on the PCM pipeline ----
	 * Each returns an id (> 0) through *id; the end is reported with
	 * MEDIA_EV_PLAYBACK_DONE / MEDIA_EV_RECORD_DONE carrying that id
	 * (status 0, or JN_EIO on a read/write error). A source replaces what
	 * the session sends (a bridged peer's audio is muted while it plays);
	 * starting another replaces it (the old one reports DONE). Sources
	 * wait for the offer/answer; destroying the session ends them (the
	 * events are then not delivered). The file is opened here (JN_ENOENT
	 * when missing, JN_EPARSE when not audio), read and written by the
	 * worker. */

	/* Plays a WAV file (any rate, resampled) loops times (0: forever). */
	int (*play_file)(media_session_t *s, const char *path, unsigned loops, uint32_t *id);
	/* Plays a tone: f1, f2 Hz (f2 0: single), level dBm0, on/off ms
	 * cadence (on_ms 0: continuous), total duration ms (0: until
	 * stopped). Frequencies up to 3900 Hz, level -60..3, else JN_EINVAL. */
	int (*play_tone)(media_session_t *s, unsigned f1, unsigned f2, int level, unsigned on_ms,
			 unsigned off_ms, unsigned duration_ms, uint32_t *id);
	/* Sends silence (comfort level) for duration_ms (0: until stopped). */
	int (*play_silence)(media_session_t *s, unsigned duration_ms, uint32_t *id);
	/* Records what the session receives to a WAV file (8 or 16 kHz by
	 * codec) for at most max_ms (0: until stopped). JN_ESTATE before the
	 * offer/answer, JN_EIO when the file cannot be created. One recorder
	 * per session: a new one replaces the old. */
	int (*record)(media_session_t *s, const char *path, unsigned max_ms, uint32_t *id);
	/* Stops the source or recorder id; its DONE event follows. JN_ENOENT
	 * when id is not playing or recording (any more). */
	int (*stop)(media_session_t *s, uint32_t id);

	/* ---- codecs ----------------------------------------------------- */
	/* Adds a codec (see codec.h) for every session created afterwards.
	 * def must outlive the media module (a static const table in the
	 * registering module, which lists "media" in .depends). JN_EEXIST
	 * when name/clock_rate is taken. Call from load(). */
	int (*codec_register)(const media_codec_def_t *def);
	/* Looks a codec up by "NAME" or "NAME/RATE" (case-insensitive). */
	const media_codec_def_t *(*codec_find)(const char *name);
	/* The default preference (the module parameter codecs), best first:
	 * up to max definitions into out; returns how many. A bridge offers
	 * the caller's codec first and these after it, so that a callee that
	 * lacks the caller's codec still gets a call (transcoded). */
	size_t (*codec_defaults)(const media_codec_def_t **out, size_t max);

	/* ---- since RFC 4733 sending ---- */
	/* Sends digit ("0123456789*#ABCD") to the leg as an RFC 4733
	 * telephone-event lasting duration_ms (0: 250), in the stream the
	 * session sends (its own while it encodes, else the relayed one, whose
	 * sequence numbers are shifted to make room). Digits queue (32 at
	 * most) and go one after the other. JN_ESTATE when the negotiation has
	 * no telephone-event, JN_ENOTSUP without opts.dtmf, JN_EINVAL for a
	 * bad digit or a duration above 10 s. */
	int (*send_dtmf)(media_session_t *s, char digit, unsigned duration_ms);
} media_api_t;

#endif
