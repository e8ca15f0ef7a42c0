/* test_select.c - the dispatcher's selection algorithms and probe
 * thresholds as pure functions: round-robin order, hash stability,
 * weight distribution, priority order, inactive destinations skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "dispatcher.h"

#define A "sip:127.0.0.1:5081"
#define B "sip:127.0.0.1:5082"
#define C "sip:127.0.0.1:5083"

static int setup(void **state)
{
	ds_sets_free();
	assert_int_equal(ds_add(1, A, 10, 1, "a"), 0);
	assert_int_equal(ds_add(1, B, 30, 5, NULL), 0);
	assert_int_equal(ds_add(1, C, 60, 3, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	ds_sets_free();
	return 0;
}

static size_t pick1(enum ds_alg alg, const char *key)
{
	size_t out[3];
	assert_true(ds_pick(ds_set_find(1), alg, key, out, 3) > 0);
	return out[0];
}

/* Round robin: A, B, C, A, ... and the failover order continues the cycle. */
static void test_rr_order(void **state)
{
	struct ds_set *s = ds_set_find(1);
	size_t out[3];
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(ds_pick(s, DS_ALG_RR, NULL, out, 3), 3);
		assert_int_equal(out[0], i % 3);
		assert_int_equal(out[1], (i + 1) % 3);
		assert_int_equal(out[2], (i + 2) % 3);
	}
}

/* Round robin over two active destinations alternates while the third is down. */
static void test_rr_skips_inactive(void **state)
{
	struct ds_set *s = ds_set_find(1);
	s->d[1].state = DS_INACTIVE;
	size_t out[3];
	size_t prev = pick1(DS_ALG_RR, NULL);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(ds_pick(s, DS_ALG_RR, NULL, out, 3), 2);
		assert_int_not_equal(out[0], 1);
		assert_int_not_equal(out[1], 1);
		assert_int_not_equal(out[0], prev);
		prev = out[0];
	}
	s->d[0].state = DS_DISABLED;
	s->d[2].state = DS_INACTIVE;
	assert_int_equal(ds_pick(s, DS_ALG_RR, NULL, out, 3), 0);
}

/* The same Call-ID (From) always lands on the same destination; different
 * keys spread over all three. */
static void test_hash_stable(void **state)
{
	int seen[3] = {0, 0, 0};
	char key[64];
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "%d-call@host", i);
		size_t a = pick1(DS_ALG_HASH_CALLID, key);
		assert_int_equal(pick1(DS_ALG_HASH_CALLID, key), a);
		assert_int_equal(pick1(DS_ALG_HASH_FROM, key), a);
		seen[a]++;
	}
	for (int i = 0; i < 3; i++)
		assert_true(seen[i] > 50);
}

/* A key whose destination goes down moves to the next one; the other keys stay. */
static void test_hash_skips_inactive(void **state)
{
	struct ds_set *s = ds_set_find(1);
	char key[64];
	size_t before[100];
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		before[i] = pick1(DS_ALG_HASH_CALLID, key);
	}
	s->d[0].state = DS_INACTIVE;
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		size_t now = pick1(DS_ALG_HASH_CALLID, key);
		assert_int_not_equal(now, 0);
		if (before[i] != 0)
			assert_int_equal(now, before[i]);
		else
			assert_int_equal(now, 1); /* the next one in set order */
	}
}

/* Weights 10/30/60: over 10,000 picks each gets its share within 1 %. */
static void test_weight_distribution(void **state)
{
	int n[3] = {0, 0, 0};
	for (int i = 0; i < 10000; i++)
		n[pick1(DS_ALG_WEIGHT, NULL)]++;
	assert_in_range(n[0], 900, 1100);
	assert_in_range(n[1], 2900, 3100);
	assert_in_range(n[2], 5900, 6100);
	/* Failover order after the chosen one: heaviest first. */
	size_t out[3];
	assert_int_equal(ds_pick(ds_set_find(1), DS_ALG_WEIGHT, NULL, out, 3), 3);
	if (out[0] == 0) {
		assert_int_equal(out[1], 2);
		assert_int_equal(out[2], 1);
	}
}

