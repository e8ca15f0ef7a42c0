/* rtp.c - RTP header parsing and building (RFC 3550 5.1, 5.3.1). */
#include "rtp.h"

#include <string.h>

int rtp_parse(const uint8_t *buf, size_t len, rtp_hdr_t *h)
{
	memset(h, 0, sizeof(*h));
	if (len < RTP_HDR_LEN)
		return RTP_ESHORT;
	if ((buf[0] >> 6) != RTP_VERSION)
		return RTP_EVERSION;
	int padding = (buf[0] >> 5) & 1;
	h->has_ext = (buf[0] >> 4) & 1;
	h->cc = buf[0] & 0x0f;
	h->marker = buf[1] >> 7;
	h->pt = buf[1] & 0x7f;
	h->seq = rtp_rd16(buf + 2);
	h->ts = rtp_rd32(buf + 4);
	h->ssrc = rtp_rd32(buf + 8);

	size_t off = RTP_HDR_LEN;
	if (len - off < 4u * h->cc)
		return RTP_ESHORT;
	for (unsigned i = 0; i < h->cc; i++, off += 4)
		h->csrc[i] = rtp_rd32(buf + off);
	if (h->has_ext) {
		/* RFC 3550 5.3.1: 16-bit profile field, 16-bit length in words. */
		if (len - off < 4)
			return RTP_ESHORT;
		h->ext_profile = rtp_rd16(buf + off);
		size_t words = rtp_rd16(buf + off + 2);
		off += 4;
		if (len - off < 4 * words)
			return RTP_ESHORT;
		h->ext = buf + off;
		h->ext_len = 4 * words;
		off += 4 * words;
	}
	size_t end = len;
	if (padding) {
		/* The last octet counts the padding, itself included; it cannot
		 * eat into the header. */
		size_t pad = buf[len - 1];
		if (pad == 0 || pad > len - off)
			return RTP_EPAD;
		h->pad_len = pad;
		end -= pad;
	}
	h->payload = buf + off;
	h->payload_len = end - off;
	return 0;
}

int rtp_build(const rtp_hdr_t *h, uint8_t *out, size_t outlen)
{
	if (h->cc > RTP_MAX_CSRC || h->pad_len > 255 || (h->ext_len & 3) || h->ext_len > 4 * 0xffff)
		return RTP_ELEN;
	size_t hl = RTP_HDR_LEN + 4u * h->cc + (h->has_ext ? 4 + h->ext_len : 0);
	size_t total = hl + h->payload_len + h->pad_len;
	if (total > outlen)
		return RTP_ESPACE;
	/* Move the payload first: it may alias out + hl (or overlap it). */
	if (h->payload_len && h->payload != out + hl)
		memmove(out + hl, h->payload, h->payload_len);
	out[0] = (uint8_t)(RTP_VERSION << 6 | (h->pad_len ? 0x20 : 0) | (h->has_ext ? 0x10 : 0) |
			   h->cc);
	out[1] = (uint8_t)((h->marker ? 0x80 : 0) | (h->pt & 0x7f));
	rtp_wr16(out + 2, h->seq);
	rtp_wr32(out + 4, h->ts);
	rtp_wr32(out + 8, h->ssrc);
	size_t off = RTP_HDR_LEN;
	for (unsigned i = 0; i < h->cc; i++, off += 4)
		rtp_wr32(out + off, h->csrc[i]);
	if (h->has_ext) {
		rtp_wr16(out + off, h->ext_profile);
		rtp_wr16(out + off + 2, (uint16_t)(h->ext_len / 4));
		if (h->ext_len)
			memmove(out + off + 4, h->ext, h->ext_len);
		off += 4 + h->ext_len;
	}
	off += h->payload_len;
	if (h->pad_len) {
		memset(out + off, 0, h->pad_len - 1);
		out[off + h->pad_len - 1] = (uint8_t)h->pad_len;
	}
	return (int)total;
}

int rtp_is_rtcp(const uint8_t *buf, size_t len)
{
	if (len < 2)
		return 0;
	unsigned pt = buf[1] & 0x7f;
	return pt >= 64 && pt <= 95;
}
