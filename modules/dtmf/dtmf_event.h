/*
 * dtmf_event.h - the one representation of a DTMF digit, whichever way it
 * arrived (RFC 4733 telephone-event, SIP INFO, in-band tones).
 *
 * Pure data and helpers: no allocation, no global state, callable from any
 * thread (the media workers and the SIP thread alike).
 */
#ifndef JUNCTION_DTMF_EVENT_H
#define JUNCTION_DTMF_EVENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	DTMF_SRC_RFC4733 = 1, /* RTP telephone-event (RFC 4733, ex RFC 2833) */
	DTMF_SRC_INFO = 2,    /* SIP INFO, application/dtmf-relay or application/dtmf */
	DTMF_SRC_INBAND = 3,  /* tones detected in the decoded audio */
} dtmf_source_t;

/* Volume unknown (INFO carries none). */
#define DTMF_VOLUME_UNKNOWN (-1)

/* One digit. Crosses the module boundary: starts with its size. */
typedef struct dtmf_event {
	uint32_t size; /* sizeof(dtmf_event_t) */
	char digit;    /* '0'-'9', '*', '#', 'A'-'D' */
	dtmf_source_t source;
	uint64_t start_ms;    /* when the digit began, on the clock of the caller
	                         that fed the detector (its now_ms argument) */
	uint32_t duration_ms; /* how long it lasted; 0 when the sender said not */
	int volume;           /* power in -dBm0 as RFC 4733 codes it (0 loudest,
	                         63 quietest), or DTMF_VOLUME_UNKNOWN */
	uint32_t rtp_ts;      /* RFC 4733: the RTP timestamp that identifies the
	                         event (first segment); 0 for other sources */
} dtmf_event_t;

/* Called once per digit, when the digit is over (its duration is known). */
typedef void (*dtmf_event_cb)(const dtmf_event_t *ev, void *data);

/* The digit of RFC 4733 event code 0-15 (3.2: 0-9, 10 '*', 11 '#', 12-15
 * 'A'-'D'), or 0 for any other code (flash, tones). */
char dtmf_digit_from_code(int code);
/* The RFC 4733 event code of a digit (lower-case 'a'-'d' accepted), or
 * JN_EINVAL. */
int dtmf_digit_to_code(char digit);
/* The canonical digit ('a' -> 'A'), or 0 when c is not a DTMF digit. */
char dtmf_digit_normalize(char c);
/* "rfc4733", "info", "inband" (or "unknown"). */
const char *dtmf_source_name(dtmf_source_t s);
/* Zeroes ev and sets size, digit, source and volume unknown. */
void dtmf_event_init(dtmf_event_t *ev, char digit, dtmf_source_t source);

#ifdef __cplusplus
}
#endif
#endif
