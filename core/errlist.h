/* errlist.h - a list of located errors ("file:line:col: message"), shared by
 * the configuration loader, the script compiler and the module loader. */
#ifndef JN_CORE_ERRLIST_H
#define JN_CORE_ERRLIST_H

#include <stdio.h>
#include <stddef.h>

typedef struct jn_err {
	char *file; /* may be NULL when the error has no location */
	int line, col; /* 1-based; 0 when unknown */
	char *msg;
} jn_err_t;

typedef struct jn_errlist {
	jn_err_t *v;
	size_t n, cap;
} jn_errlist_t;

void errlist_init(jn_errlist_t *e);
void errlist_free(jn_errlist_t *e);
void errlist_add(jn_errlist_t *e, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Formats error i as "file:line:col: message" (or just the message when it
 * has no file) into a malloc'd string. */
char *errlist_format(const jn_errlist_t *e, size_t i);
/* Writes every error, one per line. */
void errlist_print(const jn_errlist_t *e, FILE *f);

#endif
