/* pipeline.c - decode, conceal, resample, mix in sources and sinks, encode:
 * the PCM side of a session (see pipeline.h). Worker thread only, except
 * the msrc/mrec constructors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <sndfile.h>
#include <spandsp.h>
#include <speex/speex_resampler.h>

#include "../dtmf/dtmf_api.h"
#include "jitter.h"
#include "media.h"
#include "pipeline.h"
#include "rtp.h"

#define FIFO_MAX   4096 /* samples: 256 ms at 16 kHz */
#define MAX_RATE   48000
#define FRAME_MAX  (MAX_RATE / 50)
#define PKT_MAX    1500
#define JB_MIN_MS  20
#define JB_MAX_MS  200
#define RS_QUALITY SPEEX_RESAMPLER_QUALITY_VOIP

#define STAT_ADD(s, f, v) __atomic_fetch_add(&(s)->st.f, (v), __ATOMIC_RELAXED)

struct fifo {
	unsigned n;
	int16_t d[FIFO_MAX];
};

static void fifo_push(struct fifo *f, const int16_t *x, unsigned n)
{
	/* Overflow keeps the newest audio: older samples are dropped. */
	if (n > FIFO_MAX) {
		x += n - FIFO_MAX;
		n = FIFO_MAX;
	}
	if (f->n + n > FIFO_MAX) {
		unsigned drop = f->n + n - FIFO_MAX;
		memmove(f->d, f->d + drop, (f->n - drop) * sizeof(int16_t));
		f->n -= drop;
	}
	if (x)
		memcpy(f->d + f->n, x, n * sizeof(int16_t));
	else
		memset(f->d + f->n, 0, n * sizeof(int16_t));
	f->n += n;
}

static void fifo_pop(struct fifo *f, int16_t *out, unsigned n)
{
	memcpy(out, f->d, n * sizeof(int16_t));
	memmove(f->d, f->d + n, (f->n - n) * sizeof(int16_t));
	f->n -= n;
}

/* A resampler that (re)creates itself when either rate changes; equal
 * rates copy. */
struct rsm {
	SpeexResamplerState *st;
	unsigned from, to;
};

static void rsm_free(struct rsm *r)
{
	if (r->st)
		speex_resampler_destroy(r->st);
	r->st = NULL;
	r->from = r->to = 0;
}

static void rsm_push(struct rsm *r, unsigned from, unsigned to, const int16_t *x, unsigned n,
                     struct fifo *out)
{
	if (from == to) {
		fifo_push(out, x, n);
		return;
	}
	if (!r->st || r->from != from || r->to != to) {
		rsm_free(r);
		int err;
		r->st = speex_resampler_init(1, from, to, RS_QUALITY, &err);
		if (!r->st)
			return;
		/* Without this the first frames carry the filter's leading
		 * zeros as extra delay. */
		speex_resampler_skip_zeros(r->st);
		r->from = from;
		r->to = to;
	}
	int16_t buf[FRAME_MAX * 2 + 64];
	spx_uint32_t in_len = n, out_len = sizeof(buf) / sizeof(buf[0]);
	speex_resampler_process_int(r->st, 0, x, &in_len, buf, &out_len);
	fifo_push(out, buf, out_len);
}

/* ---- sources and sinks --------------------------------------------------- */

enum { SRC_FILE = 1, SRC_TONE, SRC_SILENCE };

struct msrc {
	int kind;
	uint32_t id;
	unsigned duration_ms, elapsed_ms; /* tone, silence; 0: no limit */
	SNDFILE *sf;
	SF_INFO info;
	unsigned loops_left; /* 0: forever */
	int eof;
	tone_gen_state_t *tg;
	struct rsm rs;
	struct fifo buf; /* at the session's rate */
};

struct mrec {
	uint32_t id;
	SNDFILE *sf;
	unsigned rate;
	uint64_t max_samples, samples;
	struct rsm rs;
	struct fifo buf;
};

