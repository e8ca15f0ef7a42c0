/* engine.c - media worker threads. Each owns an epoll loop and the RTP and
 * RTCP sockets of its sessions; the SIP thread reaches it only through a
 * command queue and an eventfd, and it answers with jn_loop_post(). So no
 * session field written by the worker is ever written by another thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "../dtmf/dtmf_api.h"
#include "media.h"
#include "pipeline.h"
#include "rtp.h"

struct mcmd {
	enum mcmd_type type;
	struct media_session *a, *b;
	struct wparams params;
	void *obj;
	uint32_t id;
	struct mcmd *next;
};

struct mworker {
	pthread_t th;
	int started;
	int epfd, evfd, tfd; /* tfd: the 20 ms media tick */
	int tick_tag;        /* its epoll data.ptr */
	pthread_mutex_t lock;
	struct mcmd *head, **tail;
	int stop;
	unsigned load; /* sessions placed here (SIP thread only) */
	struct media_session *list; /* worker only */
	uint64_t last_scan;
};

static struct {
	struct media_conf conf;
	struct mworker *w;
	unsigned n;
} E;

#define BATCH 64
#define SCAN_MS 100

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#define STAT_ADD(s, f, v) __atomic_fetch_add(&(s)->st.f, (v), __ATOMIC_RELAXED)

const struct media_conf *media_engine_conf(void)
{
	return &E.conf;
}

struct mworker *media_worker_pick(struct mworker *want)
{
	struct mworker *best = want;
	for (unsigned i = 0; !want && i < E.n; i++)
		if (!best || E.w[i].load < best->load)
			best = &E.w[i];
	if (best)
		best->load++;
	return best;
}

void media_worker_unpick(struct mworker *w)
{
	if (w && w->load)
		w->load--;
}

