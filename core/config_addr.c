/* config_addr.c - "ADDR:PORT" as written in listen: and http.listen. */
#include "config_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int parse_port(const char *s, unsigned *port, const char **why)
{
	unsigned long v = 0;
	if (!*s) {
		*why = "missing port";
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (!is_digit(*p)) {
			*why = "port must be a number";
			return -1;
		}
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535) {
		*why = "port must be between 1 and 65535";
		return -1;
	}
	*port = (unsigned)v;
	return 0;
}

/* RFC 1123 names: dot-separated labels of letters, digits and inner
 * hyphens, at most 63 characters each and 253 in all. */
static int valid_hostname(const char *h, size_t len)
{
	size_t label = 0;
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
		} else if (is_alnum(c) || (c == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0 && h[len - 1] != '-';
}

static int looks_ipv4(const char *h)
{
	for (; *h; h++)
		if (!is_digit(*h) && *h != '.')
			return 0;
	return 1;
}

static int check_host(const char *h, const char **why)
{
	unsigned char buf[16];
	if (!*h) {
		*why = "missing address";
		return -1;
	}
	if (strchr(h, ':')) {
		*why = "an IPv6 address must be in brackets, as in [::1]:5060";
		return -1;
	}
	if (looks_ipv4(h)) {
		if (inet_pton(AF_INET, h, buf) != 1) {
			*why = "invalid IPv4 address";
			return -1;
		}
		return 0;
	}
	if (!valid_hostname(h, strlen(h))) {
		*why = "invalid host name";
		return -1;
	}
	return 0;
}

static int split_v6(const char *s, char **host, const char **rest, const char **why)
{
	unsigned char buf[16];
	const char *end = strchr(s, ']');
	if (!end) {
		*why = "missing ']' after the IPv6 address";
		return -1;
	}
	*host = strndup(s + 1, (size_t)(end - s - 1));
	if (!*host) {
		*why = "out of memory";
		return -1;
	}
	if (inet_pton(AF_INET6, *host, buf) != 1) {
		*why = "invalid IPv6 address";
		return -1;
	}
	if (end[1] != ':') {
		*why = end[1] ? "expected ':' after ']'" : "missing port";
		return -1;
	}
	*rest = end + 2;
	return 0;
}

static int split_plain(const char *s, char **host, const char **rest, const char **why)
{
	const char *colon = strrchr(s, ':');
	if (!colon) {
		*why = "missing port";
		return -1;
	}
	*host = strndup(s, (size_t)(colon - s));
	if (!*host) {
		*why = "out of memory";
		return -1;
	}
	if (check_host(*host, why) < 0)
		return -1;
	*rest = colon + 1;
	return 0;
}

int config_parse_hostport(const char *s, char **host, unsigned *port, int *v6, const char **why)
{
	const char *rest = NULL;
	int r;
	*host = NULL;
	*v6 = s[0] == '[';
	if (*v6)
		r = split_v6(s, host, &rest, why);
	else
		r = split_plain(s, host, &rest, why);
	if (r == 0)
		r = parse_port(rest, port, why);
	if (r < 0) {
		free(*host);
		*host = NULL;
	}
	return r;
}
