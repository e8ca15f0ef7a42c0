/* loader.c - modules: dlopen, ABI check, dependency order, parameters and
 * the load -> start -> stop -> unload lifecycle. */
#include "loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "db.h"
#include "admin.h"
#include "hooks.h"
#include "registry.h"

#if defined(__SANITIZE_ADDRESS__)
#define JN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JN_ASAN 1
#endif
#endif

struct jn_module {
	const jn_module_desc_t *desc;
	char *name;
	char *path;  /* NULL for static modules */
	char *where; /* config location */
	void *dl;
	const jn_node_t *params;
	void *data;
	int loaded, started;
	/* dependency sort state */
	int mark;
	const conf_module_t *conf;
};

static struct {
	jn_module_t **v; /* load order */
	size_t n, cap;
} M;

static int push(jn_module_t *m)
{
	if (M.n == M.cap) {
		size_t cap = M.cap ? M.cap * 2 : 16;
		jn_module_t **v = realloc(M.v, cap * sizeof(*v));
		if (!v)
			return -1;
		M.v = v;
		M.cap = cap;
	}
	M.v[M.n++] = m;
	return 0;
}

static void module_free(jn_module_t *m)
{
	if (!m)
		return;
#ifndef JN_ASAN
	/* Under AddressSanitizer modules stay mapped: LeakSanitizer runs at
	 * exit, after the unload, and would report what third-party
	 * libraries unloaded with a module keep in their globals (NSPR under
	 * libsrtp2) as leaks, with frames it can no longer name. */
	if (m->dl)
		dlclose(m->dl);
#endif
	free(m->name);
	free(m->path);
	free(m->where);
	free(m);
}

JN_API const char *jn_module_name(const jn_module_t *m)
{
	return m ? m->name : "core";
}

JN_API void jn_module_set_data(jn_module_t *m, void *data)
{
	m->data = data;
}

JN_API void *jn_module_data(const jn_module_t *m)
{
	return m->data;
}

size_t loader_count(void)
{
	return M.n;
}

jn_module_t *loader_at(size_t i)
{
	return i < M.n ? M.v[i] : NULL;
}

const jn_module_desc_t *loader_desc(const jn_module_t *m)
{
	return m->desc;
}

const char *loader_path(const jn_module_t *m)
{
	return m->path;
}

/* ---- parameters ------------------------------------------------------ */

