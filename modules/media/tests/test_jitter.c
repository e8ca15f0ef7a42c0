/* test_jitter.c - the adaptive jitter buffer on simulated streams: a sender
 * emits one 20 ms packet per (skewed) period, the network delays, drops,
 * duplicates or reorders them, and the receiver pulls one frame every 20 ms
 * of its own clock, simulated 1 ms at a time. Every payload carries its
 * sequence number, so the test checks what comes out, in which order.
 * RFC 3550 A.8 (interarrival jitter), A.1 (sequence wrap), 5.1 (timestamp
 * wrap). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitter.h"

struct pkt {
	double arr; /* arrival, ms */
	uint16_t seq;
	uint32_t ts;
	int order; /* stable sort key */
};

struct sim {
	/* input */
	unsigned npkts;
	uint16_t seq0;
	uint32_t ts0;
	double period_ms; /* sender's packet period in our clock (skew) */
	double base_delay;
	double jitter_ms; /* uniform 0..jitter_ms extra delay */
	int (*drop)(unsigned i);
	int (*dup)(unsigned i);
	double extra[8]; /* extra delay for given packet indexes */
	unsigned extra_i[8];
	unsigned nextra;
	unsigned min_ms, max_ms;
	/* output */
	unsigned frames, lost_out, empty, order_errors, repeats;
	unsigned max_level_ms;
	int last_seq; /* index of last played packet, -1 none */
	int fec_seen; /* a JB_LOST carried the next packet */
	jb_stats_t st;
};

static uint32_t rng = 12345;
static double urand(void)
{
	rng = rng * 1103515245u + 12345u;
	return (double)((rng >> 8) & 0xffff) / 65536.0;
}

static int cmp_pkt(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;
	if (x->arr != y->arr)
		return x->arr < y->arr ? -1 : 1;
	return x->order - y->order;
}

static void run(struct sim *m)
{
	struct pkt *p = calloc(2 * m->npkts, sizeof(*p));
	assert_non_null(p);
	unsigned n = 0;
	for (unsigned i = 0; i < m->npkts; i++) {
		if (m->drop && m->drop(i))
			continue;
		double d = m->base_delay + m->jitter_ms * urand();
		for (unsigned k = 0; k < m->nextra; k++)
			if (m->extra_i[k] == i)
				d += m->extra[k];
		struct pkt q = {.arr = i * m->period_ms + d,
		                .seq = (uint16_t)(m->seq0 + i),
		                .ts = m->ts0 + i * 160u,
		                .order = (int)n};
		p[n++] = q;
		if (m->dup && m->dup(i)) {
			q.arr += 3;
			q.order = (int)n;
			p[n++] = q;
		}
	}
	qsort(p, n, sizeof(*p), cmp_pkt);
	jb_conf_t c = {
	    .clock_rate = 8000, .frame_ts = 160, .min_ms = m->min_ms, .max_ms = m->max_ms};
	jb_t *jb = jb_create(&c);
	assert_non_null(jb);
	m->last_seq = -1;
	unsigned k = 0;
	uint64_t end = (uint64_t)(p[n - 1].arr + 1000);
	for (uint64_t t = 0; t < end; t++) {
		while (k < n && p[k].arr <= (double)t) {
			uint8_t pay[160];
			unsigned idx = (uint16_t)(p[k].seq - m->seq0);
			memcpy(pay, &idx, sizeof(idx));
			jb_put(jb, p[k].seq, p[k].ts, 0, pay, sizeof(pay), t);
			k++;
		}
		if (t % 20)
			continue;
		const uint8_t *pl, *nx;
		size_t len, nlen;
		unsigned sts;
		int r = jb_get(jb, t, &pl, &len, &nx, &nlen, &sts);
		assert_int_equal(sts, 160);
		if (r == JB_FRAME) {
			unsigned idx;
			assert_int_equal(len, 160);
			memcpy(&idx, pl, sizeof(idx));
			if ((int)idx == m->last_seq)
				m->repeats++;
			else if ((int)idx < m->last_seq)
				m->order_errors++;
			m->last_seq = (int)idx;
			m->frames++;
			/* Stats as of the last packet: the trailing pause is not
			 * part of the stream. */
			if (idx == m->npkts - 1)
				jb_stats(jb, &m->st);
		} else if (r == JB_LOST && m->last_seq < (int)m->npkts - 1) {
			m->lost_out++;
			if (nx)
				m->fec_seen++;
		} else if (r == JB_EMPTY) {
			m->empty++;
		}
		jb_stats_t s;
		jb_stats(jb, &s);
		if (m->frames > 50 && s.level_ms > m->max_level_ms)
			m->max_level_ms = s.level_ms;
	}
	jb_destroy(jb);
	free(p);
}

