/* select.c - choosing the best final response and ordering targets by q:
 * the pure rules of RFC 3261 16.6 and 16.7, kept apart so that they are
 * unit-tested without a network. */
#include <stdlib.h>

#include "proxy.h"


/* RFC 3261 16.7 item 6: any 6xx wins; otherwise the lowest class among
 * 3xx-5xx, and within 4xx the responses that help the UAC resubmit (401,
 * 407, 415, 420, 484) come first. 2xx never get here in practice: they
 * are forwarded at once (item 5). */
int pselect_rank(int status)
{
	switch (status / 100) {
	case 6: return 0;
	case 2: return 1;
	case 3: return 30;
	case 4:
		switch (status) {
		case 401: case 407: case 415: case 420: case 484: return 40;
		default: return 41;
		}
	case 5: return 50;
	default: return 99;
	}
}

int pselect_better(int a, int b)
{
	if (b <= 0)
		return a > 0;
	return pselect_rank(a) < pselect_rank(b);
}

/* Stable insertion sort: destination sets are small, and the order of
 * targets with the same q (as the registrar listed them) must be kept. */
void pselect_sort_targets(struct ptarget *t, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct ptarget x = t[i];
		size_t j = i;
		while (j > 0 && t[j - 1].q < x.q) {
			t[j] = t[j - 1];
			j--;
		}
		t[j] = x;
	}
}

size_t pselect_group_len(const struct ptarget *t, size_t n)
{
	size_t i = 0;
	while (i < n && t[i].q == t[0].q)
		i++;
	return i;
}
