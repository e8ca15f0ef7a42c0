/* call.h - the call module: Junction as a SIP user agent (UAS and UAC) on
 * sofia NTA dialogs, with media from the media module; shared declarations
 * of the module's files. */
#ifndef JN_CALL_H
#define JN_CALL_H

#include <time.h>

#include <junction/junction.h>

struct call;
struct call_leg;

#define NTA_LEG_MAGIC_T      struct call_leg
#define NTA_OUTGOING_MAGIC_T struct call_leg
#define NTA_INCOMING_MAGIC_T struct call

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

#include "../dtmf/dtmf_api.h"
#include "../media/media_api.h"

extern jn_module_t *call_self;
extern const media_api_t *call_media;
extern const dtmf_api_t *call_dtmf;

/* Module parameters. */
struct call_conf {
	unsigned rtp_timeout_ms;  /* per session; 0: the media module's */
	unsigned ring_timeout_ms; /* bridge: no final answer from the callee */
	unsigned ack_timeout_ms;  /* our 2xx without ACK (RFC 3261 13.3.1.4: 64*T1) */
	char prompt_dir[256];     /* call.play(NAME): NAME.wav in here */
	unsigned session_expires; /* RFC 4028 interval we ask for / grant; 0: off */
	unsigned min_se;          /* RFC 4028 Min-SE: shorter intervals get 422 */
	media_srtp_t srtp;        /* A legs (we answer): param srtp */
	media_srtp_t bridge_srtp; /* B legs (we offer): param bridge_srtp */
	media_inband_t inband_dtmf; /* both legs: param inband_dtmf */
};
extern struct call_conf call_conf;

typedef enum {
	CALL_LEG_IDLE = 0,  /* created, nothing sent */
	CALL_LEG_EARLY,     /* INVITE pending (ours or theirs) */
	CALL_LEG_ANSWERED,  /* 2xx sent, waiting for the ACK (A leg) */
	CALL_LEG_CONFIRMED, /* the dialog is confirmed (ACK sent or received) */
	CALL_LEG_ENDED,
} call_leg_state_t;

struct call_leg {
	struct call *call;
	char role; /* 'a' (the caller, incoming) or 'b' (the callee) */
	call_leg_state_t state;
	nta_leg_t *leg; /* the dialog, NULL until created */
	media_session_t *ms;
	char *remote_uri; /* the peer's address-of-record (From / To) */
	char *call_id;
	char *contact; /* our Contact for this leg */
	/* B leg: the INVITE client transaction until its final response. */
	nta_outgoing_t *invite;
	char *sdp_local;             /* the offer (B, or A without one) or answer (A) we sent */
	unsigned answer_applied : 1; /* B: the callee's SDP answer was applied */
	unsigned await_answer : 1;   /* our 2xx carried the offer: the answer comes
	                                in the ACK (RFC 3261 13.2.1, 14.2) */
	unsigned cancelled : 1;      /* B: CANCEL sent */
	unsigned bye_pending : 1;    /* A: hang up once the ACK arrives */
	unsigned se_retried : 1;     /* B: INVITE sent again after a 422 (RFC 4028) */
	char *dst_uri;               /* B: next hop of the INVITE, NULL: the target */
	unsigned max_forwards;       /* B: Max-Forwards of the INVITE */
	/* modify.c: our offers in the dialog, hold, session timer */
	nta_outgoing_t *reinvite;  /* our re-INVITE until its final response */
	media_dir_t offered_dir;   /* the direction we last stated to this leg */
	int queued_dir;            /* -1, or a direction to offer next */
	jn_timer_t *retry_timer;   /* 491: the next attempt (RFC 3261 14.1) */
	/* Called once when our re-INVITE got its final status (call.hold). */
	void (*on_modified)(struct call_leg *l, int status);
	unsigned se_secs;   /* RFC 4028 session interval; 0: no timer */
	int se_refresher;   /* 1: we refresh, 0: the peer must */
	jn_timer_t *se_timer;
};

