/* dtmf.h - the dtmf module's internals: the functions behind dtmf_api_t. */
#ifndef JUNCTION_DTMF_H
#define JUNCTION_DTMF_H

#include "dtmf_api.h"

/* rfc4733.c - telephone-event payloads (RFC 4733) */
int dtmf_rfc4733_parse(const uint8_t *payload, size_t len, dtmf_rfc4733_block_t *out);
void dtmf_rfc4733_write(const dtmf_rfc4733_block_t *b, uint8_t out[4]);
dtmf_rfc4733_rx_t *dtmf_rfc4733_rx_new(unsigned clock_rate, dtmf_event_cb cb, void *data);
void dtmf_rfc4733_rx_free(dtmf_rfc4733_rx_t *rx);
int dtmf_rfc4733_rx_feed(dtmf_rfc4733_rx_t *rx, uint32_t rtp_ts, int marker, const uint8_t *payload,
                         size_t len, uint64_t now_ms);
int dtmf_rfc4733_rx_poll(dtmf_rfc4733_rx_t *rx, uint64_t now_ms);
void dtmf_rfc4733_rx_reset(dtmf_rfc4733_rx_t *rx);
int dtmf_rfc4733_tx_init(dtmf_rfc4733_tx_t *tx, char digit, unsigned duration_ms, unsigned volume,
                         unsigned clock_rate, unsigned interval_ms, uint32_t rtp_ts);
int dtmf_rfc4733_tx_next(dtmf_rfc4733_tx_t *tx, dtmf_rfc4733_pkt_t *pkt);
uint32_t dtmf_rfc4733_tx_duration(const dtmf_rfc4733_tx_t *tx);

/* info.c - SIP INFO bodies */
int dtmf_info_parse(const char *content_type, const char *body, size_t len, dtmf_event_t *ev);
int dtmf_info_build(dtmf_info_format_t fmt, const dtmf_event_t *ev, char *buf, size_t size);
const char *dtmf_info_content_type(dtmf_info_format_t fmt);

/* inband.c - spandsp detector and generator */
dtmf_inband_rx_t *dtmf_inband_rx_new(dtmf_event_cb cb, void *data);
void dtmf_inband_rx_free(dtmf_inband_rx_t *rx);
int dtmf_inband_rx_feed(dtmf_inband_rx_t *rx, const int16_t *pcm, size_t n, uint64_t now_ms);
int dtmf_inband_rx_fillin(dtmf_inband_rx_t *rx, size_t n, uint64_t now_ms);
dtmf_inband_tx_t *dtmf_inband_tx_new(int level_dbm0, unsigned on_ms, unsigned off_ms);
void dtmf_inband_tx_free(dtmf_inband_tx_t *tx);
int dtmf_inband_tx_put(dtmf_inband_tx_t *tx, const char *digits);
int dtmf_inband_tx_fill(dtmf_inband_tx_t *tx, int16_t *pcm, size_t n);

/* listeners.c - digit listeners of other modules (SIP thread) */
int dtmf_listen(dtmf_listener_cb cb, void *data);
int dtmf_unlisten(dtmf_listener_cb cb, void *data);
int dtmf_dispatch(const char *leg, const dtmf_event_t *ev);
void dtmf_listeners_clear(void);

#endif
