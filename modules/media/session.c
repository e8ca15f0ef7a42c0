/* session.c - the "media" C API v1 (media_api.h) on the SIP thread: port
 * pairs, sessions, offer/answer, connect, and event delivery. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "../dtmf/dtmf_api.h"
#include "media.h"
#include "pipeline.h"

jn_module_t *media_mod;

static unsigned port_cursor;

/* ---- ports ------------------------------------------------------------ */

static int bind_one(int family, const char *ip, unsigned port, int *fd_out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (void *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, ip, &a->sin6_addr) != 1)
			return JN_EINVAL;
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (void *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, ip, &a->sin_addr) != 1)
			return JN_EINVAL;
		sl = sizeof(*a);
	}
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return JN_EIO;
	if (family == AF_INET6) {
		int one = 1;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;
		close(fd);
		return e == EADDRINUSE || e == EACCES ? JN_EAGAIN : JN_EIO;
	}
	*fd_out = fd;
	return 0;
}

int media_ports_bind(int family, const char *ip, int *rtp_fd, int *rtcp_fd, unsigned *port)
{
	const struct media_conf *c = media_engine_conf();
	unsigned lo = (c->rtp_min + 1) & ~1u, hi = c->rtp_max;
	if (hi < lo + 1)
		return JN_EAGAIN;
	unsigned pairs = (hi - lo + 1) / 2;
	/* Rotate through the range so a port just freed is not reused at
	 * once (late packets of the old call would land in the new one). */
	for (unsigned i = 0; i < pairs; i++) {
		unsigned p = lo + 2 * (port_cursor++ % pairs);
		int a, b;
		int r = bind_one(family, ip, p, &a);
		if (r == JN_EAGAIN)
			continue;
		if (r)
			return r;
		r = bind_one(family, ip, p + 1, &b);
		if (r) {
			close(a);
			if (r == JN_EAGAIN)
				continue;
			return r;
		}
		*rtp_fd = a;
		*rtcp_fd = b;
		*port = p;
		return 0;
	}
	return JN_EAGAIN;
}

/* ---- events ----------------------------------------------------------- */

struct posted {
	struct media_session *s;
	media_event_t ev;
};

static void deliver(void *data)
{
	struct posted *p = data;
	struct media_session *s = p->s;
	if (!s->destroyed) {
		/* The worker says a source or recorder ended: stop() no
		 * longer knows its id. */
		if (p->ev.type == MEDIA_EV_PLAYBACK_DONE && p->ev.id == s->src_id)
			s->src_id = 0;
		if (p->ev.type == MEDIA_EV_RECORD_DONE && p->ev.id == s->rec_id)
			s->rec_id = 0;
		if (p->ev.type == MEDIA_EV_LATCHED) {
			snprintf(s->latched_addr, sizeof(s->latched_addr), "%s", p->ev.addr);
			s->latched_port = p->ev.port;
		}
		if (s->cb)
			s->cb(&p->ev, s->data);
	}
	free(p);
}

void media_post_event(struct media_session *s, const media_event_t *ev)
{
	struct posted *p = malloc(sizeof(*p));
	if (!p)
		return;
	p->s = s;
	p->ev = *ev;
	p->ev.session = s;
	if (jn_loop_post(deliver, p) < 0)
		free(p);
}

static void free_session(void *data)
{
	/* The SDES keys in it should not outlive the call. */
	explicit_bzero(data, sizeof(struct media_session));
	free(data);
}

void media_post_free(struct media_session *s)
{
	/* If even the post fails there is nothing safe left to do but leak:
	 * an event for s may still be queued. */
	jn_loop_post(free_session, s);
}

/* ---- helpers ---------------------------------------------------------- */

static int set_prefs(struct oa_local *l, const char *const *names)
{
	if (!names) {
		const struct media_conf *c = media_engine_conf();
		memcpy(l->codecs, c->codecs, sizeof(l->codecs));
		l->ncodecs = c->ncodecs;
		return 0;
	}
	size_t n = 0;
	const media_codec_def_t *tmp[OA_MAX_CODECS];
	for (; names[n]; n++) {
		if (n == OA_MAX_CODECS)
			return JN_ERANGE;
		tmp[n] = media_codec_find(names[n]);
		if (!tmp[n])
			return JN_ENOENT;
	}
	if (!n)
		return JN_EINVAL;
	memcpy(l->codecs, tmp, n * sizeof(tmp[0]));
	l->ncodecs = n;
	return 0;
}

