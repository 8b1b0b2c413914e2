/*
 * licensemint_verify: offline verification of licensemint license keys (LIC1.…) and machine
 * leases (LEASE1.…), key format 1.0 (docs/key-format.md). C99; depends on libsodium only.
 *
 *   lm_public_key key;
 *   lm_result result;   (about 19 KB: claims live in fixed buffers, see below)
 *   if (lm_init() != 0 || lm_load_public_key(&key, pk_text, strlen(pk_text)) != 0) abort();
 *   if (lm_verify_key(&key, 1, token, strlen(token), LM_NOW_SYSTEM, &result) == LM_VALID)
 *       printf("licensed: %s\n", result.claims.product.text);
 *
 * Memory: nothing is allocated. Every claim string is copied into a fixed-size buffer inside
 * lm_result (a key is at most 4096 bytes, so its payload is at most LM_MAX_PAYLOAD bytes and no
 * claim can be longer). The result is plain data: copy it, keep it, no free function. Strings
 * are NUL-terminated for convenience AND carry a length, because a JSON string may contain
 * U+0000 ("\u0000"); compare with the length when that matters.
 *
 * Thread safety: every function is reentrant once lm_init() has returned 0.
 */
#ifndef LICENSEMINT_VERIFY_H
#define LICENSEMINT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest token accepted, in bytes, after surrounding whitespace is removed. */
#define LM_MAX_TOKEN_LENGTH 4096
/* The most payload bytes a 4096-byte LIC1 token can carry: (4096 - 5 - 11 - 1 - 1 - 86) / 4 * 3. */
#define LM_MAX_PAYLOAD 2994
/* Pass as `now` to use the system clock (time(NULL)). */
#define LM_NOW_SYSTEM INT64_MIN

/* The offline answers; the first failing check of the spec decides which. */
typedef enum lm_code {
    LM_VALID = 0,         /* well formed, signed by a given key, not expired */
    LM_EXPIRED = 1,       /* well signed, but now >= exp; claims are still returned */
    LM_BAD_SIGNATURE = 2, /* unknown kid, or the signature does not verify */
    LM_MALFORMED = 3      /* not a token of the expected kind, or unreadable claims */
} lm_code;

/* "VALID", "EXPIRED", "BAD_SIGNATURE" or "MALFORMED". */
const char *lm_code_name(lm_code code);

/* One trusted public key: the raw Ed25519 key and its kid (NUL-terminated, 11 characters). */
typedef struct lm_public_key {
    unsigned char raw[32];
    char kid[12];
} lm_public_key;

/* A claim string: `len` bytes of UTF-8 in `text`, followed by a NUL. */
typedef struct lm_string {
    size_t len;
    char text[LM_MAX_PAYLOAD + 1];
} lm_string;

typedef struct lm_claims {
    int64_t v;          /* always 1 */
    lm_string lid;      /* license id */
    lm_string product;  /* product id from the seller's catalog */
    lm_string tier;     /* tier id */
    int has_seats;      /* 1 for license keys */
    int64_t seats;      /* machines the license may activate (keys only) */
    int64_t iat;        /* issued at, Unix seconds UTC */
    int has_exp;        /* 0: perpetual key (exp absent or null); always 1 for a lease */
    int64_t exp;        /* expiry, Unix seconds UTC; expired when now >= exp */
    int test;           /* 1: a Gumroad test purchase (treat as valid; may show "test license") */
    int has_name;       /* keys only: 1 when the key carries the licensee's name */
    lm_string name;
    int has_machine;    /* leases only (always 1 there) */
    lm_string machine;  /* lowercase hex SHA-256 of the machine fingerprint; see lm_machine_hash */
    size_t payload_len; /* the whole decoded payload, a strict JSON object in UTF-8, for any */
    char payload[LM_MAX_PAYLOAD + 1]; /* claim this struct does not name (unknown claims) */
} lm_claims;

typedef struct lm_result {
    lm_code code;
    int has_claims;     /* 1 exactly for LM_VALID and LM_EXPIRED */
    char kid[12];       /* the token's kid once it parsed that far, else "" */
    const char *detail; /* a short static English reason for logs (never the token) */
    lm_claims claims;   /* meaningful only when has_claims */
} lm_result;

/* Initialises libsodium; call once before anything else. 0 on success, -1 on failure. */
int lm_init(void);

/*
 * Loads a public key from its published text: base64url without padding of the raw 32 bytes
 * (43 characters, as GET /v1/keys and `licensemint keygen` print it), or standard base64 with
 * padding (44 characters). Surrounding ASCII whitespace is ignored. 0 on success, -1 if the
 * text is neither (out is then zeroed).
 */
int lm_load_public_key(lm_public_key *out, const char *text, size_t text_len);

/*
 * Verifies a license key (LIC1) given as `token_len` bytes (UTF-8; any bytes are accepted and
 * judged) against `n_keys` trusted keys, at `now` (Unix seconds UTC, or LM_NOW_SYSTEM).
 * Fills *out and returns out->code. Never fails for a bad token: every input gets a code.
 */
lm_code lm_verify_key(const lm_public_key *keys, size_t n_keys, const char *token, size_t token_len,
                      int64_t now, lm_result *out);

/*
 * As lm_verify_key for a machine lease (LEASE1). A VALID lease holds on this machine only if
 * out->claims.machine equals lm_machine_hash(this machine's fingerprint): the app compares.
 */
lm_code lm_verify_lease(const lm_public_key *keys, size_t n_keys, const char *token, size_t token_len,
                        int64_t now, lm_result *out);

/* Lowercase hex SHA-256 of the fingerprint's bytes (its UTF-8), 64 characters + NUL into out. */
void lm_machine_hash(const char *fingerprint, size_t fingerprint_len, char out[65]);

#ifdef __cplusplus
}
#endif

#endif