static void sim_init(struct sim *m, unsigned npkts)
{
	memset(m, 0, sizeof(*m));
	m->npkts = npkts;
	m->seq0 = 1000;
	m->ts0 = 5000;
	m->period_ms = 20;
	m->base_delay = 7;
	m->min_ms = 40;
	m->max_ms = 200;
}

/* Pairs swapped on the wire come out in sequence order, none lost. */
static void test_reorder(void **st)
{
	struct sim m;
	sim_init(&m, 500);
	for (unsigned i = 0; i < 8; i++) {
		m.extra_i[i] = 100 + 40 * i;
		m.extra[i] = 25; /* arrives after its successor */
	}
	m.nextra = 8;
	run(&m);
	assert_int_equal(m.frames, 500);
	assert_int_equal(m.order_errors, 0);
	assert_int_equal(m.st.lost, 0);
	assert_int_equal(m.st.late, 0);
	assert_int_equal(m.repeats, 0);
}

static int drop_one(unsigned i)
{
	return i == 200;
}

/* One lost packet: one concealed frame in its place, with the next packet
 * offered for FEC; everything else plays. */
static void test_loss_concealed(void **st)
{
	struct sim m;
	sim_init(&m, 400);
	m.drop = drop_one;
	run(&m);
	assert_int_equal(m.frames, 399);
	assert_int_equal(m.st.lost, 1);
	assert_int_equal(m.lost_out, 1);
	assert_int_equal(m.fec_seen, 1);
	assert_int_equal(m.st.concealed, 1);
	assert_int_equal(m.order_errors, 0);
}

static int dup_tenth(unsigned i)
{
	return i % 10 == 0;
}

static void test_duplicates(void **st)
{
	struct sim m;
	sim_init(&m, 300);
	m.dup = dup_tenth;
	run(&m);
	assert_int_equal(m.st.duplicate, 30);
	assert_int_equal(m.frames, 300);
	assert_int_equal(m.repeats, 0);
	assert_int_equal(m.st.lost, 0);
}

static int drop_burst(unsigned i)
{
	return i >= 150 && i < 155;
}

/* Five in a row lost: five concealed frames, no lasting extra delay. */
static void test_burst_loss(void **st)
{
	struct sim m;
	sim_init(&m, 400);
	m.drop = drop_burst;
	run(&m);
	assert_int_equal(m.frames, 395);
	assert_int_equal(m.st.lost, 5);
	assert_int_equal(m.st.concealed, 5);
	assert_int_equal(m.st.late, 0);
	assert_true(m.max_level_ms <= 80);
}

/* Sequence numbers wrap at 65535 and timestamps at 2^32 mid-stream. */
static void test_wrap(void **st)
{
	struct sim m;
	sim_init(&m, 1000);
	m.seq0 = 65000;
	m.ts0 = 0xffffffffu - 160u * 500u;
	m.jitter_ms = 10;
	run(&m);
	assert_int_equal(m.frames, 1000);
	assert_int_equal(m.order_errors, 0);
	assert_int_equal(m.st.resync, 0);
	assert_int_equal(m.st.lost, 0);
}

/* Clock skew over 5 simulated minutes: a sender 0.1 % fast gains 300 ms,
 * absorbed by ~15 dropped frames; one 0.1 % slow by ~15 inserted ones.
 * Nothing is late or lost and the fill level stays bounded. */
static void test_clock_skew(void **st)
{
	struct sim m;
	sim_init(&m, 15000);
	m.period_ms = 20.0 / 1.001;
	m.jitter_ms = 4;
	run(&m);
	print_message("skew +0.1%%: %u frames, %llu dropped, %llu inserted, %llu late, level <= "
	              "%u ms, target %u ms\n",
	              m.frames, (unsigned long long)m.st.dropped_skew,
	              (unsigned long long)m.st.inserted, (unsigned long long)m.st.late,
	              m.max_level_ms, m.st.delay_ms);
	assert_true(m.st.dropped_skew >= 12 && m.st.dropped_skew <= 20);
	assert_int_equal(m.st.late, 0);
	assert_int_equal(m.st.lost, 0);
	assert_true(m.max_level_ms <= 120);
	assert_int_equal(m.order_errors, 0);

	sim_init(&m, 15000);
	m.period_ms = 20.0 * 1.001;
	m.jitter_ms = 4;
	run(&m);
	print_message("skew -0.1%%: %u frames, %llu dropped, %llu inserted, %llu late, level <= "
	              "%u ms\n",
	              m.frames, (unsigned long long)m.st.dropped_skew,
	              (unsigned long long)m.st.inserted, (unsigned long long)m.st.late,
	              m.max_level_ms);
	assert_true(m.st.inserted >= 12 && m.st.inserted <= 25);
	assert_int_equal(m.st.late, 0);
	assert_int_equal(m.st.lost, 0);
	assert_true(m.frames >= 14990);
}

