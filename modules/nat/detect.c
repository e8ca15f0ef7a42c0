/* detect.c - NAT tests on a request (RFC 3581): does the top Via or the
 * Contact name another address than the one the request came from? */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nat.h"

/* host without IPv6 brackets into buf. */
static const char *bare_host(const char *h, char *buf, size_t size)
{
	if (!h)
		return NULL;
	size_t n = strlen(h);
	if (n > 2 && h[0] == '[' && h[n - 1] == ']') {
		if (n - 2 >= size)
			return NULL;
		memcpy(buf, h + 1, n - 2);
		buf[n - 2] = '\0';
		return buf;
	}
	return h;
}

int nat_addr_is_private(const char *host)
{
	struct in_addr a;
	struct in6_addr a6;
	char buf[64];
	host = bare_host(host, buf, sizeof(buf));
	if (!host)
		return 0;
	if (inet_pton(AF_INET, host, &a) == 1) {
		uint32_t v = ntohl(a.s_addr);
		return (v >> 24) == 10 ||                  /* RFC 1918 10/8 */
		       (v >> 20) == ((172u << 4) | 1) ||   /* 172.16/12 */
		       (v >> 16) == ((192u << 8) | 168) || /* 192.168/16 */
		       (v >> 22) == ((100u << 2) | 1) ||   /* RFC 6598 100.64/10 */
		       (v >> 24) == 127;                   /* loopback */
	}
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) || (a6.s6_addr[0] & 0xfe) == 0xfc || /* ULA */
		       IN6_IS_ADDR_LINKLOCAL(&a6);
	return 0;
}

/* Same IP address, whatever the spelling (IPv6 forms, brackets). */
static int same_ip(const char *a, const char *b)
{
	char ba[64], bb[64];
	a = bare_host(a, ba, sizeof(ba));
	b = bare_host(b, bb, sizeof(bb));
	if (!a || !b)
		return 0;
	struct in6_addr x, y;
	if (inet_pton(AF_INET6, a, &x) == 1 && inet_pton(AF_INET6, b, &y) == 1)
		return memcmp(&x, &y, sizeof(x)) == 0;
	return strcasecmp(a, b) == 0;
}

static int is_loopback(const char *host)
{
	char buf[64];
	host = bare_host(host, buf, sizeof(buf));
	return host && (strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0);
}

int nat_test(const struct nat_probe *p, unsigned tests)
{
	int hit = 0;
	if ((tests & NAT_TEST_VIA) && p->via_host) {
		/* RFC 3581 4: the server would add received / fill rport. */
		unsigned vport = p->via_port ? p->via_port : p->default_port;
		if (!same_ip(p->via_host, p->src_ip) || vport != p->src_port)
			hit |= NAT_TEST_VIA;
	}
	if ((tests & NAT_TEST_CONTACT) && p->contact_host) {
		unsigned cport = p->contact_port ? p->contact_port : p->default_port;
		if (!same_ip(p->contact_host, p->src_ip) || cport != p->src_port)
			hit |= NAT_TEST_CONTACT;
	}
	if ((tests & NAT_TEST_PRIVATE) && p->contact_host && nat_addr_is_private(p->contact_host) &&
	    !same_ip(p->contact_host, p->src_ip)) {
		/* A loopback Contact is private only when the request did not
		 * come from loopback itself. */
		if (!is_loopback(p->contact_host) || !is_loopback(p->src_ip))
			hit |= NAT_TEST_PRIVATE;
	}
	return hit;
}
