/* jitter.c - the adaptive jitter buffer described in jitter.h. */
#include "jitter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	int used;
	uint16_t seq;
	uint32_t ts;
	uint16_t len;
	uint8_t data[JB_MAX_PAYLOAD];
};

enum { ACT_NONE, ACT_DROP, ACT_INSERT };

struct jb {
	jb_conf_t c;
	struct slot s[JB_SLOTS];
	unsigned n;        /* slots in use */
	int anchored;      /* play_seq is meaningful */
	int started;       /* playing out (else waiting for target_ms) */
	uint16_t play_seq; /* next sequence number to play */
	uint16_t newest;   /* highest sequence number buffered */
	uint64_t first_ms; /* arrival of the first packet of this spurt */
	unsigned pkt_ts;   /* timestamp units per packet, learnt */
	/* RFC 3550 A.8, in timestamp units */
	int have_last;
	double last_arr;
	uint32_t last_ts;
	double jitter;
	double target; /* target delay, timestamp units */
	double win_sum;
	unsigned win_n;
	unsigned underruns; /* in a row */
	unsigned owed;      /* frames concealed by underruns, credited to gaps */
	uint8_t cur[JB_MAX_PAYLOAD];
	jb_stats_t st;
};

static double ms_to_ts(const jb_t *jb, unsigned ms)
{
	return (double)ms * jb->c.clock_rate / 1000.0;
}

static unsigned ts_to_ms(const jb_t *jb, double ts)
{
	return ts <= 0 ? 0 : (unsigned)(ts * 1000.0 / jb->c.clock_rate + 0.5);
}

jb_t *jb_create(const jb_conf_t *conf)
{
	if (!conf || !conf->clock_rate || !conf->frame_ts || conf->max_ms < conf->min_ms)
		return NULL;
	jb_t *jb = calloc(1, sizeof(*jb));
	if (!jb)
		return NULL;
	jb->c = *conf;
	jb->pkt_ts = conf->frame_ts;
	jb->target = fmax(ms_to_ts(jb, conf->min_ms), jb->pkt_ts);
	return jb;
}

void jb_destroy(jb_t *jb)
{
	free(jb);
}

static void flush(jb_t *jb)
{
	for (unsigned i = 0; i < JB_SLOTS; i++)
		jb->s[i].used = 0;
	jb->n = 0;
	jb->started = 0;
	jb->owed = 0;
	jb->underruns = 0;
	jb->win_n = 0;
	jb->win_sum = 0;
}

void jb_reset(jb_t *jb)
{
	flush(jb);
	jb->anchored = 0;
	jb->have_last = 0;
}

static struct slot *slot_of(jb_t *jb, uint16_t seq)
{
	struct slot *s = &jb->s[seq % JB_SLOTS];
	return s->used && s->seq == seq ? s : NULL;
}

/* RFC 3550 A.8: J += (|D(i-1,i)| - J) / 16 over packets in arrival order;
 * then the target follows 3 J above one packet, at once upwards and by
 * 1/128 per packet downwards, so one calm second does not undo it. */
static void update_jitter(jb_t *jb, uint32_t ts, uint64_t now_ms)
{
	double arr = (double)now_ms * jb->c.clock_rate / 1000.0;
	int32_t dts = (int32_t)(ts - jb->last_ts);
	/* A timestamp jump (new talk spurt after DTX, a restarted sender) is
	 * not jitter. */
	if (jb->have_last && labs((long)dts) <= (long)jb->c.clock_rate * 2) {
		double d = (arr - jb->last_arr) - dts;
		jb->jitter += (fabs(d) - jb->jitter) / 16.0;
	}
	jb->have_last = 1;
	jb->last_arr = arr;
	jb->last_ts = ts;
	double want = jb->pkt_ts + 3.0 * jb->jitter;
	want = fmax(want, ms_to_ts(jb, jb->c.min_ms));
	want = fmin(want, ms_to_ts(jb, jb->c.max_ms));
	if (want > jb->target)
		jb->target = want;
	else
		jb->target += (want - jb->target) / 128.0;
}

static void learn_ptime(jb_t *jb, const struct slot *a, const struct slot *b)
{
	/* b follows a by one sequence number */
	uint32_t d = b->ts - a->ts;
	if (d > 0 && d <= jb->c.clock_rate / 5)
		jb->pkt_ts = d;
}

