/*
 * fuzz_dtmf.c - libFuzzer target for the parsers that take bytes from the
 * network: RFC 4733 telephone-event payloads (through the receive state
 * machine) and SIP INFO bodies (both content types).
 *
 * Input layout: byte 0 selects the content type and the flags, bytes 1-4
 * an RTP timestamp step; the rest is split into 4..16-byte RTP payloads
 * and, whole, is the INFO body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtmf.h"

static void sink(const dtmf_event_t *ev, void *data)
{
	int *n = data;

	/* an event is always a real digit */
	if (!dtmf_digit_normalize(ev->digit) || ev->source != DTMF_SRC_RFC4733)
		abort();
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *types[] = {"application/dtmf-relay", "application/dtmf",
	                              " Application/DTMF-Relay;x=1", "text/plain"};
	dtmf_event_t ev, back;
	char buf[64];
	int events = 0;

	if (size < 5)
		return 0;
	uint8_t sel = data[0];
	uint32_t step =
	    (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
	const uint8_t *p = data + 5;
	size_t len = size - 5;

	/* RFC 4733: feed the payload in chunks as consecutive packets */
	dtmf_rfc4733_rx_t *rx = dtmf_rfc4733_rx_new(sel & 1 ? 48000 : 8000, sink, &events);
	uint32_t ts = step;
	uint64_t now = 0;
	size_t off = 0;
	while (off < len) {
		size_t k = 4 + (p[off] & 12);
		if (k > len - off)
			k = len - off;
		dtmf_rfc4733_rx_feed(rx, ts, sel & 2, p + off, k, now);
		if (p[off] & 0x10)
			ts += step;
		now += 20;
		off += k;
	}
	dtmf_rfc4733_rx_poll(rx, now + DTMF_RFC4733_RX_TIMEOUT_MS);
	dtmf_rfc4733_rx_free(rx);

	/* SIP INFO: whatever parses builds back to the same digit */
	if (dtmf_info_parse(types[(sel >> 2) & 3], (const char *)p, len, &ev) == 0) {
		int n = dtmf_info_build(DTMF_INFO_RELAY, &ev, buf, sizeof(buf));
		if (n < 0 || dtmf_info_parse("application/dtmf-relay", buf, (size_t)n, &back) ||
		    back.digit != ev.digit)
			abort();
	}
	return 0;
}
