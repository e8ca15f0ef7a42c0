/* fuzz_rtcp.c - libFuzzer target for the RTCP parser (rtcp.c alone):
 *   clang -fsanitize=fuzzer,address,undefined -Isdk/include -Imodules/media \
 *       modules/media/tests/fuzz_rtcp.c modules/media/rtcp.c -o fuzz_rtcp */
#include <stdint.h>
#include <stdlib.h>

#include "rtp.h"

static int item(uint32_t ssrc, unsigned type, const uint8_t *val, size_t len, void *data)
{
	size_t *sum = data;
	for (size_t i = 0; i < len; i++)
		*sum += val[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	for (int reduced = 0; reduced < 2; reduced++) {
		if (rtcp_validate(data, size, reduced) != 0)
			continue;
		size_t off = 0;
		rtcp_pkt_t p;
		int r;
		while ((r = rtcp_next(data, size, &off, &p)) == 1)
			if (p.type == RTCP_SDES)
				rtcp_sdes_items(&p, item, &sum);
		if (off > size)
			abort();
	}
	return (int)(sum & 0);
}