static int enqueue(struct mworker *w, struct mcmd *c)
{
	pthread_mutex_lock(&w->lock);
	*w->tail = c;
	w->tail = &c->next;
	pthread_mutex_unlock(&w->lock);
	uint64_t one = 1;
	while (write(w->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	return 0;
}

int media_worker_send(enum mcmd_type type, struct media_session *a, struct media_session *b,
		      const struct wparams *params)
{
	struct mcmd *c = calloc(1, sizeof(*c));
	if (!c)
		return JN_ENOMEM;
	c->type = type;
	c->a = a;
	c->b = b;
	if (params)
		c->params = *params;
	return enqueue(a->w, c);
}

int media_worker_send_obj(enum mcmd_type type, struct media_session *s, void *obj, uint32_t id)
{
	struct mcmd *c = calloc(1, sizeof(*c));
	if (!c)
		return JN_ENOMEM;
	c->type = type;
	c->a = s;
	c->obj = obj;
	c->id = id;
	return enqueue(s->w, c);
}

/* ---- commands (worker thread) --------------------------------------- */

/* Unlinks s from its peer; the old peer's pipeline is re-evaluated (it
 * stops transcoding). s's own is the caller's business. */
static void unpeer(struct media_session *s)
{
	struct media_session *o = s->wpeer;
	s->wpeer = NULL;
	if (o && o != s && o->wpeer == s) {
		o->wpeer = NULL;
		pipe_update(o);
	}
}

/* ---- DTMF (worker thread) -------------------------------------------- */

static void dtmf_rx_free(struct media_session *s)
{
	if (s->dtmf_rx)
		s->dtmf->rfc4733_rx_free(s->dtmf_rx);
	s->dtmf_rx = NULL;
	s->dtmf_rx_rate = 0;
}

/* The receiver's callback: one digit, when it ended. */
static void dtmf_digit(const dtmf_event_t *de, void *data)
{
	struct media_session *s = data;
	media_event_t ev = {.size = sizeof(ev), .type = MEDIA_EV_DTMF};
	ev.digit = de->digit;
	ev.duration_ms = de->duration_ms;
	media_post_event(s, &ev);
}

/* A telephone-event packet of the negotiated PT (RFC 4733 2.3): to the
 * session's receiver, which reports each digit once however often its end
 * packets are repeated (2.5.2). */
static void dtmf_rx_packet(struct media_session *s, const uint8_t *buf, size_t len,
			   uint64_t now)
{
	rtp_hdr_t h;
	if (rtp_parse(buf, len, &h) < 0)
		return;
	unsigned rate = s->p.te_rate ? s->p.te_rate : 8000;
	if (s->dtmf_rx && s->dtmf_rx_rate != rate)
		dtmf_rx_free(s);
	if (!s->dtmf_rx) {
		s->dtmf_rx = s->dtmf->rfc4733_rx_new(rate, dtmf_digit, s);
		if (!s->dtmf_rx)
			return;
		s->dtmf_rx_rate = rate;
	}
	if (s->dtmf->rfc4733_rx_feed(s->dtmf_rx, h.ts, h.marker, h.payload, h.payload_len, now) <
	    0)
		STAT_ADD(s, rx_dropped, 1);
}

static void apply_params(struct media_session *s, const struct wparams *p)
{
	if (s->dtmf_rx && (p->te_pt != s->p.te_pt || p->te_rate != s->p.te_rate))
		dtmf_rx_free(s); /* a new telephone-event stream */
	s->p = *p;
	s->have_params = 1;
	msrtp_apply(s, &p->srtp); /* keeps, replaces or drops the SRTP contexts */
	/* A new offer/answer may move the remote: send to what the SDP says
	 * and latch again on the next packet (symmetric RTP). */
	s->latched = s->rtcp_latched = 0;
	s->to_len = p->to_len;
	s->rtp_to = p->rtp_to;
	s->rtcp_to = p->rtcp_to;
	s->last_rx_ms = now_ms();
	s->timeout_sent = 0;
}

static void run_cmd(struct mworker *w, struct mcmd *c)
{
	struct media_session *s = c->a;
	struct epoll_event ev = {.events = EPOLLIN};
	switch (c->type) {
	case MCMD_ADD:
		ev.data.ptr = &s->fd_rtp;
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->rtp_fd, &ev);
		ev.data.ptr = &s->fd_rtcp;
		epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->rtcp_fd, &ev);
		s->wnext = w->list;
		if (w->list)
			w->list->wprev = s;
		w->list = s;
		s->last_rx_ms = now_ms();
		break;
	case MCMD_PARAMS:
		apply_params(s, &c->params);
		/* A codec change may turn relay into transcoding or back. */
		pipe_update(s);
		if (s->wpeer && s->wpeer != s)
			pipe_update(s->wpeer);
		break;
	case MCMD_CONNECT:
		unpeer(s);
		if (c->b != s)
			unpeer(c->b);
		s->wpeer = c->b;
		c->b->wpeer = s;
		pipe_update(s);
		if (c->b != s)
			pipe_update(c->b);
		break;
	case MCMD_DISCONNECT:
		unpeer(s);
		pipe_update(s);
		break;
	case MCMD_PLAY:
		pipe_play(s, c->obj);
		break;
	case MCMD_RECORD:
		pipe_record(s, c->obj);
		break;
	case MCMD_STOP:
		pipe_stop(s, c->id);
		break;
	case MCMD_DTMF:
		mdtmf_queue(s, (char)(c->id & 0xff), c->id >> 8);
		break;
	case MCMD_REMOVE:
		unpeer(s);
		pipe_free(s);
		dtmf_rx_free(s);
		mdtmf_free(s);
		rtcp_sess_bye(s); /* RFC 3550 6.6, while the socket is open */
		msrtp_free(s);
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, s->rtp_fd, NULL);
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, s->rtcp_fd, NULL);
		close(s->rtp_fd);
		close(s->rtcp_fd);
		s->rtp_fd = s->rtcp_fd = -1;
		if (s->wprev)
			s->wprev->wnext = s->wnext;
		else
			w->list = s->wnext;
		if (s->wnext)
			s->wnext->wprev = s->wprev;
		/* The last thing the worker says about s: every event posted
		 * before is delivered (or dropped) before the free runs. */
		media_post_free(s);
		break;
	}
}

