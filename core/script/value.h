/* script/value.h - the semantics of script values: truth, text form,
 * comparison and conversion to a parameter's type. */
#ifndef JN_SCRIPT_VALUE_H
#define JN_SCRIPT_VALUE_H

#include <junction/junction.h>

#include "arena.h"

/* Room for the text form of any non-string value. */
#define VALUE_BUF 24

int value_truthy(const jn_value_t *v);
/* Text form: strings as they are, null as "", bools "true"/"false",
 * integers in decimal (written to buf). Sets *len. */
const char *value_text(const jn_value_t *v, char buf[VALUE_BUF], size_t *len);
/* A whole decimal integer ("-12"), no blanks; 0 or -1. */
int value_parse_int(const char *s, size_t len, int64_t *out);
/* == as the language defines it. */
int value_equal(const jn_value_t *a, const jn_value_t *b);
/* <, <=, >, >=: sets *cmp (<0, 0, >0); -1 when the types do not order. */
int value_compare(const jn_value_t *a, const jn_value_t *b, int *cmp);
/* Converts v to a parameter of type mask types (JN_ARG_*). null stays
 * null (an absent argument) when optional; strings made from integers are
 * allocated from a. 0, or -1 when v cannot become any allowed type. */
int value_convert(const jn_value_t *v, unsigned types, int optional, arena_t *a, jn_value_t *out);
/* "an integer or a string" for error messages. */
const char *value_types_name(unsigned types, char *buf, size_t size);
const char *value_type_name(jn_type_t t);

#endif
