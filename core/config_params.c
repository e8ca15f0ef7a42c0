/* config_params.c - a module's params: map checked against the parameters
 * it declares, and the scalar parsers shared with the accessors. */
#include "config_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sign and decimal digits only: what config_parse_int() accepts when the
 * value fits, so that a too-long number reads as out of range, not junk. */
int config_int_syntax(const char *s)
{
	if (!s)
		return 0;
	if (*s == '+' || *s == '-')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int config_parse_int(const char *s, long long *out)
{
	char *end = NULL;
	if (!config_int_syntax(s))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end)
		return -1;
	*out = v;
	return 0;
}

int config_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static const jn_param_def_t *find_def(const jn_param_def_t *defs, const char *name)
{
	for (; defs && defs->name; defs++)
		if (!strcmp(defs->name, name))
			return defs;
	return NULL;
}

/* "a, b, c", malloc'd; NULL when out of memory. */
static char *join_names(const jn_param_def_t *defs)
{
	size_t len = 1;
	for (const jn_param_def_t *d = defs; d->name; d++)
		len += strlen(d->name) + 2;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (const jn_param_def_t *d = defs; d->name; d++) {
		if (d != defs)
			strcat(s, ", ");
		strcat(s, d->name);
	}
	return s;
}

static void unknown_param(config_errs_t *e, const jn_node_t *key, const jn_param_def_t *defs,
                          const char *module)
{
	if (!defs || !defs->name) {
		config_err(e, key, "module '%s' takes no parameters", module);
		return;
	}
	char *names = join_names(defs);
	config_err(e, key, "unknown parameter '%s' for module '%s' (expected one of: %s)",
	           key->text, module, names ? names : "?");
	free(names);
}

static int int_ok(const char *s, const jn_param_def_t *d, int *range)
{
	long long v;
	*range = d->min < d->max;
	if (config_parse_int(s, &v) < 0)
		return 0;
	return !*range || (v >= d->min && v <= d->max);
}

static void check_value(config_errs_t *e, const jn_node_t *v, const jn_param_def_t *d,
                        const char *module)
{
	int scalar = v->kind == JN_NODE_SCALAR && !v->null, b, range;
	switch (d->type) {
	case JN_PARAM_STR:
		if (!scalar)
			config_err(e, v, "parameter '%s' of module '%s' must be a string", d->name,
			           module);
		break;
	case JN_PARAM_INT:
		if (scalar && int_ok(v->text, d, &range))
			break;
		if (scalar && range && config_int_syntax(v->text))
			config_err(e, v,
			           "parameter '%s' of module '%s' must be between %lld and %lld",
			           d->name, module, d->min, d->max);
		else
			config_err(e, v, "parameter '%s' of module '%s' must be an integer",
			           d->name, module);
		break;
	case JN_PARAM_BOOL:
		if (!scalar || config_parse_bool(v->text, &b) < 0)
			config_err(e, v,
			           "parameter '%s' of module '%s' must be a boolean (true/false, "
			           "yes/no, on/off)",
			           d->name, module);
		break;
	default: /* JN_PARAM_NODE takes anything; unknown types are check_defs' */
		break;
	}
}

/* A bad declaration is the module's bug; the message names the module. */
static void check_def(config_errs_t *e, const jn_param_def_t *defs, const jn_param_def_t *d,
                      const char *module)
{
	int b, range;
	if (!d->name[0])
		config_err(e, NULL, "module '%s' declares a parameter without a name", module);
	else if (find_def(defs, d->name) != d)
		config_err(e, NULL, "module '%s' declares parameter '%s' twice", module, d->name);
	if (d->type < JN_PARAM_STR || d->type > JN_PARAM_NODE) {
		config_err(e, NULL, "module '%s' declares parameter '%s' with unknown type %d",
		           module, d->name, (int)d->type);
		return;
	}
	if (!d->def)
		return;
	if (d->type == JN_PARAM_INT && !int_ok(d->def, d, &range)) {
		if (range && config_int_syntax(d->def))
			config_err(e, NULL,
			           "module '%s': default '%s' of parameter '%s' is not between "
			           "%lld and %lld",
			           module, d->def, d->name, d->min, d->max);
		else
			config_err(e, NULL,
			           "module '%s': default '%s' of parameter '%s' is not an integer",
			           module, d->def, d->name);
	}
	if (d->type == JN_PARAM_BOOL && config_parse_bool(d->def, &b) < 0)
		config_err(e, NULL, "module '%s': default '%s' of parameter '%s' is not a boolean",
		           module, d->def, d->name);
}

int config_check_params(const jn_node_t *params, const jn_param_def_t *defs, const char *module,
                        jn_errlist_t *errs)
{
	config_errs_t e = {.list = errs};
	if (!module)
		module = "?";
	for (const jn_param_def_t *d = defs; d && d->name; d++)
		check_def(&e, defs, d, module);
	if (!params || (params->kind == JN_NODE_SCALAR && params->null))
		goto out;
	if (params->kind != JN_NODE_MAP) {
		config_err(&e, params, "'params' of module '%s' must be a map", module);
		goto out;
	}
	for (size_t i = 0; i < params->n; i++) {
		const jn_param_def_t *d = find_def(defs, params->keys[i]->text);
		if (!d)
			unknown_param(&e, params->keys[i], defs, module);
		else
			check_value(&e, params->items[i], d, module);
	}
out:
	return e.count ? -1 : 0;
}