static int to_sockaddr(int family, const char *ip, unsigned port, struct sockaddr_storage *ss,
		       socklen_t *sl)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (void *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*a);
		return inet_pton(AF_INET6, ip, &a->sin6_addr) == 1 ? 0 : JN_EINVAL;
	}
	struct sockaddr_in *a = (void *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*sl = sizeof(*a);
	return inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? 0 : JN_EINVAL;
}

/* Hands the outcome of an offer/answer to the worker. */
static int push_params(struct media_session *s)
{
	struct wparams p;
	memset(&p, 0, sizeof(p));
	if (s->neg.remote_addr[0] && s->neg.remote_port) {
		socklen_t sl;
		if (to_sockaddr(s->neg.family, s->neg.remote_addr, s->neg.remote_port, &p.rtp_to,
				&p.to_len) < 0 ||
		    to_sockaddr(s->neg.family, s->neg.remote_addr, s->neg.remote_rtcp_port,
				&p.rtcp_to, &sl) < 0)
			p.to_len = 0;
	}
	p.pt = s->neg.pt;
	p.te_pt = s->neg.te_pt;
	p.te_rate = s->neg.te_rate;
	p.codec = s->neg.codec;
	p.local_dir = s->neg.local_dir;
	p.remote_dir = s->neg.remote_dir;
	p.rtp_timeout_ms = s->rtp_timeout_ms;
	p.ptime = s->neg.ptime;
	p.srtp = s->neg.srtp; /* the worker keeps contexts whose key is unchanged */
	s->latched_addr[0] = 0;
	s->latched_port = 0;
	return media_worker_send(MCMD_PARAMS, s, NULL, &p);
}

/* ---- API ---------------------------------------------------------------- */

static int api_session_create(const media_session_opts_t *o, media_session_t **out)
{
	if (!o || !out || o->size < offsetof(media_session_opts_t, data) + sizeof(void *))
		return JN_EINVAL;
	int family = o->family ? o->family : AF_INET;
	if (family != AF_INET && family != AF_INET6)
		return JN_EINVAL;
	if ((unsigned)o->srtp > MEDIA_SRTP_REQUIRE)
		return JN_EINVAL;
	if (o->ptime && (o->ptime < 10 || o->ptime > 200 || o->ptime % 10))
		return JN_EINVAL;
	const struct media_conf *c = media_engine_conf();
	const char *ip = o->bind_ip ? o->bind_ip : family == AF_INET6 ? c->ip6 : c->ip;
	if (strlen(ip) >= 48 || (o->advertise_ip && strlen(o->advertise_ip) >= 48))
		return JN_EINVAL;

	struct media_session *s = calloc(1, sizeof(*s));
	if (!s)
		return JN_ENOMEM;
	s->rtp_fd = s->rtcp_fd = -1;
	int r = set_prefs(&s->local, o->codecs);
	if (r)
		goto fail;
	s->family = family;
	snprintf(s->bind_ip, sizeof(s->bind_ip), "%s", ip);
	r = media_ports_bind(family, ip, &s->rtp_fd, &s->rtcp_fd, &s->port);
	if (r)
		goto fail;
	s->cb = o->on_event;
	s->data = o->data;
	if (o->size >= offsetof(media_session_opts_t, dtmf) + sizeof(o->dtmf))
		s->dtmf = o->dtmf;
	if (o->size >= offsetof(media_session_opts_t, inband_dtmf) + sizeof(o->inband_dtmf)) {
		if ((unsigned)o->inband_dtmf > MEDIA_INBAND_ON) {
			r = JN_EINVAL;
			goto fail;
		}
		if (s->dtmf && s->dtmf->size >= offsetof(dtmf_api_t, inband_rx_fillin) +
		                                    sizeof(s->dtmf->inband_rx_fillin))
			s->inband = o->inband_dtmf;
	}
	s->rtp_timeout_ms = o->rtp_timeout_ms ? o->rtp_timeout_ms : c->rtp_timeout_ms;
	s->local.family = family;
	snprintf(s->local.addr, sizeof(s->local.addr), "%s", o->advertise_ip ? o->advertise_ip : ip);
	s->local.port = s->port;
	s->local.ptime = o->ptime ? o->ptime : c->ptime;
	s->local.telephone_event = o->telephone_event;
	s->local.dir = MEDIA_SENDRECV;
	/* SDES: our master keys, one per suite, for the session's life. */
	s->local.srtp = o->srtp;
	if (o->srtp && (r = msrtp_keygen(&s->local.srtp_key[0][0], sizeof(s->local.srtp_key))))
		goto fail;
	uint32_t rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)jn_now_ms();
	s->local.sess_id = rnd & 0x7fffffff;
	s->local.sess_ver = s->local.sess_id;
	s->neg.te_pt = -1;
	s->fd_rtp.s = s->fd_rtcp.s = s;
	s->fd_rtcp.rtcp = 1;
	if (o->near && o->near->destroyed) {
		r = JN_EINVAL;
		goto fail;
	}
	s->w = media_worker_pick(o->near ? o->near->w : NULL);
	if (!s->w) {
		r = JN_ESTATE;
		goto fail;
	}
	r = media_worker_send(MCMD_ADD, s, NULL, NULL);
	if (r) {
		media_worker_unpick(s->w);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->rtp_fd >= 0)
		close(s->rtp_fd);
	if (s->rtcp_fd >= 0)
		close(s->rtcp_fd);
	free(s);
	return r;
}