static void drain_cmds(struct mworker *w)
{
	uint64_t n;
	while (read(w->evfd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&w->lock);
	struct mcmd *c = w->head;
	w->head = NULL;
	w->tail = &w->head;
	pthread_mutex_unlock(&w->lock);
	while (c) {
		struct mcmd *next = c->next;
		run_cmd(w, c);
		free(c);
		c = next;
	}
}

/* ---- packets (worker thread) ---------------------------------------- */

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
}

static void latched_event(struct media_session *s)
{
	media_event_t ev = {.size = sizeof(ev), .type = MEDIA_EV_LATCHED};
	if (s->rtp_to.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&s->rtp_to;
		inet_ntop(AF_INET6, &a->sin6_addr, ev.addr, sizeof(ev.addr));
		ev.port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const void *)&s->rtp_to;
		inet_ntop(AF_INET, &a->sin_addr, ev.addr, sizeof(ev.addr));
		ev.port = ntohs(a->sin_port);
	}
	media_post_event(s, &ev);
}

/* Symmetric RTP: the first packet's source becomes the destination. After
 * that a new source is followed only when it carries the latched SSRC (a
 * NAT rebinding), so a stranger cannot steal the stream (RTP bleed). */
static int latch_rtp(struct media_session *s, const struct sockaddr_storage *src, socklen_t sl,
		     const uint8_t *buf)
{
	uint32_t ssrc = (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 | (uint32_t)buf[10] << 8 |
			buf[11];
	if (s->latched && same_addr(src, &s->rtp_to))
		return 1;
	if (s->latched && ssrc != s->latched_ssrc)
		return 0;
	s->rtp_to = *src;
	s->to_len = sl;
	s->latched_ssrc = ssrc;
	if (!s->rtcp_latched) {
		/* Until RTCP shows up, assume it comes from port + 1. */
		s->rtcp_to = *src;
		uint16_t p = src->ss_family == AF_INET6
				     ? ntohs(((struct sockaddr_in6 *)&s->rtcp_to)->sin6_port)
				     : ntohs(((struct sockaddr_in *)&s->rtcp_to)->sin_port);
		p = (uint16_t)(p + 1);
		if (src->ss_family == AF_INET6)
			((struct sockaddr_in6 *)&s->rtcp_to)->sin6_port = htons(p);
		else
			((struct sockaddr_in *)&s->rtcp_to)->sin_port = htons(p);
	}
	s->latched = 1;
	latched_event(s);
	return 1;
}

static void relay_rtp(struct media_session *s, uint8_t *buf, size_t len, uint64_t now)
{
	struct media_session *o = s->wpeer;
	if (!o || !o->have_params || !s->have_params || !o->to_len)
		return;
	if (!(s->p.local_dir & MEDIA_RECVONLY) || !(o->p.local_dir & MEDIA_SENDONLY))
		return;
	if (pipe_muted(o)) /* a prompt plays to o: the peer waits */
		return;
	unsigned pt = buf[1] & 0x7f;
	int out;
	if ((int)pt == s->p.pt && o->p.codec == s->p.codec)
		out = o->p.pt;
	else if ((int)pt == s->p.te_pt && o->p.te_pt >= 0)
		out = o->p.te_pt;
	else {
		/* Another codec (transcoding is the next step) or an unknown PT. */
		STAT_ADD(s, rx_dropped, 1);
		return;
	}
	rtp_set_pt(buf, (unsigned)out);
	/* Events into o's own stream while o transcodes (RFC 4733 2.1), else
	 * the relayed stream, re-stamped around events we put in. */
	if (out != o->p.te_pt || !mdtmf_restamp_event(o, s, buf, len))
		mdtmf_relayed(o, buf, now);
	size_t wlen = len; /* SRTP towards o adds its tag; buf is on_readable's 1536 */
	if (msrtp_protect_rtp(o, buf, &wlen, 1536) == 0 &&
	    sendto(o->rtp_fd, buf, wlen, 0, (struct sockaddr *)&o->rtp_to, o->to_len) ==
	    (ssize_t)wlen) {
		STAT_ADD(o, tx_packets, 1);
		STAT_ADD(o, tx_bytes, len);
		rtcp_sess_tx_rtp(o, buf, len); /* for o's sender reports */
	}
}

static void on_rtp(struct media_session *s, uint8_t *buf, size_t len,
		   const struct sockaddr_storage *src, socklen_t sl, uint64_t now)
{
	/* SRTP (RFC 3711 3.3): authenticated, replay-checked and decrypted
	 * before anything reads it, latching included; a no-op when plain. */
	if (msrtp_unprotect_rtp(s, buf, &len) < 0) {
		STAT_ADD(s, rx_dropped, 1);
		return;
	}
	if (len < RTP_HDR_LEN || (buf[0] >> 6) != RTP_VERSION || rtp_is_rtcp(buf, len) ||
	    !latch_rtp(s, src, sl, buf)) {
		STAT_ADD(s, rx_dropped, 1);
		return;
	}
	STAT_ADD(s, rx_packets, 1);
	STAT_ADD(s, rx_bytes, len);
	s->last_rx_ms = now;
	s->timeout_sent = 0;
	rtcp_sess_rx_rtp(s, buf, len); /* RFC 3550 A.1/A.3/A.8, relayed streams too */
	if (s->dtmf && s->have_params && s->p.te_pt >= 0 && (int)(buf[1] & 0x7f) == s->p.te_pt)
		dtmf_rx_packet(s, buf, len, now);
	if (!pipe_rx(s, buf, len, now))
		relay_rtp(s, buf, len, now);
}

static void on_rtcp(struct media_session *s, uint8_t *buf, size_t len,
		    const struct sockaddr_storage *src, socklen_t sl)
{
	if (msrtp_unprotect_rtcp(s, buf, &len) < 0 || /* SRTCP, RFC 3711 3.4 */
	    len < 8 || (buf[0] >> 6) != RTP_VERSION) {
		STAT_ADD(s, rx_dropped, 1);
		return;
	}
	STAT_ADD(s, rtcp_rx, 1);
	if (!s->rtcp_latched || !same_addr(src, &s->rtcp_to)) {
		s->rtcp_to = *src;
		s->rtcp_latched = 1;
	}
	/* Terminated per leg, never relayed: each leg gets our own reports
	 * (rtcp_session.h says why). */
	rtcp_sess_rx_rtcp(s, buf, len);
}

#define RX_VEC 16

static void on_readable(struct mfd *f, uint64_t now)
{
	struct media_session *s = f->s;
	int fd = f->rtcp ? s->rtcp_fd : s->rtp_fd;
	uint8_t bufs[RX_VEC][1536];
	struct sockaddr_storage src[RX_VEC];
	struct iovec iov[RX_VEC];
	struct mmsghdr mm[RX_VEC];
	/* One recvmmsg() takes what is queued (one call per packet when they
	 * come one by one, instead of a read plus a read that fails), bounded
	 * so one busy stream cannot starve the others. */
	for (int round = 0; round < BATCH / RX_VEC; round++) {
		for (int i = 0; i < RX_VEC; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
			mm[i].msg_hdr.msg_name = &src[i];
			mm[i].msg_hdr.msg_namelen = sizeof(src[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(fd, mm, RX_VEC, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			/* Truncated datagrams are not RTP we can use. */
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
				continue;
			if (f->rtcp)
				on_rtcp(s, bufs[i], mm[i].msg_len, &src[i],
					mm[i].msg_hdr.msg_namelen);
			else
				on_rtp(s, bufs[i], mm[i].msg_len, &src[i],
				       mm[i].msg_hdr.msg_namelen, now);
		}
		if (n < RX_VEC)
			break;
	}
}

static void scan_timeouts(struct mworker *w, uint64_t now)
{
	for (struct media_session *s = w->list; s; s = s->wnext) {
		rtcp_sess_poll(s, now); /* our RTCP reports, when due */
		/* An event whose end packets were all lost ends here. */
		if (s->dtmf_rx)
			s->dtmf->rfc4733_rx_poll(s->dtmf_rx, now);
		/* Only when the remote said it sends (RFC 3264 hold: a
		 * sendonly/inactive peer of ours sends nothing). */
		if (!s->have_params || !s->p.rtp_timeout_ms || s->timeout_sent ||
		    !(s->p.remote_dir & MEDIA_SENDONLY) || !(s->p.local_dir & MEDIA_RECVONLY))
			continue;
		if (now - s->last_rx_ms < s->p.rtp_timeout_ms)
			continue;
		s->timeout_sent = 1;
		media_event_t ev = {.size = sizeof(ev), .type = MEDIA_EV_RTP_TIMEOUT};
		media_post_event(s, &ev);
	}
}

static void on_tick(struct mworker *w, uint64_t now)
{
	uint64_t n = 0;
	if (read(w->tfd, &n, sizeof(n)) != sizeof(n))
		return;
	/* Catch up after a stall, but not forever: a worker that is late by
	 * more than 100 ms drops the backlog instead of bursting it. */
	if (n > 5)
		n = 1;
	while (n--)
		pipe_tick(w->list, now);
	for (struct media_session *s = w->list; s; s = s->wnext)
		if (s->dtx)
			mdtmf_tick(s, now);
}

static void *worker_main(void *arg)
{
	struct mworker *w = arg;
	struct epoll_event evs[64];
	/* Named so top -H and the media benchmark can tell the workers apart. */
	pthread_setname_np(pthread_self(), "jn-media");
	for (;;) {
		int n = epoll_wait(w->epfd, evs, 64, SCAN_MS);
		uint64_t now = now_ms();
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == w)
				drain_cmds(w);
			else if (evs[i].data.ptr == &w->tick_tag)
				on_tick(w, now);
			else
				on_readable(evs[i].data.ptr, now);
		}
		if (now - w->last_scan >= SCAN_MS) {
			w->last_scan = now;
			scan_timeouts(w, now);
		}
		pthread_mutex_lock(&w->lock);
		int stop = w->stop && !w->head;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			break;
	}
	return NULL;
}

int media_engine_start(const struct media_conf *conf)
{
	E.conf = *conf;
	unsigned n = conf->workers;
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (unsigned)c : 1;
	}
	E.w = calloc(n, sizeof(*E.w));
	if (!E.w)
		return JN_ENOMEM;
	E.n = n;
	for (unsigned i = 0; i < n; i++)
		E.w[i].epfd = E.w[i].evfd = E.w[i].tfd = -1;
	for (unsigned i = 0; i < n; i++) {
		struct mworker *w = &E.w[i];
		pthread_mutex_init(&w->lock, NULL);
		w->tail = &w->head;
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (w->epfd < 0 || w->evfd < 0)
			goto fail;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &ev) < 0)
			goto fail;
		/* The media clock: every pipeline of this worker runs on it. */
		w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		struct itimerspec its = {.it_interval = {0, PIPE_TICK_MS * 1000000L},
					 .it_value = {0, PIPE_TICK_MS * 1000000L}};
		ev.data.ptr = &w->tick_tag;
		if (w->tfd < 0 || timerfd_settime(w->tfd, 0, &its, NULL) < 0 ||
		    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->tfd, &ev) < 0)
			goto fail;
		if (pthread_create(&w->th, NULL, worker_main, w) != 0)
			goto fail;
		w->started = 1;
	}
	return 0;
fail:
	media_engine_stop();
	return JN_EIO;
}

/* Stops the workers after they ran every queued command. Sessions not
 * destroyed by then are closed by their owners' stop() first. */
void media_engine_stop(void)
{
	for (unsigned i = 0; i < E.n; i++) {
		struct mworker *w = &E.w[i];
		if (w->started) {
			pthread_mutex_lock(&w->lock);
			w->stop = 1;
			pthread_mutex_unlock(&w->lock);
			uint64_t one = 1;
			while (write(w->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
				;
			pthread_join(w->th, NULL);
		}
		if (w->epfd >= 0)
			close(w->epfd);
		if (w->evfd >= 0)
			close(w->evfd);
		if (w->tfd >= 0)
			close(w->tfd);
		pthread_mutex_destroy(&w->lock);
	}
	free(E.w);
	E.w = NULL;
	E.n = 0;
}
