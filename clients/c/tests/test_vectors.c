/*
 * The C verifier's tests: every case of the shared vector file, every machineHash pair, and
 * rules the file does not reach (checked on payloads signed here with libsodium).
 *
 *   ./build/test_vectors ../vectors/v1.json
 *
 * Prints one line per failure and ends with "N passed, N failed"; exits 1 on any failure, an
 * unreadable vector file, or one without cases.
 */
#include "../licensemint_verify.h"
#include "json_doc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what, const char *detail)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t cap = 0, got;
    *len = 0;
    if (f == NULL) return NULL;
    for (;;) {
        char *grown;
        if (*len == cap) {
            cap = cap * 2 + 65536;
            grown = realloc(data, cap);
            if (grown == NULL) break;
            data = grown;
        }
        got = fread(data + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0) break;
    }
    fclose(f);
    return data;
}

static int string_is(const lm_string *s, const jd *want)
{
    return want != NULL && want->type == JD_STRING && s->len == want->len && memcmp(s->text, want->text, s->len) == 0
           && s->text[s->len] == '\0';
}

static int int_is(int64_t got, const jd *want)
{
    return want != NULL && want->type == JD_NUMBER && strtoll(want->text, NULL, 10) == got;
}

/* The whole payload object, then every typed field of the spec's table; NULL when they agree. */
static const char *compare_claims(const jd *want, const lm_result *r, int lease)
{
    const jd *exp = jd_get(want, "exp"), *test = jd_get(want, "test");
    jd *got = jd_parse(r->claims.payload, r->claims.payload_len);
    int same = got != NULL && jd_equal(want, got);
    jd_free(got);
    if (!same) return "the returned payload differs from the expected claims";
    if (!int_is(r->claims.v, jd_get(want, "v"))) return "v differs";
    if (!string_is(&r->claims.lid, jd_get(want, "lid"))) return "lid differs";
    if (!string_is(&r->claims.product, jd_get(want, "product"))) return "product differs";
    if (!string_is(&r->claims.tier, jd_get(want, "tier"))) return "tier differs";
    if (!int_is(r->claims.iat, jd_get(want, "iat"))) return "iat differs";
    if ((exp == NULL || exp->type == JD_NULL) ? r->claims.has_exp : !(r->claims.has_exp && int_is(r->claims.exp, exp))) {
        return "exp differs";
    }
    if (r->claims.test != (test != NULL && test->type == JD_TRUE)) return "test differs";
    if (lease) {
        if (!r->claims.has_machine || !string_is(&r->claims.machine, jd_get(want, "machine"))) return "machine differs";
        if (r->claims.has_seats || r->claims.has_name) return "a lease reports seats or name";
    } else {
        if (!r->claims.has_seats || !int_is(r->claims.seats, jd_get(want, "seats"))) return "seats differs";
        if (jd_get(want, "name") == NULL ? r->claims.has_name
                                         : !(r->claims.has_name && string_is(&r->claims.name, jd_get(want, "name")))) {
            return "name differs";
        }
        if (r->claims.has_machine) return "a key reports a machine";
    }
    return NULL;
}

