/*
 * listeners.c - modules that want every digit (the call module's digit
 * collection, a recorder, an IVR) register here; whoever learned of a
 * digit dispatches it. SIP thread only, so no locking.
 */
#include <stdlib.h>

#include <junction/junction.h>

#include "dtmf.h"

struct listener {
	dtmf_listener_cb cb; /* NULL: removed during a dispatch */
	void *data;
};

static struct listener *list;
static size_t count, cap;
static int dispatching;

int dtmf_listen(dtmf_listener_cb cb, void *data)
{
	if (!cb)
		return JN_EINVAL;
	for (size_t i = 0; i < count; i++)
		if (list[i].cb == cb && list[i].data == data)
			return JN_EEXIST;
	if (count == cap) {
		size_t ncap = cap ? cap * 2 : 4;
		struct listener *n = realloc(list, ncap * sizeof(*n));
		if (!n)
			return JN_ENOMEM;
		list = n;
		cap = ncap;
	}
	list[count].cb = cb;
	list[count].data = data;
	count++;
	return 0;
}

static void compact(void)
{
	size_t j = 0;

	for (size_t i = 0; i < count; i++)
		if (list[i].cb)
			list[j++] = list[i];
	count = j;
}

int dtmf_unlisten(dtmf_listener_cb cb, void *data)
{
	for (size_t i = 0; i < count; i++) {
		if (list[i].cb == cb && list[i].data == data) {
			/* A listener may leave from inside its callback: mark
			 * it now, compact when the dispatch is over. */
			list[i].cb = NULL;
			if (!dispatching)
				compact();
			return 0;
		}
	}
	return JN_ENOENT;
}

int dtmf_dispatch(const char *leg, const dtmf_event_t *ev)
{
	size_t n;
	int got = 0;

	if (!ev || !dtmf_digit_normalize(ev->digit))
		return JN_EINVAL;
	dispatching++;
	n = count; /* listeners added by a callback wait for the next digit */
	for (size_t i = 0; i < n; i++) {
		if (!list[i].cb)
			continue;
		list[i].cb(leg ? leg : "", ev, list[i].data);
		got++;
	}
	if (--dispatching == 0)
		compact();
	return got;
}

void dtmf_listeners_clear(void)
{
	free(list);
	list = NULL;
	count = cap = 0;
}
