/* hooks.c - hooks on core phases and named, versioned module APIs. */
#include "hooks.h"

#include <stdlib.h>
#include <string.h>

#define PHASES 8

struct hook {
	jn_module_t *mod;
	int priority;
	unsigned seq;
	jn_hook_cb cb;
	void *data;
};

struct api {
	jn_module_t *mod;
	char *name;
	int version;
	const void *table;
};

static struct {
	struct hook *h[PHASES];
	size_t n[PHASES], cap[PHASES];
	unsigned seq;
	struct api *a;
	size_t na, capa;
} H;

JN_API int jn_hook_register(jn_module_t *m, jn_phase_t phase, int priority, jn_hook_cb cb,
			    void *data)
{
	if (phase <= 0 || phase >= PHASES || !cb)
		return JN_EINVAL;
	if (H.n[phase] == H.cap[phase]) {
		size_t cap = H.cap[phase] ? H.cap[phase] * 2 : 8;
		struct hook *v = realloc(H.h[phase], cap * sizeof(*v));
		if (!v)
			return JN_ENOMEM;
		H.h[phase] = v;
		H.cap[phase] = cap;
	}
	/* Keep the array sorted by (priority, registration order). */
	size_t i = H.n[phase];
	while (i > 0 && H.h[phase][i - 1].priority > priority) {
		H.h[phase][i] = H.h[phase][i - 1];
		i--;
	}
	H.h[phase][i] = (struct hook){m, priority, H.seq++, cb, data};
	H.n[phase]++;
	return 0;
}

jn_hook_result_t hooks_run(jn_phase_t phase, jn_msg_t *msg)
{
	if (phase <= 0 || phase >= PHASES)
		return JN_HOOK_DECLINED;
	for (size_t i = 0; i < H.n[phase]; i++) {
		jn_hook_result_t r = H.h[phase][i].cb(msg, H.h[phase][i].data);
		if (r != JN_HOOK_DECLINED)
			return r;
	}
	return JN_HOOK_DECLINED;
}

size_t hooks_count(jn_phase_t phase)
{
	return (phase > 0 && phase < PHASES) ? H.n[phase] : 0;
}

JN_API int jn_api_register(jn_module_t *m, const char *name, int version, const void *api)
{
	if (!name || !*name || version < 1 || !api)
		return JN_EINVAL;
	for (size_t i = 0; i < H.na; i++)
		if (strcmp(H.a[i].name, name) == 0 && H.a[i].version == version)
			return JN_EEXIST;
	if (H.na == H.capa) {
		size_t cap = H.capa ? H.capa * 2 : 8;
		struct api *v = realloc(H.a, cap * sizeof(*v));
		if (!v)
			return JN_ENOMEM;
		H.a = v;
		H.capa = cap;
	}
	char *n = strdup(name);
	if (!n)
		return JN_ENOMEM;
	H.a[H.na++] = (struct api){m, n, version, api};
	return 0;
}

JN_API const void *jn_api_get(jn_module_t *m, const char *name, int version)
{
	int other = 0;
	for (size_t i = 0; i < H.na; i++) {
		if (strcmp(H.a[i].name, name) != 0)
			continue;
		if (H.a[i].version == version)
			return H.a[i].table;
		other = H.a[i].version;
	}
	if (other)
		jn_log(m, JN_LOG_ERR, "API '%s' version %d is not available (version %d is)", name,
		       version, other);
	else
		jn_log(m, JN_LOG_ERR, "no module exports the API '%s'", name);
	return NULL;
}

void hooks_remove_module(jn_module_t *m)
{
	for (int p = 0; p < PHASES; p++) {
		size_t j = 0;
		for (size_t i = 0; i < H.n[p]; i++)
			if (H.h[p][i].mod != m)
				H.h[p][j++] = H.h[p][i];
		H.n[p] = j;
	}
	size_t j = 0;
	for (size_t i = 0; i < H.na; i++) {
		if (H.a[i].mod == m)
			free(H.a[i].name);
		else
			H.a[j++] = H.a[i];
	}
	H.na = j;
}

void hooks_clear(void)
{
	for (int p = 0; p < PHASES; p++)
		free(H.h[p]);
	for (size_t i = 0; i < H.na; i++)
		free(H.a[i].name);
	free(H.a);
	memset(&H, 0, sizeof(H));
}
