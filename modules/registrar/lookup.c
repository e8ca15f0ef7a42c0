/* lookup.c - Request-URI -> registered contacts (RFC 3261 10, 16.5): the
 * best binding becomes the Request-URI, the others become branches. */
#include <stdlib.h>
#include <string.h>

#include "registrar.h"

static int by_preference(const void *x, const void *y)
{
	const struct loc_binding *a = *(const struct loc_binding *const *)x;
	const struct loc_binding *b = *(const struct loc_binding *const *)y;
	if (a->q != b->q)
		return a->q > b->q ? -1 : 1;
	if (a->updated_ms != b->updated_ms)
		return a->updated_ms > b->updated_ms ? -1 : 1;
	return 0;
}

size_t reg_sorted_bindings(struct loc_aor *a, int64_t now, struct loc_binding ***out)
{
	*out = NULL;
	if (!a || !a->nbind)
		return 0;
	struct loc_binding **v = malloc(a->nbind * sizeof(*v));
	if (!v)
		return 0;
	size_t n = 0;
	for (struct loc_binding *b = a->bindings; b && n < a->nbind; b = b->next)
		if (b->expires_ms > now)
			v[n++] = b;
	if (!n) {
		free(v);
		return 0;
	}
	qsort(v, n, sizeof(*v), by_preference);
	*out = v;
	return n;
}

int reg_lookup(jn_msg_t *msg)
{
	char aor_name[REG_AOR_MAX];
	struct loc_binding **v = NULL;
	int rc = 0;

	if (reg_msg_aor(msg, 0, aor_name, sizeof(aor_name)) < 0)
		return 0;
	size_t n = reg_sorted_bindings(loc_aor_find(aor_name), (int64_t)jn_now_ms(), &v);
	if (!n)
		return 0;
	/* Copy the best one's strings before the R-URI changes: nothing here
	 * frees bindings, so the pointers stay valid. */
	struct loc_binding *best = v[0];
	if ((rc = jn_msg_set_ruri(msg, best->contact)) < 0)
		goto out;
	if ((rc = jn_msg_set_dst_uri(msg, best->received)) < 0)
		goto out;
	if ((rc = jn_msg_set_path(msg, best->path)) < 0)
		goto out;
	jn_msg_branch_clear(msg);
	for (size_t i = 1; i < n; i++) {
		jn_branch_t br = {
		    .size = sizeof(br),
		    .uri = v[i]->contact,
		    .dst_uri = v[i]->received,
		    .path = v[i]->path,
		    .q = v[i]->q,
		    .instance = v[i]->instance,
		};
		if ((rc = jn_msg_branch_add(msg, &br)) < 0)
			goto out;
	}
	rc = 1;
out:
	free(v);
	return rc;
}
