/* config.h - junction.yaml, loaded with libyaml's document API and checked
 * strictly: unknown keys, duplicate keys, wrong types and out-of-range
 * values are errors with file:line:col. */
#ifndef JN_CORE_CONFIG_H
#define JN_CORE_CONFIG_H

#include <junction/junction.h>
#include "errlist.h"

/* struct jn_node (the SDK's jn_node_t) is defined in config.c: a copy of
 * the YAML tree with locations, living as long as the jn_config_t. */

typedef struct conf_listener {
	char *proto; /* "udp", "tcp" */
	char *host;  /* "127.0.0.1", "::1" (no brackets) */
	unsigned port;
	char *text;  /* as written: "udp:127.0.0.1:5060", "tcp:[::1]:5060" */
	char *where; /* "file:line:col" */
} conf_listener_t;

typedef struct conf_module {
	char *name;
	char *path;              /* explicit .so path, or NULL: <module_path>/<name>.so */
	const jn_node_t *params; /* map, or NULL */
	char *where;
} conf_module_t;

typedef struct jn_config {
	char *file;        /* path as given */
	conf_listener_t *listeners;
	size_t nlisteners;
	char *script;      /* resolved against the config file's directory */
	char *module_path; /* resolved likewise; NULL: the default */
	conf_module_t *modules;
	size_t nmodules;
	struct {
		char *level;  /* err|warn|notice|info|debug; default "info" */
		char *target; /* stderr|syslog; default "stderr" */
		char *format; /* text|json; default "text" */
	} log;
	struct {
		int enabled;  /* 1 when an http: section is present */
		char *host;   /* default 127.0.0.1 */
		unsigned port; /* default 8080 */
		char *token;  /* required when enabled */
	} http;
	struct {
		unsigned udp_buffer;       /* bytes, default 4194304 */
		unsigned shutdown_timeout; /* seconds, default 5 */
		unsigned tcp_keepalive;    /* seconds between CRLF pings on idle connections, 0 off */
		char *user_agent;          /* Server/User-Agent, default "Junction" */
		char *resolv_conf;         /* DNS resolver config (RFC 3263); NULL: system */
	} sip;
	struct {
		int enabled;       /* 1 when a tls: section is present */
		char *certificate; /* PEM certificate chain (resolved path) */
		char *key;         /* PEM private key */
		char *ca;          /* PEM CA bundle for client certificates, or NULL */
		int verify_client; /* require a client certificate signed by ca */
	} tls;
	jn_node_t *root;
	void *priv;
} jn_config_t;

/* NULL with errors appended when anything is wrong. */
jn_config_t *config_load_file(const char *path, jn_errlist_t *errs);
jn_config_t *config_load_string(const char *name, const char *buf, size_t len,
				jn_errlist_t *errs);
void config_free(jn_config_t *c);

/* Check a module's params map against its declarations. Appends errors
 * for unknown keys, wrong types and out-of-range values; 0 or -1. */
int config_check_params(const jn_node_t *params, const jn_param_def_t *defs,
			const char *module, jn_errlist_t *errs);

/* Parsing helpers the module parameter accessors use. */
int config_parse_bool(const char *s, int *out);    /* 0 or -1 */
int config_parse_int(const char *s, long long *out); /* 0 or -1 */

#endif
