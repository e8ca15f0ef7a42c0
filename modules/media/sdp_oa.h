/*
 * sdp_oa.h - SDP offer/answer (RFC 3264) for one audio stream, on sofia's
 * SDP parser. Pure: no sockets, no threads, so the negotiation is tested
 * table by table and fuzzed.
 */
#ifndef JUNCTION_MEDIA_SDP_OA_H
#define JUNCTION_MEDIA_SDP_OA_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "media_api.h"
#include "srtp.h"

#define OA_MAX_CODECS 8
#define OA_TE_PT      101 /* telephone-event PT in our offers */

/* Our side of the exchange. */
struct oa_local {
	int family;      /* AF_INET / AF_INET6 */
	char addr[48];   /* c= address */
	unsigned port;   /* our RTP port */
	const media_codec_def_t *codecs[OA_MAX_CODECS]; /* preference, best first */
	size_t ncodecs;
	unsigned ptime;  /* ms */
	int telephone_event;
	media_dir_t dir; /* what we want to do (hold: SENDONLY) */
	uint64_t sess_id, sess_ver; /* o= line; the caller bumps sess_ver */
	/* SRTP (RFC 4568 SDES). OFF: RTP/AVP, a=crypto ignored, RTP/SAVP
	 * rejected. OFFER: offers RTP/AVP with a=crypto ("best effort"),
	 * accepts plain or SDES. REQUIRE: offers RTP/SAVP, accepts only an
	 * offer or answer with a usable a=crypto line. */
	media_srtp_t srtp;
	/* Our master key||salt per suite (index suite - 1), random, kept for
	 * the session's life; a crypto line with tag N carries suite N. */
	uint8_t srtp_key[MSRTP_NSUITES][MSRTP_KEY_LEN];
};

/* What was agreed. */
struct oa_result {
	const media_codec_def_t *codec;
	int pt;           /* payload type of codec on the wire */
	char fmtp[128];   /* the remote's a=fmtp for pt, or "" */
	int te_pt;        /* telephone-event PT, or -1 */
	unsigned te_rate; /* its clock rate (RFC 4733 7.1.1) */
	unsigned ptime;   /* the remote's a=ptime, or ours when absent */
	media_dir_t local_dir, remote_dir;
	int family;
	char remote_addr[48]; /* "" when the remote gave none to send to (hold) */
	unsigned remote_port, remote_rtcp_port;
	struct msrtp_keys srtp; /* suite MSRTP_NONE: plain RTP */
	unsigned long srtp_tag; /* the agreed a=crypto tag */
};

/* Family of the first audio stream's connection address, or JN_EPARSE. */
int oa_family(const char *sdp, size_t len);

/* RFC 3264 6: answer a remote offer. 0, JN_EPARSE, JN_ENOTSUP or
 * JN_ENOMEM; *answer is malloc()ed. */
int oa_answer(const struct oa_local *l, const char *offer, size_t len, struct oa_result *res,
	      char **answer, char *err, size_t errlen);

/* RFC 3264 5: make an offer. */
int oa_offer(const struct oa_local *l, char **offer);

/* RFC 3264 5.1 / 6.1: apply the answer to the offer oa_offer(l) made. */
int oa_apply_answer(const struct oa_local *l, const char *answer, size_t len,
		    struct oa_result *res, char *err, size_t errlen);

#endif