static void api_session_destroy(media_session_t *s)
{
	if (!s || s->destroyed)
		return;
	if (s->peer && s->peer != s && s->peer->peer == s)
		s->peer->peer = NULL;
	s->peer = NULL;
	s->destroyed = 1;
	media_worker_unpick(s->w);
	if (media_worker_send(MCMD_REMOVE, s, NULL, NULL) < 0)
		jn_log_err(media_mod, "out of memory while closing a session; it leaks");
}

static int api_sdp_family(const char *sdp, size_t len)
{
	return oa_family(sdp, len);
}

static int api_sdp_answer(media_session_t *s, const char *offer, size_t len, char **answer,
			  char *err, size_t errlen)
{
	if (!s || s->destroyed || !offer || !answer)
		return JN_EINVAL;
	struct oa_result res;
	s->local.sess_ver++;
	int r = oa_answer(&s->local, offer, len, &res, answer, err, errlen);
	if (r)
		return r;
	s->offer_pending = 0;
	s->neg = res;
	s->negotiated = 1;
	r = push_params(s);
	if (r) {
		free(*answer);
		*answer = NULL;
	}
	return r;
}

static int api_sdp_offer(media_session_t *s, char **offer)
{
	if (!s || s->destroyed || !offer)
		return JN_EINVAL;
	s->local.sess_ver++;
	int r = oa_offer(&s->local, offer);
	if (r == 0)
		s->offer_pending = 1;
	return r;
}

static int api_sdp_apply_answer(media_session_t *s, const char *answer, size_t len, char *err,
				size_t errlen)
{
	if (!s || s->destroyed || !answer)
		return JN_EINVAL;
	if (!s->offer_pending) {
		if (err && errlen)
			snprintf(err, errlen, "no offer outstanding");
		return JN_ESTATE;
	}
	struct oa_result res;
	int r = oa_apply_answer(&s->local, answer, len, &res, err, errlen);
	if (r)
		return r;
	s->offer_pending = 0;
	s->neg = res;
	s->negotiated = 1;
	return push_params(s);
}

static int api_set_direction(media_session_t *s, media_dir_t dir)
{
	if (!s || s->destroyed || (unsigned)dir > MEDIA_SENDRECV)
		return JN_EINVAL;
	s->local.dir = dir;
	return 0;
}

static int api_set_codecs(media_session_t *s, const char *const *codecs)
{
	if (!s || s->destroyed)
		return JN_EINVAL;
	return set_prefs(&s->local, codecs);
}

