/* sip.h - the SIP core on sofia-sip NTA: listeners, the request/reply
 * pipeline through hooks and the script. */
#ifndef JN_CORE_SIP_H
#define JN_CORE_SIP_H

#include <sofia-sip/nta.h>
#include "config.h"
#include "errlist.h"

int sipcore_start(const jn_config_t *cfg, jn_errlist_t *errs);
/* Stop accepting (new requests get 503) and report how much is in flight. */
void sipcore_begin_shutdown(void);
size_t sipcore_in_flight(void);
void sipcore_stop(void);

nta_agent_t *sipcore_agent(void);
const char *sipcore_user_agent(void);
/* sip: resolv_conf as the agent got it (NULL: the system's resolv.conf). */
const char *sipcore_resolv_conf(void);

size_t sipcore_listener_count(void);
const char *sipcore_listener(size_t i);

#endif
