/* log.h - the core's log: stderr (text or JSON lines) or syslog. */
#ifndef JN_CORE_LOG_H
#define JN_CORE_LOG_H

#include <junction/junction.h>

typedef enum { LOG_TO_STDERR = 0, LOG_TO_SYSLOG = 1 } log_target_t;

void log_setup(jn_log_level_t level, log_target_t target, int json);
/* Parse "err|warn|notice|info|debug"; 0 or -1. */
int log_level_parse(const char *s, jn_log_level_t *out);
/* The Call-ID of the message being processed, added to every line (NULL
 * to clear). */
void log_set_context(const char *call_id);

/* Core logging (module name "core"). */
#define log_err(...) jn_log(NULL, JN_LOG_ERR, __VA_ARGS__)
#define log_warn(...) jn_log(NULL, JN_LOG_WARN, __VA_ARGS__)
#define log_notice(...) jn_log(NULL, JN_LOG_NOTICE, __VA_ARGS__)
#define log_info(...) jn_log(NULL, JN_LOG_INFO, __VA_ARGS__)
#define log_debug(...) jn_log_debug(NULL, __VA_ARGS__)

#endif
