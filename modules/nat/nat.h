/* nat.h - the nat module's internal interface. */
#ifndef NAT_NAT_H
#define NAT_NAT_H

#include <junction/junction.h>

enum {
	NAT_TEST_VIA = 1,     /* top Via sent-by differs from the source */
	NAT_TEST_CONTACT = 2, /* Contact host:port differs from the source */
	NAT_TEST_PRIVATE = 4, /* Contact host is a private address, not the source */
	NAT_TEST_ALL = 7,
};

/* What the tests look at, taken from a request. */
struct nat_probe {
	const char *src_ip;
	unsigned src_port;
	const char *via_host;     /* NULL: no Via */
	unsigned via_port;        /* 0: absent */
	const char *contact_host; /* NULL: no Contact (or Contact: *) */
	unsigned contact_port;    /* 0: absent */
	unsigned default_port;    /* 5060 (5061 for sips/TLS) */
};

/* detect.c: the NAT_TEST_* bits that fired (0: none). */
int nat_test(const struct nat_probe *p, unsigned tests);
int nat_addr_is_private(const char *host);

/* fix.c */
int nat_probe_from_msg(jn_msg_t *msg, struct nat_probe *p);
/* Rewrites the first Contact to the source address. 1 changed, 0 nothing
 * to change, <0 error. */
int nat_fix_contact(jn_msg_t *msg);

/* keepalive.c */
int nat_keepalive_start(jn_module_t *m, unsigned interval_ms);
void nat_keepalive_stop(void);
unsigned long nat_keepalives_sent(void);

#endif
