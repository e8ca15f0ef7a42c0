/* redirect.c - a redirect server (RFC 3261 8.3, 21.3.3): 302 Moved
 * Temporarily listing the destination set as Contact headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"


/* q-value text of a thousandths value: 1000 -> "1", 500 -> "0.5". */
static void qtext(int q, char *buf, size_t size)
{
	if (q >= 1000) {
		snprintf(buf, size, "1");
		return;
	}
	if (q < 0)
		q = 0;
	snprintf(buf, size, "0.%03d", q);
	size_t n = strlen(buf);
	while (n > 3 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (strcmp(buf, "0.0") == 0)
		snprintf(buf, size, "0");
}

static int append(char **buf, size_t *len, const char *uri, int q, int with_q)
{
	char qs[16];
	qtext(q, qs, sizeof(qs));
	int n = snprintf(NULL, 0, "Contact: <%s>%s%s\r\n", uri, with_q ? ";q=" : "",
			 with_q ? qs : "");
	char *x = realloc(*buf, *len + (size_t)n + 1);
	if (!x)
		return JN_ENOMEM;
	snprintf(x + *len, (size_t)n + 1, "Contact: <%s>%s%s\r\n", uri, with_q ? ";q=" : "",
		 with_q ? qs : "");
	*buf = x;
	*len += (size_t)n;
	return 0;
}

int predirect(jn_msg_t *req)
{
	size_t nb = jn_msg_branch_count(req), len = 0;
	char *hdrs = NULL;
	int rq = nb ? 0 : 1000, r;

	/* The Request-URI ranks with the best branch, as when relaying. */
	for (size_t i = 0; i < nb; i++)
		if (jn_msg_branch_at(req, i)->q > rq)
			rq = jn_msg_branch_at(req, i)->q;
	const char *ruri = jn_msg_ruri(req);
	if (!ruri)
		return JN_ESTATE;
	r = append(&hdrs, &len, ruri, rq, nb > 0);
	for (size_t i = 0; r == 0 && i < nb; i++) {
		const jn_branch_t *b = jn_msg_branch_at(req, i);
		r = append(&hdrs, &len, b->uri, b->q, 1);
	}
	if (r == 0) {
		/* jn_msg_reply wants lines separated, not terminated, by CRLF. */
		if (len >= 2)
			hdrs[len - 2] = '\0';
		r = jn_msg_reply(req, 302, "Moved Temporarily", hdrs);
	}
	free(hdrs);
	return r;
}
