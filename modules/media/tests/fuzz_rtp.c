/* fuzz_rtp.c - libFuzzer target for rtp_parse/rtp_build (rtp.c alone):
 *   clang -fsanitize=fuzzer,address,undefined -Isdk/include -Imodules/media \
 *       modules/media/tests/fuzz_rtp.c modules/media/rtp.c -o fuzz_rtp
 * A packet that parses must rebuild to the same octets (modulo padding
 * content, which the builder zeroes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rtp_hdr_t h;
	if (rtp_parse(data, size, &h) != 0)
		return 0;
	uint8_t *out = malloc(size ? size : 1);
	if (!out)
		return 0;
	int n = rtp_build(&h, out, size);
	if (n != (int)size)
		abort();
	if (memcmp(out, data, size - h.pad_len) != 0 || (h.pad_len && out[size - 1] != data[size - 1]))
		abort();
	rtp_is_rtcp(data, size);
	free(out);
	return 0;
}
