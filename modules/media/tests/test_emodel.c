/* test_emodel.c - the simplified E-model against numbers worked out from
 * ITU-T G.107: R = 93.2 - Id - Ie,eff (7.1, 7.4, 7.5) and the MOS of Annex
 * B, with the G.113 Appendix I codec values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "emodel.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) < (eps))

static void test_mos_of_r(void **st)
{
	/* Annex B: 1 + 0.035 R + R (R - 60)(100 - R) 7e-6. */
	NEAR(emodel_mos(93.2), 4.4093, 1e-4); /* the default R: best narrowband */
	NEAR(emodel_mos(50), 2.575, 1e-4);
	NEAR(emodel_mos(70), 3.597, 1e-4);
	NEAR(emodel_mos(-5), 1.0, 1e-9);
	NEAR(emodel_mos(0), 1.0, 1e-9);
	NEAR(emodel_mos(100), 4.5, 1e-9);
	NEAR(emodel_mos(120), 4.5, 1e-9);
	NEAR(emodel_mos(3), 1.0, 1e-9); /* the polynomial's dip below 1 is cut */
	for (double r = 1; r < 100; r += 1) /* monotonic */
		assert_true(emodel_mos(r) >= emodel_mos(r - 1));
	assert_true(emodel_mos(8) > 1.0);
}

static void test_codecs_loss(void **st)
{
	const emodel_codec_t *pcmu = emodel_codec("PCMU", 8000, 1);
	const emodel_codec_t *raw = emodel_codec("pcma", 8000, 0);
	const emodel_codec_t *g729 = emodel_codec("G729", 8000, 1);
	const emodel_codec_t *opus = emodel_codec("opus", 48000, 1);
	assert_true(pcmu->bpl == 25.1 && pcmu->ie == 0);
	assert_true(raw->bpl == 4.3 && raw->ie == 0);
	assert_true(g729->ie == 11 && g729->bpl == 19);
	assert_true(opus->ie == 0 && opus->bpl == 20);
	assert_true(emodel_codec("G729", 8000, 0) == g729); /* has its own PLC */
	assert_true(emodel_codec("nonesuch", 8000, 1)->bpl == 4.3); /* pessimistic */
	NEAR(emodel_r(pcmu, 0, 0), 93.2, 1e-9);
	NEAR(emodel_r(g729, 0, 0), 82.2, 1e-9);
	NEAR(emodel_mos(emodel_r(g729, 0, 0)), 4.1044, 1e-4);
	/* Ie,eff = Ie + (95 - Ie) Ppl / (Ppl + Bpl): 1 % without PLC. */
	NEAR(emodel_r(raw, 0, 1), 93.2 - 95.0 / 5.3, 1e-9);
	/* 5 % random loss with PLC: R 77.42, MOS 3.92. */
	NEAR(emodel_r(pcmu, 50, 5), 93.2 - 95.0 * 5 / 30.1, 1e-9);
	NEAR(emodel_mos(emodel_r(pcmu, 50, 5)), 3.9228, 1e-4);
	/* Out-of-range inputs are clamped, not trusted. */
	NEAR(emodel_r(pcmu, -10, -1), 93.2, 1e-9);
	NEAR(emodel_r(pcmu, 0, 1000), emodel_r(pcmu, 0, 100), 1e-9);
}

static void test_delay(void **st)
{
	const emodel_codec_t *pcmu = emodel_codec("PCMU", 8000, 1);
	/* Id = 0 up to 100 ms, then 25 ((1 + X^6)^1/6 - 3 (1 + (X/3)^6)^1/6 + 2)
	 * with X = log2(Ta / 100): X = 1 at 200 ms -> 3.0444, 300 ms -> 14.7607. */
	NEAR(emodel_r(pcmu, 100, 0), 93.2, 1e-9);
	NEAR(93.2 - emodel_r(pcmu, 200, 0), 3.0444, 1e-4);
	NEAR(93.2 - emodel_r(pcmu, 300, 0), 14.7607, 1e-4);
	assert_true(emodel_r(pcmu, 400, 0) < emodel_r(pcmu, 300, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mos_of_r),
	    cmocka_unit_test(test_codecs_loss),
	    cmocka_unit_test(test_delay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
