/* emodel.c - the simplified E-model (ITU-T G.107 (06/2015)).
 *
 * R = 93.2 - Id - Ie,eff, the other factors at their defaults:
 *   Id      (G.107 7.4, with T = Ta and no echo: Idte = Idle = 0)
 *           = 0                                   for Ta <= 100 ms
 *           = 25 * ((1 + X^6)^(1/6) - 3 * (1 + (X/3)^6)^(1/6) + 2),
 *             X = lg(Ta / 100) / lg 2             above
 *   Ie,eff  (7.5) = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl), BurstR 1
 *           (random loss, which is what a loss fraction alone tells).
 * MOS from R (Annex B): 1 below 0, 4.5 above 100, else
 *   1 + 0.035 R + R (R - 60) (100 - R) 7e-6.
 *
 * Codec values: G.711 Ie 0, Bpl 4.3 without PLC and 25.1 with it; G.729(A)
 * Ie 11, Bpl 19 (ITU-T G.113 Appendix I, Tables I.1 and I.3; G.729 alone
 * has Ie 10, G.729A/AB, which bcg729 implements, 11). G.722 is rated on
 * the narrowband scale as G.711 with PLC: its wideband Ie,wb (G.113
 * Amendment 1) belongs to the extended 0..129 R scale of G.107.1 and is
 * not comparable with this R. Opus has no G.113 entry at all: Ie 0 (it
 * scores at or above G.711 at the >= 16 kbit/s it runs at here in the
 * listening tests of Ramo and Toukomaa, "Voice quality characterization
 * of IETF Opus codec", Interspeech 2011) and Bpl 20 (its own PLC and
 * in-band FEC: at least as robust as G.729's 19) are this module's
 * working assumption, stated as such. */
#include "emodel.h"

#include <math.h>
#include <strings.h>

static const emodel_codec_t codecs[] = {
    {"PCMU", 8000, 0.0, 25.1},  {"PCMA", 8000, 0.0, 25.1}, {"G722", 8000, 0.0, 25.1},
    {"G729", 8000, 11.0, 19.0}, {"opus", 0, 0.0, 20.0},
};
static const emodel_codec_t g711_noplc = {"PCMU", 8000, 0.0, 4.3};

const emodel_codec_t *emodel_codec(const char *name, unsigned clock_rate, int plc)
{
	if (!name)
		return &g711_noplc;
	for (unsigned i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		const emodel_codec_t *c = &codecs[i];
		if (strcasecmp(c->name, name) || (c->clock_rate && clock_rate &&
						  c->clock_rate != clock_rate))
			continue;
		/* Only the G.711-rated codecs' Bpl depends on a PLC the
		 * receiver adds; Opus and G.729 conceal loss themselves. */
		if (!plc && c->ie == 0.0 && strcasecmp(name, "opus"))
			return &g711_noplc;
		return c;
	}
	return &g711_noplc;
}

static double delay_impairment(double ta)
{
	if (ta <= 100.0)
		return 0.0;
	double x = log10(ta / 100.0) / log10(2.0);
	return 25.0 * (pow(1.0 + pow(x, 6.0), 1.0 / 6.0) -
		       3.0 * pow(1.0 + pow(x / 3.0, 6.0), 1.0 / 6.0) + 2.0);
}

double emodel_r(const emodel_codec_t *c, double delay_ms, double loss_pct)
{
	if (delay_ms < 0)
		delay_ms = 0;
	if (loss_pct < 0)
		loss_pct = 0;
	if (loss_pct > 100)
		loss_pct = 100;
	double ie_eff = c->ie + (95.0 - c->ie) * loss_pct / (loss_pct + c->bpl);
	return 93.2 - delay_impairment(delay_ms) - ie_eff;
}

double emodel_mos(double r)
{
	if (r <= 0)
		return 1.0;
	if (r >= 100)
		return 4.5;
	double mos = 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
	/* The polynomial dips to 0.989 for R below 6.5; the scale ends at 1. */
	return mos < 1.0 ? 1.0 : mos;
}
