/* http.h - the REST admin server: libmicrohttpd driven from the SIP loop
 * (its epoll fd is watched with jn_fd_watch, its timeouts are a
 * jn_timer), so handlers run on the SIP thread without locks. Serves the
 * admin registry under /api/v1 and Prometheus text at /metrics, both
 * behind the bearer token of the configuration. */
#ifndef JN_CORE_HTTP_H
#define JN_CORE_HTTP_H

#include "config.h"
#include "errlist.h"

/* Bind cfg->http.host:port and start serving; registers the core admin
 * routes. Does nothing (and returns 0) when cfg->http.enabled is 0. On
 * failure appends "http: cannot listen on HOST:PORT: reason" to errs and
 * returns -1. Call on the SIP thread once the loop exists. */
int http_start(const jn_config_t *cfg, jn_errlist_t *errs);
/* Close the listener and every connection. Safe when not started. */
void http_stop(void);

/* The port actually bound (useful with port 0), or 0 when not running. */
unsigned http_port(void);

/* ---- metrics ------------------------------------------------------------
 * Other parts of the core add their numbers to /metrics with a getter
 * called at scrape time, on the SIP thread. name must be a valid
 * Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*); name, help and data
 * must outlive the server (string literals, static state). Returns 0,
 * JN_EINVAL for a bad name, JN_EEXIST or JN_ENOMEM. */
typedef enum { HTTP_METRIC_COUNTER = 1, HTTP_METRIC_GAUGE = 2 } http_metric_type_t;
int http_metric_add(const char *name, const char *help, http_metric_type_t type,
                    double (*get)(void *data), void *data);

#endif
