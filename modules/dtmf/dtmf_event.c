/* dtmf_event.c - digit codes and the event helpers (RFC 4733 3.2). */
#include <string.h>

#include <junction/junction.h>

#include "dtmf_event.h"

static const char digits[] = "0123456789*#ABCD";

char dtmf_digit_from_code(int code)
{
	return code >= 0 && code < 16 ? digits[code] : 0;
}

char dtmf_digit_normalize(char c)
{
	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');
	if (c == 0)
		return 0;
	return strchr(digits, c) ? c : 0;
}

int dtmf_digit_to_code(char digit)
{
	char c = dtmf_digit_normalize(digit);

	return c ? (int)(strchr(digits, c) - digits) : JN_EINVAL;
}

const char *dtmf_source_name(dtmf_source_t s)
{
	switch (s) {
	case DTMF_SRC_RFC4733:
		return "rfc4733";
	case DTMF_SRC_INFO:
		return "info";
	case DTMF_SRC_INBAND:
		return "inband";
	}
	return "unknown";
}

void dtmf_event_init(dtmf_event_t *ev, char digit, dtmf_source_t source)
{
	memset(ev, 0, sizeof(*ev));
	ev->size = sizeof(*ev);
	ev->digit = digit;
	ev->source = source;
	ev->volume = DTMF_VOLUME_UNKNOWN;
}
