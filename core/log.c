/* log.c - one line per event on stderr (text or JSON lines) or syslog. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static jn_log_level_t log_level = JN_LOG_INFO;
static log_target_t log_target = LOG_TO_STDERR;
static int log_json;
static char log_callid[128];

static const char *level_names[] = {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"};

void log_setup(jn_log_level_t level, log_target_t target, int json)
{
	if (log_target == LOG_TO_SYSLOG && target != LOG_TO_SYSLOG)
		closelog();
	log_level = level;
	log_target = target;
	log_json = json;
	if (target == LOG_TO_SYSLOG)
		openlog("junctiond", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_level_parse(const char *s, jn_log_level_t *out)
{
	static const struct {
		const char *n;
		jn_log_level_t l;
	} t[] = {{"err", JN_LOG_ERR},   {"error", JN_LOG_ERR},   {"warn", JN_LOG_WARN},
		 {"warning", JN_LOG_WARN}, {"notice", JN_LOG_NOTICE}, {"info", JN_LOG_INFO},
		 {"debug", JN_LOG_DEBUG}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (s && strcmp(s, t[i].n) == 0) {
			*out = t[i].l;
			return 0;
		}
	return -1;
}

void log_set_context(const char *call_id)
{
	if (!call_id)
		log_callid[0] = 0;
	else
		snprintf(log_callid, sizeof(log_callid), "%s", call_id);
}

JN_API int jn_log_enabled(jn_log_level_t level)
{
	return level <= log_level;
}

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void emit(jn_module_t *m, jn_log_level_t level, const char *text)
{
	const char *mod = m ? jn_module_name(m) : "core";
	if (log_target == LOG_TO_SYSLOG) {
		if (log_callid[0])
			syslog((int)level, "%s: [%s] %s", mod, log_callid, text);
		else
			syslog((int)level, "%s: %s", mod, text);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	size_t n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - n, ".%03ldZ", ts.tv_nsec / 1000000);
	const char *lvl = level <= JN_LOG_DEBUG ? level_names[level] : "debug";
	flockfile(stderr);
	if (log_json) {
		fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"module\":\"", when, lvl);
		json_escape(stderr, mod);
		fputs("\"", stderr);
		if (log_callid[0]) {
			fputs(",\"call_id\":\"", stderr);
			json_escape(stderr, log_callid);
			fputs("\"", stderr);
		}
		fputs(",\"msg\":\"", stderr);
		json_escape(stderr, text);
		fputs("\"}\n", stderr);
	} else if (log_callid[0]) {
		fprintf(stderr, "%s %-6s %s: [%s] %s\n", when, lvl, mod, log_callid, text);
	} else {
		fprintf(stderr, "%s %-6s %s: %s\n", when, lvl, mod, text);
	}
	funlockfile(stderr);
}

JN_API void jn_logv(jn_module_t *m, jn_log_level_t level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	char buf[2048];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	emit(m, level, buf);
}

JN_API void jn_log(jn_module_t *m, jn_log_level_t level, const char *fmt, ...)
{
	if (level > log_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	jn_logv(m, level, fmt, ap);
	va_end(ap);
}

JN_API void jn_log_errno(jn_module_t *m, jn_log_level_t level, const char *fmt, ...)
{
	int e = errno;
	if (level > log_level)
		return;
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(e));
	emit(m, level, buf);
}

JN_API const char *jn_strerror(int err)
{
	switch (err) {
	case JN_OK: return "success";
	case JN_ENOMEM: return "out of memory";
	case JN_EINVAL: return "invalid argument";
	case JN_ENOENT: return "no such object";
	case JN_EEXIST: return "already exists";
	case JN_ERANGE: return "value out of range";
	case JN_EVERSION: return "incompatible version";
	case JN_EIO: return "input/output error";
	case JN_EAGAIN: return "try again later";
	case JN_ESTATE: return "not allowed in the current state";
	case JN_EPARSE: return "malformed input";
	case JN_ETYPE: return "wrong type";
	case JN_ENOTSUP: return "not supported";
	case JN_ETIMEDOUT: return "timed out";
	default: return "unknown error";
	}
}
