package dev.licensemint.verify;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/**
 * One licensemint public key: the raw 32-byte Ed25519 key and its kid. Immutable.
 *
 * <p>{@link #parse} takes the published encoding (base64url without padding of the raw 32
 * bytes, 43 characters, as {@code GET /v1/keys} and {@code licensemint keygen} print it) and
 * also standard base64 with padding (44 characters).
 */
public final class VerifyKey {
    private final byte[] raw;
    private final String kid;
    private final PublicKey jcaKey;

    private VerifyKey(byte[] raw) {
        this.raw = raw.clone();
        this.kid = kidOf(raw);
        this.jcaKey = toJca(raw);
    }

    /**
     * A key from its text; surrounding whitespace is ignored.
     *
     * @throws IllegalArgumentException if the text is not 32 bytes in either base64 encoding,
     *     or not an Ed25519 point the JDK accepts
     */
    public static VerifyKey parse(String text) {
        String t = text.trim();
        // 32 bytes in padded standard base64 always end in '='; without one it must be base64url.
        byte[] raw = t.endsWith("=") ? Base64Url.decodeStandardPadded(t) : Base64Url.decode(t);
        if (raw == null) {
            throw new IllegalArgumentException("a licensemint public key is base64url (or padded base64) of 32 bytes");
        }
        return fromRaw(raw);
    }

    /** A key from the raw 32 bytes. */
    public static VerifyKey fromRaw(byte[] raw) {
        if (raw.length != 32) throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + raw.length);
        return new VerifyKey(raw);
    }

    /** base64url-nopad(SHA-256(raw)[0:8]): the kid that keys signed by this key carry. */
    public String getKid() {
        return kid;
    }

    /** A copy of the raw 32 bytes. */
    public byte[] getRaw() {
        return raw.clone();
    }

    /** The key in the published encoding (base64url, no padding). */
    public String encoded() {
        return Base64Url.encode(raw);
    }

    PublicKey jcaKey() {
        return jcaKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifyKey && Arrays.equals(raw, ((VerifyKey) o).raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "VerifyKey(kid=" + kid + ")";
    }

    private static String kidOf(byte[] raw) {
        return Base64Url.encode(Arrays.copyOf(sha256(raw), 8));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /**
     * RFC 8032 encoding: y little-endian in 255 bits, the top bit of the last byte is x's
     * parity. EdECPoint wants y as a (big-endian) BigInteger and the parity as a flag.
     */
    private static PublicKey toJca(byte[] raw) {
        byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++) bigEndian[i] = raw[31 - i];
        boolean xOdd = (bigEndian[0] & 0x80) != 0;
        bigEndian[0] &= 0x7f;
        EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, bigEndian));
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key the JDK accepts: " + e.getMessage(), e);
        }
    }
}
