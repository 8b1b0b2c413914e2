#include "json_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    const char *s;
    size_t n, pos;
} reader;

static void ws(reader *r)
{
    while (r->pos < r->n && strchr(" \t\r\n", r->s[r->pos]) != NULL && r->s[r->pos] != '\0') r->pos++;
}

static void clear(jd *v)
{
    size_t i;
    for (i = 0; i < v->n; i++) {
        clear(&v->items[i]);
        if (v->names != NULL) free(v->names[i]);
    }
    free(v->items);
    free(v->names);
    free(v->name_lens);
    free(v->text);
    memset(v, 0, sizeof *v);
}

void jd_free(jd *doc)
{
    if (doc == NULL) return;
    clear(doc);
    free(doc);
}

static int put(char **buf, size_t *len, size_t *cap, unsigned c)
{
    if (*len + 1 >= *cap) {
        char *grown = realloc(*buf, *cap * 2 + 16);
        if (grown == NULL) return 0;
        *buf = grown;
        *cap = *cap * 2 + 16;
    }
    (*buf)[(*len)++] = (char)c;
    (*buf)[*len] = '\0';
    return 1;
}

static int hex4(reader *r, unsigned *out)
{
    unsigned v = 0;
    size_t k;
    if (r->n - r->pos < 4) return 0;
    for (k = 0; k < 4; k++) {
        char c = r->s[r->pos + k];
        v *= 16;
        if (c >= '0' && c <= '9') v += (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v += (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v += (unsigned)(c - 'A' + 10);
        else return 0;
    }
    r->pos += 4;
    *out = v;
    return 1;
}

static int string(reader *r, char **out, size_t *out_len)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    r->pos++;
    if (!put(&buf, &len, &cap, 0)) return 0;
    len = 0;
    for (;;) {
        unsigned c, cp;
        if (r->pos >= r->n) goto fail;
        c = (unsigned char)r->s[r->pos++];
        if (c == '"') break;
        if (c != '\\') {
            if (!put(&buf, &len, &cap, c)) goto fail;
            continue;
        }
        if (r->pos >= r->n) goto fail;
        c = (unsigned char)r->s[r->pos++];
        if (c != 'u') {
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
            const char *at = strchr(from, (int)c);
            if (c == 0 || at == NULL || !put(&buf, &len, &cap, (unsigned char)to[at - from])) goto fail;
            continue;
        }
        if (!hex4(r, &cp)) goto fail;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low;
            if (r->n - r->pos < 6 || r->s[r->pos] != '\\' || r->s[r->pos + 1] != 'u') goto fail;
            r->pos += 2;
            if (!hex4(r, &low) || low < 0xDC00 || low > 0xDFFF) goto fail;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (cp < 0x80) {
            if (!put(&buf, &len, &cap, cp)) goto fail;
        } else if (cp < 0x800) {
            if (!put(&buf, &len, &cap, 0xC0 | (cp >> 6)) || !put(&buf, &len, &cap, 0x80 | (cp & 63))) goto fail;
        } else if (cp < 0x10000) {
            if (!put(&buf, &len, &cap, 0xE0 | (cp >> 12)) || !put(&buf, &len, &cap, 0x80 | ((cp >> 6) & 63))
                || !put(&buf, &len, &cap, 0x80 | (cp & 63))) goto fail;
        } else {
            if (!put(&buf, &len, &cap, 0xF0 | (cp >> 18)) || !put(&buf, &len, &cap, 0x80 | ((cp >> 12) & 63))
                || !put(&buf, &len, &cap, 0x80 | ((cp >> 6) & 63)) || !put(&buf, &len, &cap, 0x80 | (cp & 63))) goto fail;
        }
    }
    *out = buf;
    *out_len = len;
    return 1;
fail:
    free(buf);
    return 0;
}

static int value(reader *r, jd *out);

static int push(jd *container, jd *item, char *name, size_t name_len)
{
    jd *items = realloc(container->items, (container->n + 1) * sizeof *items);
    if (items == NULL) return 0;
    container->items = items;
    if (container->type == JD_OBJECT) {
        char **names = realloc(container->names, (container->n + 1) * sizeof *names);
        size_t *lens;
        if (names == NULL) return 0;
        container->names = names;
        lens = realloc(container->name_lens, (container->n + 1) * sizeof *lens);
        if (lens == NULL) return 0;
        container->name_lens = lens;
        container->names[container->n] = name;
        container->name_lens[container->n] = name_len;
    }
    container->items[container->n++] = *item;
    return 1;
}

static int container(reader *r, jd *out, jd_type type)
{
    char closer = type == JD_OBJECT ? '}' : ']';
    out->type = type;
    r->pos++;
    ws(r);
    if (r->pos < r->n && r->s[r->pos] == closer) {
        r->pos++;
        return 1;
    }
    for (;;) {
        jd item;
        char *name = NULL;
        size_t name_len = 0;
        memset(&item, 0, sizeof item);
        if (type == JD_OBJECT) {
            if (r->pos >= r->n || r->s[r->pos] != '"' || !string(r, &name, &name_len)) return 0;
            ws(r);
            if (r->pos >= r->n || r->s[r->pos] != ':') { free(name); return 0; }
            r->pos++;
            ws(r);
        }
        if (!value(r, &item) || !push(out, &item, name, name_len)) {
            clear(&item);
            free(name);
            return 0;
        }
        ws(r);
        if (r->pos >= r->n) return 0;
        if (r->s[r->pos] == ',') {
            r->pos++;
            ws(r);
            continue;
        }
        if (r->s[r->pos] != closer) return 0;
        r->pos++;
        return 1;
    }
}

static int value(reader *r, jd *out)
{
    char c;
    memset(out, 0, sizeof *out);
    if (r->pos >= r->n) return 0;
    c = r->s[r->pos];
    if (c == '{') return container(r, out, JD_OBJECT);
    if (c == '[') return container(r, out, JD_ARRAY);
    if (c == '"') {
        out->type = JD_STRING;
        return string(r, &out->text, &out->len);
    }
    if (r->n - r->pos >= 4 && memcmp(r->s + r->pos, "null", 4) == 0) { out->type = JD_NULL; r->pos += 4; return 1; }
    if (r->n - r->pos >= 4 && memcmp(r->s + r->pos, "true", 4) == 0) { out->type = JD_TRUE; r->pos += 4; return 1; }
    if (r->n - r->pos >= 5 && memcmp(r->s + r->pos, "false", 5) == 0) { out->type = JD_FALSE; r->pos += 5; return 1; }
    if (c == '-' || (c >= '0' && c <= '9')) {
        size_t start = r->pos;
        while (r->pos < r->n && strchr("+-0123456789.eE", r->s[r->pos]) != NULL && r->s[r->pos] != '\0') r->pos++;
        out->type = JD_NUMBER;
        out->len = r->pos - start;
        out->text = malloc(out->len + 1);
        if (out->text == NULL) return 0;
        memcpy(out->text, r->s + start, out->len);
        out->text[out->len] = '\0';
        return 1;
    }
    return 0;
}

jd *jd_parse(const char *text, size_t len)
{
    reader r;
    jd *doc = calloc(1, sizeof *doc);
    if (doc == NULL) return NULL;
    r.s = text;
    r.n = len;
    r.pos = 0;
    ws(&r);
    if (!value(&r, doc)) {
        jd_free(doc);
        return NULL;
    }
    ws(&r);
    if (r.pos != r.n) {
        jd_free(doc);
        return NULL;
    }
    return doc;
}

const jd *jd_get(const jd *object, const char *name)
{
    size_t i, len = strlen(name);
    if (object == NULL || object->type != JD_OBJECT) return NULL;
    for (i = 0; i < object->n; i++) {
        if (object->name_lens[i] == len && memcmp(object->names[i], name, len) == 0) return &object->items[i];
    }
    return NULL;
}

static int is_integer_text(const jd *v)
{
    return strpbrk(v->text, ".eE") == NULL;
}

int jd_equal(const jd *a, const jd *b)
{
    size_t i, j;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case JD_NULL:
    case JD_TRUE:
    case JD_FALSE:
        return 1;
    case JD_STRING:
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
    case JD_NUMBER:
        if (is_integer_text(a) && is_integer_text(b)) {
            const char *x = strcmp(a->text, "-0") == 0 ? "0" : a->text;
            const char *y = strcmp(b->text, "-0") == 0 ? "0" : b->text;
            return strcmp(x, y) == 0;
        }
        return strtod(a->text, NULL) == strtod(b->text, NULL);
    case JD_ARRAY:
        if (a->n != b->n) return 0;
        for (i = 0; i < a->n; i++) {
            if (!jd_equal(&a->items[i], &b->items[i])) return 0;
        }
        return 1;
    case JD_OBJECT:
        if (a->n != b->n) return 0;
        for (i = 0; i < a->n; i++) {
            int found = 0;
            for (j = 0; j < b->n && !found; j++) {
                found = a->name_lens[i] == b->name_lens[j] && memcmp(a->names[i], b->names[j], a->name_lens[i]) == 0
                        && jd_equal(&a->items[i], &b->items[j]);
            }
            if (!found) return 0;
        }
        return 1;
    }
    return 0;
}

