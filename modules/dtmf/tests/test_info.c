/* test_info.c - DTMF in SIP INFO bodies (RFC 6086 carries them):
 * application/dtmf-relay and application/dtmf, parsed and built; and the
 * listener registry other modules get digits from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dtmf.h"

#define RELAY "application/dtmf-relay"

static int parse(const char *ct, const char *body, dtmf_event_t *ev)
{
	return dtmf_info_parse(ct, body, strlen(body), ev);
}

/* application/dtmf-relay: the usual body, and what phones vary in it. */
static void test_relay_parse(void **state)
{
	static const struct {
		const char *body;
		char digit;
		uint32_t duration;
	} ok[] = {
	    {"Signal=5\r\nDuration=160\r\n", '5', 160},
	    {"Signal=5\nDuration=160\n", '5', 160},
	    {"signal = 5\r\nduration = 160", '5', 160},
	    {"SIGNAL=*\r\nDURATION=250\r\n", '*', 250},
	    {"Signal= #\r\n", '#', 0},
	    {"\r\n  Signal=d  \r\nDuration=100\r\n\r\n", 'D', 100},
	    {"Signal=10\r\nDuration=100\r\n", '*', 100},
	    {"Signal=11\r\n", '#', 0},
	    {"Duration=90\r\nSignal=0\r\n", '0', 90},
	    {"Signal=7\r\nVolume=10\r\nDuration=60\r\n", '7', 60}, /* unknown key */
	};
	dtmf_event_t ev;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc = parse(RELAY, ok[i].body, &ev);
		if (rc != 0)
			fail_msg("body %zu refused: %d", i, rc);
		assert_int_equal(ev.size, sizeof(ev));
		assert_int_equal(ev.digit, ok[i].digit);
		assert_int_equal(ev.duration_ms, ok[i].duration);
		assert_int_equal(ev.source, DTMF_SRC_INFO);
		assert_int_equal(ev.volume, DTMF_VOLUME_UNKNOWN);
	}
	/* Content-Type case, blanks and parameters do not matter */
	assert_int_equal(parse("Application/DTMF-Relay ; charset=utf-8", "Signal=1", &ev), 0);
	assert_int_equal(ev.digit, '1');
}

/* Garbage is a clean JN_EPARSE, never a digit. */
static void test_relay_malformed(void **state)
{
	static const char *bad[] = {
	    "",
	    "\r\n\r\n",
	    "Signal=\r\n",
	    "Signal=55\r\n",
	    "Signal=16\r\n",
	    "Signal=x\r\n",
	    "Signal 5\r\n",
	    "Duration=160\r\n",
	    "Signal=5\r\nDuration=abc\r\n",
	    "Signal=5\r\nDuration=\r\n",
	    "Signal=5\r\nDuration=1234567\r\n",
	    "Signal=5\r\nDuration=-5\r\n",
	    "Signal=5\r\nSignal=6\r\n",
	    "Signal=5\r\nDuration=1\r\nDuration=2\r\n",
	    "=5\r\n",
	    "hello world",
	};
	dtmf_event_t ev;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(RELAY, bad[i], &ev);
		if (rc != JN_EPARSE)
			fail_msg("body %zu \"%s\" gave %d, not JN_EPARSE", i, bad[i], rc);
	}
	/* an embedded NUL */
	assert_int_equal(dtmf_info_parse(RELAY, "Signal=5\0x", 10, &ev), JN_EPARSE);
	assert_int_equal(dtmf_info_parse(RELAY, NULL, 0, &ev), JN_EPARSE);
	assert_int_equal(dtmf_info_parse(RELAY, NULL, 3, &ev), JN_EINVAL);
	assert_int_equal(dtmf_info_parse(NULL, "Signal=5", 8, &ev), JN_EINVAL);
}

/* application/dtmf: the body is the digit. */
static void test_dtmf_parse(void **state)
{
	dtmf_event_t ev;

	assert_int_equal(parse("application/dtmf", "5", &ev), 0);
	assert_int_equal(ev.digit, '5');
	assert_int_equal(ev.duration_ms, 0);
	assert_int_equal(parse("application/dtmf", " #\r\n", &ev), 0);
	assert_int_equal(ev.digit, '#');
	assert_int_equal(parse("APPLICATION/DTMF", "a", &ev), 0);
	assert_int_equal(ev.digit, 'A');
	assert_int_equal(parse("application/dtmf", "", &ev), JN_EPARSE);
	assert_int_equal(parse("application/dtmf", "55", &ev), JN_EPARSE);
	assert_int_equal(parse("application/dtmf", "Signal=5", &ev), JN_EPARSE);
	assert_int_equal(parse("application/dtmf", "E", &ev), JN_EPARSE);
	/* not a DTMF body at all */
	assert_int_equal(parse("application/sdp", "v=0", &ev), JN_ENOTSUP);
	assert_int_equal(parse("application/dtmf-relayx", "Signal=5", &ev), JN_ENOTSUP);
	assert_int_equal(parse("application/dtm", "5", &ev), JN_ENOTSUP);
}

