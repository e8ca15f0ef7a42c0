/* hooks.h - hooks on core phases and the named C APIs modules export. */
#ifndef JN_CORE_HOOKS_H
#define JN_CORE_HOOKS_H

#include <junction/junction.h>

/* Runs the hooks of a phase in priority order (see module.h for the
 * meaning of the results). Returns JN_HOOK_DECLINED when no hook acted. */
jn_hook_result_t hooks_run(jn_phase_t phase, jn_msg_t *msg);
size_t hooks_count(jn_phase_t phase);
void hooks_remove_module(jn_module_t *m);
void hooks_clear(void);

#endif
