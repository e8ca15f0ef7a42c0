/* rtcp.c - RTCP compound packets (RFC 3550 6.4-6.6, A.2) as pure functions. */
#include "rtp.h"

#include <string.h>

/* One packet's extent: 4 * (length + 1) octets (RFC 3550 6.4.1). */
static int pkt_extent(const uint8_t *p, size_t left, size_t *ext)
{
	if (left < 4)
		return RTP_ESHORT;
	if ((p[0] >> 6) != RTP_VERSION)
		return RTP_EVERSION;
	size_t n = 4 * ((size_t)((p[2] << 8) | p[3]) + 1);
	if (n > left)
		return RTP_ELEN;
	*ext = n;
	return 0;
}

int rtcp_validate(const uint8_t *buf, size_t len, int reduced_size)
{
	size_t off = 0;
	if (len < 4)
		return RTP_ESHORT;
	if ((buf[0] >> 6) != RTP_VERSION)
		return RTP_EVERSION;
	if (!reduced_size && buf[1] != RTCP_SR && buf[1] != RTCP_RR)
		return RTP_ETYPE;
	if (buf[1] < 192 || buf[1] > 223)
		return RTP_ETYPE;
	while (off < len) {
		size_t n;
		int r = pkt_extent(buf + off, len - off, &n);
		if (r)
			return r;
		/* Padding is allowed only in the last packet (A.2). */
		if ((buf[off] & 0x20) && off + n != len)
			return RTP_EPAD;
		off += n;
	}
	return 0;
}

static int parse_rbs(const uint8_t *p, size_t len, unsigned count, rtcp_rb_t *rb)
{
	if (len < 24u * count)
		return RTP_ELEN;
	for (unsigned i = 0; i < count; i++, p += 24) {
		rb[i].ssrc = rtp_rd32(p);
		rb[i].fraction_lost = p[4];
		uint32_t cl = ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
		/* 24-bit two's complement. */
		rb[i].cum_lost = (cl & 0x800000) ? (int32_t)cl - 0x1000000 : (int32_t)cl;
		rb[i].ext_high_seq = rtp_rd32(p + 8);
		rb[i].jitter = rtp_rd32(p + 12);
		rb[i].lsr = rtp_rd32(p + 16);
		rb[i].dlsr = rtp_rd32(p + 20);
	}
	return 0;
}

int rtcp_next(const uint8_t *buf, size_t len, size_t *off, rtcp_pkt_t *p)
{
	if (*off >= len)
		return 0;
	const uint8_t *h = buf + *off;
	size_t n;
	int r = pkt_extent(h, len - *off, &n);
	if (r)
		return r;
	memset(p, 0, sizeof(*p));
	p->type = h[1];
	p->count = h[0] & 0x1f;
	p->body = h + 4;
	p->body_len = n - 4;
	if (h[0] & 0x20) {
		size_t pad = h[n - 1];
		if (pad == 0 || pad > p->body_len)
			return RTP_EPAD;
		p->body_len -= pad;
	}
	const uint8_t *b = p->body;
	size_t bl = p->body_len;
	switch (p->type) {
	case RTCP_SR:
		if (bl < 24)
			return RTP_ELEN;
		p->ssrc = rtp_rd32(b);
		p->sr.ntp_sec = rtp_rd32(b + 4);
		p->sr.ntp_frac = rtp_rd32(b + 8);
		p->sr.rtp_ts = rtp_rd32(b + 12);
		p->sr.packets = rtp_rd32(b + 16);
		p->sr.octets = rtp_rd32(b + 20);
		r = parse_rbs(b + 24, bl - 24, p->count, p->rb);
		break;
	case RTCP_RR:
		if (bl < 4)
			return RTP_ELEN;
		p->ssrc = rtp_rd32(b);
		r = parse_rbs(b + 4, bl - 4, p->count, p->rb);
		break;
	case RTCP_BYE:
		if (bl < 4u * p->count)
			return RTP_ELEN;
		p->ssrc = p->count ? rtp_rd32(b) : 0;
		break;
	case RTCP_SDES:
		break;
	default:
		if (bl >= 4)
			p->ssrc = rtp_rd32(b);
		break;
	}
	if (r)
		return r;
	*off += n;
	return 1;
}