static int api_connect(media_session_t *a, media_session_t *b)
{
	if (!a || !b || a->destroyed || b->destroyed || a->w != b->w)
		return JN_EINVAL;
	/* Same codec: the worker relays; different codecs: it transcodes
	 * (pipeline.c). It decides on every change of either leg. */
	if (a->peer && a->peer != b && a->peer->peer == a)
		a->peer->peer = NULL;
	if (b->peer && b->peer != a && b->peer->peer == b)
		b->peer->peer = NULL;
	int r = media_worker_send(MCMD_CONNECT, a, b, NULL);
	if (r)
		return r;
	a->peer = b;
	b->peer = a;
	return 0;
}

static int api_disconnect(media_session_t *s)
{
	if (!s || s->destroyed)
		return JN_EINVAL;
	int r = media_worker_send(MCMD_DISCONNECT, s, NULL, NULL);
	if (r)
		return r;
	if (s->peer && s->peer != s && s->peer->peer == s)
		s->peer->peer = NULL;
	s->peer = NULL;
	return 0;
}

static int api_stream_info(media_session_t *s, media_stream_info_t *i)
{
	if (!s || !i || i->size < sizeof(*i))
		return JN_EINVAL;
	memset(i, 0, sizeof(*i));
	i->size = sizeof(*i);
	i->negotiated = s->negotiated;
	i->te_pt = -1;
	i->local_dir = s->local.dir;
	snprintf(i->local_addr, sizeof(i->local_addr), "%s", s->bind_ip);
	i->local_port = s->port;
	if (!s->negotiated)
		return 0;
	snprintf(i->codec, sizeof(i->codec), "%s", s->neg.codec->name);
	i->clock_rate = s->neg.codec->clock_rate;
	i->channels = s->neg.codec->sdp_channels;
	i->pt = s->neg.pt;
	i->te_pt = s->neg.te_pt;
	i->ptime = s->neg.ptime;
	i->local_dir = s->neg.local_dir;
	i->remote_dir = s->neg.remote_dir;
	snprintf(i->srtp_suite, sizeof(i->srtp_suite), "%s", msrtp_suite_name(s->neg.srtp.suite));
	if (s->latched_addr[0]) {
		snprintf(i->remote_addr, sizeof(i->remote_addr), "%s", s->latched_addr);
		i->remote_port = s->latched_port;
		i->latched = 1;
	} else {
		snprintf(i->remote_addr, sizeof(i->remote_addr), "%s", s->neg.remote_addr);
		i->remote_port = s->neg.remote_port;
	}
	return 0;
}

#define LOAD(f) __atomic_load_n(&s->st.f, __ATOMIC_RELAXED)

static int api_stats(media_session_t *s, media_stats_t *st)
{
	if (!s || !st || st->size < sizeof(*st))
		return JN_EINVAL;
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->rx_packets = LOAD(rx_packets);
	st->rx_bytes = LOAD(rx_bytes);
	st->tx_packets = LOAD(tx_packets);
	st->tx_bytes = LOAD(tx_bytes);
	st->rx_dropped = LOAD(rx_dropped);
	st->rtcp_rx = LOAD(rtcp_rx);
	st->rtcp_tx = LOAD(rtcp_tx);
	/* Network loss (RFC 3550 A.3) for every stream; a decoding session's
	 * jitter buffer also misses late packets, and says so when higher. */
	uint32_t jb_lost = LOAD(lost), net_lost = LOAD(rx_lost);
	st->lost = jb_lost > net_lost ? jb_lost : net_lost;
	st->jitter_ms = LOAD(rx_jitter_ms);
	if (!st->jitter_ms)
		st->jitter_ms = LOAD(jitter_ms);
	st->rtt_ms = LOAD(rtt_ms);
	st->mos_x100 = LOAD(mos_x100);
	st->expected = LOAD(rx_expected);
	st->fraction_lost = LOAD(fraction_lost);
	st->remote_lost = LOAD(remote_lost);
	st->remote_fraction_lost = LOAD(remote_fraction_lost);
	st->remote_jitter_ms = LOAD(remote_jitter_ms);
	return 0;
}

/* ---- sources and sinks: opened here so a bad path fails at once, then
 * owned by the worker (pipeline.c) ---- */

static uint32_t new_id(struct media_session *s)
{
	if (!++s->next_id)
		s->next_id = 1;
	return s->next_id;
}

static int start_source(struct media_session *s, struct msrc *src, uint32_t id, uint32_t *out)
{
	int r = media_worker_send_obj(MCMD_PLAY, s, src, id);
	if (r) {
		msrc_free(src);
		return r;
	}
	s->src_id = id;
	*out = id;
	return 0;
}

