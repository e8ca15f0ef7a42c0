/* fuzz_config.c - config_load_string() and config_check_params() on
 * arbitrary bytes: no crash, no leak, no undefined behaviour.
 *
 * Input byte 0 picks the mode:
 *   even: the rest is a whole junction.yaml;
 *   odd:  the rest is the value of one module's params: (after a fixed valid
 *         header), so that the fuzzer reaches config_check_params() with
 *         arbitrary parameter maps instead of first having to invent a
 *         valid configuration.
 * Every loaded module's params are then checked against a fixed table
 * covering each parameter type, and the tree is walked with the SDK's
 * jn_node_* accessors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char header[] = "listen: {udp: 127.0.0.1:5060}\n"
                             "script: s.jn\n"
                             "modules:\n"
                             "  - name: fz\n"
                             "    params: ";

static const jn_param_def_t defs[] = {
    {"s", JN_PARAM_STR, "x", 0, 0, NULL},   {"i", JN_PARAM_INT, "5", 1, 10, NULL},
    {"u", JN_PARAM_INT, NULL, 0, 0, NULL},  {"b", JN_PARAM_BOOL, "on", 0, 0, NULL},
    {"n", JN_PARAM_NODE, NULL, 0, 0, NULL}, {.name = NULL},
};

static size_t walk(const jn_node_t *n, int depth)
{
	size_t sum = strlen(jn_node_where(n));
	if (jn_node_kind(n) == JN_NODE_SCALAR)
		return sum + strlen(jn_node_scalar(n));
	for (size_t i = 0; i < jn_node_count(n) && depth < 100; i++) {
		if (jn_node_kind(n) == JN_NODE_MAP) {
			const char *k = jn_node_key(n, i);
			sum += strlen(k) + (jn_node_get(n, k) != NULL);
		}
		sum += walk(jn_node_item(n, i), depth + 1);
	}
	return sum;
}

static void exercise(const jn_config_t *c, jn_errlist_t *e)
{
	volatile size_t sink = walk(c->root, 0);
	(void)sink;
	for (size_t i = 0; i < c->nmodules; i++)
		config_check_params(c->modules[i].params, defs, c->modules[i].name, e);
	/* The root map as params: unknown keys, every kind of value. */
	config_check_params(c->root, defs, "root", e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jn_errlist_t e;
	char *buf = NULL;
	size_t len = 0;
	if (size == 0)
		return 0;
	if (data[0] & 1) {
		len = sizeof(header) - 1 + size - 1;
		buf = malloc(len);
		if (!buf)
			return 0;
		memcpy(buf, header, sizeof(header) - 1);
		memcpy(buf + sizeof(header) - 1, data + 1, size - 1);
	} else {
		len = size - 1;
		buf = malloc(len ? len : 1);
		if (!buf)
			return 0;
		memcpy(buf, data + 1, len);
	}
	errlist_init(&e);
	jn_config_t *c = config_load_string("fuzz.yaml", buf, len, &e);
	if (c)
		exercise(c, &e);
	for (size_t i = 0; i < e.n; i++)
		free(errlist_format(&e, i));
	config_free(c);
	errlist_free(&e);
	free(buf);
	return 0;
}
