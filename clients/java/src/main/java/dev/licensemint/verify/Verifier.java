package dev.licensemint.verify;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Offline verification of licensemint license keys ({@code LIC1.…}) and machine leases
 * ({@code LEASE1.…}) against a fixed list of public keys. Immutable and thread-safe.
 *
 * <pre>{@code
 * Verifier verifier = Verifier.of("PUBLIC_KEY_FROM_GET_/v1/keys");
 * VerifyResult result = verifier.verifyKey(licenseKeyText);
 * if (result.isValid()) unlock(result.getClaims().getProduct());
 * }</pre>
 *
 * <p>Never throws for a bad token: every input gets a {@link Code}. The checks run in the
 * order of the key-format spec (docs/key-format.md); the first failing one decides.
 */
public final class Verifier {
    /** The longest token accepted, in bytes after surrounding whitespace is removed. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    static final long MAX_SAFE_INTEGER = 9007199254740991L; // 2^53 - 1

    private final List<VerifyKey> keys;

    public Verifier(Collection<VerifyKey> keys) {
        this.keys = Collections.unmodifiableList(new ArrayList<>(keys));
    }

    /** A verifier for public keys in the published text encoding; see {@link VerifyKey#parse}. */
    public static Verifier of(String... publicKeys) {
        return ofText(Arrays.asList(publicKeys));
    }

    /** As {@link #of(String...)} for a collection. */
    public static Verifier ofText(Collection<String> publicKeys) {
        List<VerifyKey> parsed = new ArrayList<>();
        for (String text : publicKeys) parsed.add(VerifyKey.parse(text));
        return new Verifier(parsed);
    }

    public List<VerifyKey> getKeys() {
        return keys;
    }

    /** Checks a license key ({@code LIC1}) at the system clock. */
    public VerifyResult verifyKey(String token) {
        return verifyKey(token, nowSeconds());
    }

    /** Checks a license key ({@code LIC1}) at {@code now}, Unix seconds UTC. */
    public VerifyResult verifyKey(String token, long now) {
        return verify(token, Kind.KEY, now);
    }

    /** Checks a machine lease ({@code LEASE1}) at the system clock. */
    public VerifyResult verifyLease(String token) {
        return verifyLease(token, nowSeconds());
    }

    /**
     * Checks a machine lease ({@code LEASE1}) at {@code now}. A VALID lease is valid on this
     * machine only if {@code claims.getMachine()} equals {@link #machineHash} of this machine's
     * fingerprint: that comparison is the app's.
     */
    public VerifyResult verifyLease(String token, long now) {
        return verify(token, Kind.LEASE, now);
    }

