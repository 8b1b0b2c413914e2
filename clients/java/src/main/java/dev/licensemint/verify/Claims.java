package dev.licensemint.verify;

import java.util.Map;

/**
 * The claims of a well-signed token (license key or lease). Immutable.
 *
 * <p>Typed getters cover the claims of the key-format spec; {@link #getRaw()} is the whole
 * payload object, unknown claims included. Nullable getters (Kotlin sees them as platform
 * types; treat them as {@code T?}): {@link #getSeats()} (null for a lease), {@link #getExp()}
 * (null = perpetual key), {@link #getName()} (null when absent), {@link #getMachine()} (null
 * for a license key).
 */
public final class Claims {
    private final long v;
    private final String lid;
    private final String product;
    private final String tier;
    private final Long seats;
    private final long iat;
    private final Long exp;
    private final boolean test;
    private final String name;
    private final String machine;
    private final Map<String, Object> raw;

    Claims(long v, String lid, String product, String tier, Long seats, long iat, Long exp, boolean test,
            String name, String machine, Map<String, Object> raw) {
        this.v = v;
        this.lid = lid;
        this.product = product;
        this.tier = tier;
        this.seats = seats;
        this.iat = iat;
        this.exp = exp;
        this.test = test;
        this.name = name;
        this.machine = machine;
        this.raw = raw;
    }

    /** Format version; always 1 here. */
    public long getV() { return v; }

    /** License id. */
    public String getLid() { return lid; }

    /** Product id from the seller's catalog. */
    public String getProduct() { return product; }

    /** Tier id. */
    public String getTier() { return tier; }

    /** Machines the license may activate; null for a lease. */
    public Long getSeats() { return seats; }

    /** Issued at, Unix seconds UTC. */
    public long getIat() { return iat; }

    /** Expiry, Unix seconds UTC; null = perpetual (license keys only; a lease always has one). */
    public Long getExp() { return exp; }

    /** A Gumroad test purchase (absent = false): treat as valid, you may show "test license". */
    public boolean isTest() { return test; }

    /** Licensee name, or null when the key carries none. */
    public String getName() { return name; }

    /** Lease only: lowercase hex SHA-256 of the machine fingerprint; compare with {@link Verifier#machineHash}. Null for keys. */
    public String getMachine() { return machine; }

    /**
     * The whole payload object (unmodifiable, in payload order): String, Long (or BigInteger),
     * Double, Boolean, null, List and Map values, as {@code Json} maps them.
     */
    public Map<String, Object> getRaw() { return raw; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Claims && raw.equals(((Claims) o).raw);
    }

    @Override
    public int hashCode() {
        return raw.hashCode();
    }

    /** Compact JSON of the whole payload. */
    @Override
    public String toString() {
        return Json.write(raw);
    }
}