/* The target follows the measured jitter: 60 ms of jitter raises it well
 * above the 40 ms floor and keeps late packets rare; it comes back down
 * once the network calms (RFC 3550 A.8 estimator). */
static void test_adapts_to_jitter(void **st)
{
	struct sim m;
	sim_init(&m, 3000);
	m.jitter_ms = 60;
	run(&m);
	print_message("jitter 0-60 ms: J %.1f ms, target %u ms, %llu late of 3000, %llu "
	              "concealed\n",
	              m.st.jitter_ms, m.st.delay_ms, (unsigned long long)m.st.late,
	              (unsigned long long)m.st.concealed);
	assert_true(m.st.jitter_ms > 10);
	assert_true(m.st.delay_ms >= 60);
	assert_true(m.st.late < 30);

	sim_init(&m, 3000);
	m.jitter_ms = 2;
	run(&m);
	assert_true(m.st.delay_ms <= 45);
}

/* A packet that comes after its playout time is counted late and dropped;
 * its slot was concealed. */
static void test_too_late(void **st)
{
	struct sim m;
	sim_init(&m, 300);
	m.extra_i[0] = 100;
	m.extra[0] = 300;
	m.nextra = 1;
	run(&m);
	assert_int_equal(m.st.late, 1);
	assert_int_equal(m.st.lost, 1);
	assert_int_equal(m.frames, 299);
	assert_int_equal(m.order_errors, 0);
}

/* A sequence jump (sender restarted) re-anchors; a pause re-starts the
 * playout without counting the gap as loss. */
static void test_jump_and_pause(void **st)
{
	jb_conf_t c = {.clock_rate = 8000, .frame_ts = 160, .min_ms = 20, .max_ms = 200};
	jb_t *jb = jb_create(&c);
	uint8_t pay[10] = {0};
	const uint8_t *pl, *nx;
	size_t len, nlen;
	unsigned sts;
	uint64_t t = 0;
	for (unsigned i = 0; i < 50; i++, t += 20) {
		jb_put(jb, (uint16_t)i, i * 160u, 0, pay, sizeof(pay), t);
		jb_get(jb, t, &pl, &len, &nx, &nlen, &sts);
	}
	/* 1 s of silence: underruns, then idle (JB_EMPTY). */
	int empty = 0;
	for (unsigned i = 0; i < 50; i++, t += 20)
		empty += jb_get(jb, t, &pl, &len, &nx, &nlen, &sts) == JB_EMPTY;
	assert_true(empty >= 35);
	/* Resumes 30000 sequence numbers later. */
	int frames = 0;
	for (unsigned i = 0; i < 50; i++, t += 20) {
		jb_put(jb, (uint16_t)(30000 + i), 777777u + i * 160u, i == 0, pay, sizeof(pay), t);
		frames += jb_get(jb, t, &pl, &len, &nx, &nlen, &sts) == JB_FRAME;
	}
	jb_stats_t s;
	jb_stats(jb, &s);
	assert_true(frames >= 47);
	assert_int_equal(s.lost, 0);
	assert_true(s.resync >= 1);
	/* Oversized payloads are refused. */
	uint8_t big[JB_MAX_PAYLOAD + 1] = {0};
	assert_int_equal(jb_put(jb, 30050, 0, 0, big, sizeof(big), t), 1);
	jb_destroy(jb);
	assert_null(jb_create(&(jb_conf_t){.clock_rate = 0, .frame_ts = 160}));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reorder),
	    cmocka_unit_test(test_loss_concealed),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_burst_loss),
	    cmocka_unit_test(test_wrap),
	    cmocka_unit_test(test_clock_skew),
	    cmocka_unit_test(test_adapts_to_jitter),
	    cmocka_unit_test(test_too_late),
	    cmocka_unit_test(test_jump_and_pause),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
