/*
 * info.c - DTMF in SIP INFO bodies (RFC 6086 carries them; the bodies are
 * the de-facto formats):
 *
 *   application/dtmf-relay   "Signal=5\r\nDuration=160\r\n"
 *   application/dtmf         "5"
 *
 * Parsing is tolerant of what phones send (key case, spaces around '=',
 * LF or CRLF, unknown keys, "Signal=10" for '*') and strict about the rest:
 * one signal, a bounded decimal duration, no stray bytes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <junction/junction.h>

#include "dtmf.h"

#define CT_RELAY "application/dtmf-relay"
#define CT_DTMF  "application/dtmf"

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim [*s, *e) of blanks and line ends. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && (is_space(**s) || **s == '\r' || **s == '\n'))
		(*s)++;
	while (*e > *s && (is_space((*e)[-1]) || (*e)[-1] == '\r' || (*e)[-1] == '\n'))
		(*e)--;
}

/* The digit of a signal token: one digit character, or the RFC 4733 code
 * 10-15 that some gateways write instead of '*', '#', 'A'-'D'. */
static char parse_signal(const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n == 1)
		return dtmf_digit_normalize(*s);
	if (n == 2 && s[0] == '1' && s[1] >= '0' && s[1] <= '5')
		return dtmf_digit_from_code(10 + (s[1] - '0'));
	return 0;
}

/* Which body format a Content-Type names: its media type, compared without
 * case, blanks or parameters. */
static int content_format(const char *ct)
{
	const char *s = ct, *e;

	while (is_space(*s))
		s++;
	e = s;
	while (*e && *e != ';')
		e++;
	while (e > s && is_space(e[-1]))
		e--;
	if ((size_t)(e - s) == strlen(CT_RELAY) && !strncasecmp(s, CT_RELAY, strlen(CT_RELAY)))
		return DTMF_INFO_RELAY;
	if ((size_t)(e - s) == strlen(CT_DTMF) && !strncasecmp(s, CT_DTMF, strlen(CT_DTMF)))
		return DTMF_INFO_DTMF;
	return 0;
}

static int parse_relay(const char *body, size_t len, dtmf_event_t *ev)
{
	const char *p = body, *end = body + len;
	char digit = 0;
	int have_duration = 0;
	uint32_t duration = 0;

	while (p < end) {
		const char *ls = p, *le, *eq, *ks, *ke, *vs, *ve;

		while (p < end && *p != '\n')
			p++;
		le = p;
		if (p < end)
			p++; /* skip '\n' */
		trim(&ls, &le);
		if (ls == le)
			continue; /* blank line */
		eq = memchr(ls, '=', (size_t)(le - ls));
		if (!eq)
			return JN_EPARSE;
		ks = ls;
		ke = eq;
		vs = eq + 1;
		ve = le;
		trim(&ks, &ke);
		trim(&vs, &ve);
		if ((size_t)(ke - ks) == 6 && !strncasecmp(ks, "Signal", 6)) {
			if (digit)
				return JN_EPARSE; /* two signals: which one? */
			digit = parse_signal(vs, ve);
			if (!digit)
				return JN_EPARSE;
		} else if ((size_t)(ke - ks) == 8 && !strncasecmp(ks, "Duration", 8)) {
			if (have_duration || vs == ve || ve - vs > 6)
				return JN_EPARSE;
			for (const char *q = vs; q < ve; q++) {
				if (*q < '0' || *q > '9')
					return JN_EPARSE;
				duration = duration * 10 + (uint32_t)(*q - '0');
			}
			have_duration = 1;
		} else if (ks == ke) {
			return JN_EPARSE; /* "=5": no key */
		}
		/* other keys: ignored */
	}
	if (!digit)
		return JN_EPARSE;
	dtmf_event_init(ev, digit, DTMF_SRC_INFO);
	ev->duration_ms = duration;
	return 0;
}

static int parse_dtmf(const char *body, size_t len, dtmf_event_t *ev)
{
	const char *s = body, *e = body + len;
	char digit;

	trim(&s, &e);
	digit = parse_signal(s, e);
	if (!digit)
		return JN_EPARSE;
	dtmf_event_init(ev, digit, DTMF_SRC_INFO);
	return 0;
}

int dtmf_info_parse(const char *content_type, const char *body, size_t len, dtmf_event_t *ev)
{
	int fmt;

	if (!content_type || (!body && len) || !ev)
		return JN_EINVAL;
	fmt = content_format(content_type);
	if (!fmt)
		return JN_ENOTSUP;
	if (!body || memchr(body, '\0', len))
		return JN_EPARSE;
	return fmt == DTMF_INFO_RELAY ? parse_relay(body, len, ev) : parse_dtmf(body, len, ev);
}

int dtmf_info_build(dtmf_info_format_t fmt, const dtmf_event_t *ev, char *buf, size_t size)
{
	char digit;
	int n;

	if (!ev || !buf || !(digit = dtmf_digit_normalize(ev->digit)))
		return JN_EINVAL;
	switch (fmt) {
	case DTMF_INFO_RELAY:
		n = snprintf(buf, size, "Signal=%c\r\nDuration=%u\r\n", digit,
		             ev->duration_ms ? ev->duration_ms : DTMF_DEFAULT_DURATION_MS);
		break;
	case DTMF_INFO_DTMF:
		n = snprintf(buf, size, "%c", digit);
		break;
	default:
		return JN_EINVAL;
	}
	if (n < 0 || (size_t)n >= size)
		return JN_ERANGE;
	return n;
}

const char *dtmf_info_content_type(dtmf_info_format_t fmt)
{
	switch (fmt) {
	case DTMF_INFO_RELAY:
		return CT_RELAY;
	case DTMF_INFO_DTMF:
		return CT_DTMF;
	}
	return NULL;
}
