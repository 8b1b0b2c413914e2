/*
 * licensemint-verify --public-key KEY [--public-key KEY ...] [--lease] [--now UNIX_SECONDS] TOKEN
 *
 * Prints one JSON line {"code": ..., "claims": ...} (claims: the payload object for VALID and
 * EXPIRED, else null) and exits 0 for VALID, 1 otherwise, 2 for a usage error.
 */
#include "licensemint_verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 32

static int usage(const char *problem)
{
    fprintf(stderr, "licensemint-verify: %s\n", problem);
    fprintf(stderr, "usage: licensemint-verify --public-key KEY [--public-key KEY ...] [--lease] [--now UNIX_SECONDS] TOKEN\n");
    return 2;
}

/* The payload on one line: JSON whitespace outside strings dropped (strings hold no raw newline). */
static void print_compact(const char *s, size_t n)
{
    size_t i;
    int in_string = 0, escaped = 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (escaped) escaped = 0;
            else if (c == '\\') escaped = 1;
            else if (c == '"') in_string = 0;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        } else if (c == '"') {
            in_string = 1;
        }
        putchar(c);
    }
}

int main(int argc, char **argv)
{
    static lm_public_key keys[MAX_KEYS];
    static lm_result result;
    size_t n_keys = 0;
    int lease = 0, i;
    int64_t now = LM_NOW_SYSTEM;
    const char *token;
    lm_code code;

    if (lm_init() != 0) {
        fprintf(stderr, "licensemint-verify: libsodium could not initialise\n");
        return 2;
    }
    if (argc < 2) return usage("the token is the last argument");
    for (i = 1; i < argc - 1; i++) {
        if (strcmp(argv[i], "--public-key") == 0 && i + 1 < argc - 1) {
            if (n_keys == MAX_KEYS) return usage("too many --public-key");
            if (lm_load_public_key(&keys[n_keys], argv[i + 1], strlen(argv[i + 1])) != 0) {
                return usage("a public key is base64url (or padded base64) of 32 bytes");
            }
            n_keys++;
            i++;
        } else if (strcmp(argv[i], "--lease") == 0) {
            lease = 1;
        } else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc - 1) {
            char *end;
            long long value;
            errno = 0;
            value = strtoll(argv[i + 1], &end, 10);
            if (errno != 0 || end == argv[i + 1] || *end != '\0') return usage("--now takes Unix seconds, an integer");
            now = (int64_t)value;
            i++;
        } else {
            return usage("unexpected argument before the token");
        }
    }
    token = argv[argc - 1];
    if (strcmp(token, "--lease") == 0 || strcmp(token, "--public-key") == 0 || strcmp(token, "--now") == 0) {
        return usage("the token is the last argument");
    }
    if (n_keys == 0) return usage("give at least one --public-key");
    code = lease ? lm_verify_lease(keys, n_keys, token, strlen(token), now, &result)
                 : lm_verify_key(keys, n_keys, token, strlen(token), now, &result);
    printf("{\"code\":\"%s\",\"claims\":", lm_code_name(code));
    if (result.has_claims) print_compact(result.claims.payload, result.claims.payload_len);
    else fputs("null", stdout);
    fputs("}\n", stdout);
    return code == LM_VALID ? 0 : 1;
}
