/*
 * creds.c - the credential store: username@domain -> HA1 per algorithm.
 *
 * Only HA1 values are needed; a password given in the configuration (for
 * demos) is turned into HA1 at load when the realm is known. A user
 * without domain serves every realm, and then a configured password has to
 * be kept to compute HA1 for the realm of each request.
 */
#include <junction/junction.h>

#include "digest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cred_entry {
	char *user, *domain;                        /* domain NULL: any realm */
	char ha1[AUTH_ALG_COUNT][AUTH_HEX_MAX + 1]; /* "" when not configured */
	char *password; /* only for a domain-less user configured by password */
	struct cred_entry *next;
};

#define CRED_SLOTS 4096

struct auth_creds {
	struct cred_entry *slots[CRED_SLOTS];
	size_t count;
};

static unsigned slot_of(const char *user)
{
	uint32_t h = 2166136261u;

	for (; *user; user++)
		h = (h ^ (unsigned char)*user) * 16777619u;
	return h % CRED_SLOTS;
}

auth_creds_t *auth_creds_new(void)
{
	return calloc(1, sizeof(auth_creds_t));
}

static void entry_free(struct cred_entry *e)
{
	free(e->user);
	free(e->domain);
	if (e->password) {
		/* do not leave the demo password lying in freed memory */
		memset(e->password, 0, strlen(e->password));
		free(e->password);
	}
	free(e);
}

void auth_creds_free(auth_creds_t *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CRED_SLOTS; i++) {
		struct cred_entry *e = c->slots[i], *n;
		for (; e; e = n) {
			n = e->next;
			entry_free(e);
		}
	}
	free(c);
}

static int same_domain(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcasecmp(a, b) == 0;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

int auth_creds_add(auth_creds_t *c, const char *user, const char *domain, const char *ha1_md5,
                   const char *ha1_sha256, const char *password)
{
	struct cred_entry *e;
	unsigned slot;
	int rc = JN_ENOMEM;

	if (!user || !*user)
		return JN_EINVAL;
	if (!ha1_md5 && !ha1_sha256 && !password)
		return JN_EINVAL;
	if ((ha1_md5 && !auth_is_hex(ha1_md5, 32)) || (ha1_sha256 && !auth_is_hex(ha1_sha256, 64)))
		return JN_EINVAL;
	if (domain && !*domain)
		domain = NULL;
	slot = slot_of(user);
	for (e = c->slots[slot]; e; e = e->next)
		if (strcmp(e->user, user) == 0 && same_domain(e->domain, domain))
			return JN_EEXIST;
	e = calloc(1, sizeof(*e));
	if (!e)
		return JN_ENOMEM;
	if (!(e->user = strdup(user)) || (domain && !(e->domain = strdup(domain))))
		goto out;
	if (ha1_md5) {
		memcpy(e->ha1[AUTH_ALG_MD5], ha1_md5, 33);
		lower(e->ha1[AUTH_ALG_MD5]);
	}
	if (ha1_sha256) {
		memcpy(e->ha1[AUTH_ALG_SHA256], ha1_sha256, 65);
		lower(e->ha1[AUTH_ALG_SHA256]);
	}
	if (password) {
		if (domain) {
			for (int a = 0; a < AUTH_ALG_COUNT; a++)
				if (!e->ha1[a][0] && auth_ha1((auth_alg_t)a, user, domain, password,
				                              e->ha1[a]) < 0) {
					rc = JN_EIO;
					goto out;
				}
		} else if (!(e->password = strdup(password))) {
			goto out;
		}
	}
	e->next = c->slots[slot];
	c->slots[slot] = e;
	c->count++;
	return 0;
out:
	entry_free(e);
	return rc;
}

int auth_creds_ha1(const auth_creds_t *c, const char *user, const char *realm, auth_alg_t alg,
                   char *hex)
{
	const struct cred_entry *any = NULL;

	if (!c)
		return JN_ENOENT;
	for (const struct cred_entry *e = c->slots[slot_of(user)]; e; e = e->next) {
		if (strcmp(e->user, user) != 0)
			continue;
		if (!e->domain) {
			any = e;
			continue;
		}
		if (strcasecmp(e->domain, realm) != 0)
			continue;
		any = e; /* an exact domain wins over a domain-less entry */
		break;
	}
	if (!any)
		return JN_ENOENT;
	if (any->ha1[alg][0]) {
		memcpy(hex, any->ha1[alg], auth_alg_hexlen(alg) + 1);
		return 0;
	}
	if (any->password)
		return auth_ha1(alg, user, realm, any->password, hex) < 0 ? JN_EIO : 0;
	return JN_ENOTSUP;
}

size_t auth_creds_count(const auth_creds_t *c)
{
	return c ? c->count : 0;
}

int auth_creds_lookup(void *ctx, const char *user, const char *realm, auth_alg_t alg, char *hex)
{
	return auth_creds_ha1(ctx, user, realm, alg, hex);
}
