/* msg.h - struct jn_msg: a sofia-sip message plus what the core tracks
 * about its processing. */
#ifndef JN_CORE_MSG_H
#define JN_CORE_MSG_H

#include <netinet/in.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

#include <junction/junction.h>

struct jn_msg {
	unsigned refs;
	msg_t *msg; /* one reference held by us */
	sip_t *sip;
	nta_incoming_t *irq; /* server transaction, once one was created */
	int status_sent;     /* highest status answered statefully */
	unsigned forwarded : 1;
	unsigned dropped : 1;
	unsigned is_request : 1;
	unsigned in_flight : 1; /* the request route has not finished */
	char src_ip[INET6_ADDRSTRLEN];
	unsigned src_port;
	const char *proto;
	char *ruri_text; /* cache, in the message's home */
	uint64_t t_start;
	unsigned taken : 1; /* a module owns the answer */
	/* destination set (strings in the message's home) */
	jn_branch_t *branches;
	size_t nbranches, capbranches;
	char *dst_uri, *path;
	/* failure routes: the response that ended the branches */
	int reply_status;
	char *reply_reason;
	/* the script the request started on (a reference) */
	struct jn_script *script;
	/* module data attached with jn_msg_set_data() (freed with the message) */
	struct jnmsg_data *data;
};

/* Wraps a received message; takes over the caller's reference to m. */
jn_msg_t *jnmsg_wrap(msg_t *m, sip_t *sip);
/* Creates the server transaction if there is none yet (so retransmissions
 * are absorbed). 0 or -1. */
int jnmsg_ensure_irq(jn_msg_t *jm);
/* Registers the message fields and builtin functions of the core. */
int jnmsg_register_builtins(void);

#endif
