/*
 * rtp.h - RTP (RFC 3550 5.1) and RTCP (RFC 3550 6.4-6.6) packets as pure
 * functions: no allocation, no globals, no I/O, so they are fuzzed alone.
 *
 * Parsing never trusts a length: every field is checked against the
 * buffer, and the parsed views point into the caller's buffer.
 */
#ifndef JUNCTION_MEDIA_RTP_H
#define JUNCTION_MEDIA_RTP_H

#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION 2
#define RTP_HDR_LEN 12
#define RTP_MAX_CSRC 15

/* Error codes of the parsers (negative; 0 is success). */
enum {
	RTP_ESHORT = -1,   /* buffer shorter than the header says */
	RTP_EVERSION = -2, /* version field is not 2 */
	RTP_EPAD = -3,     /* padding count 0 or larger than the payload */
	RTP_ELEN = -4,     /* RTCP length field inconsistent */
	RTP_ETYPE = -5,    /* RTCP packet type not allowed here */
	RTP_ESPACE = -6,   /* output buffer too small (builders) */
};

typedef struct rtp_hdr {
	unsigned marker;
	unsigned pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	unsigned cc;
	uint32_t csrc[RTP_MAX_CSRC];
	int has_ext;
	uint16_t ext_profile;   /* "defined by profile" (0xBEDE: RFC 8285 one-byte) */
	const uint8_t *ext;     /* extension data (ext_len bytes, a multiple of 4) */
	size_t ext_len;
	const uint8_t *payload; /* after header, CSRCs, extension; before padding */
	size_t payload_len;
	size_t pad_len; /* padding octets including the count octet, 0 if none */
} rtp_hdr_t;

/* Parses an RTP packet (RFC 3550 5.1, 5.3.1). 0 or RTP_E*. */
int rtp_parse(const uint8_t *buf, size_t len, rtp_hdr_t *h);

/* Writes the header of h (cc CSRCs, the extension when has_ext) followed
 * by payload and pad_len padding octets (pad_len 0 or 1..255) into out.
 * Returns the packet length or RTP_ESPACE. h->payload may alias out +
 * header length (the payload is then already in place). */
int rtp_build(const rtp_hdr_t *h, uint8_t *out, size_t outlen);

/* Cheap checks on a datagram: is it RTP or RTCP (RFC 5761 4: PT 64-95
 * of the second octet means RTCP when multiplexed)? */
int rtp_is_rtcp(const uint8_t *buf, size_t len);

/* Network byte order in and out of packet buffers. */
static inline uint16_t rtp_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t rtp_rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void rtp_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void rtp_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Rewrites the payload type of a packet in place (relay). */
static inline void rtp_set_pt(uint8_t *buf, unsigned pt)
{
	buf[1] = (uint8_t)((buf[1] & 0x80) | (pt & 0x7f));
}

/* ---- RTCP ----------------------------------------------------------- */
enum {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
	RTCP_RTPFB = 205,
	RTCP_PSFB = 206,
	RTCP_XR = 207,
};

#define RTCP_MAX_RB 31

typedef struct rtcp_rb { /* report block, RFC 3550 6.4.1 */
	uint32_t ssrc;
	uint8_t fraction_lost;
	int32_t cum_lost; /* 24-bit signed */
	uint32_t ext_high_seq;
	uint32_t jitter;
	uint32_t lsr;
	uint32_t dlsr;
} rtcp_rb_t;

typedef struct rtcp_sr_info {
	uint32_t ntp_sec, ntp_frac, rtp_ts, packets, octets;
} rtcp_sr_info_t;

/* One packet of a compound packet, as seen by rtcp_next(). */
typedef struct rtcp_pkt {
	unsigned type;  /* RTCP_* */
	unsigned count; /* RC / SC / subtype field */
	const uint8_t *body; /* after the 4-byte common header, before padding */
	size_t body_len;
	uint32_t ssrc;  /* sender SSRC (SR, RR, APP, FB, XR), first SSRC/CSRC (BYE) */
	rtcp_sr_info_t sr; /* SR only */
	rtcp_rb_t rb[RTCP_MAX_RB]; /* SR/RR: count blocks */
} rtcp_pkt_t;

/* Validates a compound packet (RFC 3550 A.2: version 2, the first packet
 * SR or RR, padding only in the last, lengths add up exactly). 0 or
 * RTP_E*. With rtcp_reduced set, a first packet of another type is
 * accepted (RFC 5506). */
int rtcp_validate(const uint8_t *buf, size_t len, int reduced_size);

/* Iterates a validated compound packet: *off starts at 0; returns 1 and
 * fills p for each packet, 0 at the end, RTP_E* on a malformed packet. */
int rtcp_next(const uint8_t *buf, size_t len, size_t *off, rtcp_pkt_t *p);

/* SDES items of an SDES packet body (RFC 3550 6.5): calls cb for each
 * item of each chunk; cb returns non-zero to stop. 0 or RTP_E*. */
typedef int (*rtcp_sdes_cb)(uint32_t ssrc, unsigned type, const uint8_t *val, size_t len,
			    void *data);
int rtcp_sdes_items(const rtcp_pkt_t *p, rtcp_sdes_cb cb, void *data);

/* Builders: append one packet at out + *off (room up to outlen), advance
 * *off. Return 0 or RTP_ESPACE / RTP_ELEN. */
int rtcp_build_sr(uint8_t *out, size_t outlen, size_t *off, uint32_t ssrc,
		  const rtcp_sr_info_t *sr, const rtcp_rb_t *rb, unsigned nrb);
int rtcp_build_rr(uint8_t *out, size_t outlen, size_t *off, uint32_t ssrc, const rtcp_rb_t *rb,
		  unsigned nrb);
/* One chunk with a CNAME item (RFC 3550 6.5.1). */
int rtcp_build_sdes_cname(uint8_t *out, size_t outlen, size_t *off, uint32_t ssrc,
			  const char *cname);
/* BYE for one SSRC with an optional reason (NULL). */
int rtcp_build_bye(uint8_t *out, size_t outlen, size_t *off, uint32_t ssrc, const char *reason);

#endif
