/* routes.c - modules running named blocks of the script on a message
 * (jn_route_run), on the script the request started with. */
#include <stdlib.h>

#include "log.h"
#include "msg.h"
#include "script/script.h"

struct route_run {
	jn_route_done_cb done;
	void *data;
};

static jn_route_status_t map_status(script_status_t st)
{
	switch (st) {
	case SCRIPT_DROP: return JN_ROUTE_DROPPED;
	case SCRIPT_FAILED: return JN_ROUTE_FAILED;
	default: return JN_ROUTE_DONE;
	}
}

static void route_done(jn_msg_t *msg, script_status_t st, void *data)
{
	struct route_run *r = data;
	if (r->done)
		r->done(msg, map_status(st), r->data);
	free(r);
}

static jn_script_t *script_of(jn_msg_t *msg)
{
	return msg && msg->script ? msg->script : script_active();
}

JN_API int jn_route_exists(jn_msg_t *msg, jn_route_kind_t kind, const char *name)
{
	jn_script_t *s = script_of(msg);
	return s && script_has(s, kind, name);
}

JN_API int jn_route_run(jn_route_kind_t kind, const char *name, jn_msg_t *msg,
			jn_route_done_cb done, void *data)
{
	jn_script_t *s = script_of(msg);
	if (!s || !script_has(s, kind, name))
		return JN_ENOENT;
	struct route_run *r = malloc(sizeof(*r));
	if (!r)
		return JN_ENOMEM;
	r->done = done;
	r->data = data;
	script_status_t st = script_run(s, kind, name, msg, route_done, r);
	if (st != SCRIPT_SUSPENDED) {
		free(r);
		if (done)
			done(msg, map_status(st), data);
	}
	return 0;
}
