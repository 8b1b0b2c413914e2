/*
 * licensemint_verify.c: see licensemint_verify.h. The checks run in the order of the key-format
 * spec; the first failing one decides the code. Nothing here allocates; the payload parser is
 * iterative and keeps its state in about 20 KB of stack.
 */
#include "licensemint_verify.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#define MAX_SAFE_INTEGER 9007199254740991LL /* 2^53 - 1 */

const char *lm_code_name(lm_code code)
{
    switch (code) {
    case LM_VALID: return "VALID";
    case LM_EXPIRED: return "EXPIRED";
    case LM_BAD_SIGNATURE: return "BAD_SIGNATURE";
    case LM_MALFORMED: return "MALFORMED";
    }
    return "MALFORMED";
}

int lm_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

/* ---- base64 ---------------------------------------------------------------------------- */

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64_value(unsigned char c, int url)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == (url ? '-' : '+')) return 62;
    if (c == (url ? '_' : '/')) return 63;
    return -1;
}

/*
 * Canonical unpadded base64 of `n` characters: non-empty, length not 1 mod 4, every character
 * in the alphabet, the unused low bits of the last character zero. The decoded length, or -1
 * (also when it would exceed `cap`).
 */
static long b64_decode(const char *s, size_t n, int url, unsigned char *out, size_t cap)
{
    unsigned acc = 0;
    int bits = 0;
    size_t i, o = 0;
    if (n == 0 || n % 4 == 1 || n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > cap) return -1;
    for (i = 0; i < n; i++) {
        int v = b64_value((unsigned char)s[i], url);
        if (v < 0) return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1u;
        }
    }
    return acc == 0 ? (long)o : -1;
}

static void b64url_encode(const unsigned char *data, size_t n, char *out)
{
    unsigned acc = 0;
    int bits = 0;
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = B64URL[(acc >> bits) & 63u];
        }
        acc &= (1u << bits) - 1u;
    }
    if (bits > 0) out[o++] = B64URL[(acc << (6 - bits)) & 63u];
    out[o] = '\0';
}