static void write_string(FILE *f, const char *s, size_t len)
{
    size_t i;
    fputc('"', f);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void write_value(FILE *f, const jd *v)
{
    size_t i;
    switch (v->type) {
    case JD_NULL: fputs("null", f); return;
    case JD_TRUE: fputs("true", f); return;
    case JD_FALSE: fputs("false", f); return;
    case JD_NUMBER: fputs(v->text, f); return;
    case JD_STRING: write_string(f, v->text, v->len); return;
    case JD_ARRAY:
    case JD_OBJECT:
        fputc(v->type == JD_ARRAY ? '[' : '{', f);
        for (i = 0; i < v->n; i++) {
            if (i > 0) fputc(',', f);
            if (v->type == JD_OBJECT) {
                write_string(f, v->names[i], v->name_lens[i]);
                fputc(':', f);
            }
            write_value(f, &v->items[i]);
        }
        fputc(v->type == JD_ARRAY ? ']' : '}', f);
        return;
    }
}

char *jd_write(const jd *value)
{
    FILE *f = tmpfile();
    long size;
    char *out;
    if (f == NULL) return NULL;
    write_value(f, value);
    size = ftell(f);
    out = malloc((size_t)size + 1);
    if (out != NULL) {
        rewind(f);
        out[fread(out, 1, (size_t)size, f)] = '\0';
    }
    fclose(f);
    return out;
}
