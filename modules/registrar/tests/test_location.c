/* test_location.c - the location store: AOR table, binding replacement,
 * the expiry heap (RFC 3261 10.3 item 7: bindings expire), AOR keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "location.h"

static int setup(void **state)
{
	return loc_init();
}

static int teardown(void **state)
{
	loc_destroy();
	return 0;
}

static struct loc_binding *add(const char *aor, const char *contact, int64_t exp)
{
	struct loc_aor *a = loc_aor_get(aor);
	struct loc_info in = {.contact = contact, .call_id = "cid", .q = 1000, .expires_ms = exp};
	struct loc_binding *b = loc_binding_new(&in);
	assert_non_null(a);
	assert_non_null(b);
	loc_binding_link(a, b, NULL);
	return b;
}

static void collect(struct loc_binding *b, void *data)
{
	char *out = data;
	strcat(out, b->contact);
	strcat(out, ",");
}

/* Bindings leave in expiry order, only when due, and empty AORs go too. */
static void test_expiry_order(void **state)
{
	char got[256] = "";
	add("a@x", "sip:3", 300);
	add("a@x", "sip:1", 100);
	add("b@x", "sip:2", 200);
	add("c@x", "sip:4", 400);
	assert_int_equal(loc_binding_count(), 4);
	assert_int_equal(loc_aor_count(), 3);
	assert_int_equal(loc_expire(99, 100, collect, got), 0);
	assert_int_equal(loc_expire(250, 100, collect, got), 2);
	assert_string_equal(got, "sip:1,sip:2,");
	assert_null(loc_aor_find("b@x"));
	assert_non_null(loc_aor_find("a@x"));
	assert_int_equal(loc_expire(1000, 1, collect, got), 1); /* bounded per call */
	assert_int_equal(loc_expire(1000, 100, collect, got), 1);
	assert_string_equal(got, "sip:1,sip:2,sip:3,sip:4,");
	assert_int_equal(loc_aor_count(), 0);
}

/* A refresh replaces the binding in place and moves its expiry. */
static void test_replace_moves_expiry(void **state)
{
	char got[256] = "";
	struct loc_binding *old = add("a@x", "sip:1", 100);
	add("a@x", "sip:2", 200);
	struct loc_info in = {.contact = "sip:1", .call_id = "cid", .q = 500, .expires_ms = 900};
	struct loc_binding *nb = loc_binding_new(&in);
	loc_binding_link(loc_aor_find("a@x"), nb, old);
	assert_int_equal(loc_aor_find("a@x")->nbind, 2);
	assert_int_equal(loc_expire(500, 100, collect, got), 1);
	assert_string_equal(got, "sip:2,");
	assert_int_equal(loc_aor_find("a@x")->bindings->q, 500);
}

/* Removing from the middle of the heap keeps the order of the rest. */
static void test_remove_middle(void **state)
{
	char got[256] = "";
	struct loc_binding *v[20];
	char name[20][16];
	for (int i = 0; i < 20; i++) {
		snprintf(name[i], sizeof(name[i]), "sip:%02d", i);
		v[i] = add("a@x", name[i], (i * 7) % 20);
	}
	for (int i = 0; i < 20; i += 3)
		loc_binding_remove(v[i]);
	loc_expire(1000, 100, collect, got);
	/* remaining, in expiry order ((i*7)%20 ascending) */
	char want[256] = "";
	for (int e = 0; e < 20; e++)
		for (int i = 0; i < 20; i++)
			if ((i * 7) % 20 == e && i % 3 != 0) {
				strcat(want, name[i]);
				strcat(want, ",");
			}
	assert_string_equal(got, want);
}

static void test_make_aor(void **state)
{
	char buf[64];
	assert_int_equal(loc_make_aor(buf, sizeof(buf), "Alice", "Example.COM"), 0);
	assert_string_equal(buf, "Alice@example.com"); /* user part is case-sensitive */
	assert_int_equal(loc_make_aor(buf, 8, "alice", "example.com"), -5);
	assert_int_equal(loc_make_aor(buf, sizeof(buf), "a", ""), -2);
}

/* Many AORs: the table grows and every one is still found. */
static void test_many(void **state)
{
	char aor[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(aor, sizeof(aor), "u%d@x", i);
		add(aor, "sip:c", 1000 + i);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(aor, sizeof(aor), "u%d@x", i);
		assert_non_null(loc_aor_find(aor));
	}
	assert_int_equal(loc_expire(1000 + 2499, 100000, NULL, NULL), 2500);
	assert_int_equal(loc_aor_count(), 2500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_expiry_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_replace_moves_expiry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_middle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_make_aor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