    /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code fingerprint} (64 characters). */
    public static String machineHash(String fingerprint) {
        byte[] digest = VerifyKey.sha256(fingerprint.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(64);
        for (byte b : digest) hex.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
        return hex.toString();
    }

    static long nowSeconds() {
        return Math.floorDiv(System.currentTimeMillis(), 1000L);
    }

    enum Kind {
        KEY("LIC1"), LEASE("LEASE1");

        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    private static VerifyResult fail(Code code, String kid, String detail) {
        return new VerifyResult(code, null, kid, detail);
    }

    private VerifyResult verify(String input, Kind kind, long now) {
        if (input == null) return fail(Code.MALFORMED, null, "no token");
        // 1. Only ASCII space, tab, CR and LF are removed, and only around the token.
        int start = 0;
        int end = input.length();
        while (start < end && isStrippable(input.charAt(start))) start++;
        while (end > start && isStrippable(input.charAt(end - 1))) end--;
        String token = input.substring(start, end);
        // 2.-4. Non-empty, printable ASCII only (so chars = bytes), at most 4096 bytes.
        if (token.isEmpty()) return fail(Code.MALFORMED, null, "empty");
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) return fail(Code.MALFORMED, null, "a character outside printable ASCII");
        }
        if (token.length() > MAX_TOKEN_LENGTH) return fail(Code.MALFORMED, null, "longer than 4096 bytes");
        // 5.-7. Four parts, the expected prefix, canonical base64url of the right lengths.
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4) return fail(Code.MALFORMED, null, "not four dot-separated parts");
        if (!parts[0].equals(kind.prefix)) return fail(Code.MALFORMED, null, "not a " + kind.prefix + " token");
        byte[] kidBytes = Base64Url.decode(parts[1]);
        byte[] payload = Base64Url.decode(parts[2]);
        byte[] sig = Base64Url.decode(parts[3]);
        if (kidBytes == null || payload == null || sig == null) {
            return fail(Code.MALFORMED, null, "a part is not canonical unpadded base64url");
        }
        if (kidBytes.length != 8) return fail(Code.MALFORMED, null, "kid is not 8 bytes");
        if (sig.length != 64) return fail(Code.MALFORMED, null, "signature is not 64 bytes");
        String kid = parts[1];
        // 8.-9. The signature, over the text as received, before anything reads the payload.
        boolean known = false;
        boolean signed = false;
        byte[] message = (parts[0] + "." + parts[1] + "." + parts[2]).getBytes(StandardCharsets.US_ASCII);
        for (VerifyKey key : keys) {
            if (!key.getKid().equals(kid)) continue;
            known = true;
            if (signatureHolds(key, message, sig)) {
                signed = true;
                break;
            }
        }
        if (!known) return fail(Code.BAD_SIGNATURE, kid, "unknown kid");
        if (!signed) return fail(Code.BAD_SIGNATURE, kid, "signature does not verify");
        // 10. Strict UTF-8, no BOM, one strict JSON object.
        if (payload.length >= 3 && (payload[0] & 0xff) == 0xEF && (payload[1] & 0xff) == 0xBB && (payload[2] & 0xff) == 0xBF) {
            return fail(Code.MALFORMED, kid, "payload starts with a byte order mark");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString();
        } catch (CharacterCodingException e) {
            return fail(Code.MALFORMED, kid, "payload is not UTF-8");
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.JsonException e) {
            return fail(Code.MALFORMED, kid, "payload is not strict JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map)) return fail(Code.MALFORMED, kid, "payload is not a JSON object");
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = (Map<String, Object>) parsed;
        // 11. Claims present and of their types.
        Claims claims;
        try {
            claims = readClaims(raw, kind);
        } catch (IllegalArgumentException e) {
            return fail(Code.MALFORMED, kid, e.getMessage());
        }
        // 12.-13.
        if (claims.getExp() != null && now >= claims.getExp()) {
            return new VerifyResult(Code.EXPIRED, claims, kid, "expired");
        }
        return new VerifyResult(Code.VALID, claims, kid, "ok");
    }

    private static boolean isStrippable(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean signatureHolds(VerifyKey key, byte[] message, byte[] sig) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key.jcaKey());
            verifier.update(message);
            return verifier.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // the JDK throws for some undecodable signatures: they do not verify
        }
    }

    private static Claims readClaims(Map<String, Object> raw, Kind kind) {
        long v = integer(raw, "v", true);
        if (v != 1) throw new IllegalArgumentException("unsupported version " + v);
        String lid = string(raw, "lid", true);
        String product = string(raw, "product", true);
        String tier = string(raw, "tier", true);
        Long seats = kind == Kind.KEY ? integer(raw, "seats", true) : null;
        long iat = integer(raw, "iat", true);
        Long exp;
        if (kind == Kind.LEASE) {
            exp = integer(raw, "exp", true);
        } else {
            exp = raw.get("exp") == null ? null : integer(raw, "exp", true);
        }
        Object test = raw.get("test");
        if (raw.containsKey("test") && !(test instanceof Boolean)) throw new IllegalArgumentException("claim test is not a boolean");
        String name = kind == Kind.KEY ? string(raw, "name", false) : null;
        String machine = kind == Kind.LEASE ? string(raw, "machine", true) : null;
        return new Claims(v, lid, product, tier, seats, iat, exp, Boolean.TRUE.equals(test), name, machine, raw);
    }

    private static String string(Map<String, Object> raw, String claim, boolean required) {
        if (!raw.containsKey(claim)) {
            if (required) throw new IllegalArgumentException("claim " + claim + " is missing");
            return null;
        }
        Object value = raw.get(claim);
        if (!(value instanceof String)) throw new IllegalArgumentException("claim " + claim + " is not a string");
        return (String) value;
    }

    /** A JSON integer (no fraction, no exponent) within ±(2^53−1). */
    private static Long integer(Map<String, Object> raw, String claim, boolean required) {
        if (!raw.containsKey(claim)) {
            if (required) throw new IllegalArgumentException("claim " + claim + " is missing");
            return null;
        }
        Object value = raw.get(claim);
        if (!(value instanceof Long)) throw new IllegalArgumentException("claim " + claim + " is not a JSON integer");
        long n = (Long) value;
        if (n > MAX_SAFE_INTEGER || n < -MAX_SAFE_INTEGER) throw new IllegalArgumentException("claim " + claim + " is out of range");
        return n;
    }
}
