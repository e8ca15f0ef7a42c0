/* loop.h - the SIP thread's su_root and the SDK's loop API on top of it. */
#ifndef JN_CORE_LOOP_H
#define JN_CORE_LOOP_H

#include <sofia-sip/su_wait.h>

int loop_init(void);
void loop_deinit(void);
su_root_t *loop_root(void);
void loop_run(void);
void loop_break(void);

#endif
