/* value.c - see value.h. */
#include "value.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int value_truthy(const jn_value_t *v)
{
	switch (v->type) {
	case JN_T_BOOL:
	case JN_T_INT:
		return v->i != 0;
	case JN_T_STR:
		return v->len != 0;
	default:
		return 0;
	}
}

const char *value_text(const jn_value_t *v, char buf[VALUE_BUF], size_t *len)
{
	switch (v->type) {
	case JN_T_STR:
		*len = v->len;
		return v->s;
	case JN_T_BOOL:
		*len = v->i ? 4 : 5;
		return v->i ? "true" : "false";
	case JN_T_INT:
		*len = (size_t)snprintf(buf, VALUE_BUF, "%" PRId64, v->i);
		return buf;
	default:
		*len = 0;
		return "";
	}
}

int value_parse_int(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0, lim = (uint64_t)INT64_MAX;
	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		lim += neg;
		i++;
	}
	if (i == len || len > 24)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* An integer against a string: numerically when the string is a number,
 * otherwise as text. */
static int int_vs_str(const jn_value_t *i, const jn_value_t *s, int *cmp)
{
	int64_t n;
	if (value_parse_int(s->s, s->len, &n) == 0) {
		*cmp = (i->i > n) - (i->i < n);
		return 1;
	}
	return 0;
}

static int str_cmp(const jn_value_t *a, const jn_value_t *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = n ? memcmp(a->s, b->s, n) : 0;
	if (r)
		return r;
	return (a->len > b->len) - (a->len < b->len);
}

int value_equal(const jn_value_t *a, const jn_value_t *b)
{
	int cmp;
	if (a->type == b->type) {
		switch (a->type) {
		case JN_T_NULL:
			return 1;
		case JN_T_STR:
			return a->len == b->len && (!a->len || memcmp(a->s, b->s, a->len) == 0);
		default:
			return a->i == b->i;
		}
	}
	if (a->type == JN_T_INT && b->type == JN_T_STR) {
		if (int_vs_str(a, b, &cmp))
			return cmp == 0;
	} else if (a->type == JN_T_STR && b->type == JN_T_INT) {
		if (int_vs_str(b, a, &cmp))
			return cmp == 0;
	}
	/* an integer never equals a non-numeric string ("12" was handled
	 * above), nor does null or a bool equal another type */
	return 0;
}

int value_compare(const jn_value_t *a, const jn_value_t *b, int *cmp)
{
	if (a->type == JN_T_INT && b->type == JN_T_INT) {
		*cmp = (a->i > b->i) - (a->i < b->i);
		return 0;
	}
	if (a->type == JN_T_STR && b->type == JN_T_STR) {
		*cmp = str_cmp(a, b);
		return 0;
	}
	if (a->type == JN_T_INT && b->type == JN_T_STR && int_vs_str(a, b, cmp))
		return 0;
	if (a->type == JN_T_STR && b->type == JN_T_INT && int_vs_str(b, a, cmp)) {
		*cmp = -*cmp;
		return 0;
	}
	return -1;
}

int value_convert(const jn_value_t *v, unsigned types, int optional, arena_t *a, jn_value_t *out)
{
	*out = *v;
	if (v->type == JN_T_NULL) {
		if (optional)
			return 0;
		if (!(types & JN_ARG_STR))
			return -1;
		out->type = JN_T_STR;
		out->s = "";
		out->len = 0;
		return 0;
	}
	if (types & (1u << v->type))
		return 0;
	if ((types & JN_ARG_STR) && (v->type == JN_T_INT || v->type == JN_T_BOOL)) {
		char buf[VALUE_BUF];
		size_t len;
		const char *s = value_text(v, buf, &len);
		if (!(out->s = arena_strndup(a, s, len)))
			return -1;
		out->type = JN_T_STR;
		out->len = len;
		return 0;
	}
	if ((types & JN_ARG_INT) && v->type == JN_T_STR &&
	    value_parse_int(v->s, v->len, &out->i) == 0) {
		out->type = JN_T_INT;
		out->s = NULL;
		out->len = 0;
		return 0;
	}
	return -1;
}

const char *value_type_name(jn_type_t t)
{
	switch (t) {
	case JN_T_BOOL:
		return "a boolean";
	case JN_T_INT:
		return "an integer";
	case JN_T_STR:
		return "a string";
	default:
		return "null";
	}
}

const char *value_types_name(unsigned types, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = 0;
	for (jn_type_t t = JN_T_BOOL; t <= JN_T_STR; t++) {
		if (!(types & (1u << t)))
			continue;
		int w = snprintf(buf + n, size - n, "%s%s", n ? " or " : "", value_type_name(t));
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	return buf;
}