static size_t run_vectors(const jd *doc, lm_result *r)
{
    const jd *keys_doc = jd_get(doc, "public_keys"), *cases = jd_get(doc, "cases"), *machines = jd_get(doc, "machines");
    const jd *now_doc = jd_get(doc, "now");
    lm_public_key keys[16];
    size_t n_keys = 0, i;
    int64_t now;
    if (keys_doc == NULL || cases == NULL || now_doc == NULL || cases->type != JD_ARRAY || keys_doc->n > 16) {
        check(0, "the vector file has public_keys, now and cases", NULL);
        return 0;
    }
    now = strtoll(now_doc->text, NULL, 10);
    for (i = 0; i < keys_doc->n; i++) {
        const jd *pk = jd_get(&keys_doc->items[i], "public_key"), *kid = jd_get(&keys_doc->items[i], "kid");
        int loaded = pk != NULL && lm_load_public_key(&keys[n_keys], pk->text, pk->len) == 0;
        check(loaded && kid != NULL && strcmp(keys[n_keys].kid, kid->text) == 0, "public key loads with its kid",
              kid ? kid->text : "?");
        if (loaded) n_keys++;
    }
    for (i = 0; machines != NULL && i < machines->n; i++) {
        const jd *fp = jd_get(&machines->items[i], "fingerprint"), *want = jd_get(&machines->items[i], "machine");
        char hash[65];
        lm_machine_hash(fp->text, fp->len, hash);
        check(strcmp(hash, want->text) == 0, "machineHash", fp->text);
    }
    for (i = 0; i < cases->n; i++) {
        const jd *c = &cases->items[i];
        const jd *name = jd_get(c, "name"), *input = jd_get(c, "input"), *code = jd_get(c, "code"), *kind = jd_get(c, "kind");
        const jd *claims = jd_get(c, "claims");
        int lease = strcmp(kind->text, "lease") == 0;
        char detail[256];
        lm_code got = lease ? lm_verify_lease(keys, n_keys, input->text, input->len, now, r)
                            : lm_verify_key(keys, n_keys, input->text, input->len, now, r);
        if (got != r->code || strcmp(lm_code_name(got), code->text) != 0) {
            snprintf(detail, sizeof detail, "code %s (%s), want %s", lm_code_name(got), r->detail, code->text);
            check(0, name->text, detail);
            continue;
        }
        if (r->has_claims != (got == LM_VALID || got == LM_EXPIRED)) {
            check(0, name->text, "has_claims does not match the code");
            continue;
        }
        if (claims != NULL) {
            const char *mismatch = compare_claims(claims, r, lease);
            check(mismatch == NULL, name->text, mismatch);
        } else {
            check(1, name->text, NULL);
        }
    }
    return cases->n;
}

/* ---- rules the vector file does not reach, on tokens signed here ----------------------- */

static unsigned char test_sk[crypto_sign_SECRETKEYBYTES];
static lm_public_key test_key;

