#include "errlist.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void errlist_init(jn_errlist_t *e)
{
	memset(e, 0, sizeof(*e));
}

void errlist_free(jn_errlist_t *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].file);
		free(e->v[i].msg);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}

void errlist_add(jn_errlist_t *e, const char *file, int line, int col, const char *fmt, ...)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		jn_err_t *v = realloc(e->v, cap * sizeof(*v));
		if (!v)
			return;
		e->v = v;
		e->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	jn_err_t *x = &e->v[e->n++];
	x->file = file ? strdup(file) : NULL;
	x->line = line;
	x->col = col;
	x->msg = msg ? msg : strdup("out of memory");
}

char *errlist_format(const jn_errlist_t *e, size_t i)
{
	const jn_err_t *x = &e->v[i];
	char *s = NULL;
	int r;
	if (x->file && x->line > 0)
		r = asprintf(&s, "%s:%d:%d: %s", x->file, x->line, x->col, x->msg);
	else if (x->file)
		r = asprintf(&s, "%s: %s", x->file, x->msg);
	else
		r = asprintf(&s, "%s", x->msg);
	return r < 0 ? NULL : s;
}

void errlist_print(const jn_errlist_t *e, FILE *f)
{
	for (size_t i = 0; i < e->n; i++) {
		char *s = errlist_format(e, i);
		if (s) {
			fprintf(f, "%s\n", s);
			free(s);
		}
	}
}
