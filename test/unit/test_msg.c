/* test_msg.c - the SDK's message accessors on real sofia-sip messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su.h>

#include "msg.h"

static const char *LONG_AUTH =
	"Digest username=\"1000\", realm=\"127.0.0.1\", "
	"nonce=\"6a1f3b2c00000000abcdefabcdefabcdef0123456789abcdef0123456789abcdef\", "
	"uri=\"sip:127.0.0.1:5060\", cnonce=\"abcdef123456\", qop=auth, nc=00000001, "
	"algorithm=MD5, response=\"0123456789abcdef0123456789abcdef\"";

static jn_msg_t *parse(const char *extra)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf),
			 "MESSAGE sip:bob@example.com;transport=tcp SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\r\n"
			 "Max-Forwards: 70\r\n"
			 "From: <sip:alice@example.com>;tag=a1\r\n"
			 "To: <sip:bob@example.com>\r\n"
			 "Call-ID: c1@x\r\n"
			 "CSeq: 7 MESSAGE\r\n"
			 "X-Custom: one\r\n"
			 "%s"
			 "Content-Length: 5\r\n\r\nhello",
			 extra);
	msg_t *m = msg_make(sip_default_mclass(), 0, buf, (size_t)n);
	assert_non_null(m);
	jn_msg_t *jm = jnmsg_wrap(m, sip_object(m));
	assert_non_null(jm);
	return jm;
}

/* A long list header comes back whole, its last parameter included (sofia's
 * own sip_header_as_string drops it). */
static void test_long_header_value_is_complete(void **state)
{
	char extra[1024];
	snprintf(extra, sizeof(extra), "Authorization: %s\r\n", LONG_AUTH);
	jn_msg_t *jm = parse(extra);
	const char *v = jn_msg_header(jm, "authorization", 0);
	assert_non_null(v);
	assert_string_equal(v, LONG_AUTH);
	jn_msg_unref(jm);
}

/* Via entries on one line count once each; compact names match. */
static void test_header_index_and_compact_names(void **state)
{
	jn_msg_t *jm = parse("");
	assert_string_equal(jn_msg_header(jm, "Via", 0), "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1");
	assert_string_equal(jn_msg_header(jm, "v", 1), "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2");
	assert_null(jn_msg_header(jm, "Via", 2));
	assert_string_equal(jn_msg_header(jm, "i", 0), "c1@x");
	assert_string_equal(jn_msg_header(jm, "x-custom", 0), "one");
	assert_null(jn_msg_header(jm, "X-Absent", 0));
	jn_msg_unref(jm);
}

/* Adding and removing headers, known and unknown. */
static void test_header_add_remove(void **state)
{
	jn_msg_t *jm = parse("");
	assert_int_equal(jn_msg_header_add(jm, "X-Custom", "two"), 0);
	assert_string_equal(jn_msg_header(jm, "X-Custom", 1), "two");
	assert_int_equal(jn_msg_header_remove(jm, "x-custom"), 2);
	assert_null(jn_msg_header(jm, "X-Custom", 0));
	assert_int_equal(jn_msg_header_add(jm, "Bad Name", "x"), JN_EINVAL);
	assert_int_equal(jn_msg_header_add(jm, "X-A", "line\r\nInjected: 1"), JN_EINVAL);
	jn_msg_unref(jm);
}

/* The Request-URI: read, rewrite, refuse garbage. */
static void test_ruri(void **state)
{
	jn_msg_t *jm = parse("");
	assert_string_equal(jn_msg_ruri(jm), "sip:bob@example.com;transport=tcp");
	assert_int_equal(jn_msg_set_ruri(jm, "sip:carol@10.1.1.1:5070"), 0);
	assert_string_equal(jn_msg_ruri(jm), "sip:carol@10.1.1.1:5070");
	assert_int_equal(jn_msg_set_ruri(jm, "not a uri"), JN_EINVAL);
	assert_string_equal(jn_msg_method(jm), "MESSAGE");
	assert_int_equal(jn_msg_cseq(jm), 7);
	size_t len;
	const char *b = jn_msg_body(jm, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(b, "hello", 5);
	jn_msg_unref(jm);
}

/* The destination set keeps copies and its order. */
static void test_branches(void **state)
{
	jn_msg_t *jm = parse("");
	char uri[32] = "sip:a@1.2.3.4";
	jn_branch_t b = {.size = sizeof(b), .uri = uri, .q = 500};
	assert_int_equal(jn_msg_branch_add(jm, &b), 0);
	strcpy(uri, "sip:b@1.2.3.4");
	b.q = 1000;
	assert_int_equal(jn_msg_branch_add(jm, &b), 0);
	assert_int_equal(jn_msg_branch_count(jm), 2);
	assert_string_equal(jn_msg_branch_at(jm, 0)->uri, "sip:a@1.2.3.4");
	assert_int_equal(jn_msg_branch_at(jm, 1)->q, 1000);
	b.size = 4;
	assert_int_equal(jn_msg_branch_add(jm, &b), JN_EINVAL);
	assert_int_equal(jn_msg_set_dst_uri(jm, "sip:10.0.0.9:5080"), 0);
	assert_string_equal(jn_msg_dst_uri(jm), "sip:10.0.0.9:5080");
	jn_msg_branch_clear(jm);
	assert_int_equal(jn_msg_branch_count(jm), 0);
	jn_msg_unref(jm);
}

int main(void)
{
	su_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_header_value_is_complete),
		cmocka_unit_test(test_header_index_and_compact_names),
		cmocka_unit_test(test_header_add_remove),
		cmocka_unit_test(test_ruri),
		cmocka_unit_test(test_branches),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	su_deinit();
	return rc;
}
