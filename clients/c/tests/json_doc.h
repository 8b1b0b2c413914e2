/*
 * A small JSON reader for the test runner only (the vector file and the payloads it compares):
 * a tree of malloc'd nodes, strings with lengths (they may contain NUL). Not part of the library.
 */
#ifndef JSON_DOC_H
#define JSON_DOC_H

#include <stddef.h>

typedef enum { JD_NULL, JD_FALSE, JD_TRUE, JD_NUMBER, JD_STRING, JD_ARRAY, JD_OBJECT } jd_type;

typedef struct jd {
    jd_type type;
    char *text;        /* JD_STRING: unescaped UTF-8; JD_NUMBER: the number as written */
    size_t len;
    struct jd *items;  /* JD_ARRAY, JD_OBJECT: n values */
    char **names;      /* JD_OBJECT: n member names (NUL-terminated) */
    size_t *name_lens;
    size_t n;
} jd;

/* Parses `len` bytes; NULL on a syntax error. Free with jd_free. */
jd *jd_parse(const char *text, size_t len);
void jd_free(jd *doc);
/* The member `name` of an object, or NULL. */
const jd *jd_get(const jd *object, const char *name);
/* Structural equality; numbers compare by value (integers exactly). */
int jd_equal(const jd *a, const jd *b);
/* Compact JSON into a malloc'd string (for failure messages). */
char *jd_write(const jd *value);

#endif