int msrc_open_file(const char *path, unsigned loops, uint32_t id, struct msrc **out)
{
	struct msrc *s = calloc(1, sizeof(*s));
	if (!s)
		return JN_ENOMEM;
	s->kind = SRC_FILE;
	s->id = id;
	s->loops_left = loops;
	memset(&s->info, 0, sizeof(s->info)); /* libsndfile wants it zeroed */
	s->sf = sf_open(path, SFM_READ, &s->info);
	if (!s->sf) {
		int e = errno;
		free(s);
		return e == ENOENT || e == EACCES ? JN_ENOENT : JN_EPARSE;
	}
	if (s->info.channels < 1 || s->info.channels > 8 || s->info.samplerate < 4000 ||
	    s->info.samplerate > 192000) {
		sf_close(s->sf);
		free(s);
		return JN_EPARSE;
	}
	*out = s;
	return 0;
}

int msrc_open_tone(unsigned f1, unsigned f2, int level, unsigned on_ms, unsigned off_ms,
                   unsigned duration_ms, uint32_t id, struct msrc **out)
{
	if (!f1 || f1 > 3900 || f2 > 3900 || level > 3 || level < -60 || on_ms > 60000 ||
	    off_ms > 60000)
		return JN_EINVAL;
	struct msrc *s = calloc(1, sizeof(*s));
	if (!s)
		return JN_ENOMEM;
	s->kind = SRC_TONE;
	s->id = id;
	s->duration_ms = duration_ms;
	tone_gen_descriptor_t *d =
	    tone_gen_descriptor_init(NULL, (int)f1, level, (int)f2, f2 ? level : 0,
	                             on_ms ? (int)on_ms : 1000, on_ms ? (int)off_ms : 0, 0, 0, 1);
	if (!d) {
		free(s);
		return JN_ENOMEM;
	}
	s->tg = tone_gen_init(NULL, d); /* copies the descriptor */
	tone_gen_descriptor_free(d);
	if (!s->tg) {
		free(s);
		return JN_ENOMEM;
	}
	*out = s;
	return 0;
}

int msrc_open_silence(unsigned duration_ms, uint32_t id, struct msrc **out)
{
	struct msrc *s = calloc(1, sizeof(*s));
	if (!s)
		return JN_ENOMEM;
	s->kind = SRC_SILENCE;
	s->id = id;
	s->duration_ms = duration_ms;
	*out = s;
	return 0;
}

void msrc_free(struct msrc *s)
{
	if (!s)
		return;
	if (s->sf)
		sf_close(s->sf);
	if (s->tg)
		tone_gen_free(s->tg);
	rsm_free(&s->rs);
	free(s);
}

