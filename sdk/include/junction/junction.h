/*
 * junction/junction.h - the Junction module SDK: versions, errors, logging.
 *
 * This header and the others in junction/ are the whole interface between
 * junctiond and a module. A module includes <junction/junction.h> (which
 * pulls in every SDK header) and links against nothing from the core: the
 * daemon resolves the jn_* symbols at load time.
 *
 * Conventions used throughout the SDK:
 *  - C functions return 0 (JN_OK) or a negative JN_E* code; jn_strerror()
 *    names it.
 *  - Strings passed in are borrowed for the duration of the call unless the
 *    function says it keeps them; strings returned are owned by the core and
 *    valid for the duration of the current callback unless stated otherwise.
 *  - Everything runs on the SIP thread unless a function says it is
 *    thread-safe (jn_loop_post() is the way back from another thread).
 */
#ifndef JUNCTION_JUNCTION_H
#define JUNCTION_JUNCTION_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SDK ABI version. A module records the version it was compiled with; the
 * loader accepts a module whose major equals the core's and whose minor is
 * less than or equal to the core's. Additions bump the minor, any change
 * to an existing struct layout or signature bumps the major. */
#define JN_SDK_MAJOR 1
#define JN_SDK_MINOR 1

#define JN_API __attribute__((visibility("default")))
#define JN_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* Error codes: 0 or one of these (negative). */
enum {
	JN_OK = 0,
	JN_ENOMEM = -1,   /* out of memory */
	JN_EINVAL = -2,   /* invalid argument */
	JN_ENOENT = -3,   /* no such object */
	JN_EEXIST = -4,   /* already exists */
	JN_ERANGE = -5,   /* value out of range */
	JN_EVERSION = -6, /* incompatible version */
	JN_EIO = -7,      /* I/O error */
	JN_EAGAIN = -8,   /* try again later */
	JN_ESTATE = -9,   /* not allowed in the current state */
	JN_EPARSE = -10,  /* malformed input */
	JN_ETYPE = -11,   /* wrong type */
	JN_ENOTSUP = -12, /* not supported */
	JN_ETIMEDOUT = -13, /* timed out */
};

/* A static string naming the error code ("invalid argument"). */
JN_API const char *jn_strerror(int err);

/* Version of the running core, e.g. "0.1.0". */
JN_API const char *jn_version(void);

/* ---- logging ----------------------------------------------------------
 * Levels follow syslog. The module name and, when a message is being
 * processed, its Call-ID are added by the core. The _errno variants append
 * ": " and strerror(errno). */
typedef enum {
	JN_LOG_ERR = 3,
	JN_LOG_WARN = 4,
	JN_LOG_NOTICE = 5,
	JN_LOG_INFO = 6,
	JN_LOG_DEBUG = 7,
} jn_log_level_t;

struct jn_module;

JN_API void jn_log(struct jn_module *m, jn_log_level_t level, const char *fmt, ...)
	JN_PRINTF(3, 4);
JN_API void jn_log_errno(struct jn_module *m, jn_log_level_t level, const char *fmt, ...)
	JN_PRINTF(3, 4);
JN_API void jn_logv(struct jn_module *m, jn_log_level_t level, const char *fmt, va_list ap)
	JN_PRINTF(3, 0);
/* Non-zero when a message at this level would be written. */
JN_API int jn_log_enabled(jn_log_level_t level);

#define jn_log_err(m, ...) jn_log((m), JN_LOG_ERR, __VA_ARGS__)
#define jn_log_warn(m, ...) jn_log((m), JN_LOG_WARN, __VA_ARGS__)
#define jn_log_notice(m, ...) jn_log((m), JN_LOG_NOTICE, __VA_ARGS__)
#define jn_log_info(m, ...) jn_log((m), JN_LOG_INFO, __VA_ARGS__)
#define jn_log_debug(m, ...) \
	do { \
		if (jn_log_enabled(JN_LOG_DEBUG)) \
			jn_log((m), JN_LOG_DEBUG, __VA_ARGS__); \
	} while (0)

#ifdef __cplusplus
}
#endif

#include <junction/module.h>
#include <junction/loop.h>
#include <junction/msg.h>
#include <junction/script.h>
#include <junction/admin.h>
#include <junction/db.h>

#endif
