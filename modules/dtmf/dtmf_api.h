/*
 * dtmf_api.h - the dtmf module's C API for other modules ("dtmf", version 1).
 *
 * The building blocks that turn each DTMF transport into one digit event
 * (dtmf_event_t) and back:
 *
 *   receive                                 send
 *   RFC 4733 payloads -> rfc4733_rx_*       rfc4733_tx_* -> packet series
 *   INFO bodies       -> info_parse         info_build   -> INFO body
 *   8 kHz PCM frames  -> inband_rx_*        inband_tx_*  -> 8 kHz PCM frames
 *
 * A module that uses it lists "dtmf" in its .depends and fetches the table
 * in load() or start():
 *
 *     #include "../dtmf/dtmf_api.h"               (in-tree modules)
 *     const dtmf_api_t *dtmf = jn_api_get(m, DTMF_API_NAME, DTMF_API_VERSION);
 *
 * Threads: the receivers and generators are objects owned by one stream
 * and used from one thread at a time (a media worker); they touch no
 * global state, so different streams may run on different threads. The
 * parsers and builders are reentrant. Only the listener functions
 * (listen, unlisten, dispatch) belong to the SIP thread.
 *
 * Clocks: every now_ms is the caller's monotonic clock in milliseconds;
 * events report start_ms on that clock.
 */
#ifndef JUNCTION_DTMF_API_H
#define JUNCTION_DTMF_API_H

#include <junction/junction.h>

#include "dtmf_event.h"

#define DTMF_API_NAME    "dtmf"
#define DTMF_API_VERSION 1

/* ---- RFC 4733 telephone-event ----------------------------------------- */

/* One 4-byte event block (RFC 4733 2.3). */
typedef struct dtmf_rfc4733_block {
	uint8_t event;     /* event code; 0-15 are the DTMF digits */
	uint8_t end;       /* E bit */
	uint8_t volume;    /* 0-63, -dBm0 */
	uint16_t duration; /* in RTP timestamp units */
} dtmf_rfc4733_block_t;

/* The receive state machine of one RTP stream (opaque). */
typedef struct dtmf_rfc4733_rx dtmf_rfc4733_rx_t;

/* The receiver ends an event whose end packets were all lost after this
 * long without a packet for it (rfc4733_rx_poll). */
#define DTMF_RFC4733_RX_TIMEOUT_MS 500

/* One packet to send: payload plus the RTP header fields that matter. The
 * media engine adds sequence number and SSRC of the stream and sends it
 * offset_ms after the first packet of the series. */
typedef struct dtmf_rfc4733_pkt {
	uint8_t payload[4];
	uint32_t rtp_ts;    /* RTP timestamp (the event's, per segment) */
	int marker;         /* RTP marker bit: first packet of the event */
	int end;            /* E bit set (one of the final packets) */
	uint32_t offset_ms; /* send time relative to the first packet */
} dtmf_rfc4733_pkt_t;

/* The sender of one event: caller-allocated (on the stack is fine), set up
 * by rfc4733_tx_init. The fields are private. */
typedef struct dtmf_rfc4733_tx {
	uint32_t ts0;      /* timestamp of the first segment */
	uint32_t total;    /* duration in timestamp units */
	uint32_t interval; /* update interval in timestamp units */
	uint32_t rate;     /* clock rate */
	uint32_t seg;      /* current segment */
	uint32_t seg_dur;  /* duration already reported in this segment */
	uint32_t interval_ms;
	uint8_t code, volume;
	uint8_t ends_sent; /* final packets of the last segment sent */
	uint8_t started;
} dtmf_rfc4733_tx_t;

/* ---- SIP INFO ---------------------------------------------------------- */
typedef enum {
	DTMF_INFO_RELAY = 1, /* application/dtmf-relay: "Signal=5\r\nDuration=160\r\n" */
	DTMF_INFO_DTMF = 2,  /* application/dtmf: "5" */
} dtmf_info_format_t;

/* Duration written into an INFO body for an event that has none. */
#define DTMF_DEFAULT_DURATION_MS 250

/* ---- in-band ------------------------------------------------------------ */
typedef struct dtmf_inband_rx dtmf_inband_rx_t; /* opaque, one per channel */
typedef struct dtmf_inband_tx dtmf_inband_tx_t; /* opaque, one per channel */

/* ---- listeners (SIP thread) ---------------------------------------------
 * leg names the call leg the digit came from (the call module's id). */
typedef void (*dtmf_listener_cb)(const char *leg, const dtmf_event_t *ev, void *data);