int mrec_open(const char *path, unsigned rate, unsigned max_ms, uint32_t id, struct mrec **out)
{
	struct mrec *r = calloc(1, sizeof(*r));
	if (!r)
		return JN_ENOMEM;
	SF_INFO si = {
	    .samplerate = (int)rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
	r->sf = sf_open(path, SFM_WRITE, &si);
	if (!r->sf) {
		free(r);
		return JN_EIO;
	}
	r->id = id;
	r->rate = rate;
	r->max_samples = (uint64_t)max_ms * rate / 1000;
	*out = r;
	return 0;
}

void mrec_free(struct mrec *r)
{
	if (!r)
		return;
	if (r->sf)
		sf_close(r->sf);
	rsm_free(&r->rs);
	free(r);
}

/* ---- the pipeline of one session ---------------------------------------- */

struct mpipe {
	const media_codec_def_t *codec; /* what the channel below runs */
	unsigned rate, ptime;
	media_codec_t *ch;
	plc_state_t *plc; /* spandsp PLC when the codec has none */
	jb_t *jb;
	int decode; /* feed the jitter buffer */
	uint32_t in_ssrc;
	int have_in_ssrc;
	struct fifo in;           /* decoded, not yet consumed */
	int16_t frame[FRAME_MAX]; /* this tick's received audio */
	int have_frame;
	struct fifo out; /* waiting for the encoder */
	struct rsm rs;   /* peer's rate -> ours */
	uint16_t seq;
	uint32_t ts, ssrc;
	int marker;
	struct msrc *src;
	struct mrec *rec;
	/* In-band DTMF: the received frames at 8 kHz into spandsp's detector. */
	dtmf_inband_rx_t *ib;
	struct rsm ib_rs;
	struct fifo ib_buf;
};

static int transcoding(const struct media_session *s)
{
	const struct media_session *o = s->wpeer;
	return o && o != s && s->have_params && o->have_params && s->p.codec && o->p.codec &&
	       s->p.codec != o->p.codec;
}

/* In-band detection wanted now: opts.inband_dtmf ON, or AUTO while the
 * leg negotiated no telephone-event (RFC 4733 is then its only way). */
static int inband_wanted(const struct media_session *s)
{
	return s->inband != MEDIA_INBAND_OFF && s->have_params && s->p.codec &&
	       (s->inband == MEDIA_INBAND_ON || s->p.te_pt < 0);
}

static void inband_digit(const dtmf_event_t *de, void *data)
{
	struct media_session *s = data;
	media_event_t ev = {.size = sizeof(ev), .type = MEDIA_EV_DTMF, .dtmf_inband = 1};
	ev.digit = de->digit;
	ev.duration_ms = de->duration_ms;
	media_post_event(s, &ev);
}

static void inband_free(struct media_session *s, struct mpipe *p)
{
	if (p->ib)
		s->dtmf->inband_rx_free(p->ib);
	p->ib = NULL;
	rsm_free(&p->ib_rs);
	p->ib_buf.n = 0;
}

/* This tick's received frame, at 8 kHz, to the detector (spandsp's DTMF
 * receiver works on 8 kHz; a wideband leg is resampled down). */
static void inband_feed(struct media_session *s, uint64_t now)
{
	struct mpipe *p = s->pipe;
	rsm_push(&p->ib_rs, p->rate, 8000, p->frame, p->rate / 50, &p->ib_buf);
	while (p->ib_buf.n >= 160) {
		int16_t x[160];
		fifo_pop(&p->ib_buf, x, 160);
		s->dtmf->inband_rx_feed(p->ib, x, 160, now);
	}
}

/* The PCM rate a session's codec runs at. Opus runs at its peer's rate when
 * it transcodes to a narrow- or wideband codec (no resampling, and Opus at
 * 8 kHz costs a third of 48 kHz, deps.md 4), else wideband. */
static unsigned rate_for(const struct media_session *s)
{
	const media_codec_def_t *c = s->p.codec;
	if (c != &media_codec_opus)
		return c->native_rate;
	if (transcoding(s) && s->wpeer->p.codec->native_rate <= 16000)
		return s->wpeer->p.codec->native_rate;
	return 16000;
}

static void post_done(struct media_session *s, media_event_type_t type, uint32_t id, int status)
{
	media_event_t ev = {.size = sizeof(ev), .type = type, .id = id, .status = status};
	media_post_event(s, &ev);
}

static void close_channel(struct mpipe *p)
{
	media_codec_close(p->ch);
	p->ch = NULL;
	if (p->plc)
		plc_free(p->plc);
	p->plc = NULL;
	jb_destroy(p->jb);
	p->jb = NULL;
	p->codec = NULL;
	p->in.n = p->out.n = 0;
	rsm_free(&p->rs);
}

void pipe_free(struct media_session *s)
{
	struct mpipe *p = s->pipe;
	if (!p)
		return;
	close_channel(p);
	inband_free(s, p);
	if (p->src)
		post_done(s, MEDIA_EV_PLAYBACK_DONE, p->src->id, 0);
	if (p->rec)
		post_done(s, MEDIA_EV_RECORD_DONE, p->rec->id, 0);
	msrc_free(p->src);
	mrec_free(p->rec);
	free(p);
	s->pipe = NULL;
}

static int open_channel(struct media_session *s, struct mpipe *p, unsigned rate)
{
	const media_codec_def_t *c = s->p.codec;
	unsigned ptime = s->p.ptime ? s->p.ptime : 20;
	int r = media_codec_open(c, rate, NULL, &p->ch);
	if (r)
		return r;
	if (!c->plc && !(p->plc = plc_init(NULL)))
		goto nomem;
	jb_conf_t jc = {.clock_rate = c->clock_rate,
	                .frame_ts = c->clock_rate * ptime / 1000,
	                .min_ms = JB_MIN_MS,
	                .max_ms = JB_MAX_MS};
	if (!(p->jb = jb_create(&jc)))
		goto nomem;
	p->codec = c;
	p->rate = rate;
	p->ptime = ptime;
	p->have_in_ssrc = 0;
	p->marker = 1;
	return 0;
nomem:
	close_channel(p);
	return JN_ENOMEM;
}

static struct mpipe *ensure_pipe(struct media_session *s)
{
	if (s->pipe)
		return s->pipe;
	struct mpipe *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	/* RFC 3550 5.1: random SSRC, initial sequence number and timestamp. */
	uint32_t rnd[2] = {0, 0};
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		rnd[0] = (uint32_t)(uintptr_t)p;
		rnd[1] = (uint32_t)(uintptr_t)s >> 4;
	}
	p->ssrc = rnd[0];
	p->seq = (uint16_t)rnd[1];
	p->ts = rnd[1] ^ (rnd[0] << 7);
	s->pipe = p;
	return p;
}

