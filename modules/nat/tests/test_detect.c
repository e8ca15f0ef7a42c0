/* test_detect.c - NAT tests on addresses (RFC 3581 received/rport logic,
 * RFC 1918 / RFC 6598 private ranges). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nat.h"

static void test_private_ranges(void **state)
{
	assert_true(nat_addr_is_private("10.1.2.3"));
	assert_true(nat_addr_is_private("172.16.0.1"));
	assert_true(nat_addr_is_private("172.31.255.255"));
	assert_false(nat_addr_is_private("172.32.0.1"));
	assert_true(nat_addr_is_private("192.168.1.1"));
	assert_true(nat_addr_is_private("100.64.0.1"));
	assert_true(nat_addr_is_private("100.127.255.255"));
	assert_false(nat_addr_is_private("100.128.0.1"));
	assert_true(nat_addr_is_private("127.0.0.1"));
	assert_true(nat_addr_is_private("[::1]"));
	assert_true(nat_addr_is_private("fd00::1"));
	assert_false(nat_addr_is_private("192.0.2.1"));
	assert_false(nat_addr_is_private("2001:db8::1"));
	assert_false(nat_addr_is_private("example.com"));
}

static void test_via_and_contact(void **state)
{
	struct nat_probe p = {.src_ip = "203.0.113.5",
	                      .src_port = 40000,
	                      .default_port = 5060,
	                      .via_host = "203.0.113.5",
	                      .via_port = 40000,
	                      .contact_host = "203.0.113.5",
	                      .contact_port = 40000};
	assert_int_equal(nat_test(&p, NAT_TEST_ALL), 0);
	p.via_port = 0; /* 5060 by default: differs from 40000 */
	assert_int_equal(nat_test(&p, NAT_TEST_ALL), NAT_TEST_VIA);
	assert_int_equal(nat_test(&p, NAT_TEST_CONTACT), 0);
	p.via_port = 40000;
	p.contact_host = "192.168.0.10";
	assert_int_equal(nat_test(&p, NAT_TEST_ALL), NAT_TEST_CONTACT | NAT_TEST_PRIVATE);
	assert_int_equal(nat_test(&p, NAT_TEST_PRIVATE), NAT_TEST_PRIVATE);
	/* a public Contact elsewhere: contact test only */
	p.contact_host = "198.51.100.1";
	assert_int_equal(nat_test(&p, NAT_TEST_ALL), NAT_TEST_CONTACT);
}

static void test_loopback_source(void **state)
{
	struct nat_probe p = {.src_ip = "127.0.0.1",
	                      .src_port = 5070,
	                      .default_port = 5060,
	                      .contact_host = "127.0.0.1",
	                      .contact_port = 5999};
	/* loopback Contact from loopback: not "private elsewhere" */
	assert_int_equal(nat_test(&p, NAT_TEST_ALL), NAT_TEST_CONTACT);
	p.src_ip = "::1";
	p.contact_host = "[::1]";
	p.contact_port = 5070;
	assert_int_equal(nat_test(&p, NAT_TEST_ALL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_private_ranges),
	    cmocka_unit_test(test_via_and_contact),
	    cmocka_unit_test(test_loopback_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