static const jn_param_def_t *param_def(jn_module_t *m, const char *name)
{
	for (const jn_param_def_t *p = m->desc->params; p && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	jn_log(m, JN_LOG_ERR, "parameter '%s' is not declared by the module", name);
	return NULL;
}

static const char *param_text(jn_module_t *m, const char *name, const jn_param_def_t **defp)
{
	const jn_param_def_t *d = param_def(m, name);
	*defp = d;
	if (!d)
		return NULL;
	const jn_node_t *n = m->params ? jn_node_get(m->params, name) : NULL;
	if (n && jn_node_kind(n) == JN_NODE_SCALAR)
		return jn_node_scalar(n);
	return d->def;
}

JN_API const char *jn_param_str(jn_module_t *m, const char *name)
{
	const jn_param_def_t *d;
	return param_text(m, name, &d);
}

JN_API long long jn_param_int(jn_module_t *m, const char *name)
{
	const jn_param_def_t *d;
	const char *s = param_text(m, name, &d);
	long long v = 0;
	if (s && config_parse_int(s, &v) != 0)
		v = 0;
	return v;
}

JN_API int jn_param_bool(jn_module_t *m, const char *name)
{
	const jn_param_def_t *d;
	const char *s = param_text(m, name, &d);
	int v = 0;
	if (s && config_parse_bool(s, &v) != 0)
		v = 0;
	return v;
}

JN_API int jn_param_isset(jn_module_t *m, const char *name)
{
	return m->params && jn_node_get(m->params, name) != NULL;
}

JN_API const jn_node_t *jn_param_node(jn_module_t *m, const char *name)
{
	return m->params ? jn_node_get(m->params, name) : NULL;
}

/* ---- loading --------------------------------------------------------- */

static char *module_file(const jn_config_t *cfg, const conf_module_t *cm)
{
	char *p = NULL;
	if (cm->path)
		return strdup(cm->path);
	if (cfg->module_path) {
		if (asprintf(&p, "%s/%s.so", cfg->module_path, cm->name) < 0)
			return NULL;
		return p;
	}
	/* Default: modules/ beside the junctiond binary (the build tree),
	 * else the installed module directory. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			if (asprintf(&p, "%s/modules/%s.so", exe, cm->name) >= 0) {
				if (access(p, F_OK) == 0)
					return p;
				free(p);
				p = NULL;
			}
		}
	}
	if (asprintf(&p, "%s/%s.so", JN_MODULEDIR, cm->name) < 0)
		return NULL;
	return p;
}

static int where_parts(const char *where, char *file, size_t fsz, int *line, int *col)
{
	/* "file:line:col" -> parts, for errlist entries */
	*line = *col = 0;
	snprintf(file, fsz, "%s", where ? where : "");
	char *c2 = strrchr(file, ':');
	if (!c2)
		return 0;
	*c2 = 0;
	char *c1 = strrchr(file, ':');
	if (!c1) {
		*c2 = ':';
		return 0;
	}
	*c1 = 0;
	*line = atoi(c1 + 1);
	*col = atoi(c2 + 1);
	return 0;
}

#define ERR_AT(errs, where, ...) \
	do { \
		char f_[PATH_MAX]; \
		int l_, c_; \
		where_parts((where), f_, sizeof(f_), &l_, &c_); \
		errlist_add((errs), f_[0] ? f_ : NULL, l_, c_, __VA_ARGS__); \
	} while (0)

static jn_module_t *open_module(const jn_config_t *cfg, const conf_module_t *cm, jn_errlist_t *errs)
{
	jn_module_t *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->name = strdup(cm->name);
	m->path = module_file(cfg, cm);
	m->where = cm->where ? strdup(cm->where) : NULL;
	m->params = cm->params;
	m->conf = cm;
	if (!m->name || !m->path)
		goto fail;
	m->dl = dlopen(m->path, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl) {
		ERR_AT(errs, cm->where, "cannot load module '%s': %s", cm->name, dlerror());
		goto fail;
	}
	m->desc = dlsym(m->dl, JN_MODULE_SYMBOL);
	if (!m->desc) {
		ERR_AT(errs, cm->where, "'%s' is not a Junction module (no %s symbol)", m->path,
		       JN_MODULE_SYMBOL);
		goto fail;
	}
	if (m->desc->abi_major != JN_SDK_MAJOR || m->desc->abi_minor > JN_SDK_MINOR) {
		ERR_AT(errs, cm->where,
		       "module '%s' (%s) was built for SDK ABI %u.%u, but this junctiond provides "
		       "SDK ABI %d.%d",
		       cm->name, m->path, m->desc->abi_major, m->desc->abi_minor, JN_SDK_MAJOR,
		       JN_SDK_MINOR);
		goto fail;
	}
	if (m->desc->size < sizeof(jn_module_desc_t) || !m->desc->name ||
	    strcmp(m->desc->name, cm->name) != 0) {
		ERR_AT(errs, cm->where, "module file '%s' declares the name '%s', expected '%s'",
		       m->path, m->desc->name ? m->desc->name : "(none)", cm->name);
		goto fail;
	}
	if (config_check_params(cm->params, m->desc->params, cm->name, errs) != 0)
		goto fail;
	return m;
fail:
	module_free(m);
	return NULL;
}

static jn_module_t *find_in(jn_module_t **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && strcmp(v[i]->name, name) == 0)
			return v[i];
	return NULL;
}