int jb_put(jb_t *jb, uint16_t seq, uint32_t ts, int marker, const uint8_t *payload, size_t len,
           uint64_t now_ms)
{
	if (len > JB_MAX_PAYLOAD) {
		jb->st.late++;
		return 1;
	}
	update_jitter(jb, ts, now_ms);
	if (!jb->anchored) {
		jb->anchored = 1;
		jb->play_seq = seq;
		jb->started = 0;
	}
	int d = (int16_t)(seq - jb->play_seq);
	if (d < 0) {
		/* Before playout starts, an earlier packet (reordered) moves the
		 * start back, as long as the ring still spans the newest. */
		if (!jb->started && -d < JB_SLOTS / 2 &&
		    (!jb->n || (uint16_t)(jb->newest - seq) < JB_SLOTS)) {
			jb->play_seq = seq;
		} else {
			jb->st.late++;
			return 1;
		}
	} else if (d >= JB_SLOTS) {
		/* A sequence jump (restarted sender, long gap): start over. */
		flush(jb);
		jb->play_seq = seq;
		jb->st.resync++;
	}
	struct slot *s = &jb->s[seq % JB_SLOTS];
	if (s->used && s->seq == seq) {
		jb->st.duplicate++;
		return 1;
	}
	if (!s->used)
		jb->n++;
	s->used = 1;
	s->seq = seq;
	s->ts = ts;
	s->len = (uint16_t)len;
	memcpy(s->data, payload, len);
	jb->st.in++;
	if (jb->n == 1 || (int16_t)(seq - jb->newest) > 0)
		jb->newest = seq;
	if (!jb->started && jb->n == 1)
		jb->first_ms = now_ms;
	const struct slot *p = slot_of(jb, (uint16_t)(seq - 1)),
	                  *q = slot_of(jb, (uint16_t)(seq + 1));
	if (p)
		learn_ptime(jb, p, s);
	else if (q)
		learn_ptime(jb, s, q);
	(void)marker;
	return 0;
}

/* Audio buffered from the playout point on, in timestamp units. */
static double level(const jb_t *jb)
{
	if (!jb->n)
		return 0;
	return ((int16_t)(jb->newest - jb->play_seq) + 1) * (double)jb->pkt_ts;
}

static int decide(jb_t *jb)
{
	double lv = level(jb);
	/* Far above max (a burst after a stall): shrink at once. */
	if (lv > ms_to_ts(jb, jb->c.max_ms) + 2.0 * jb->pkt_ts)
		return ACT_DROP;
	jb->win_sum += lv;
	if (++jb->win_n < JB_WINDOW)
		return ACT_NONE;
	double excess = jb->win_sum / jb->win_n - (jb->target + jb->pkt_ts);
	jb->win_sum = 0;
	jb->win_n = 0;
	if (excess > 1.5 * jb->pkt_ts)
		return ACT_DROP;
	if (excess < -1.0 * jb->pkt_ts)
		return ACT_INSERT;
	return ACT_NONE;
}

int jb_get(jb_t *jb, uint64_t now_ms, const uint8_t **payload, size_t *len, const uint8_t **next,
           size_t *next_len, unsigned *samples_ts)
{
	*payload = *next = NULL;
	*len = *next_len = 0;
	*samples_ts = jb->pkt_ts;
	if (!jb->anchored)
		return JB_EMPTY;
	if (!jb->started) {
		if (!jb->n || (double)(now_ms - jb->first_ms) < ts_to_ms(jb, jb->target))
			return JB_EMPTY;
		/* Start at the oldest packet buffered. */
		while (!slot_of(jb, jb->play_seq))
			jb->play_seq++;
		jb->started = 1;
		jb->underruns = 0;
		jb->owed = 0;
		jb->win_n = 0;
		jb->win_sum = 0;
	}
	int act = decide(jb);
	for (;;) {
		struct slot *s = slot_of(jb, jb->play_seq);
		if (s) {
			if (act == ACT_DROP && jb->n > 1) {
				s->used = 0;
				jb->n--;
				jb->play_seq++;
				jb->st.dropped_skew++;
				act = ACT_NONE;
				continue;
			}
			if (act == ACT_INSERT) {
				jb->st.inserted++;
				jb->st.concealed++;
				return JB_LOST;
			}
			memcpy(jb->cur, s->data, s->len);
			*payload = jb->cur;
			*len = s->len;
			s->used = 0;
			jb->n--;
			jb->play_seq++;
			const struct slot *nx = slot_of(jb, jb->play_seq);
			if (nx) {
				*next = nx->data;
				*next_len = nx->len;
			}
			jb->underruns = 0;
			jb->owed = 0;
			return JB_FRAME;
		}
		if (jb->n) {
			/* Missing, but later packets are here: it is lost. */
			jb->play_seq++;
			jb->st.lost++;
			jb->underruns = 0;
			if (jb->owed) {
				/* Already concealed while we waited for it. */
				jb->owed--;
				continue;
			}
			if (act == ACT_DROP) {
				jb->st.dropped_skew++;
				act = ACT_NONE;
				continue;
			}
			const struct slot *nx = slot_of(jb, jb->play_seq);
			if (nx) {
				*next = nx->data;
				*next_len = nx->len;
			}
			jb->st.concealed++;
			return JB_LOST;
		}
		/* Underrun: conceal and hold the playout point, the packet may
		 * still come; too many in a row means the sender paused. */
		if (++jb->underruns > JB_IDLE_FRAMES) {
			jb->started = 0;
			jb->owed = 0;
			jb->st.resync++;
			return JB_EMPTY;
		}
		jb->owed++;
		jb->st.inserted++;
		jb->st.concealed++;
		return JB_LOST;
	}
}

void jb_stats(const jb_t *jb, jb_stats_t *st)
{
	*st = jb->st;
	st->delay_ms = ts_to_ms(jb, jb->target);
	st->level_ms = ts_to_ms(jb, level(jb));
	st->jitter_ms = jb->jitter * 1000.0 / jb->c.clock_rate;
}