#define CALL_DIGITS_MAX 32

typedef enum {
	CALL_NEW = 0,
	CALL_RINGING,  /* bridge: outbound leg sent, no answer yet */
	CALL_ANSWERED, /* 2xx sent to the caller */
	CALL_ENDING,
} call_state_t;

struct call {
	unsigned id;
	call_state_t state;
	struct call_leg a, b;
	int has_b;
	time_t started; /* wall clock, for REST */
	uint64_t started_ms;
	jn_msg_t *req;            /* the caller's INVITE (a reference) until answered */
	nta_incoming_t *irq;      /* its server transaction (owned by req) */
	int final_sent;           /* a final response went to the caller */
	jn_timer_t *ring_timer;   /* bridge: no answer */
	jn_timer_t *ack_timer;    /* our 2xx not acknowledged */
	jn_timer_t *rexmit_timer; /* retransmits our 2xx until the ACK */
	unsigned rexmit_ms;
	msg_t *resp2xx;   /* the 2xx retransmitted (a reference) */
	unsigned pending; /* BYE/CANCEL transactions still open */
	int ended;
	jn_timer_t *free_timer; /* frees the call once it is done */
	char reason[96];
	/* Digits from the caller not yet taken by call.collect() (control.c). */
	char digits[CALL_DIGITS_MAX];
	size_t ndigits;
	struct call_wait *wait; /* the script function suspended on this call */
	struct call *next;
};

/* ---- registry.c: the list of calls, teardown --------------------------- */
struct call *call_new(void);
struct call *call_by_id(unsigned id);
struct call *call_by_req(jn_msg_t *req);
struct call *call_first(void);
size_t call_count(void);
/* Ends the call: answers the caller (code/phrase when it was not answered
 * yet), cancels or hangs up each leg, destroys the media sessions, logs
 * why. The call is freed once its last transaction is over. Idempotent. */
void call_end(struct call *c, const char *reason, int code, const char *phrase);
/* Frees the call when it is ended and nothing is pending any more. */
void call_maybe_free(struct call *c);
void call_shutdown(void);
const char *call_state_name(const struct call *c);
const char *call_leg_state_name(call_leg_state_t s);

/* ---- dialog.c: SIP helpers --------------------------------------------- */
nta_agent_t *call_agent(void);
/* Our Contact ("<sip:host:port;transport=x>") for a request that arrived on
 * proto at a R-URI of host:port, or for an outgoing request (uri NULL). */
char *call_contact_for(const url_t *ruri, const char *proto);
/* The leg callback of every dialog: ACK, BYE, re-INVITE, INFO, OPTIONS. */
int call_leg_request(struct call_leg *l, nta_leg_t *leg, nta_incoming_t *irq, sip_t const *sip);
/* Sends BYE on a confirmed leg (counted in c->pending). */
int call_leg_bye(struct call_leg *l);
/* Answers the caller's INVITE (irq) with a final non-2xx and a Warning. */
void call_reply_error(struct call *c, int status, const char *phrase, int warn_code,
                      const char *warn_text);
/* "CODE junction \"TEXT\"" for a Warning header (RFC 3261 20.43). */
void call_warning(char *dst, size_t size, int code, const char *text);
/* Media events of both legs. */
void call_media_event(const media_event_t *ev, void *data);
/* Creates a media session for leg l (near: a peer session, or NULL). */
int call_media_create(struct call_leg *l, int family, const char *const *codecs,
                      media_session_t *near);

/* ---- uas.c: answering ---------------------------------------------------- */
/* Takes the INVITE of msg into a new call, answers its SDP offer with a
 * new media session and creates the dialog; on success the call is
 * answered (200 sent) unless defer is set. Errors are answered (488, 500)
 * and reported as JN_E*. */
int call_uas_start(jn_msg_t *msg, struct call **out);
/* The Require option tags of sip we do not support, into out ("100rel,
 * foo"); returns their length, 0 when all are supported (RFC 3261 8.2.2.3). */