static void b64url(const unsigned char *data, size_t n, char *out)
{
    sodium_bin2base64(out, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), data, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* prefix.kid.payload.sig for `payload`, signed by test_sk; into out (8 KB). */
static size_t sign(const char *prefix, const char *payload, size_t payload_len, char *out)
{
    unsigned char sig[64];
    size_t len;
    len = (size_t)sprintf(out, "%s.%s.", prefix, test_key.kid);
    b64url((const unsigned char *)payload, payload_len, out + len);
    len = strlen(out);
    crypto_sign_detached(sig, NULL, (const unsigned char *)out, len, test_sk);
    out[len++] = '.';
    b64url(sig, sizeof sig, out + len);
    return strlen(out);
}

static void expect_payload(lm_result *r, const char *payload, size_t payload_len, lm_code want, const char *what)
{
    static char token[8192];
    size_t len = sign("LIC1", payload, payload_len, token);
    lm_code got = lm_verify_key(&test_key, 1, token, len, 1767225600, r);
    char detail[200];
    snprintf(detail, sizeof detail, "got %s (%s)", lm_code_name(got), r->detail);
    check(got == want, what, detail);
}

#define BASE "\"v\":1,\"lid\":\"L\",\"product\":\"P\",\"tier\":\"T\",\"seats\":1,\"iat\":0"

static void run_own_checks(lm_result *r)
{
    unsigned char pk[32], seed[32];
    char text[64], std[64], token[8192], hash[65];
    static char big[6000];
    lm_public_key a, b;
    size_t i, n;

    memset(seed, 7, sizeof seed);
    crypto_sign_seed_keypair(pk, test_sk, seed);
    b64url(pk, 32, text);
    check(lm_load_public_key(&test_key, text, strlen(text)) == 0, "a base64url public key loads", text);
    sodium_bin2base64(std, sizeof std, pk, 32, sodium_base64_VARIANT_ORIGINAL);
    check(lm_load_public_key(&a, std, strlen(std)) == 0 && memcmp(a.raw, pk, 32) == 0 && strcmp(a.kid, test_key.kid) == 0,
          "a padded standard base64 public key loads the same key", std);
    sprintf(big, " %s\r\n", text);
    check(lm_load_public_key(&b, big, strlen(big)) == 0 && memcmp(b.raw, pk, 32) == 0, "whitespace around a public key", NULL);
    {
        const char *bad[] = {"", "AAAA", "-----BEGIN PUBLIC KEY-----", NULL};
        for (i = 0; bad[i] != NULL; i++) check(lm_load_public_key(&a, bad[i], strlen(bad[i])) != 0, "bad public key refused", bad[i]);
        strcpy(big, text);
        strcat(big, "=");
        check(lm_load_public_key(&a, big, strlen(big)) != 0, "base64url with padding refused", big);
        strcpy(big, std);
        big[43] = '\0';
        check(lm_load_public_key(&a, big, 43) != 0 || strpbrk(std, "+/") == NULL, "standard base64 without padding refused", big);
        strcpy(big, text);
        big[42] = big[42] == 'B' ? 'C' : 'B'; /* 'B' and 'C' have non-zero low bits */
        check(lm_load_public_key(&a, big, 43) != 0, "non-canonical public key refused", big);
        check(lm_load_public_key(&a, NULL, 0) != 0, "NULL public key refused", NULL);
    }
    lm_machine_hash("", 0, hash);
    check(strcmp(hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0, "machine hash of \"\"", hash);

    expect_payload(r, "{" BASE "}", strlen("{" BASE "}"), LM_VALID, "a minimal key is valid");
    check(r->claims.has_name == 0 && r->claims.has_exp == 0 && r->claims.test == 0 && strcmp(r->kid, test_key.kid) == 0,
          "absent optional claims read as absent", NULL);
    expect_payload(r, "{" BASE ",\"lid\":\"M\"}", strlen("{" BASE ",\"lid\":\"M\"}"), LM_MALFORMED, "a duplicate claim is MALFORMED");
    expect_payload(r, "{" BASE ",\"l\\u0069d\":\"M\"}", strlen("{" BASE ",\"l\\u0069d\":\"M\"}"), LM_MALFORMED,
                   "a duplicate claim spelled with an escape is MALFORMED");
    expect_payload(r, "{" BASE ",\"x\":{\"a\":1,\"a\":2}}", strlen("{" BASE ",\"x\":{\"a\":1,\"a\":2}}"), LM_MALFORMED,
                   "a duplicate name in a nested unknown claim is MALFORMED");
    expect_payload(r, "{" BASE ",\"x\":[{\"a\":1},{\"a\":2}],\"y\":{\"a\":{\"a\":1}}}",
                   strlen("{" BASE ",\"x\":[{\"a\":1},{\"a\":2}],\"y\":{\"a\":{\"a\":1}}}"), LM_VALID,
                   "the same name in different objects is fine");
    expect_payload(r, "{" BASE ",\"x\":\"\\ud800\"}", strlen("{" BASE ",\"x\":\"\\ud800\"}"), LM_MALFORMED,
                   "a lone high surrogate escape is MALFORMED");
    expect_payload(r, "{" BASE ",\"x\":\"\\udc00\"}", strlen("{" BASE ",\"x\":\"\\udc00\"}"), LM_MALFORMED,
                   "a lone low surrogate escape is MALFORMED");
    expect_payload(r, "{" BASE ",\"x\":1.5e300,\"y\":-0,\"z\":123456789012345678901234567890}",
                   strlen("{" BASE ",\"x\":1.5e300,\"y\":-0,\"z\":123456789012345678901234567890}"), LM_VALID,
                   "any JSON number in an unknown claim is fine");
    {
        const char p[] = "{\"v\":1,\"lid\":\"a\\u0000b\",\"product\":\"\\ud83d\\ude00\",\"tier\":\"T\",\"seats\":1,\"iat\":0,\"name\":\"Zo\\u00eb\"}";
        expect_payload(r, p, sizeof p - 1, LM_VALID, "escapes in claims are decoded");
        check(r->claims.lid.len == 3 && memcmp(r->claims.lid.text, "a\0b", 3) == 0, "a claim with U+0000 keeps its length", NULL);
        check(strcmp(r->claims.product.text, "\xF0\x9F\x98\x80") == 0 && strcmp(r->claims.name.text, "Zo\xC3\xAB") == 0,
              "\\u escapes become UTF-8", NULL);
        check(r->claims.payload_len == sizeof p - 1 && memcmp(r->claims.payload, p, sizeof p) == 0, "the payload is returned", NULL);
    }
    /* Deep nesting inside an unknown claim: no recursion, so no stack to overflow. */
    n = (size_t)sprintf(big, "{" BASE ",\"x\":");
    for (i = 0; i < 1400; i++) big[n++] = '[';
    for (i = 0; i < 1400; i++) big[n++] = ']';
    big[n++] = '}';
    expect_payload(r, big, n, LM_VALID, "1400 nested arrays in an unknown claim");
    /* The biggest payload a 4096-byte key can carry, almost all of it the name. */
    n = (size_t)sprintf(big, "{" BASE ",\"name\":\"");
    while (n < LM_MAX_PAYLOAD - 2) big[n++] = 'n';
    big[n++] = '"';
    big[n++] = '}';
    n = sign("LIC1", big, n, token);
    check(n == LM_MAX_TOKEN_LENGTH, "the largest payload makes a 4096-byte key", NULL);
    check(lm_verify_key(&test_key, 1, token, n, 0, r) == LM_VALID && r->claims.name.len == LM_MAX_PAYLOAD - 2 - strlen("{" BASE ",\"name\":\""),
          "a name filling the whole payload fits its buffer", r->detail);
    n = sign("LEASE1", "{\"v\":1,\"lid\":\"L\",\"product\":\"P\",\"tier\":\"T\",\"machine\":\"m\",\"iat\":0,\"exp\":10,\"name\":5,\"seats\":\"x\"}",
             strlen("{\"v\":1,\"lid\":\"L\",\"product\":\"P\",\"tier\":\"T\",\"machine\":\"m\",\"iat\":0,\"exp\":10,\"name\":5,\"seats\":\"x\"}"), token);
    check(lm_verify_lease(&test_key, 1, token, n, 9, r) == LM_VALID && r->claims.has_exp && r->claims.exp == 10 && !r->claims.has_name
              && !r->claims.has_seats && strcmp(r->claims.machine.text, "m") == 0,
          "a lease ignores name and seats (not lease claims)", r->detail);
    check(lm_verify_lease(&test_key, 1, token, n, LM_NOW_SYSTEM, r) == LM_EXPIRED, "LM_NOW_SYSTEM reads the clock", r->detail);
    check(lm_verify_key(&test_key, 1, token, n, 0, r) == LM_MALFORMED, "a key verifier refuses a lease", NULL);
    check(lm_verify_key(&test_key, 1, NULL, 0, 0, r) == LM_MALFORMED, "a NULL token is MALFORMED", NULL);
    check(lm_verify_key(NULL, 0, " \t", 2, 0, r) == LM_MALFORMED && !r->has_claims, "a blank token is MALFORMED", NULL);
    n = sign("LIC1", "{" BASE "}", strlen("{" BASE "}"), token);
    check(lm_verify_key(NULL, 0, token, n, 0, r) == LM_BAD_SIGNATURE && strcmp(r->kid, test_key.kid) == 0,
          "no trusted keys: BAD_SIGNATURE, kid reported", NULL);
    token[n - 1] = token[n - 1] == 'A' ? 'Q' : 'A';
    check(lm_verify_key(&test_key, 1, token, n, 0, r) != LM_VALID, "a changed signature is not valid", NULL);
    check(strcmp(lm_code_name(LM_EXPIRED), "EXPIRED") == 0 && strcmp(lm_code_name(LM_BAD_SIGNATURE), "BAD_SIGNATURE") == 0,
          "code names", NULL);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "../vectors/v1.json";
    size_t len, cases = 0, machines = 0;
    char *text;
    jd *doc = NULL;
    lm_result *r = malloc(sizeof *r);
    if (r == NULL || lm_init() != 0) {
        printf("cannot initialise\n0 passed, 1 failed\n");
        return 1;
    }
    text = read_file(path, &len);
    if (text != NULL) doc = jd_parse(text, len);
    if (doc == NULL) {
        printf("cannot read the vector file %s\n", path);
        failed++;
    } else {
        cases = run_vectors(doc, r);
        machines = jd_get(doc, "machines") != NULL ? jd_get(doc, "machines")->n : 0;
    }
    run_own_checks(r);
    printf("%lu vector cases, %lu machine hashes\n", (unsigned long)cases, (unsigned long)machines);
    printf("%d passed, %d failed\n", passed, failed);
    jd_free(doc);
    free(text);
    free(r);
    return failed == 0 && cases > 0 ? 0 : 1;
}