int rtcp_sdes_items(const rtcp_pkt_t *p, rtcp_sdes_cb cb, void *data)
{
	if (p->type != RTCP_SDES)
		return RTP_ETYPE;
	const uint8_t *b = p->body, *end = p->body + p->body_len;
	for (unsigned c = 0; c < p->count; c++) {
		if (end - b < 4)
			return RTP_ELEN;
		uint32_t ssrc = rtp_rd32(b);
		b += 4;
		for (;;) {
			if (b >= end)
				return RTP_ELEN;
			unsigned type = *b;
			if (type == 0) {
				/* End of list; the chunk pads to a 32-bit boundary
				 * (RFC 3550 6.5), counted from the packet body. */
				size_t used = (size_t)(b + 1 - p->body);
				size_t pad = (4 - used % 4) % 4;
				if ((size_t)(end - b - 1) < pad)
					return RTP_ELEN;
				b += 1 + pad;
				break;
			}
			if (end - b < 2 || (size_t)(end - b - 2) < b[1])
				return RTP_ELEN;
			int r = cb(ssrc, type, b + 2, b[1], data);
			if (r)
				return 0;
			b += 2 + b[1];
		}
	}
	return 0;
}

static int put_hdr(uint8_t *o, unsigned count, unsigned type, size_t total)
{
	o[0] = (uint8_t)(RTP_VERSION << 6 | (count & 0x1f));
	o[1] = (uint8_t)type;
	rtp_wr16(o + 2, (uint16_t)(total / 4 - 1));
	return 0;
}

static void put_rbs(uint8_t *o, const rtcp_rb_t *rb, unsigned nrb)
{
	for (unsigned i = 0; i < nrb; i++, o += 24) {
		rtp_wr32(o, rb[i].ssrc);
		uint32_t cl = (uint32_t)rb[i].cum_lost & 0xffffff;
		rtp_wr32(o + 4, (uint32_t)rb[i].fraction_lost << 24 | cl);
		rtp_wr32(o + 8, rb[i].ext_high_seq);
		rtp_wr32(o + 12, rb[i].jitter);
		rtp_wr32(o + 16, rb[i].lsr);
		rtp_wr32(o + 20, rb[i].dlsr);
	}
}

int rtcp_build_sr(uint8_t *out, size_t outlen, size_t *off, uint32_t ssrc,
		  const rtcp_sr_info_t *sr, const rtcp_rb_t *rb, unsigned nrb)
{
	if (nrb > RTCP_MAX_RB)
		return RTP_ELEN;
	size_t n = 28 + 24u * nrb;
	if (*off > outlen || outlen - *off < n)
		return RTP_ESPACE;
	uint8_t *o = out + *off;
	put_hdr(o, nrb, RTCP_SR, n);
	rtp_wr32(o + 4, ssrc);
	rtp_wr32(o + 8, sr->ntp_sec);
	rtp_wr32(o + 12, sr->ntp_frac);
	rtp_wr32(o + 16, sr->rtp_ts);
	rtp_wr32(o + 20, sr->packets);
	rtp_wr32(o + 24, sr->octets);
	put_rbs(o + 28, rb, nrb);
	*off += n;
	return 0;
}

int rtcp_build_rr(uint8_t *out, size_t outlen, size_t *off, uint32_t ssrc, const rtcp_rb_t *rb,
		  unsigned nrb)
{
	if (nrb > RTCP_MAX_RB)
		return RTP_ELEN;
	size_t n = 8 + 24u * nrb;
	if (*off > outlen || outlen - *off < n)
		return RTP_ESPACE;
	uint8_t *o = out + *off;
	put_hdr(o, nrb, RTCP_RR, n);
	rtp_wr32(o + 4, ssrc);
	put_rbs(o + 8, rb, nrb);
	*off += n;
	return 0;
}

int rtcp_build_sdes_cname(uint8_t *out, size_t outlen, size_t *off, uint32_t ssrc,
			  const char *cname)
{
	size_t cl = strlen(cname);
	if (cl > 255)
		return RTP_ELEN;
	/* header + SSRC + type + len + text + end octet, padded to 4. */
	size_t n = (4 + 4 + 2 + cl + 1 + 3) & ~(size_t)3;
	if (*off > outlen || outlen - *off < n)
		return RTP_ESPACE;
	uint8_t *o = out + *off;
	memset(o, 0, n);
	put_hdr(o, 1, RTCP_SDES, n);
	rtp_wr32(o + 4, ssrc);
	o[8] = 1; /* CNAME */
	o[9] = (uint8_t)cl;
	memcpy(o + 10, cname, cl);
	*off += n;
	return 0;
}

int rtcp_build_bye(uint8_t *out, size_t outlen, size_t *off, uint32_t ssrc, const char *reason)
{
	size_t rl = reason ? strlen(reason) : 0;
	if (rl > 255)
		return RTP_ELEN;
	size_t n = 8 + (reason ? (1 + rl + 3) & ~(size_t)3 : 0);
	if (*off > outlen || outlen - *off < n)
		return RTP_ESPACE;
	uint8_t *o = out + *off;
	memset(o, 0, n);
	put_hdr(o, 1, RTCP_BYE, n);
	rtp_wr32(o + 4, ssrc);
	if (reason) {
		o[8] = (uint8_t)rl;
		memcpy(o + 9, reason, rl);
	}
	*off += n;
	return 0;
}
