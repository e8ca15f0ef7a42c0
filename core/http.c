/* http.c - the REST admin server.
 *
 * libmicrohttpd runs without a thread of its own: its epoll fd (which
 * covers the listener and every connection) is watched on the SIP loop,
 * and MHD_get_timeout() becomes a one-shot loop timer. So every handler
 * runs on the SIP thread and may read or change daemon state without
 * locks, as long as it does not block.
 *
 * We bind the listening socket ourselves and hand it over with
 * MHD_OPTION_LISTEN_SOCKET: MHD_start_daemon() does not say why a bind
 * failed, and an operator needs "Address already in use". */
#include "http.h"
#include "admin.h"
#include "core.h"
#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef JN_VERSION
#define JN_VERSION "0.0.0"
#endif

#define CONN_TIMEOUT_S 10u
#define CONN_LIMIT     64u
/* MHD never asks to wait longer than its connection timeout; the cap only
 * guards the unsigned conversion. */
#define MAX_WAIT_MS 3600000u
/* 413; its MHD name changed between releases. */
#define HTTP_TOO_LARGE 413

typedef struct http_req {
	char *uri; /* raw request-target, from the URI log callback */
	char *body;
	size_t len, cap;
	int seen;      /* the first (headers-only) call is done */
	int too_large; /* body went past ADMIN_MAX_BODY: drain, then 413 */
} http_req_t;

typedef struct metric {
	const char *name, *help;
	http_metric_type_t type;
	double (*get)(void *data);
	void *data;
} metric_t;

static struct {
	struct MHD_Daemon *d;
	jn_fd_watch_t *watch;
	jn_timer_t *timer;
	char *token;
	unsigned port;
	unsigned long requests;
} H;

static metric_t *metrics;
static size_t nmetrics;

/* ---- responses --------------------------------------------------------- */

/* Queue text (malloc'd, taken over even on failure) with the status. */
static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, char *text,
                                 const char *ctype, const char *allow)
{
	enum MHD_Result ret = MHD_NO;
	if (!text)
		return MHD_NO; /* out of memory: MHD closes the connection */
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                        "Bearer realm=\"junction\"");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	H.requests++;
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	json_t *o = json_pack("{s:s}", "error", msg);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return send_text(c, status, text, "application/json", NULL);
}

/* ---- authentication ---------------------------------------------------- */

/* "Bearer <token>", the scheme case-insensitive (RFC 7235 2.1). The
 * comparison takes the same time whatever the first wrong byte, so the
 * token cannot be guessed byte by byte from response times. */
static int token_ok(const char *hdr)
{
	if (!hdr || !H.token || !H.token[0] || strncasecmp(hdr, "Bearer ", 7) != 0)
		return 0;
	const char *t = hdr + 7;
	while (*t == ' ')
		t++;
	size_t lt = strlen(t), lk = strlen(H.token);
	unsigned char diff = lt != lk;
	for (size_t i = 0; i < lk; i++)
		diff |= (unsigned char)(H.token[i] ^ (i < lt ? t[i] : 0));
	return diff == 0;
}

/* ---- metrics ----------------------------------------------------------- */

static int metric_name_ok(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return 0;
	return 1;
}

int http_metric_add(const char *name, const char *help, http_metric_type_t type,
                    double (*get)(void *data), void *data)
{
	if (!metric_name_ok(name) || !get ||
	    (type != HTTP_METRIC_COUNTER && type != HTTP_METRIC_GAUGE))
		return JN_EINVAL;
	for (size_t i = 0; i < nmetrics; i++)
		if (strcmp(metrics[i].name, name) == 0)
			return JN_EEXIST;
	metric_t *v = realloc(metrics, (nmetrics + 1) * sizeof(*v));
	if (!v)
		return JN_ENOMEM;
	metrics = v;
	metrics[nmetrics++] = (metric_t){name, help, type, get, data};
	return 0;
}