/* An inactive destination gets no share; the rest keep their ratio. */
static void test_weight_skips_inactive(void **state)
{
	ds_set_find(1)->d[2].state = DS_INACTIVE;
	int n[3] = {0, 0, 0};
	for (int i = 0; i < 10000; i++)
		n[pick1(DS_ALG_WEIGHT, NULL)]++;
	assert_int_equal(n[2], 0);
	assert_in_range(n[0], 2400, 2600);
	assert_in_range(n[1], 7400, 7600);
}

/* Priority: highest value first, then the next, whatever the set order. */
static void test_priority_order(void **state)
{
	struct ds_set *s = ds_set_find(1);
	size_t out[3];
	assert_int_equal(ds_pick(s, DS_ALG_PRIORITY, NULL, out, 3), 3);
	assert_int_equal(out[0], 1); /* 5 */
	assert_int_equal(out[1], 2); /* 3 */
	assert_int_equal(out[2], 0); /* 1 */
	s->d[1].state = DS_INACTIVE;
	assert_int_equal(ds_pick(s, DS_ALG_PRIORITY, NULL, out, 3), 2);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 0);
}

/* Probing: threshold failures make it inactive, as many answers active
 * again; 2xx and 4xx other than 408 count as alive. */
static void test_probe_thresholds(void **state)
{
	struct ds_dst *d = &ds_set_find(1)->d[0];
	ds_probe_cfg.threshold = 2;
	assert_true(ds_probe_alive(200));
	assert_true(ds_probe_alive(405));
	assert_true(ds_probe_alive(404));
	assert_false(ds_probe_alive(408));
	assert_false(ds_probe_alive(503));
	assert_false(ds_probe_alive(302));
	ds_probe_result(d, 408, 1);
	assert_int_equal(d->state, DS_ACTIVE);
	ds_probe_result(d, 200, 2); /* the run of failures is broken */
	ds_probe_result(d, 503, 3);
	assert_int_equal(d->state, DS_ACTIVE);
	ds_probe_result(d, 408, 4);
	assert_int_equal(d->state, DS_INACTIVE);
	ds_probe_result(d, 200, 5);
	assert_int_equal(d->state, DS_INACTIVE);
	ds_probe_result(d, 405, 6);
	assert_int_equal(d->state, DS_ACTIVE);
	assert_int_equal(d->last_code, 405);
	/* A disabled destination stays disabled whatever the probes say. */
	d->state = DS_DISABLED;
	ds_probe_result(d, 200, 7);
	ds_probe_result(d, 200, 8);
	assert_int_equal(d->state, DS_DISABLED);
}

static void test_parse_and_add(void **state)
{
	assert_int_equal(ds_alg_parse("rr"), DS_ALG_RR);
	assert_int_equal(ds_alg_parse("priority"), DS_ALG_PRIORITY);
	assert_int_equal(ds_alg_parse("random"), -1);
	assert_int_equal(ds_add(1, A, 10, 0, NULL), JN_EEXIST);
	assert_int_equal(ds_add(1, "http://x", 10, 0, NULL), JN_EINVAL);
	assert_int_equal(ds_add(1, "sip:", 10, 0, NULL), JN_EINVAL);
	assert_int_equal(ds_add(1, "sip:x@y", 0, 0, NULL), JN_EINVAL);
	assert_int_equal(ds_add(1, "sip:x@y", 101, 0, NULL), JN_EINVAL);
	assert_int_equal(ds_add(2, "sips:x@y:5061", 100, 0, NULL), 0);
	assert_int_equal(ds_nsets, 2);
	assert_null(ds_set_find(3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rr_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rr_skips_inactive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hash_stable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hash_skips_inactive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_weight_distribution, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_weight_skips_inactive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_priority_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_probe_thresholds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parse_and_add, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
