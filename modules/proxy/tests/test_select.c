/* test_select.c - the pure rules of the proxy: best response selection
 * (RFC 3261 16.7 item 6) and q-value groups for serial forking (16.6). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "proxy.h"

/* RFC 3261 16.7 item 6: a 6xx beats everything. */
static void test_6xx_wins(void **state)
{
	assert_true(pselect_better(603, 486));
	assert_true(pselect_better(600, 302));
	assert_false(pselect_better(500, 603));
}

/* 16.7 item 6: otherwise the lowest class; 3xx before 4xx before 5xx. */
static void test_lowest_class(void **state)
{
	assert_true(pselect_better(302, 404));
	assert_true(pselect_better(486, 503));
	assert_false(pselect_better(503, 408));
}

/* 16.7 item 6: within 4xx, 401/407/415/420/484 are preferred. */
static void test_4xx_preference(void **state)
{
	assert_true(pselect_better(407, 486));
	assert_true(pselect_better(401, 404));
	assert_true(pselect_better(484, 480));
	assert_false(pselect_better(486, 401));
	/* the first of equals stays */
	assert_false(pselect_better(486, 480));
}

static void test_nothing_yet(void **state)
{
	assert_true(pselect_better(486, 0));
}

/* 16.6: serial forking tries q groups from the highest; the order of
 * equal q values is kept. */
static void test_q_groups(void **state)
{
	struct ptarget t[5] = {
		{.uri = "a", .q = 500}, {.uri = "b", .q = 1000}, {.uri = "c", .q = 500},
		{.uri = "d", .q = 1000}, {.uri = "e", .q = 100},
	};
	pselect_sort_targets(t, 5);
	assert_string_equal(t[0].uri, "b");
	assert_string_equal(t[1].uri, "d");
	assert_string_equal(t[2].uri, "a");
	assert_string_equal(t[3].uri, "c");
	assert_string_equal(t[4].uri, "e");
	assert_int_equal(pselect_group_len(t, 5), 2);
	assert_int_equal(pselect_group_len(t + 2, 3), 2);
	assert_int_equal(pselect_group_len(t + 4, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_6xx_wins),      cmocka_unit_test(test_lowest_class),
		cmocka_unit_test(test_4xx_preference), cmocka_unit_test(test_nothing_yet),
		cmocka_unit_test(test_q_groups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
