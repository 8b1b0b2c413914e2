package dev.licensemint.verify;

/**
 * What a verification found. Immutable. {@link #getClaims()} is non-null exactly for VALID and
 * EXPIRED; {@link #getKid()} is the token's kid once the token parsed far enough to have one
 * (null for most MALFORMED answers).
 */
public final class VerifyResult {
    private final Code code;
    private final Claims claims;
    private final String kid;
    private final String detail;

    VerifyResult(Code code, Claims claims, String kid, String detail) {
        this.code = code;
        this.claims = claims;
        this.kid = kid;
        this.detail = detail;
    }

    public Code getCode() { return code; }

    /** True only for {@link Code#VALID}. */
    public boolean isValid() { return code == Code.VALID; }

    /** The claims for VALID and EXPIRED, else null. */
    public Claims getClaims() { return claims; }

    /** The token's kid, or null when the token did not parse that far. */
    public String getKid() { return kid; }

    /** A short English reason for logs and support (never contains the token). */
    public String getDetail() { return detail; }

    @Override
    public String toString() {
        return "VerifyResult(" + code + ", " + detail + ")";
    }
}
