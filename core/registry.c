/* registry.c - names the script can use, resolved at load time. Lookups
 * only happen while compiling, so plain arrays are enough. */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	reg_func_t **f;
	size_t nf, capf;
	reg_var_t **v;
	size_t nv, capv;
	reg_event_t **e;
	size_t ne, cape;
} R;

static int grow(void ***arr, size_t *n, size_t *cap)
{
	if (*n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 32;
	void **a = realloc(*arr, c * sizeof(void *));
	if (!a)
		return JN_ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

static int valid_name(const char *s)
{
	if (!s || !*s)
		return 0;
	for (const char *p = s; *p; p++) {
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
			 (p != s && ((*p >= '0' && *p <= '9') || *p == '.'));
		if (!ok)
			return 0;
	}
	return 1;
}

static char *join(jn_module_t *mod, const char *name, char sep)
{
	char *s = NULL;
	if (!mod)
		return strdup(name);
	if (asprintf(&s, "%s%c%s", jn_module_name(mod), sep, name) < 0)
		return NULL;
	return s;
}

/* The script name "module.name" for a new export, refused when a function
 * or variable already has it (the script could not tell them apart). */
static int claim_name(jn_module_t *mod, const char *name, char **out)
{
	char *full = join(mod, name, '.');
	if (!full)
		return JN_ENOMEM;
	if (registry_func(full) || registry_var(full)) {
		jn_log(mod, JN_LOG_ERR, "script name '%s' is registered twice", full);
		free(full);
		return JN_EEXIST;
	}
	*out = full;
	return 0;
}

int registry_add_func(jn_module_t *mod, const jn_func_def_t *def)
{
	if (!def || !def->fn || !valid_name(def->name))
		return JN_EINVAL;
	char *full = NULL;
	int r = claim_name(mod, def->name, &full);
	if (r != 0)
		return r;
	reg_func_t *f = calloc(1, sizeof(*f));
	unsigned n = 0;
	while (def->args && def->args[n].name)
		n++;
	if (!f || !(f->args = calloc(n + 1, sizeof(jn_arg_def_t))) ||
	    grow((void ***)&R.f, &R.nf, &R.capf)) {
		if (f)
			free(f->args);
		free(f);
		free(full);
		return JN_ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!def->args[i].types) {
			free(f->args);
			free(f);
			free(full);
			return JN_EINVAL;
		}
		f->args[i] = def->args[i];
	}
	f->fullname = full;
	f->def = *def;
	f->def.args = f->args;
	if (!f->def.routes)
		f->def.routes = JN_ROUTE_ANY;
	f->nargs = n;
	f->mod = mod;
	R.f[R.nf++] = f;
	return 0;
}

int registry_add_var(jn_module_t *mod, const jn_var_def_t *def)
{
	if (!def || !def->get || !valid_name(def->name))
		return JN_EINVAL;
	char *full = NULL;
	int r = claim_name(mod, def->name, &full);
	if (r != 0)
		return r;
	reg_var_t *v = calloc(1, sizeof(*v));
	if (!v || grow((void ***)&R.v, &R.nv, &R.capv)) {
		free(v);
		free(full);
		return JN_ENOMEM;
	}
	v->fullname = full;
	v->def = *def;
	if (!v->def.routes)
		v->def.routes = JN_ROUTE_ANY;
	v->mod = mod;
	R.v[R.nv++] = v;
	return 0;
}

int registry_add_event(jn_module_t *mod, const char *name, const char *doc)
{
	if (!mod || !valid_name(name))
		return JN_EINVAL;
	char *full = join(mod, name, ':');
	if (!full)
		return JN_ENOMEM;
	if (registry_event(full)) {
		free(full);
		return JN_EEXIST;
	}
	reg_event_t *e = calloc(1, sizeof(*e));
	if (!e || grow((void ***)&R.e, &R.ne, &R.cape)) {
		free(e);
		free(full);
		return JN_ENOMEM;
	}
	e->fullname = full;
	e->doc = doc ? strdup(doc) : NULL;
	e->mod = mod;
	R.e[R.ne++] = e;
	return 0;
}

const reg_func_t *registry_func(const char *fullname)
{
	for (size_t i = 0; i < R.nf; i++)
		if (strcmp(R.f[i]->fullname, fullname) == 0)
			return R.f[i];
	return NULL;
}

const reg_var_t *registry_var(const char *fullname)
{
	for (size_t i = 0; i < R.nv; i++)
		if (strcmp(R.v[i]->fullname, fullname) == 0)
			return R.v[i];
	return NULL;
}

const reg_event_t *registry_event(const char *fullname)
{
	for (size_t i = 0; i < R.ne; i++)
		if (strcmp(R.e[i]->fullname, fullname) == 0)
			return R.e[i];
	return NULL;
}

size_t registry_func_count(void)
{
	return R.nf;
}
const reg_func_t *registry_func_at(size_t i)
{
	return i < R.nf ? R.f[i] : NULL;
}
size_t registry_var_count(void)
{
	return R.nv;
}
const reg_var_t *registry_var_at(size_t i)
{
	return i < R.nv ? R.v[i] : NULL;
}

static void remove_where(int all, jn_module_t *mod)
{
	size_t j = 0;
	for (size_t i = 0; i < R.nf; i++) {
		if (all || R.f[i]->mod == mod) {
			free(R.f[i]->fullname);
			free(R.f[i]->args);
			free(R.f[i]);
		} else
			R.f[j++] = R.f[i];
	}
	R.nf = j;
	j = 0;
	for (size_t i = 0; i < R.nv; i++) {
		if (all || R.v[i]->mod == mod) {
			free(R.v[i]->fullname);
			free(R.v[i]);
		} else
			R.v[j++] = R.v[i];
	}
	R.nv = j;
	j = 0;
	for (size_t i = 0; i < R.ne; i++) {
		if (all || R.e[i]->mod == mod) {
			free(R.e[i]->fullname);
			free(R.e[i]->doc);
			free(R.e[i]);
		} else
			R.e[j++] = R.e[i];
	}
	R.ne = j;
}

void registry_remove_module(jn_module_t *mod)
{
	remove_where(0, mod);
}

void registry_clear(void)
{
	remove_where(1, NULL);
	free(R.f);
	free(R.v);
	free(R.e);
	memset(&R, 0, sizeof(R));
}

JN_API int jn_func_register(jn_module_t *m, const jn_func_def_t *def)
{
	return registry_add_func(m, def);
}

JN_API int jn_var_register(jn_module_t *m, const jn_var_def_t *def)
{
	return registry_add_var(m, def);
}

JN_API int jn_event_declare(jn_module_t *m, const char *name, const char *doc)
{
	return registry_add_event(m, name, doc);
}