void pipe_update(struct media_session *s)
{
	struct mpipe *p = s->pipe;
	int tc = transcoding(s), ib = inband_wanted(s);
	if (!tc && !ib && (!p || (!p->src && !p->rec))) {
		pipe_free(s);
		return;
	}
	if (!p && !(p = ensure_pipe(s)))
		return;
	if (ib && !p->ib && !(p->ib = s->dtmf->inband_rx_new(inband_digit, s)))
		jn_log_err(media_mod, "cannot start in-band DTMF detection");
	else if (!ib && p->ib)
		inband_free(s, p);
	p->decode = tc || p->rec || p->ib;
	if (!s->have_params || !s->p.codec) {
		close_channel(p);
		return;
	}
	unsigned rate = rate_for(s);
	unsigned ptime = s->p.ptime ? s->p.ptime : 20;
	if (p->codec == s->p.codec && p->rate == rate && p->ptime == ptime)
		return;
	close_channel(p);
	if (open_channel(s, p, rate) < 0)
		jn_log_err(media_mod, "cannot open a %s channel at %u Hz", s->p.codec->name, rate);
}

int pipe_out_stream(struct media_session *s, uint32_t *ssrc, uint16_t **seq, uint32_t *ts)
{
	struct mpipe *p = s->pipe;
	if (!p || !p->ch || !(p->src || transcoding(s)))
		return 0;
	*ssrc = p->ssrc;
	*seq = &p->seq;
	*ts = p->ts;
	return 1;
}

int pipe_muted(const struct media_session *s)
{
	return s->pipe && s->pipe->src;
}

int pipe_rx(struct media_session *s, const uint8_t *buf, size_t len, uint64_t now)
{
	struct mpipe *p = s->pipe;
	if (!p || !p->decode || !p->jb || (int)(buf[1] & 0x7f) != s->p.pt)
		return 0;
	/* Decoded for a sink (recorder, DTMF detector) only: the relay still
	 * gets the packet; transcoding consumes it. */
	int consumed = transcoding(s);
	rtp_hdr_t h;
	if (rtp_parse(buf, len, &h) < 0) {
		STAT_ADD(s, rx_dropped, 1);
		return 1;
	}
	if (!p->have_in_ssrc || h.ssrc != p->in_ssrc) {
		/* A new sender (or a restarted one): its numbering is new. */
		jb_reset(p->jb);
		p->in_ssrc = h.ssrc;
		p->have_in_ssrc = 1;
	}
	jb_put(p->jb, h.seq, h.ts, (int)h.marker, h.payload, h.payload_len, now);
	return consumed;
}