static void metric_head(FILE *f, const char *name, const char *help, const char *type)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Prometheus text exposition format 0.0.4. */
static char *metrics_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	metric_head(f, "junction_uptime_seconds", "Seconds since junctiond started.", "gauge");
	fprintf(f, "junction_uptime_seconds %.3f\n", core_uptime());
	metric_head(f, "junction_modules_loaded", "Modules loaded.", "gauge");
	fprintf(f, "junction_modules_loaded %zu\n", core_module_count());
	metric_head(f, "junction_reloads_total", "Script reloads that took effect.", "counter");
	fprintf(f, "junction_reloads_total %lu\n", core_reload_count());
	metric_head(f, "junction_http_requests_total", "Admin HTTP requests answered.", "counter");
	fprintf(f, "junction_http_requests_total %lu\n", H.requests);
	metric_head(f, "junction_build_info", "Build information; the value is always 1.", "gauge");
	fprintf(f, "junction_build_info{version=\"%s\"} 1\n", JN_VERSION);
	for (size_t i = 0; i < nmetrics; i++) {
		const metric_t *m = &metrics[i];
		metric_head(f, m->name, m->help ? m->help : m->name,
		            m->type == HTTP_METRIC_COUNTER ? "counter" : "gauge");
		fprintf(f, "%s %.17g\n", m->name, m->get(m->data));
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- MHD callbacks ----------------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	http_req_t *q = calloc(1, sizeof(*q));
	if (q && !(q->uri = strdup(uri ? uri : ""))) {
		free(q);
		q = NULL;
	}
	return q; /* NULL: the access handler closes the connection */
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	http_req_t *q = *con_cls;
	if (!q)
		return;
	free(q->uri);
	free(q->body);
	free(q);
	*con_cls = NULL;
}

static int body_append(http_req_t *q, const char *data, size_t n)
{
	if (q->too_large || n > ADMIN_MAX_BODY - q->len) {
		q->too_large = 1;
		return 0;
	}
	if (q->len + n + 1 > q->cap) {
		size_t cap = q->cap ? q->cap : 4096;
		while (cap < q->len + n + 1)
			cap *= 2;
		char *b = realloc(q->body, cap);
		if (!b)
			return -1;
		q->body = b;
		q->cap = cap;
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
	q->body[q->len] = '\0'; /* handlers may hand the body to json_loads() */
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	http_req_t *q = *con_cls;
	if (!q)
		return MHD_NO;

	if (!q->seen) {
		/* Headers only: refuse early, before reading a body we would
		 * throw away. MHD closes the connection after such a reply. */
		q->seen = 1;
		const char *auth =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		if (!token_ok(auth)) {
			log_info("http: %s %s: %s bearer token", method, q->uri,
			         auth ? "wrong" : "no");
			return send_error(c, MHD_HTTP_UNAUTHORIZED,
			                  auth ? "invalid bearer token" : "missing bearer token");
		}
		const char *cl =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > ADMIN_MAX_BODY)
			return send_error(c, HTTP_TOO_LARGE, "request body larger than 1 MiB");
		return MHD_YES;
	}
	if (*upload_size) {
		if (body_append(q, upload_data, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->too_large)
		return send_error(c, HTTP_TOO_LARGE, "request body larger than 1 MiB");

	size_t plen = strcspn(q->uri, "?");
	if (plen == strlen("/metrics") && memcmp(q->uri, "/metrics", plen) == 0) {
		if (strcmp(method, "GET") != 0) {
			json_t *o = json_pack("{s:s}", "error", "method not allowed");
			char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
			json_decref(o);
			return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, text, "application/json",
			                 "GET");
		}
		return send_text(c, MHD_HTTP_OK, metrics_text(),
		                 "text/plain; version=0.0.4; charset=utf-8", NULL);
	}

	admin_result_t res;
	admin_dispatch(method, q->uri, q->body, q->len, &res);
	if (strcmp(method, "GET") != 0)
		log_info("http: %s %s -> %u", method, q->uri, res.status);
	else
		log_debug("http: %s %s -> %u", method, q->uri, res.status);
	enum MHD_Result ret = send_text(c, res.status, res.json, "application/json", res.allow);
	res.json = NULL; /* now MHD's */
	admin_result_free(&res);
	return ret;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) JN_PRINTF(2, 0);
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\r\n")] = '\0'; /* MHD ends its messages with a newline */
	/* Mostly about clients (a dropped connection, a bad header): not the
	 * operator's problem, so not a warning. */
	log_info("http: %s", buf);
}

/* ---- loop integration -------------------------------------------------- */

static void on_timer(jn_timer_t *t, void *data);

