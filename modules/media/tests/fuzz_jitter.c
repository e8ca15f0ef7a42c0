/* fuzz_jitter.c - libFuzzer target: the jitter buffer driven by arbitrary
 * put/get sequences (any sequence numbers, timestamps, sizes and clock
 * steps) must never crash, return a frame it was not given, or let its
 * fill level exceed the ring. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jitter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	jb_conf_t c = {.clock_rate = data[0] & 1 ? 48000 : 8000,
	               .frame_ts = 160u << (data[1] & 3),
	               .min_ms = 20,
	               .max_ms = 20u + (data[1] & 0xf0)};
	jb_t *jb = jb_create(&c);
	if (!jb)
		return 0;
	uint64_t now = 0;
	uint8_t pay[JB_MAX_PAYLOAD + 8];
	memset(pay, 0x5a, sizeof(pay));
	size_t i = 2;
	while (i + 8 <= size) {
		const uint8_t *p = data + i;
		i += 8;
		now += p[0] & 0x3f;
		if (p[1] & 0x80) {
			const uint8_t *pl, *nx;
			size_t len, nlen;
			unsigned sts;
			int r = jb_get(jb, now, &pl, &len, &nx, &nlen, &sts);
			if (r == 1 && (!pl || len > JB_MAX_PAYLOAD || (len && pl[0] != 0x5a)))
				abort();
			if (r != 1 && (pl || len))
				abort();
		} else {
			uint16_t seq = (uint16_t)(p[2] | p[3] << 8);
			uint32_t ts = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
			              (uint32_t)p[7] << 24;
			size_t len = (size_t)(p[1] & 0x7f) * 10;
			jb_put(jb, seq, ts, p[0] >> 7, pay, len, now);
		}
		jb_stats_t st;
		jb_stats(jb, &st);
		if (st.level_ms > 64u * 1000u * 1000u / c.clock_rate * (160u << 3))
			abort();
	}
	jb_destroy(jb);
	return 0;
}
