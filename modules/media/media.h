/* media.h - internals of the media module: engine configuration, the
 * worker threads and the session shared between the SIP thread and the
 * worker that owns its sockets. */
#ifndef JUNCTION_MEDIA_H
#define JUNCTION_MEDIA_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include <junction/junction.h>

#include "codec.h"
#include "media_api.h"
#include "sdp_oa.h"
#include "rtcp_session.h"
#include "srtp.h"

struct media_conf {
	unsigned workers;        /* 0: one per online CPU */
	unsigned rtp_min, rtp_max;
	unsigned rtp_timeout_ms; /* 0: none */
	char ip[48], ip6[48];    /* default bind addresses */
	const media_codec_def_t *codecs[OA_MAX_CODECS]; /* default preference */
	size_t ncodecs;
	unsigned ptime;
};

/* What the worker needs from an offer/answer, copied to it by command. */
struct wparams {
	struct sockaddr_storage rtp_to, rtcp_to; /* from SDP; family 0: none */
	socklen_t to_len;
	int pt, te_pt;
	unsigned te_rate; /* telephone-event clock rate */
	const media_codec_def_t *codec;
	media_dir_t local_dir, remote_dir;
	unsigned rtp_timeout_ms;
	unsigned ptime; /* ms per packet we send (the answer's or ours) */
	struct msrtp_keys srtp; /* SDES keys (srtp.c); suite MSRTP_NONE: plain RTP */
};

struct mworker;

struct mfd {
	struct media_session *s;
	int rtcp;
};

/* Counters written by the worker, read by the SIP thread (relaxed atomics). */
struct mstats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, rtcp_rx, rtcp_tx;
	/* from the jitter buffer while the session decodes */
	uint32_t lost, jitter_ms;
	/* rtcp_session.c: RFC 3550 receive statistics of every stream, the
	 * RTT, the leg's own report about our stream, the MOS estimate */
	uint32_t rx_expected, rx_lost, rx_jitter_ms, fraction_lost, rtt_ms, mos_x100;
	int32_t remote_lost;
	uint32_t remote_fraction_lost, remote_jitter_ms;
};

struct media_session {
	/* ---- SIP thread ---- */
	struct mworker *w;
	media_event_cb cb;
	void *data;
	int destroyed;
	struct oa_local local;
	int offer_pending;
	struct oa_result neg;
	int negotiated;
	unsigned rtp_timeout_ms;
	struct media_session *peer; /* as last connect()ed */
	char latched_addr[48];
	unsigned latched_port;
	int family;
	char bind_ip[48];
	uint32_t next_id;        /* source/recorder ids */
	uint32_t src_id, rec_id; /* playing / recording now, 0: none */

	/* ---- set at create, then read-only ---- */
	const struct dtmf_api *dtmf; /* opts.dtmf */
	media_inband_t inband;       /* opts.inband_dtmf (OFF without dtmf) */
	int rtp_fd, rtcp_fd;
	unsigned port;
	struct mfd fd_rtp, fd_rtcp;

	/* ---- worker thread ---- */
	struct wparams p;
	int have_params;
	struct sockaddr_storage rtp_to, rtcp_to; /* where we send: SDP, then latched */
	socklen_t to_len;
	int latched, rtcp_latched;
	uint32_t latched_ssrc;
	struct media_session *wpeer;
	uint64_t last_rx_ms;
	int timeout_sent;
	struct media_session *wnext, *wprev;
	struct mpipe *pipe; /* decode/encode/sources/sinks (pipeline.c) */
	struct dtmf_rfc4733_rx *dtmf_rx; /* RFC 4733 receiver, created on the
	                                    first telephone-event packet */
	unsigned dtmf_rx_rate;

	struct msrtp *srtp; /* SRTP contexts (srtp.c), NULL: plain RTP */

	/* RFC 4733 events we send (dtmf_tx.c), NULL until the first. */
	struct mdtmf *dtx;
	/* The relayed stream towards this leg as sent: where it is, and how
	 * far its sequence numbers are shifted by events put in between. */
	uint16_t relay_seq, relay_seq_off;
	uint32_t relay_ts, relay_ssrc;
	uint64_t relay_ms;
	int relayed;
	/* The peer's telephone-event being moved into our own stream while we
	 * transcode: its timestamp there and ours. */
	uint32_t tev_in_ts, tev_out_ts;
	int tev_have;

	struct rtcp_sess rtcp; /* RTCP and receive statistics (rtcp_session.c) */

	struct mstats st;
};

/* ---- engine (engine.c) ---- */
int media_engine_start(const struct media_conf *conf);
void media_engine_stop(void);
const struct media_conf *media_engine_conf(void);
/* The least loaded worker, or want; counts the session on it. */
struct mworker *media_worker_pick(struct mworker *want);
void media_worker_unpick(struct mworker *w);

enum mcmd_type {
	MCMD_ADD = 1,
	MCMD_PARAMS,
	MCMD_CONNECT,
	MCMD_DISCONNECT,
	MCMD_REMOVE,
	MCMD_PLAY,   /* obj: struct msrc * */
	MCMD_RECORD, /* obj: struct mrec * */
	MCMD_STOP,   /* id */
	MCMD_DTMF,   /* id: digit | duration_ms << 8 */
};
/* Queues a command to the session's worker (a's). params is copied. */
int media_worker_send(enum mcmd_type type, struct media_session *a, struct media_session *b,
		      const struct wparams *params);

/* Queues a source, recorder (obj, owned by the worker from then on) or a
 * stop (id) for s. */
int media_worker_send_obj(enum mcmd_type type, struct media_session *s, void *obj, uint32_t id);

/* ---- RFC 4733 sending (dtmf_tx.c, worker thread) ---- */
void mdtmf_queue(struct media_session *s, char digit, unsigned duration_ms);
/* Every relayed packet towards s, before SRTP: re-stamps its sequence number. */
void mdtmf_relayed(struct media_session *s, uint8_t *buf, uint64_t now_ms);
void mdtmf_tick(struct media_session *s, uint64_t now_ms);
int mdtmf_restamp_event(struct media_session *s, const struct media_session *from, uint8_t *buf,
                        size_t len);
void mdtmf_free(struct media_session *s);

/* ---- sessions (session.c) ---- */
extern const media_api_t media_api_v1;
/* Binds an even/odd pair from the range; 0 or JN_EAGAIN / JN_EIO. */
int media_ports_bind(int family, const char *ip, int *rtp_fd, int *rtcp_fd, unsigned *port);
/* Worker -> SIP thread: deliver ev for s (ev is malloc()ed, freed after). */
void media_post_event(struct media_session *s, const media_event_t *ev);
void media_post_free(struct media_session *s);

/* "PCMU, opus/48000" -> conf->codecs (media.c). */
int media_parse_codecs(const char *list, struct media_conf *conf);

/* Module handle for logging (NULL in unit tests). */
extern jn_module_t *media_mod;

#endif