static void run(void)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (!H.d)
		return;
	MHD_run(H.d);
	if (H.timer) {
		jn_timer_cancel(H.timer);
		H.timer = NULL;
	}
	/* MHD_NO: no connection, nothing can time out; the fd wakes us. */
	if (MHD_get_timeout(H.d, &ms) != MHD_YES)
		return;
	H.timer = jn_timer_start(ms > MAX_WAIT_MS ? MAX_WAIT_MS : (unsigned)ms, on_timer, NULL);
	if (!H.timer)
		log_err("http: cannot start a timer: connections may not time out");
}

static void on_timer(jn_timer_t *t, void *data)
{
	H.timer = NULL; /* freed by the loop once we return */
	run();
}

static void on_fd(jn_fd_watch_t *w, int fd, int events, void *data)
{
	run();
}

/* ---- start / stop ------------------------------------------------------ */

static int listen_on(const char *host, unsigned port, jn_errlist_t *errs, const char *where)
{
	struct addrinfo hints = {0}, *ai = NULL;
	char portstr[16];
	int fd = -1, on = 1, off = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%u", port);
	int gai = getaddrinfo(host, portstr, &hints, &ai);
	if (gai != 0) {
		errlist_add(errs, NULL, 0, 0, "http: cannot listen on %s: %s", where,
		            gai_strerror(gai));
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* A restart must not wait for TIME_WAIT connections of the last run. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* "::" means every address, IPv4 included. */
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, (int)CONN_LIMIT) < 0)
		goto fail;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		H.port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
		                                        : ((struct sockaddr_in *)&ss)->sin_port);
	goto out;
fail:
	errlist_add(errs, NULL, 0, 0, "http: cannot listen on %s: %s", where, strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = -1;
out:
	if (ai)
		freeaddrinfo(ai);
	return fd;
}

int http_start(const jn_config_t *cfg, jn_errlist_t *errs)
{
	char where[300];
	int fd = -1, rc = -1;

	if (!cfg || !cfg->http.enabled)
		return 0;
	if (H.d)
		return 0;
	const char *host = cfg->http.host ? cfg->http.host : "127.0.0.1";
	int v6 = strchr(host, ':') != NULL;
	snprintf(where, sizeof(where), v6 ? "[%s]:%u" : "%s:%u", host, cfg->http.port);
	if (!cfg->http.token || !cfg->http.token[0]) {
		/* config.c requires a token; an empty one would lock
		 * everybody out, which is at least safe. */
		log_warn("http: no token configured: every request will be refused");
	}
	if (admin_register_core() < 0) {
		errlist_add(errs, NULL, 0, 0, "http: cannot register the core admin routes");
		goto out;
	}
	H.token = strdup(cfg->http.token ? cfg->http.token : "");
	if (!H.token) {
		errlist_add(errs, NULL, 0, 0, "http: out of memory");
		goto out;
	}
	fd = listen_on(host, cfg->http.port, errs, where);
	if (fd < 0)
		goto out;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_DUAL_STACK : 0);
	H.d = MHD_start_daemon(
	    flags, (uint16_t)H.port, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
	    on_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    NULL, MHD_OPTION_END);
	if (!H.d) {
		errlist_add(errs, NULL, 0, 0, "http: cannot listen on %s: %s", where,
		            "libmicrohttpd refused to start (see the log)");
		goto out;
	}
	fd = -1; /* MHD closes it in MHD_stop_daemon() */
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(H.d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || info->epoll_fd < 0) {
		errlist_add(errs, NULL, 0, 0, "http: libmicrohttpd has no epoll fd");
		goto out;
	}
	H.watch = jn_fd_watch(info->epoll_fd, JN_FD_IN, on_fd, NULL);
	if (!H.watch) {
		errlist_add(errs, NULL, 0, 0, "http: cannot watch the epoll fd of libmicrohttpd");
		goto out;
	}
	log_info("http: admin API on http://%s%s%s:%u" ADMIN_PREFIX "/", v6 ? "[" : "", host,
	         v6 ? "]" : "", H.port);
	run(); /* arm the timer if MHD already wants one */
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		http_stop();
	return rc;
}

void http_stop(void)
{
	/* Unwatch first: MHD_stop_daemon() closes the epoll fd, and a loop
	 * still watching it fails with EBADF on EPOLL_CTL_DEL. */
	if (H.watch)
		jn_fd_unwatch(H.watch);
	if (H.timer)
		jn_timer_cancel(H.timer);
	if (H.d)
		MHD_stop_daemon(H.d);
	free(H.token);
	memset(&H, 0, sizeof(H));
}

unsigned http_port(void)
{
	return H.d ? H.port : 0;
}