static int api_play_file(media_session_t *s, const char *path, unsigned loops, uint32_t *id)
{
	if (!s || s->destroyed || !path || !id)
		return JN_EINVAL;
	struct msrc *src;
	uint32_t n = new_id(s);
	int r = msrc_open_file(path, loops, n, &src);
	return r ? r : start_source(s, src, n, id);
}

static int api_play_tone(media_session_t *s, unsigned f1, unsigned f2, int level, unsigned on_ms,
			 unsigned off_ms, unsigned duration_ms, uint32_t *id)
{
	if (!s || s->destroyed || !id)
		return JN_EINVAL;
	struct msrc *src;
	uint32_t n = new_id(s);
	int r = msrc_open_tone(f1, f2, level, on_ms, off_ms, duration_ms, n, &src);
	return r ? r : start_source(s, src, n, id);
}

static int api_play_silence(media_session_t *s, unsigned duration_ms, uint32_t *id)
{
	if (!s || s->destroyed || !id)
		return JN_EINVAL;
	struct msrc *src;
	uint32_t n = new_id(s);
	int r = msrc_open_silence(duration_ms, n, &src);
	return r ? r : start_source(s, src, n, id);
}

static int api_record(media_session_t *s, const char *path, unsigned max_ms, uint32_t *id)
{
	if (!s || s->destroyed || !path || !id)
		return JN_EINVAL;
	/* The file's rate is the codec's band: narrowband 8 kHz, else 16. */
	if (!s->negotiated)
		return JN_ESTATE;
	unsigned rate = s->neg.codec->native_rate == 8000 ? 8000 : 16000;
	struct mrec *rec;
	uint32_t n = new_id(s);
	int r = mrec_open(path, rate, max_ms, n, &rec);
	if (r)
		return r;
	r = media_worker_send_obj(MCMD_RECORD, s, rec, n);
	if (r) {
		mrec_free(rec);
		return r;
	}
	s->rec_id = n;
	*id = n;
	return 0;
}

static int api_stop(media_session_t *s, uint32_t id)
{
	if (!s || s->destroyed)
		return JN_EINVAL;
	if (!id || (id != s->src_id && id != s->rec_id))
		return JN_ENOENT;
	return media_worker_send_obj(MCMD_STOP, s, NULL, id);
}

static size_t api_codec_defaults(const media_codec_def_t **out, size_t max)
{
	const struct media_conf *c = media_engine_conf();
	size_t n = 0;
	for (; out && n < max && n < c->ncodecs; n++)
		out[n] = c->codecs[n];
	return n;
}

static int api_send_dtmf(media_session_t *s, char digit, unsigned duration_ms)
{
	if (!s || s->destroyed || duration_ms > 10000)
		return JN_EINVAL;
	if (!s->dtmf)
		return JN_ENOTSUP;
	if (s->dtmf->digit_to_code(digit) < 0)
		return JN_EINVAL;
	if (!s->negotiated || s->neg.te_pt < 0)
		return JN_ESTATE;
	if (!duration_ms)
		duration_ms = 250;
	return media_worker_send_obj(MCMD_DTMF, s, NULL,
	                             (uint32_t)(unsigned char)digit | (uint32_t)duration_ms << 8);
}

const media_api_t media_api_v1 = {
	.size = sizeof(media_api_t),
	.session_create = api_session_create,
	.session_destroy = api_session_destroy,
	.sdp_family = api_sdp_family,
	.sdp_answer = api_sdp_answer,
	.sdp_offer = api_sdp_offer,
	.sdp_apply_answer = api_sdp_apply_answer,
	.set_direction = api_set_direction,
	.set_codecs = api_set_codecs,
	.connect = api_connect,
	.disconnect = api_disconnect,
	.stream_info = api_stream_info,
	.stats = api_stats,
	.play_file = api_play_file,
	.play_tone = api_play_tone,
	.play_silence = api_play_silence,
	.record = api_record,
	.stop = api_stop,
	.codec_register = media_codec_register,
	.codec_find = media_codec_find,
	.codec_defaults = api_codec_defaults,
	.send_dtmf = api_send_dtmf,
};