static void finish_src(struct media_session *s, int status)
{
	struct mpipe *p = s->pipe;
	post_done(s, MEDIA_EV_PLAYBACK_DONE, p->src->id, status);
	msrc_free(p->src);
	p->src = NULL;
}

static void finish_rec(struct media_session *s, int status)
{
	struct mpipe *p = s->pipe;
	post_done(s, MEDIA_EV_RECORD_DONE, p->rec->id, status);
	mrec_free(p->rec);
	p->rec = NULL;
}

void pipe_play(struct media_session *s, struct msrc *src)
{
	struct mpipe *p = ensure_pipe(s);
	if (!p) {
		media_event_t ev = {.size = sizeof(ev),
		                    .type = MEDIA_EV_PLAYBACK_DONE,
		                    .id = src->id,
		                    .status = JN_ENOMEM};
		media_post_event(s, &ev);
		msrc_free(src);
		return;
	}
	if (p->src)
		finish_src(s, 0);
	p->src = src;
	pipe_update(s);
}

void pipe_record(struct media_session *s, struct mrec *rec)
{
	struct mpipe *p = ensure_pipe(s);
	if (!p) {
		media_event_t ev = {.size = sizeof(ev),
		                    .type = MEDIA_EV_RECORD_DONE,
		                    .id = rec->id,
		                    .status = JN_ENOMEM};
		media_post_event(s, &ev);
		mrec_free(rec);
		return;
	}
	if (p->rec)
		finish_rec(s, 0);
	p->rec = rec;
	pipe_update(s);
}

void pipe_stop(struct media_session *s, uint32_t id)
{
	struct mpipe *p = s->pipe;
	if (!p)
		return;
	if (p->src && p->src->id == id)
		finish_src(s, 0);
	if (p->rec && p->rec->id == id)
		finish_rec(s, 0);
	pipe_update(s);
}

/* ---- the tick -------------------------------------------------------------- */

/* spandsp 0.0.6 rotates the PLC history with an overlapping memcpy() on the
 * first concealed frame (undefined behaviour, and ASan aborts on it).
 * Rotating it here first leaves spandsp nothing to move. */
static int plc_conceal(plc_state_t *s, int16_t *pcm, int n)
{
	if (s->missing_samples == 0 && s->buf_ptr > 0 && s->buf_ptr < PLC_HISTORY_LEN) {
		int16_t tmp[PLC_HISTORY_LEN];
		size_t k = (size_t)s->buf_ptr;
		memcpy(tmp, s->history + k, (PLC_HISTORY_LEN - k) * sizeof(int16_t));
		memcpy(tmp + PLC_HISTORY_LEN - k, s->history, k * sizeof(int16_t));
		memcpy(s->history, tmp, sizeof(tmp));
		s->buf_ptr = 0;
	}
	return plc_fillin(s, pcm, n);
}

#define PCM_MAX 5760 /* 120 ms at 48 kHz: the longest Opus packet */

/* Fills p->frame with 20 ms of what the peer sent: jitter buffer, decoder,
 * concealment (the codec's own, else spandsp's PLC), silence before the
 * stream starts. */
