/* The README's usage example, compiled by `make` so it cannot go stale: example PUBLIC_KEY LICENSE_KEY */
#include "licensemint_verify.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static lm_result r; /* about 19 KB: static, or malloc it, rather than on a small stack */
    lm_public_key key;
    if (argc != 3 || lm_init() != 0 || lm_load_public_key(&key, argv[1], strlen(argv[1])) != 0) return 2;
    switch (lm_verify_key(&key, 1, argv[2], strlen(argv[2]), LM_NOW_SYSTEM, &r)) {
    case LM_VALID: printf("licensed: %s%s\n", r.claims.product.text, r.claims.test ? " (test purchase)" : ""); break;
    case LM_EXPIRED: printf("expired: renew %s\n", r.claims.product.text); break;
    default: printf("not a valid key: %s\n", lm_code_name(r.code));
    }
    return r.code == LM_VALID ? 0 : 1;
}
