/* stats.h - per-leg media statistics of a call (stats.c), as REST
 * (rest.c) and the script (call.stat, call.stats) show them. */
#ifndef JUNCTION_CALL_STATS_H
#define JUNCTION_CALL_STATS_H

#include <stdint.h>

#include "call.h"

struct call_leg_stats {
	char codec[32]; /* "" before the offer/answer */
	unsigned clock_rate;
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, rtcp_rx, rtcp_tx;
	uint32_t expected, lost; /* RFC 3550 A.3, what the leg sends us */
	uint32_t loss_x100;      /* lost / expected in 1/100 % */
	uint32_t jitter_ms, rtt_ms;
	uint32_t mos_x100;       /* 0: no RTP yet */
	int32_t remote_lost;     /* the leg's RR about what we send it */
	uint32_t remote_fraction_x100; /* its last interval's loss, 1/100 % */
	uint32_t remote_jitter_ms;
};

/* Fills st from the leg's media session; JN_ENOENT when it has none. */
int call_leg_stats(const struct call_leg *l, struct call_leg_stats *st);

/* Registers call.stat() and call.stats() (from call.c's load()). */
int call_stats_register(jn_module_t *m);

#endif