static void pull_frame(struct media_session *s, uint64_t now)
{
	struct mpipe *p = s->pipe;
	const media_codec_def_t *c = p->codec;
	unsigned need = p->rate / 50;
	int16_t pcm[PCM_MAX];
	for (int guard = 0; p->in.n < need && guard < 8; guard++) {
		const uint8_t *pl, *nx;
		size_t len, nlen;
		unsigned sts;
		int r = jb_get(p->jb, now, &pl, &len, &nx, &nlen, &sts);
		uint64_t conc = (uint64_t)sts * p->rate / c->clock_rate;
		unsigned nconc = conc > PCM_MAX ? PCM_MAX : (unsigned)conc;
		int n = -1;
		if (r == JB_EMPTY) {
			fifo_push(&p->in, NULL, need - p->in.n);
			break;
		}
		if (r == JB_FRAME) {
			n = c->decode(p->ch, pl, len, pcm, PCM_MAX);
			if (n > 0 && p->plc)
				plc_rx(p->plc, pcm, n);
		}
		if (n < 0) { /* lost, or undecodable: conceal */
			if (c->plc)
				n = c->plc(p->ch, nx, nlen, pcm, nconc);
			else
				n = plc_conceal(p->plc, pcm, (int)nconc);
			if (n < 0) {
				memset(pcm, 0, nconc * sizeof(pcm[0]));
				n = (int)nconc;
			}
		}
		fifo_push(&p->in, pcm, (unsigned)n);
	}
	if (p->in.n < need)
		fifo_push(&p->in, NULL, need - p->in.n);
	fifo_pop(&p->in, p->frame, need);
	p->have_frame = 1;
	jb_stats_t js;
	jb_stats(p->jb, &js);
	__atomic_store_n(&s->st.lost, (uint32_t)js.lost, __ATOMIC_RELAXED);
	__atomic_store_n(&s->st.jitter_ms, (uint32_t)(js.jitter_ms + 0.5), __ATOMIC_RELAXED);
}

static void record_frame(struct media_session *s)
{
	struct mpipe *p = s->pipe;
	struct mrec *r = p->rec;
	rsm_push(&r->rs, p->rate, r->rate, p->frame, p->rate / 50, &r->buf);
	unsigned n = r->buf.n;
	if (r->max_samples && r->samples + n > r->max_samples)
		n = (unsigned)(r->max_samples - r->samples);
	/* Buffered stdio in libsndfile: one small write per tick. */
	if (n && sf_write_short(r->sf, r->buf.d, n) != (sf_count_t)n) {
		finish_rec(s, JN_EIO);
		return;
	}
	r->buf.n = 0;
	r->samples += n;
	if (r->max_samples && r->samples >= r->max_samples)
		finish_rec(s, 0);
}

/* 20 ms of the source at the session's rate into out: 0, 1 when it ended
 * (nothing written), or a negative JN_E*. */
static int src_read(struct mpipe *p, int16_t *out, unsigned need)
{
	struct msrc *x = p->src;
	if (x->kind != SRC_FILE) {
		if (x->duration_ms && x->elapsed_ms >= x->duration_ms)
			return 1;
		x->elapsed_ms += PIPE_TICK_MS;
		if (x->kind == SRC_SILENCE) {
			memset(out, 0, need * sizeof(*out));
			return 0;
		}
		int16_t t[160];
		int n = tone_gen(x->tg, t, 160);
		if (n < 160)
			memset(t + (n > 0 ? n : 0), 0,
			       (size_t)(160 - (n > 0 ? n : 0)) * sizeof(t[0]));
		rsm_push(&x->rs, 8000, p->rate, t, 160, &x->buf);
	} else {
		int empty_reads = 0;
		while (x->buf.n < need && !x->eof) {
			int16_t raw[8192], mono[4096];
			int ch = x->info.channels;
			sf_count_t want = x->info.samplerate / 50 + 1;
			if (want * ch > 8192)
				want = 8192 / ch;
			if (want > 4096)
				want = 4096;
			sf_count_t got = sf_readf_short(x->sf, raw, want);
			if (got <= 0) {
				if (x->loops_left == 1 || ++empty_reads > 1) {
					x->eof = 1;
					break;
				}
				if (x->loops_left > 1)
					x->loops_left--;
				if (sf_seek(x->sf, 0, SEEK_SET) < 0)
					return JN_EIO;
				continue;
			}
			empty_reads = 0;
			for (sf_count_t i = 0; i < got; i++) {
				int acc = 0;
				for (int k = 0; k < ch; k++)
					acc += raw[i * ch + k];
				mono[i] = (int16_t)(acc / ch);
			}
			rsm_push(&x->rs, (unsigned)x->info.samplerate, p->rate, mono, (unsigned)got,
			         &x->buf);
		}
		if (!x->buf.n && x->eof)
			return 1;
	}
	unsigned n = x->buf.n < need ? x->buf.n : need;
	fifo_pop(&x->buf, out, n);
	if (n < need)
		memset(out + n, 0, (need - n) * sizeof(*out));
	return 0;
}