typedef struct dtmf_api {
	uint32_t size; /* sizeof(dtmf_api_t) */

	/* -- events -- */
	char (*digit_from_code)(int code); /* 0 for a non-digit code */
	int (*digit_to_code)(char digit);  /* or JN_EINVAL */
	const char *(*source_name)(dtmf_source_t s);

	/* -- RFC 4733 receive --
	 * Parses the first event block of a telephone-event payload (RFC 4733
	 * 2.3). 0, or JN_EPARSE when shorter than 4 bytes or R is set. */
	int (*rfc4733_parse)(const uint8_t *payload, size_t len, dtmf_rfc4733_block_t *out);
	/* A receiver for a telephone-event stream at clock_rate Hz (8000 for
	 * "telephone-event/8000"). cb gets one event per digit when it ends.
	 * NULL on bad arguments or out of memory. */
	dtmf_rfc4733_rx_t *(*rfc4733_rx_new)(unsigned clock_rate, dtmf_event_cb cb, void *data);
	void (*rfc4733_rx_free)(dtmf_rfc4733_rx_t *rx);
	/* Feed one received telephone-event packet: its RTP timestamp, marker
	 * bit and payload. Returns the number of digits reported by this call
	 * (0 or more), or JN_EPARSE for a malformed payload. Retransmitted and
	 * late packets of an event already reported are ignored. */
	int (*rfc4733_rx_feed)(dtmf_rfc4733_rx_t *rx, uint32_t rtp_ts, int marker,
	                       const uint8_t *payload, size_t len, uint64_t now_ms);
	/* Call on the stream's tick (every frame or so): reports an event
	 * whose end packets never came, DTMF_RFC4733_RX_TIMEOUT_MS after its
	 * last packet. Returns the number of digits reported. */
	int (*rfc4733_rx_poll)(dtmf_rfc4733_rx_t *rx, uint64_t now_ms);
	/* Forget the current event without reporting it (new SSRC, re-INVITE). */
	void (*rfc4733_rx_reset)(dtmf_rfc4733_rx_t *rx);

	/* -- RFC 4733 send --
	 * Prepares the packet series of one digit (RFC 4733 2.5.1): a first
	 * packet with the marker bit, an update every interval_ms (0: 50),
	 * three final packets with the E bit, and new segments for events
	 * longer than 0xFFFF units (2.5.1.3). rtp_ts is the stream's
	 * timestamp at the start of the digit; volume is 0-63 (-dBm0).
	 * 0, or JN_EINVAL (bad digit, duration 0 or above 600 s, rate 0). */
	int (*rfc4733_tx_init)(dtmf_rfc4733_tx_t *tx, char digit, unsigned duration_ms,
	                       unsigned volume, unsigned clock_rate, unsigned interval_ms,
	                       uint32_t rtp_ts);
	/* The next packet of the series: 1 with *pkt filled, 0 when done. The
	 * stream's audio timestamp continues at rtp_ts + the event duration
	 * (rfc4733_tx_duration) after the series. */
	int (*rfc4733_tx_next)(dtmf_rfc4733_tx_t *tx, dtmf_rfc4733_pkt_t *pkt);
	uint32_t (*rfc4733_tx_duration)(const dtmf_rfc4733_tx_t *tx); /* timestamp units */

	/* -- SIP INFO --
	 * Parses an INFO body of content_type (the Content-Type value; case,
	 * spaces and parameters ignored) into ev (source DTMF_SRC_INFO,
	 * start_ms 0, volume unknown, duration 0 unless Duration= is given).
	 * 0, JN_ENOTSUP for another content type, JN_EPARSE for a malformed
	 * body, JN_EINVAL for NULL arguments. */
	int (*info_parse)(const char *content_type, const char *body, size_t len, dtmf_event_t *ev);
	/* Writes the body for ev in format fmt into buf (NUL-terminated).
	 * Returns its length, JN_ERANGE when size is too small, JN_EINVAL for
	 * a bad digit or format. */
	int (*info_build)(dtmf_info_format_t fmt, const dtmf_event_t *ev, char *buf, size_t size);
	/* "application/dtmf-relay" or "application/dtmf" (NULL for a bad fmt). */
	const char *(*info_content_type)(dtmf_info_format_t fmt);

	/* -- in-band detection (spandsp) on 8 kHz 16-bit linear PCM --
	 * cb gets one event per digit when its tone stops (duration and
	 * volume measured from the audio, start_ms from the now_ms of the
	 * frame where it was detected). */
	dtmf_inband_rx_t *(*inband_rx_new)(dtmf_event_cb cb, void *data);
	void (*inband_rx_free)(dtmf_inband_rx_t *rx);
	/* Feed n samples received at now_ms (any n; 160 = 20 ms). Returns the
	 * number of digits reported, or JN_EINVAL. */
	int (*inband_rx_feed)(dtmf_inband_rx_t *rx, const int16_t *pcm, size_t n, uint64_t now_ms);
	/* A lost frame: lets the detector's timing go on (spandsp fill-in). */
	int (*inband_rx_fillin)(dtmf_inband_rx_t *rx, size_t n, uint64_t now_ms);

	/* -- in-band generation (spandsp) --
	 * level_dbm0 per tone (e.g. -10), on_ms/off_ms tone and gap (e.g. 100, 60). */
	dtmf_inband_tx_t *(*inband_tx_new)(int level_dbm0, unsigned on_ms, unsigned off_ms);
	void (*inband_tx_free)(dtmf_inband_tx_t *tx);
	/* Queue digits. 0, JN_EINVAL for a non-digit, JN_EAGAIN when full. */
	int (*inband_tx_put)(dtmf_inband_tx_t *tx, const char *digits);
	/* Fill pcm with n samples: tones while digits are queued, silence
	 * after. Returns the samples of tone/gap written, 0 when idle. */
	int (*inband_tx_fill)(dtmf_inband_tx_t *tx, int16_t *pcm, size_t n);

	/* -- listeners (SIP thread only) --
	 * Who produces a digit on a leg (the call module, after it got the
	 * event from its media stream or an INFO) calls dispatch; every
	 * listener gets it, in registration order. Returns how many got it. */
	int (*listen)(dtmf_listener_cb cb, void *data);   /* 0, JN_EEXIST, JN_ENOMEM */
	int (*unlisten)(dtmf_listener_cb cb, void *data); /* 0 or JN_ENOENT */
	int (*dispatch)(const char *leg, const dtmf_event_t *ev);
} dtmf_api_t;

#endif