size_t call_unsupported(sip_t const *sip, char *out, size_t size);
int call_uas_send_200(struct call *c);
/* The ACK arrived or the call ended: stop retransmitting the 2xx. */
void call_uas_stop_2xx(struct call *c);

/* ---- bridge.c: the outbound leg ------------------------------------------ */
/* Starts the B leg of c (already taken, A's offer answered by session A,
 * 200 not sent) towards uri (next hop dst_uri or NULL); codecs: the
 * script's list for the offer ("PCMU,opus"), NULL for the defaults. */
int call_bridge_start(struct call *c, const char *uri, const char *dst_uri, unsigned timeout_ms,
                      const char *codecs);
/* The caller cancelled (CANCEL for the pending INVITE). */
void call_bridge_cancel(struct call *c);

/* ---- modify.c: offers in a dialog, hold, session timers ---------------- */
/* Sends a re-INVITE to l stating direction dir (RFC 3264 8.4), or queues it
 * behind the one in flight. */
int call_leg_reoffer(struct call_leg *l, media_dir_t dir);
/* A re-INVITE (update 0) or UPDATE (1) from the peer of l: answered by the
 * leg's media session; a change of direction goes on to the other leg.
 * Returns a status for nta to send, or 0 when answered here. */
int call_leg_offer_in(struct call_leg *l, nta_incoming_t *irq, sip_t const *sip, int update);
/* The ACK of a 2xx that carried our offer (an INVITE or re-INVITE without
 * one): applies its answer. 0, or a JN_E* when it has none we can use. */
int call_leg_answer_in_ack(struct call_leg *l, sip_t const *sip);
/* RFC 4028 8.1: a Session-Expires below min_se is answered 422 here
 * (returns 422), else 0. */
int call_session_check(nta_incoming_t *irq, sip_t const *sip);
/* Our Session-Expires value for a 2xx to request sip ("" for none) and
 * whether it needs Require: timer; sets l's interval and refresher. */
void call_session_uas(struct call_leg *l, sip_t const *sip, char *se, size_t selen, int *require);
/* Starts l's session timer (the dialog is confirmed). */
void call_session_start(struct call_leg *l);
/* The interval and refresher from a 2xx to our INVITE (we_are_uac). */
void call_session_timer(struct call_leg *l, sip_t const *sip, int we_are_uac);
/* The ACK for our 2xx arrived on l: session timer, queued offer. */
void call_leg_confirmed(struct call_leg *l);
/* Stops l's re-INVITE, retry and session timers (the call ends). */
void call_modify_release(struct call_leg *l);

/* ---- control.c: digits and the suspending script functions -------------- */
/* A digit from leg l (RFC 4733 from its media, or INFO): to the dtmf
 * module's listeners, and for the caller to the call's digit buffer. */
void call_digit(struct call_leg *l, const dtmf_event_t *ev);
/* PLAYBACK_DONE of the caller's session. */
void call_playback_done(struct call *c, uint32_t id, int status);
/* RECORD_DONE of the caller's session. */
void call_record_done(struct call *c, uint32_t id, int status);
/* The call ends: a suspended script function resumes with false. */
void call_wait_abort(struct call *c);
/* Set while the module stops: suspensions are resumed at once. */
extern int call_stopping;
jn_result_t call_f_play(jn_call_t *jc);
jn_result_t call_f_say_digits(jn_call_t *jc);
jn_result_t call_f_collect(jn_call_t *jc);
jn_result_t call_f_record(jn_call_t *jc);
jn_result_t call_f_hold(jn_call_t *jc);
jn_result_t call_f_resume(jn_call_t *jc);
/* call.echo(until: D) once the echo runs: suspends until digit D. */
jn_result_t call_echo_until(jn_call_t *jc, struct call *c, const char *until);

/* ---- rest.c ----------------------------------------------------------- */
int call_rest_register(jn_module_t *m);

#endif