static void send_out(struct media_session *s)
{
	struct mpipe *p = s->pipe;
	const media_codec_def_t *c = p->codec;
	unsigned spp = p->rate * p->ptime / 1000, tsinc = c->clock_rate * p->ptime / 1000;
	int16_t pcm[PCM_MAX];
	if (spp > PCM_MAX)
		return;
	while (p->out.n >= spp) {
		fifo_pop(&p->out, pcm, spp);
		uint8_t pay[PKT_MAX], pkt[PKT_MAX + 16];
		int n = c->encode(p->ch, pcm, spp, pay, sizeof(pay));
		int can = s->have_params && s->to_len && (s->p.local_dir & MEDIA_SENDONLY) &&
		          s->p.pt >= 0;
		if (n >= 0 && can) {
			rtp_hdr_t h = {.marker = (unsigned)p->marker,
			               .pt = (unsigned)s->p.pt,
			               .seq = p->seq,
			               .ts = p->ts,
			               .ssrc = p->ssrc,
			               .payload = pay,
			               .payload_len = (size_t)n};
			int len = rtp_build(&h, pkt, sizeof(pkt));
			size_t wlen = len > 0 ? (size_t)len : 0; /* on the wire: + SRTP tag */
			if (len > 0 && msrtp_protect_rtp(s, pkt, &wlen, sizeof(pkt)) == 0 &&
			    sendto(s->rtp_fd, pkt, wlen, 0, (struct sockaddr *)&s->rtp_to,
			           s->to_len) == (ssize_t)wlen) {
				STAT_ADD(s, tx_packets, 1);
				STAT_ADD(s, tx_bytes, (uint64_t)len);
				rtcp_sess_tx_rtp(s, pkt, (size_t)len); /* for our SRs */
			}
			p->seq++;
			p->marker = 0;
		}
		/* The timestamp follows the clock even while we do not send. */
		p->ts += tsinc;
	}
}

static void output(struct media_session *s)
{
	struct mpipe *p = s->pipe;
	unsigned need = p->rate / 50;
	if (p->src) {
		int16_t fr[FRAME_MAX];
		int r = src_read(p, fr, need);
		if (r) {
			finish_src(s, r < 0 ? r : 0);
			pipe_update(s); /* may free the pipeline */
			return;
		}
		fifo_push(&p->out, fr, need);
	} else if (transcoding(s) && s->wpeer->pipe && s->wpeer->pipe->have_frame) {
		const struct mpipe *q = s->wpeer->pipe;
		rsm_push(&p->rs, q->rate, p->rate, q->frame, q->rate / 50, &p->out);
	} else {
		return;
	}
	send_out(s);
}

void pipe_tick(struct media_session *list, uint64_t now)
{
	/* Pass 1: what every session received, so pass 2 can hand it over
	 * whatever the order of the list. */
	for (struct media_session *s = list; s; s = s->wnext) {
		struct mpipe *p = s->pipe;
		if (!p || !p->ch)
			continue;
		p->have_frame = 0;
		if (!p->decode)
			continue;
		pull_frame(s, now);
		if (p->ib)
			inband_feed(s, now);
		if (p->rec)
			record_frame(s);
	}
	for (struct media_session *s = list; s; s = s->wnext)
		if (s->pipe && s->pipe->ch)
			output(s);
}