static int is_strippable(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int lm_load_public_key(lm_public_key *out, const char *text, size_t text_len)
{
    size_t start = 0, end = text_len;
    unsigned char digest[crypto_hash_sha256_BYTES];
    long got;
    memset(out, 0, sizeof *out);
    if (text == NULL) return -1;
    while (start < end && is_strippable((unsigned char)text[start])) start++;
    while (end > start && is_strippable((unsigned char)text[end - 1])) end--;
    if (end - start == 44 && text[end - 1] == '=' && text[end - 2] != '=') {
        got = b64_decode(text + start, 43, 0, out->raw, sizeof out->raw); /* standard, padded */
    } else if (end - start == 43) {
        got = b64_decode(text + start, 43, 1, out->raw, sizeof out->raw); /* base64url, no padding */
    } else {
        got = -1;
    }
    if (got != 32) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    crypto_hash_sha256(digest, out->raw, sizeof out->raw);
    b64url_encode(digest, 8, out->kid);
    return 0;
}

void lm_machine_hash(const char *fingerprint, size_t fingerprint_len, char out[65])
{
    static const char HEX[] = "0123456789abcdef";
    unsigned char digest[crypto_hash_sha256_BYTES];
    size_t i;
    crypto_hash_sha256(digest, (const unsigned char *)fingerprint, (unsigned long long)fingerprint_len);
    for (i = 0; i < sizeof digest; i++) {
        out[2 * i] = HEX[digest[i] >> 4];
        out[2 * i + 1] = HEX[digest[i] & 15];
    }
    out[64] = '\0';
}

/* ---- strict UTF-8 ---------------------------------------------------------------------- */

/* RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF, no truncated sequences. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], cp;
        size_t need, k;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1Fu; }
        else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0Fu; }
        else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07u; }
        else return 0;
        if (n - i - 1 < need) return 0;
        for (k = 1; k <= need; k++) {
            unsigned cc = s[i + k];
            if ((cc & 0xC0u) != 0x80u) return 0;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
        if (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
        i += need + 1;
    }
    return 1;
}

/* ---- strict JSON (RFC 8259) for the payload --------------------------------------------- */

enum json_type { J_NONE, J_STRING, J_INT, J_NUMBER, J_TRUE, J_FALSE, J_NULL, J_OBJECT, J_ARRAY };

enum claim { C_V, C_LID, C_PRODUCT, C_TIER, C_SEATS, C_IAT, C_EXP, C_TEST, C_NAME, C_MACHINE, N_CLAIMS };
static const char *const CLAIM_NAMES[N_CLAIMS] = {"v", "lid", "product", "tier", "seats",
                                                   "iat", "exp", "test", "name", "machine"};

typedef struct member_info {
    enum json_type type;
    int in_range;  /* J_INT within ±(2^53-1) */
    int64_t value; /* J_INT when in_range */
} member_info;

/* A member name of an open object: `len` unescaped bytes at `off` in the pool; len 0xFFFF marks an object's start. */
typedef struct name_ref {
    uint16_t off, len;
} name_ref;
#define OBJECT_MARK 0xFFFFu

typedef struct parser {
    const unsigned char *s;
    size_t n, pos;
    size_t depth;
    unsigned char open[LM_MAX_PAYLOAD]; /* '{' or '[' per open container */
    unsigned char pool[LM_MAX_PAYLOAD]; /* unescaped names of the open objects */
    size_t pool_used;
    name_ref names[LM_MAX_PAYLOAD];
    size_t n_names;
    int claim;  /* the claim the current top-level member is, or -1 */
    int is_lease;
    member_info info[N_CLAIMS];
    lm_claims *claims;
} parser;

static void skip_ws(parser *p)
{
    while (p->pos < p->n && is_strippable(p->s[p->pos])) p->pos++;
}

static int peek(const parser *p)
{
    return p->pos < p->n ? p->s[p->pos] : -1;
}

static int hex4(parser *p, unsigned *out)
{
    size_t k;
    unsigned v = 0;
    if (p->n - p->pos < 4) return 0;
    for (k = 0; k < 4; k++) {
        unsigned char c = p->s[p->pos + k];
        unsigned d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10u;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10u;
        else return 0;
        v = v * 16u + d;
    }
    p->pos += 4;
    *out = v;
    return 1;
}

/* Appends byte b to dest (if any); the unescaped text is never longer than the source. */
#define PUT(b) do { if (dest != NULL) { if (len >= cap) return 0; dest[len] = (unsigned char)(b); } len++; } while (0)

/* A string at p->pos (the opening quote); its unescaped UTF-8 goes to dest when not NULL. */
static int parse_string(parser *p, unsigned char *dest, size_t cap, size_t *out_len)
{
    size_t len = 0;
    p->pos++;
    for (;;) {
        unsigned c, e, cp;
        if (p->pos >= p->n) return 0;
        c = p->s[p->pos++];
        if (c == '"') break;
        if (c < 0x20) return 0;
        if (c != '\\') {
            PUT(c);
            continue;
        }
        if (p->pos >= p->n) return 0;
        e = p->s[p->pos++];
        switch (e) {
        case '"': PUT('"'); continue;
        case '\\': PUT('\\'); continue;
        case '/': PUT('/'); continue;
        case 'b': PUT('\b'); continue;
        case 'f': PUT('\f'); continue;
        case 'n': PUT('\n'); continue;
        case 'r': PUT('\r'); continue;
        case 't': PUT('\t'); continue;
        case 'u': break;
        default: return 0;
        }
        if (!hex4(p, &cp)) return 0;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return 0; /* a lone low surrogate */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low;
            if (p->n - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') return 0;
            p->pos += 2;
            if (!hex4(p, &low) || low < 0xDC00 || low > 0xDFFF) return 0;
            cp = 0x10000u + ((cp - 0xD800u) << 10) + (low - 0xDC00u);
        }
        if (cp < 0x80) {
            PUT(cp);
        } else if (cp < 0x800) {
            PUT(0xC0u | (cp >> 6));
            PUT(0x80u | (cp & 0x3Fu));
        } else if (cp < 0x10000) {
            PUT(0xE0u | (cp >> 12));
            PUT(0x80u | ((cp >> 6) & 0x3Fu));
            PUT(0x80u | (cp & 0x3Fu));
        } else {
            PUT(0xF0u | (cp >> 18));
            PUT(0x80u | ((cp >> 12) & 0x3Fu));
            PUT(0x80u | ((cp >> 6) & 0x3Fu));
            PUT(0x80u | (cp & 0x3Fu));
        }
    }
    if (out_len != NULL) *out_len = len;
    return 1;
}
#undef PUT

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int parse_number(parser *p, member_info *info)
{
    int negative = 0, integer = 1;
    size_t digits = 0;
    int64_t value = 0;
    if (peek(p) == '-') {
        negative = 1;
        p->pos++;
    }
    if (peek(p) == '0') {
        p->pos++;
        digits = 1;
    } else if (is_digit(peek(p))) {
        while (is_digit(peek(p))) {
            if (digits < 17) value = value * 10 + (p->s[p->pos] - '0');
            digits++;
            p->pos++;
        }
    } else {
        return 0;
    }
    if (peek(p) == '.') {
        integer = 0;
        p->pos++;
        if (!is_digit(peek(p))) return 0;
        while (is_digit(peek(p))) p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        integer = 0;
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-') p->pos++;
        if (!is_digit(peek(p))) return 0;
        while (is_digit(peek(p))) p->pos++;
    }
    info->type = integer ? J_INT : J_NUMBER;
    info->in_range = integer && digits <= 16 && value <= MAX_SAFE_INTEGER;
    info->value = info->in_range ? (negative ? -value : value) : 0;
    return 1;
}

static int literal(parser *p, const char *word)
{
    size_t k = strlen(word);
    if (p->n - p->pos < k || memcmp(p->s + p->pos, word, k) != 0) return 0;
    p->pos += k;
    return 1;
}

/* Where a top-level string claim's text goes, if this kind of token has that claim. */
static lm_string *claim_string(parser *p, int claim)
{
    switch (claim) {
    case C_LID: return &p->claims->lid;
    case C_PRODUCT: return &p->claims->product;
    case C_TIER: return &p->claims->tier;
    case C_NAME: return p->is_lease ? NULL : &p->claims->name;
    case C_MACHINE: return p->is_lease ? &p->claims->machine : NULL;
    default: return NULL;
    }
}

static int scalar(parser *p, member_info *info)
{
    int c = peek(p);
    if (c == '"') {
        lm_string *dest = p->depth == 1 && p->claim >= 0 ? claim_string(p, p->claim) : NULL;
        info->type = J_STRING;
        if (dest == NULL) return parse_string(p, NULL, 0, NULL);
        if (!parse_string(p, (unsigned char *)dest->text, LM_MAX_PAYLOAD, &dest->len)) return 0;
        dest->text[dest->len] = '\0';
        return 1;
    }
    if (c == '-' || is_digit(c)) return parse_number(p, info);
    if (literal(p, "true")) { info->type = J_TRUE; return 1; }
    if (literal(p, "false")) { info->type = J_FALSE; return 1; }
    if (literal(p, "null")) { info->type = J_NULL; return 1; }
    return 0;
}

/* `"name" ws ":" ws` inside the innermost object: refuses a name the object already has. */
static int member_name(parser *p)
{
    size_t len, i, start = p->pool_used;
    if (peek(p) != '"') return 0;
    if (!parse_string(p, p->pool + start, sizeof p->pool - start, &len)) return 0;
    for (i = p->n_names; i > 0 && p->names[i - 1].len != OBJECT_MARK; i--) {
        const name_ref *other = &p->names[i - 1];
        if (other->len == len && memcmp(p->pool + other->off, p->pool + start, len) == 0) return 0;
    }
    if (p->n_names >= sizeof p->names / sizeof p->names[0]) return 0;
    p->names[p->n_names].off = (uint16_t)start;
    p->names[p->n_names].len = (uint16_t)len;
    p->n_names++;
    p->pool_used += len;
    if (p->depth == 1) {
        int k;
        p->claim = -1;
        for (k = 0; k < N_CLAIMS; k++) {
            if (strlen(CLAIM_NAMES[k]) == len && memcmp(CLAIM_NAMES[k], p->pool + start, len) == 0) p->claim = k;
        }
    }
    skip_ws(p);
    if (peek(p) != ':') return 0;
    p->pos++;
    skip_ws(p);
    return 1;
}

static int open_container(parser *p, unsigned char kind)
{
    if (p->depth >= sizeof p->open) return 0;
    p->open[p->depth++] = kind;
    if (kind == '{') {
        if (p->n_names >= sizeof p->names / sizeof p->names[0]) return 0;
        p->names[p->n_names].off = (uint16_t)p->pool_used;
        p->names[p->n_names].len = OBJECT_MARK;
        p->n_names++;
    }
    return 1;
}

static void close_container(parser *p)
{
    if (p->open[--p->depth] == '{') {
        while (p->names[p->n_names - 1].len != OBJECT_MARK) p->n_names--;
        p->n_names--;
        p->pool_used = p->names[p->n_names].off;
    }
}

/* One strict JSON text whose top level is an object; the top-level claims land in p->info. */
static int parse_payload(parser *p)
{
    skip_ws(p);
    if (peek(p) != '{') return 0;
    for (;;) {
        member_info value;
        int c = peek(p);
        memset(&value, 0, sizeof value);
        if (c == '{' || c == '[') {
            unsigned char closer = c == '{' ? '}' : ']';
            p->pos++;
            if (!open_container(p, (unsigned char)c)) return 0;
            skip_ws(p);
            if (peek(p) != closer) {
                if (c == '{' && !member_name(p)) return 0;
                continue; /* to the container's first value */
            }
            p->pos++;
            close_container(p);
            value.type = c == '{' ? J_OBJECT : J_ARRAY;
        } else if (!scalar(p, &value)) {
            return 0;
        }
        /* A value is complete: give it to its container, closing containers as they end. */
        for (;;) {
            unsigned char top;
            if (p->depth == 0) {
                skip_ws(p);
                return p->pos == p->n;
            }
            top = p->open[p->depth - 1];
            if (p->depth == 1 && p->claim >= 0) p->info[p->claim] = value;
            skip_ws(p);
            c = peek(p);
            p->pos++;
            if (c == ',') {
                skip_ws(p);
                if (top == '{' && !member_name(p)) return 0;
                break;
            }
            if (c != (top == '{' ? '}' : ']')) return 0;
            close_container(p);
            memset(&value, 0, sizeof value);
            value.type = top == '{' ? J_OBJECT : J_ARRAY;
        }
    }
}

/* ---- claims ----------------------------------------------------------------------------- */

static int safe_int(const member_info *m, int64_t *out)
{
    if (m->type != J_INT || !m->in_range) return 0;
    *out = m->value;
    return 1;
}

/* Step 11: required claims present and typed; NULL when fine, else the reason. */
static const char *check_claims(const parser *p, lm_claims *c)
{
    const member_info *in = p->info;
    if (!safe_int(&in[C_V], &c->v)) return "claim v is missing or not a safe JSON integer";
    if (c->v != 1) return "unsupported format version";
    if (in[C_LID].type != J_STRING) return "claim lid is missing or not a string";
    if (in[C_PRODUCT].type != J_STRING) return "claim product is missing or not a string";
    if (in[C_TIER].type != J_STRING) return "claim tier is missing or not a string";
    if (!safe_int(&in[C_IAT], &c->iat)) return "claim iat is missing or not a safe JSON integer";
    if (p->is_lease) {
        if (!safe_int(&in[C_EXP], &c->exp)) return "claim exp is missing or not a safe JSON integer";
        c->has_exp = 1;
        if (in[C_MACHINE].type != J_STRING) return "claim machine is missing or not a string";
        c->has_machine = 1;
    } else {
        if (!safe_int(&in[C_SEATS], &c->seats)) return "claim seats is missing or not a safe JSON integer";
        c->has_seats = 1;
        if (in[C_EXP].type != J_NONE && in[C_EXP].type != J_NULL) {
            if (!safe_int(&in[C_EXP], &c->exp)) return "claim exp is not null or a safe JSON integer";
            c->has_exp = 1;
        }
        if (in[C_NAME].type != J_NONE) {
            if (in[C_NAME].type != J_STRING) return "claim name is not a string";
            c->has_name = 1;
        }
    }
    if (in[C_TEST].type != J_NONE && in[C_TEST].type != J_TRUE && in[C_TEST].type != J_FALSE) {
        return "claim test is not a boolean";
    }
    c->test = in[C_TEST].type == J_TRUE;
    return NULL;
}

/* ---- the checks, in order --------------------------------------------------------------- */

static lm_code finish(lm_result *out, lm_code code, const char *detail)
{
    out->code = code;
    out->detail = detail;
    return code;
}

static lm_code verify(const lm_public_key *keys, size_t n_keys, const char *token, size_t token_len,
                      int64_t now, int is_lease, lm_result *out)
{
    const char *prefix = is_lease ? "LEASE1" : "LIC1";
    size_t start = 0, end = token_len, len, i, dots[3], n_dots = 0;
    const unsigned char *t;
    unsigned char kid[8], sig[64];
    unsigned char *payload = (unsigned char *)out->claims.payload;
    long payload_len;
    int known = 0, signed_ok = 0;
    parser p;
    const char *problem;

    memset(out, 0, sizeof *out);
    if (token == NULL) return finish(out, LM_MALFORMED, "no token");
    /* 1.-4. Strip ASCII SP HT CR LF only; non-empty; printable ASCII only; at most 4096 bytes. */
    while (start < end && is_strippable((unsigned char)token[start])) start++;
    while (end > start && is_strippable((unsigned char)token[end - 1])) end--;
    t = (const unsigned char *)token + start;
    len = end - start;
    if (len == 0) return finish(out, LM_MALFORMED, "empty");
    for (i = 0; i < len; i++) {
        if (t[i] < 0x21 || t[i] > 0x7E) return finish(out, LM_MALFORMED, "a character outside printable ASCII");
    }
    if (len > LM_MAX_TOKEN_LENGTH) return finish(out, LM_MALFORMED, "longer than 4096 bytes");
    /* 5.-7. Four parts, the expected prefix, canonical base64url of the right lengths. */
    for (i = 0; i < len; i++) {
        if (t[i] != '.') continue;
        if (n_dots == 3) return finish(out, LM_MALFORMED, "not four dot-separated parts");
        dots[n_dots++] = i;
    }
    if (n_dots != 3) return finish(out, LM_MALFORMED, "not four dot-separated parts");
    if (dots[0] != strlen(prefix) || memcmp(t, prefix, dots[0]) != 0) {
        return finish(out, LM_MALFORMED, is_lease ? "not a LEASE1 token" : "not a LIC1 token");
    }
    if (b64_decode((const char *)t + dots[0] + 1, dots[1] - dots[0] - 1, 1, kid, sizeof kid) != 8
        || (payload_len = b64_decode((const char *)t + dots[1] + 1, dots[2] - dots[1] - 1, 1, payload, LM_MAX_PAYLOAD)) < 1
        || b64_decode((const char *)t + dots[2] + 1, len - dots[2] - 1, 1, sig, sizeof sig) != 64) {
        memset(out, 0, sizeof *out);
        return finish(out, LM_MALFORMED, "kid, payload or signature is not canonical base64url of the right length");
    }
    memcpy(out->kid, t + dots[0] + 1, 11); /* 8 bytes are always 11 characters */
    out->kid[11] = '\0';
    /* 8.-9. The signature over the text as received, before the payload is read. */
    if (sodium_init() < 0) return finish(out, LM_BAD_SIGNATURE, "libsodium could not initialise");
    for (i = 0; i < n_keys && !signed_ok; i++) {
        if (strcmp(keys[i].kid, out->kid) != 0) continue;
        known = 1;
        signed_ok = crypto_sign_verify_detached(sig, t, dots[2], keys[i].raw) == 0;
    }
    if (!known || !signed_ok) {
        memset(&out->claims, 0, sizeof out->claims);
        return finish(out, LM_BAD_SIGNATURE, known ? "signature does not verify" : "unknown kid");
    }
    /* 10. Strict UTF-8, no BOM, one strict JSON object; 11. its claims. */
    out->claims.payload_len = (size_t)payload_len;
    out->claims.payload[payload_len] = '\0';
    problem = NULL;
    if (payload_len >= 3 && payload[0] == 0xEF && payload[1] == 0xBB && payload[2] == 0xBF) {
        problem = "payload starts with a byte order mark";
    } else if (!utf8_valid(payload, (size_t)payload_len)) {
        problem = "payload is not UTF-8";
    } else {
        memset(&p, 0, sizeof p);
        p.s = payload;
        p.n = (size_t)payload_len;
        p.claim = -1;
        p.is_lease = is_lease;
        p.claims = &out->claims;
        if (!parse_payload(&p)) problem = "payload is not one strict JSON object";
        else problem = check_claims(&p, &out->claims);
    }
    if (problem != NULL) {
        memset(&out->claims, 0, sizeof out->claims);
        return finish(out, LM_MALFORMED, problem);
    }
    out->has_claims = 1;
    /* 12.-13. */
    if (now == LM_NOW_SYSTEM) now = (int64_t)time(NULL);
    if (out->claims.has_exp && now >= out->claims.exp) return finish(out, LM_EXPIRED, "expired");
    return finish(out, LM_VALID, "ok");
}

lm_code lm_verify_key(const lm_public_key *keys, size_t n_keys, const char *token, size_t token_len,
                      int64_t now, lm_result *out)
{
    return verify(keys, n_keys, token, token_len, now, 0, out);
}

lm_code lm_verify_lease(const lm_public_key *keys, size_t n_keys, const char *token, size_t token_len,
                        int64_t now, lm_result *out)
{
    return verify(keys, n_keys, token, token_len, now, 1, out);
}
