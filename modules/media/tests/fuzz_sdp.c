/* fuzz_sdp.c - libFuzzer target for the SDP offer/answer (sdp_oa.c) and the
 * a=crypto parser (srtp.c) on arbitrary bytes: oa_family, oa_answer and
 * oa_apply_answer under each SRTP policy. Whatever the input, the result
 * is an error code or an answer that is itself valid SDP we accept back.
 *   make fuzz   (builds build-fuzz/fuzz_sdp with the media sources) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp_oa.h"
#include "srtp.h"

static void local(struct oa_local *l, media_srtp_t pol)
{
	static const char *const names[] = {"PCMU", "PCMA", "opus", "G722", "G729"};
	memset(l, 0, sizeof(*l));
	l->family = AF_INET;
	strcpy(l->addr, "192.0.2.1");
	l->port = 20000;
	l->ptime = 20;
	l->telephone_event = 1;
	l->dir = MEDIA_SENDRECV;
	l->sess_id = l->sess_ver = 1;
	l->srtp = pol;
	memset(l->srtp_key, 0x5a, sizeof(l->srtp_key));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const media_codec_def_t *d = media_codec_find(names[i]);
		if (d)
			l->codecs[l->ncodecs++] = d;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		media_codecs_builtin();
		init = 1;
	}
	const char *sdp = (const char *)data;
	int fam = oa_family(sdp, size);
	if (fam >= 0 && fam != AF_INET && fam != AF_INET6)
		abort();
	/* The crypto parser alone, on a NUL-terminated copy. */
	char *z = malloc(size + 1);
	if (!z)
		return 0;
	memcpy(z, data, size);
	z[size] = 0;
	struct msrtp_crypto c;
	int r = msrtp_crypto_parse(z, &c);
	if (r == 0 && (c.suite == MSRTP_NONE || c.tag > 999999999ul))
		abort();
	free(z);

	for (int pol = MEDIA_SRTP_OFF; pol <= MEDIA_SRTP_REQUIRE; pol++) {
		struct oa_local l;
		local(&l, (media_srtp_t)pol);
		struct oa_result res;
		char *ans = NULL, err[128];
		r = oa_answer(&l, sdp, size, &res, &ans, err, sizeof(err));
		if (r == 0) {
			if (!ans || !res.codec || oa_family(ans, strlen(ans)) != AF_INET)
				abort();
			/* SDES agreed only where the policy allows it. */
			if (pol == MEDIA_SRTP_OFF && res.srtp.suite != MSRTP_NONE)
				abort();
			if (pol == MEDIA_SRTP_REQUIRE && res.srtp.suite == MSRTP_NONE)
				abort();
			free(ans);
		} else if (ans) {
			abort();
		}
		r = oa_apply_answer(&l, sdp, size, &res, err, sizeof(err));
		if (r == 0 && (!res.codec || (pol == MEDIA_SRTP_OFF && res.srtp.suite) ||
			       (pol == MEDIA_SRTP_REQUIRE && !res.srtp.suite)))
			abort();
	}
	return 0;
}
