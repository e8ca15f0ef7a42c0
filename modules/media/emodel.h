/* emodel.h - a listening-quality estimate from network measurements: the
 * ITU-T G.107 E-model reduced to the terms a media relay can measure
 * (delay, packet loss, codec), with every other factor at its G.107
 * default. Pure functions. */
#ifndef JUNCTION_MEDIA_EMODEL_H
#define JUNCTION_MEDIA_EMODEL_H

/* Equipment impairment of a codec (G.113 Appendix I): Ie, and the packet
 * loss robustness Bpl for random loss. */
typedef struct emodel_codec {
	const char *name; /* SDP encoding name */
	unsigned clock_rate; /* 0: any */
	double ie, bpl;
} emodel_codec_t;

/* The table entry for an SDP encoding name and clock rate; plc says
 * whether the receiver conceals loss (G.711 has a Bpl with and without
 * PLC). Unknown codecs get G.711 without PLC's numbers (Ie 0, Bpl 4.3),
 * the pessimistic choice. */
const emodel_codec_t *emodel_codec(const char *name, unsigned clock_rate, int plc);

/* R = Ro - Is - Id - Ie,eff + A with Ro - Is = 93.2 (G.107 defaults),
 * A = 0; delay_ms is the one-way mouth-to-ear delay (Ta = T = Tr/2),
 * loss_pct the random packet loss Ppl in percent (0..100). */
double emodel_r(const emodel_codec_t *c, double delay_ms, double loss_pct);

/* G.107 Annex B: the MOS (CQE) for an R factor, 1.0 .. 4.5. */
double emodel_mos(double r);

#endif
