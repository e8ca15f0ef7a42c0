/* stats.c - per-leg media statistics for the script:
 *
 *   call.stat(name, leg:)  one number (int) of leg "a" (the caller, default)
 *                          or "b" (the bridged callee); null when the leg
 *                          has no media (yet)
 *   call.stats(leg:)       all of them as one "key=value ..." string (for
 *                          xlog or a CDR field)
 *
 * The numbers come from the media module (RFC 3550 receive statistics,
 * RTCP RTT, E-model MOS; see modules/media/README.md). The script has
 * integers only, so the MOS and percentages are scaled by 100. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"

int call_leg_stats(const struct call_leg *l, struct call_leg_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!l || !l->ms)
		return JN_ENOENT;
	media_stream_info_t info = {.size = sizeof(info)};
	if (call_media->stream_info(l->ms, &info) == 0 && info.negotiated) {
		snprintf(st->codec, sizeof(st->codec), "%s", info.codec);
		st->clock_rate = info.clock_rate;
	}
	media_stats_t m = {.size = sizeof(m)};
	int r = call_media->stats(l->ms, &m);
	if (r < 0)
		return r;
	st->rx_packets = m.rx_packets;
	st->rx_bytes = m.rx_bytes;
	st->tx_packets = m.tx_packets;
	st->tx_bytes = m.tx_bytes;
	st->rx_dropped = m.rx_dropped;
	st->rtcp_rx = m.rtcp_rx;
	st->rtcp_tx = m.rtcp_tx;
	st->expected = m.expected;
	st->lost = m.lost;
	if (m.expected)
		st->loss_x100 = (uint32_t)(((uint64_t)(m.lost < m.expected ? m.lost : m.expected) *
					    10000u + m.expected / 2) / m.expected);
	st->jitter_ms = m.jitter_ms;
	st->rtt_ms = m.rtt_ms;
	st->mos_x100 = m.mos_x100;
	st->remote_lost = m.remote_lost;
	st->remote_fraction_x100 = (m.remote_fraction_lost * 10000u + 128u) / 256u;
	st->remote_jitter_ms = m.remote_jitter_ms;
	return 0;
}

/* The leg named by argument i ("a" default, "b"); NULL: none. */
static const struct call_leg *arg_leg(jn_call_t *jc, unsigned i, jn_result_t *err)
{
	*err = JN_TRUE;
	const char *name = jn_call_arg_str(jc, i, "a");
	if (strcmp(name, "a") && strcmp(name, "b")) {
		*err = jn_call_error(jc, "leg must be \"a\" or \"b\", not \"%s\"", name);
		return NULL;
	}
	jn_msg_t *msg = jn_call_msg(jc);
	struct call *c = msg ? call_by_req(msg) : NULL;
	if (!c)
		return NULL;
	if (name[0] == 'b')
		return c->has_b ? &c->b : NULL;
	return &c->a;
}

/* The statistics of the leg named by argument i into st: JN_TRUE; JN_FALSE
 * with null returned when the leg or its media is missing; an error for a
 * bad leg name. */
static jn_result_t arg_stats(jn_call_t *jc, unsigned i, struct call_leg_stats *st)
{
	jn_result_t err;
	const struct call_leg *l = arg_leg(jc, i, &err);
	if (err != JN_TRUE)
		return err;
	if (!l || call_leg_stats(l, st) < 0) {
		jn_call_return_null(jc);
		return JN_FALSE;
	}
	return JN_TRUE;
}

static const struct {
	const char *name;
	size_t off;
	int wide; /* uint64_t, else uint32_t */
} fields[] = {
#define F64(f) {#f, offsetof(struct call_leg_stats, f), 1}
#define F32(f) {#f, offsetof(struct call_leg_stats, f), 0}
    F64(rx_packets), F64(rx_bytes), F64(tx_packets), F64(tx_bytes), F64(rx_dropped),
    F64(rtcp_rx),    F64(rtcp_tx),  F32(expected),   F32(lost),     F32(jitter_ms),
    F32(rtt_ms),     {"mos", offsetof(struct call_leg_stats, mos_x100), 0},
    {"loss", offsetof(struct call_leg_stats, loss_x100), 0}, F32(remote_jitter_ms),
    {"remote_loss", offsetof(struct call_leg_stats, remote_fraction_x100), 0},
#undef F64
#undef F32
};