/* Build, then parse back: the same digit and duration, for both formats. */
static void test_build_roundtrip(void **state)
{
	const char *digits = "0123456789*#ABCD";
	char buf[64];
	dtmf_event_t ev, back;

	for (const char *d = digits; *d; d++) {
		dtmf_event_init(&ev, *d, DTMF_SRC_RFC4733);
		ev.duration_ms = 160;
		int n = dtmf_info_build(DTMF_INFO_RELAY, &ev, buf, sizeof(buf));
		assert_int_equal(n, (int)strlen(buf));
		assert_int_equal(
		    dtmf_info_parse(dtmf_info_content_type(DTMF_INFO_RELAY), buf, (size_t)n, &back),
		    0);
		assert_int_equal(back.digit, *d);
		assert_int_equal(back.duration_ms, 160);
		n = dtmf_info_build(DTMF_INFO_DTMF, &ev, buf, sizeof(buf));
		assert_int_equal(n, 1);
		assert_int_equal(
		    dtmf_info_parse(dtmf_info_content_type(DTMF_INFO_DTMF), buf, (size_t)n, &back),
		    0);
		assert_int_equal(back.digit, *d);
	}
	dtmf_event_init(&ev, '5', DTMF_SRC_INBAND);
	ev.duration_ms = 160;
	assert_int_equal(dtmf_info_build(DTMF_INFO_RELAY, &ev, buf, sizeof(buf)), 24);
	assert_string_equal(buf, "Signal=5\r\nDuration=160\r\n");
	ev.duration_ms = 0; /* unknown: the default goes out */
	dtmf_info_build(DTMF_INFO_RELAY, &ev, buf, sizeof(buf));
	assert_string_equal(buf, "Signal=5\r\nDuration=250\r\n");
	assert_int_equal(dtmf_info_build(DTMF_INFO_RELAY, &ev, buf, 10), JN_ERANGE);
	assert_int_equal(dtmf_info_build(DTMF_INFO_DTMF, &ev, buf, 1), JN_ERANGE);
	ev.digit = 'E';
	assert_int_equal(dtmf_info_build(DTMF_INFO_DTMF, &ev, buf, sizeof(buf)), JN_EINVAL);
	ev.digit = '1';
	assert_int_equal(dtmf_info_build((dtmf_info_format_t)9, &ev, buf, sizeof(buf)), JN_EINVAL);
	assert_null(dtmf_info_content_type((dtmf_info_format_t)9));
}

/* ---- listeners ---------------------------------------------------------- */
static char heard[32];

static void listener_a(const char *leg, const dtmf_event_t *ev, void *data)
{
	size_t n = strlen(heard);

	if (n + 3 < sizeof(heard)) {
		heard[n] = *(const char *)data;
		heard[n + 1] = ev->digit;
		heard[n + 2] = '\0';
	}
	if (!strcmp(leg, "leave"))
		assert_int_equal(dtmf_unlisten(listener_a, data), 0);
}

/* Every listener gets each dispatched digit once, in registration order;
 * one may leave from inside its callback. */
static void test_listeners(void **state)
{
	dtmf_event_t ev;
	static const char a = 'a', b = 'b';

	dtmf_event_init(&ev, '7', DTMF_SRC_INFO);
	heard[0] = '\0';
	assert_int_equal(dtmf_listen(listener_a, (void *)&a), 0);
	assert_int_equal(dtmf_listen(listener_a, (void *)&b), 0);
	assert_int_equal(dtmf_listen(listener_a, (void *)&a), JN_EEXIST);
	assert_int_equal(dtmf_dispatch("leg1", &ev), 2);
	assert_string_equal(heard, "a7b7");
	ev.digit = '8';
	assert_int_equal(dtmf_dispatch("leave", &ev), 2);
	ev.digit = '9';
	assert_int_equal(dtmf_dispatch("leg1", &ev), 0);
	assert_string_equal(heard, "a7b7a8b8");
	assert_int_equal(dtmf_unlisten(listener_a, (void *)&a), JN_ENOENT);
	ev.digit = 'x';
	assert_int_equal(dtmf_dispatch("leg1", &ev), JN_EINVAL);
	dtmf_listeners_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_relay_parse), cmocka_unit_test(test_relay_malformed),
	    cmocka_unit_test(test_dtmf_parse),  cmocka_unit_test(test_build_roundtrip),
	    cmocka_unit_test(test_listeners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
