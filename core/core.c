/* core.c - daemon-wide state read by REST and status: uptime, listeners,
 * modules, and the script reload. */
#include "core.h"

#include <stdlib.h>
#include <time.h>

#include "hooks.h"
#include "loader.h"
#include "log.h"
#include "script/script.h"
#include "sip.h"

/* routes.c is called only by modules (jn_route_run): naming it here makes
 * the static link of junctiond keep it, so that it is exported. */
__attribute__((used)) static void *const keep_routes[] = {
	(void *)jn_route_run,
	(void *)jn_route_exists,
};

static struct {
	const jn_config_t *cfg;
	uint64_t started_ms;
	unsigned long reloads;
} C;

void core_set_config(const jn_config_t *cfg)
{
	C.cfg = cfg;
	C.started_ms = jn_now_ms();
}

JN_API const char *jn_version(void)
{
	return JN_VERSION;
}

double core_uptime(void)
{
	return (double)(jn_now_ms() - C.started_ms) / 1000.0;
}

const jn_config_t *core_config(void)
{
	return C.cfg;
}

size_t core_listener_count(void)
{
	return sipcore_listener_count();
}

const char *core_listener(size_t i)
{
	return sipcore_listener(i);
}

size_t core_module_count(void)
{
	return loader_count();
}

jn_module_t *core_module_at(size_t i)
{
	return loader_at(i);
}

const char *core_module_version(const jn_module_t *m)
{
	const char *v = loader_desc(m)->version;
	return v ? v : "";
}

const char *core_module_description(const jn_module_t *m)
{
	const char *d = loader_desc(m)->description;
	return d ? d : "";
}

const char *core_module_path(const jn_module_t *m)
{
	const char *p = loader_path(m);
	return p ? p : "";
}

int core_load_script(jn_errlist_t *errs)
{
	jn_script_t *s = script_load_file(C.cfg->script, errs);
	if (!s)
		return -1;
	script_activate(s);
	script_unref(s);
	hooks_run(JN_PHASE_SCRIPT_LOADED, NULL);
	return 0;
}

int core_reload(jn_errlist_t *errs)
{
	size_t before = errs->n;
	if (core_load_script(errs) != 0) {
		log_err("reload of %s refused (%zu error%s); the running script stays", C.cfg->script,
			errs->n - before, errs->n - before == 1 ? "" : "s");
		for (size_t i = before; i < errs->n; i++) {
			char *s = errlist_format(errs, i);
			if (s)
				log_err("%s", s);
			free(s);
		}
		return -1;
	}
	C.reloads++;
	log_notice("script %s reloaded", C.cfg->script);
	return 0;
}

unsigned long core_reload_count(void)
{
	return C.reloads;
}
