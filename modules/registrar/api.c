/* api.c - the "registrar" C API v1 (registrar_api.h) and the NAT marks. */
#include <stdlib.h>
#include <string.h>

#include "registrar.h"

const char *reg_proto_name(int proto)
{
	return proto == LOC_TCP ? "tcp" : proto == LOC_TLS ? "tls" : "udp";
}

void reg_fill_binding(const struct loc_binding *b, int64_t now, registrar_binding_t *o)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->aor = b->aor->name;
	o->contact = b->contact;
	o->received = b->received;
	o->path = b->path;
	o->instance = b->instance;
	o->call_id = b->call_id;
	o->user_agent = b->user_agent;
	o->transport = reg_proto_name(b->proto);
	o->cseq = b->cseq;
	o->q = b->q;
	o->reg_id = b->reg_id;
	o->nated = b->nated;
	int64_t left = (b->expires_ms - now + 999) / 1000;
	o->expires = left > 0 ? left : 0;
}

static int api_lookup(const char *aor, registrar_binding_cb cb, void *data)
{
	char name[REG_AOR_MAX];
	if (!aor || !cb)
		return JN_EINVAL;
	if (reg_aor_from_text(aor, name, sizeof(name)) < 0)
		return JN_EINVAL;
	struct loc_aor *a = loc_aor_find(name);
	int64_t now = (int64_t)jn_now_ms();
	int n = 0;
	for (struct loc_binding *b = a ? a->bindings : NULL; b; b = b->next) {
		if (b->expires_ms <= now)
			continue;
		registrar_binding_t rb;
		reg_fill_binding(b, now, &rb);
		int r = cb(&rb, data);
		if (r)
			return r;
		n++;
	}
	return n;
}

struct walk {
	registrar_binding_cb cb;
	void *data;
	int64_t now;
};

static int walk_aor(struct loc_aor *a, void *data)
{
	struct walk *w = data;
	for (struct loc_binding *b = a->bindings; b; b = b->next) {
		if (b->expires_ms <= w->now)
			continue;
		registrar_binding_t rb;
		reg_fill_binding(b, w->now, &rb);
		int r = w->cb(&rb, w->data);
		if (r)
			return r;
	}
	return 0;
}

static int api_foreach(registrar_binding_cb cb, void *data)
{
	if (!cb)
		return JN_EINVAL;
	struct walk w = {cb, data, (int64_t)jn_now_ms()};
	return loc_foreach_aor(walk_aor, &w);
}

static int api_add(const char *aor, const registrar_binding_t *rb, unsigned expires)
{
	char name[REG_AOR_MAX];
	if (!aor || !rb || rb->size < sizeof(*rb) || !rb->contact || !*rb->contact || !expires)
		return JN_EINVAL;
	if (reg_aor_from_text(aor, name, sizeof(name)) < 0)
		return JN_EINVAL;
	struct loc_aor *a = loc_aor_get(name);
	if (!a)
		return JN_ENOMEM;
	struct loc_binding *old = NULL;
	for (struct loc_binding *b = a->bindings; b; b = b->next)
		if (strcmp(b->contact, rb->contact) == 0) {
			old = b;
			break;
		}
	int64_t now = (int64_t)jn_now_ms();
	struct loc_info in = {
	    .contact = rb->contact,
	    .call_id = rb->call_id,
	    .path = rb->path,
	    .received = rb->received,
	    .instance = rb->instance,
	    .user_agent = rb->user_agent,
	    .cseq = rb->cseq,
	    .q = rb->q ? rb->q : 1000,
	    .reg_id = rb->reg_id,
	    .proto = rb->transport && !strcmp(rb->transport, "tcp")   ? LOC_TCP
	             : rb->transport && !strcmp(rb->transport, "tls") ? LOC_TLS
	                                                              : LOC_UDP,
	    .nated = rb->nated,
	    .expires_ms = now + (int64_t)expires * 1000,
	    .updated_ms = now,
	};
	struct loc_binding *b = loc_binding_new(&in);
	if (!b) {
		loc_aor_release(a);
		return JN_ENOMEM;
	}
	loc_binding_link(a, b, old);
	loc_aor_release(a); /* only if the link failed and left it empty */
	return 0;
}

static int api_remove(const char *aor, const char *contact)
{
	char name[REG_AOR_MAX];
	if (!aor || reg_aor_from_text(aor, name, sizeof(name)) < 0)
		return JN_EINVAL;
	struct loc_aor *a = loc_aor_find(name);
	if (!a)
		return JN_ENOENT;
	if (!contact)
		return (int)loc_aor_clear(a);
	for (struct loc_binding *b = a->bindings; b; b = b->next)
		if (strcmp(b->contact, contact) == 0) {
			loc_binding_remove(b);
			return 1;
		}
	return JN_ENOENT;
}

static size_t api_count(void)
{
	return loc_binding_count();
}

/* ---- NAT marks ------------------------------------------------------------
 * The nat module flags the REGISTER being processed; save() asks. The
 * flag is the message's own data (SDK 1.1), freed with the message. */
static const char nat_mark_key;

void reg_mark_nated(jn_msg_t *msg)
{
	if (msg)
		jn_msg_set_data(msg, &nat_mark_key, (void *)&nat_mark_key, NULL);
}

int reg_is_nated(jn_msg_t *msg)
{
	return msg && jn_msg_data(msg, &nat_mark_key) != NULL;
}

const registrar_api_t reg_api = {
    .size = sizeof(registrar_api_t),
    .lookup = api_lookup,
    .foreach = api_foreach,
    .add = api_add,
    .remove = api_remove,
    .mark_nated = reg_mark_nated,
    .count = api_count,
};
