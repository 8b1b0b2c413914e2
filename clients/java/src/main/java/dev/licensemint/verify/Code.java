package dev.licensemint.verify;

/** The offline answers; the first failing check of the key-format spec decides which. */
public enum Code {
    /** Well formed, signed by one of the given keys, not expired. */
    VALID,
    /** Well formed and well signed, but {@code now >= exp}; the claims are still returned. */
    EXPIRED,
    /** Unknown kid, or the signature does not verify (any tampering lands here). */
    BAD_SIGNATURE,
    /** Not a token of the expected kind, or a well-signed payload that breaks the claim rules. */
    MALFORMED
}