/* Depth-first: dependencies first; mark 1 = in progress, 2 = placed. */
static int visit(jn_module_t *m, jn_module_t **all, size_t n, jn_module_t **out, size_t *nout,
		 jn_module_t **stack, size_t depth, jn_errlist_t *errs)
{
	if (m->mark == 2)
		return 0;
	if (m->mark == 1) {
		char chain[1024] = "";
		size_t start = 0;
		for (size_t i = 0; i < depth; i++)
			if (stack[i] == m)
				start = i;
		for (size_t i = start; i < depth; i++) {
			strncat(chain, stack[i]->name, sizeof(chain) - strlen(chain) - 1);
			strncat(chain, " -> ", sizeof(chain) - strlen(chain) - 1);
		}
		strncat(chain, m->name, sizeof(chain) - strlen(chain) - 1);
		ERR_AT(errs, m->where, "module dependency cycle: %s", chain);
		return -1;
	}
	m->mark = 1;
	stack[depth] = m;
	int rc = 0;
	for (const char *const *d = m->desc->depends; d && *d; d++) {
		jn_module_t *dep = find_in(all, n, *d);
		if (!dep) {
			ERR_AT(errs, m->where,
			       "module '%s' depends on module '%s', which is not in the modules list",
			       m->name, *d);
			rc = -1;
			continue;
		}
		if (visit(dep, all, n, out, nout, stack, depth + 1, errs) != 0) {
			rc = -1;
			break;
		}
	}
	m->mark = 2;
	if (rc == 0)
		out[(*nout)++] = m;
	return rc;
}

int loader_load_all(const jn_config_t *cfg, jn_errlist_t *errs)
{
	size_t n = cfg->nmodules;
	int rc = -1;
	jn_module_t **all = calloc(n + 1, sizeof(*all));
	jn_module_t **order = calloc(n + 1, sizeof(*order));
	jn_module_t **stack = calloc(n + 2, sizeof(*stack));
	size_t norder = 0;
	int bad = 0;
	if (!all || !order || !stack)
		goto out;
	for (size_t i = 0; i < n; i++) {
		all[i] = open_module(cfg, &cfg->modules[i], errs);
		if (!all[i])
			bad = 1;
	}
	if (bad)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (visit(all[i], all, n, order, &norder, stack, 0, errs) != 0)
			bad = 1;
	if (bad)
		goto out;
	for (size_t i = 0; i < norder; i++) {
		jn_module_t *m = order[i];
		if (push(m) != 0)
			goto out;
		for (size_t j = 0; j < n; j++)
			if (all[j] == m)
				all[j] = NULL;
		if (m->desc->load) {
			int r = m->desc->load(m);
			if (r != 0) {
				ERR_AT(errs, m->where, "module '%s' failed to load: %s", m->name,
				       r < 0 ? jn_strerror(r) : "load() returned an error");
				goto out;
			}
		}
		m->loaded = 1;
		log_debug("module %s %s loaded from %s", m->name,
			  m->desc->version ? m->desc->version : "", m->path);
	}
	rc = 0;
out:
	if (all)
		for (size_t i = 0; i < n; i++)
			module_free(all[i]);
	free(all);
	free(order);
	free(stack);
	return rc;
}

jn_module_t *loader_add_static(const jn_module_desc_t *desc)
{
	jn_module_t *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->desc = desc;
	m->name = strdup(desc->name);
	if (!m->name || push(m) != 0) {
		module_free(m);
		return NULL;
	}
	if (desc->load && desc->load(m) != 0) {
		M.n--;
		registry_remove_module(m);
		module_free(m);
		return NULL;
	}
	m->loaded = 1;
	return m;
}

int loader_start_all(void)
{
	for (size_t i = 0; i < M.n; i++) {
		jn_module_t *m = M.v[i];
		if (m->desc->start) {
			int r = m->desc->start(m);
			if (r != 0) {
				log_err("module '%s' failed to start: %s", m->name,
					r < 0 ? jn_strerror(r) : "start() returned an error");
				return -1;
			}
		}
		m->started = 1;
	}
	db_set_running(1);
	return 0;
}

void loader_stop_all(void)
{
	db_set_running(0);
	for (size_t i = M.n; i-- > 0;) {
		jn_module_t *m = M.v[i];
		if (m->started && m->desc->stop)
			m->desc->stop(m);
		m->started = 0;
	}
}

void loader_unload_all(void)
{
	for (size_t i = M.n; i-- > 0;) {
		jn_module_t *m = M.v[i];
		if (m->loaded && m->desc->unload)
			m->desc->unload(m);
		registry_remove_module(m);
		hooks_remove_module(m);
		admin_remove_module(m);
		db_remove_module(m);
		module_free(m);
	}
	free(M.v);
	memset(&M, 0, sizeof(M));
}