static jn_result_t f_stat(jn_call_t *jc)
{
	const char *name = jn_call_arg_str(jc, 0, "");
	size_t i = 0;
	while (i < sizeof(fields) / sizeof(fields[0]) && strcmp(fields[i].name, name))
		i++;
	if (i == sizeof(fields) / sizeof(fields[0]))
		return jn_call_error(jc, "call.stat: no statistic \"%s\"", name);
	struct call_leg_stats st;
	jn_result_t r = arg_stats(jc, 1, &st);
	if (r != JN_TRUE)
		return r;
	const char *p = (const char *)&st + fields[i].off;
	int64_t v;
	if (fields[i].wide) {
		uint64_t x;
		memcpy(&x, p, sizeof(x));
		v = (int64_t)x;
	} else {
		uint32_t x;
		memcpy(&x, p, sizeof(x));
		v = x;
	}
	jn_call_return_int(jc, v);
	return JN_TRUE;
}

static jn_result_t f_stats(jn_call_t *jc)
{
	struct call_leg_stats st;
	jn_result_t r = arg_stats(jc, 0, &st);
	if (r != JN_TRUE)
		return r;
	char buf[384];
	int n = snprintf(buf, sizeof(buf),
			 "codec=%s rx_packets=%llu tx_packets=%llu lost=%u loss=%u.%02u%% "
			 "jitter_ms=%u rtt_ms=%u mos=%u.%02u rtcp_rx=%llu rtcp_tx=%llu "
			 "remote_lost=%d remote_jitter_ms=%u",
			 st.codec[0] ? st.codec : "-", (unsigned long long)st.rx_packets,
			 (unsigned long long)st.tx_packets, st.lost, st.loss_x100 / 100,
			 st.loss_x100 % 100, st.jitter_ms, st.rtt_ms, st.mos_x100 / 100,
			 st.mos_x100 % 100, (unsigned long long)st.rtcp_rx,
			 (unsigned long long)st.rtcp_tx, st.remote_lost, st.remote_jitter_ms);
	if (n < 0)
		return JN_ERROR;
	jn_call_return_str(jc, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return JN_TRUE;
}

int call_stats_register(jn_module_t *m)
{
	static const jn_arg_def_t stat_args[] = {
	    {"name", JN_ARG_STR, 0}, {"leg", JN_ARG_STR, JN_ARG_OPTIONAL}, {NULL, 0, 0}};
	static const jn_arg_def_t stats_args[] = {{"leg", JN_ARG_STR, JN_ARG_OPTIONAL},
						  {NULL, 0, 0}};
	static const jn_func_def_t funcs[] = {
	    {.name = "stat",
	     .fn = f_stat,
	     .args = stat_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_INT,
	     .doc = "One media statistic of leg \"a\" (caller, default) or \"b\" (callee) of "
		    "this INVITE's call: rx_packets, tx_packets, rx_bytes, tx_bytes, "
		    "rx_dropped, rtcp_rx, rtcp_tx, expected, lost, loss (1/100 %), jitter_ms, "
		    "rtt_ms, mos (x100), remote_loss (1/100 %), remote_jitter_ms; null without "
		    "media."},
	    {.name = "stats",
	     .fn = f_stats,
	     .args = stats_args,
	     .routes = JN_ROUTE_REQUEST,
	     .returns = JN_T_STR,
	     .doc = "All media statistics of leg \"a\" (default) or \"b\" as one "
		    "\"key=value ...\" string; null without media."},
	};
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (jn_func_register(m, &funcs[i]) < 0)
			return -1;
	return 0;
}
