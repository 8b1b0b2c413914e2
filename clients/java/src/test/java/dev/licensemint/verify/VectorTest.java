package dev.licensemint.verify;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The library's tests, without a test framework: every case of the shared vector file, every
 * machineHash pair, and the loader and parser rules the vectors do not reach.
 *
 * <p>{@code java -cp build/classes:build/test-classes dev.licensemint.verify.VectorTest [path/to/v1.json]}
 * prints one line per failure and ends with {@code N passed, N failed}; exits 1 on any failure,
 * on an unreadable vector file, or when it has no cases.
 */
public final class VectorTest {
    private int passed;
    private final List<String> failures = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path file = Paths.get(args.length > 0 ? args[0] : "../vectors/v1.json");
        VectorTest t = new VectorTest();
        Map<String, Object> vectors;
        try {
            vectors = t.load(file);
        } catch (Exception e) {
            System.out.println("cannot read the vector file " + file + ": " + e);
            System.out.println("0 passed, 1 failed");
            System.exit(1);
            return;
        }
        int cases = t.runVectors(vectors);
        Object machines = vectors.get("machines");
        int machineCount = machines instanceof List ? ((List<?>) machines).size() : 0;
        t.runOwnChecks();
        for (String f : t.failures) System.out.println("FAIL " + f);
        System.out.println(cases + " vector cases, " + machineCount + " machine hashes");
        System.out.println(t.passed + " passed, " + t.failures.size() + " failed");
        System.exit(t.failures.isEmpty() && cases > 0 ? 0 : 1);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> load(Path file) throws Exception {
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
        return (Map<String, Object>) Json.parse(text);
    }

    private void check(boolean ok, String what) {
        if (ok) passed++;
        else failures.add(what);
    }

    @SuppressWarnings("unchecked")
    private int runVectors(Map<String, Object> vectors) {
        long now = (Long) vectors.get("now");
        List<VerifyKey> keys = new ArrayList<>();
        for (Object o : (List<Object>) vectors.get("public_keys")) {
            Map<String, Object> entry = (Map<String, Object>) o;
            VerifyKey key = VerifyKey.parse((String) entry.get("public_key"));
            check(key.getKid().equals(entry.get("kid")), "kid of public key " + entry.get("kid") + " computes as " + key.getKid());
            keys.add(key);
        }
        Verifier verifier = new Verifier(keys);
        Object machines = vectors.get("machines");
        if (machines != null) {
            for (Object o : (List<Object>) machines) {
                Map<String, Object> m = (Map<String, Object>) o;
                String got = Verifier.machineHash((String) m.get("fingerprint"));
                check(got.equals(m.get("machine")), "machineHash(" + Json.write(m.get("fingerprint")) + ") = " + got + ", want " + m.get("machine"));
            }
        }
        List<Object> cases = (List<Object>) vectors.get("cases");
        for (Object o : cases) {
            Map<String, Object> c = (Map<String, Object>) o;
            String name = (String) c.get("name");
            String input = (String) c.get("input");
            boolean lease = "lease".equals(c.get("kind"));
            VerifyResult r = lease ? verifier.verifyLease(input, now) : verifier.verifyKey(input, now);
            String want = (String) c.get("code");
            if (!r.getCode().name().equals(want)) {
                check(false, name + ": code " + r.getCode() + " (" + r.getDetail() + "), want " + want);
                continue;
            }
            boolean hasClaims = r.getCode() == Code.VALID || r.getCode() == Code.EXPIRED;
            if (hasClaims != (r.getClaims() != null)) {
                check(false, name + ": claims present=" + (r.getClaims() != null) + " for " + r.getCode());
                continue;
            }
            if (c.containsKey("claims")) {
                String mismatch = compareClaims((Map<String, Object>) c.get("claims"), r.getClaims(), lease);
                check(mismatch == null, name + ": " + mismatch);
            } else {
                check(true, name);
            }
        }
        return cases.size();
    }

    /** The whole object, then every typed field of the spec's table; null when they agree. */
    static String compareClaims(Map<String, Object> want, Claims got, boolean lease) {
        if (got == null) return "no claims returned";
        if (!want.equals(got.getRaw())) return "claims " + Json.write(got.getRaw()) + ", want " + Json.write(want);
        List<String> diff = new ArrayList<>();
        field(diff, "v", want.get("v"), got.getV());
        field(diff, "lid", want.get("lid"), got.getLid());
        field(diff, "product", want.get("product"), got.getProduct());
        field(diff, "tier", want.get("tier"), got.getTier());
        field(diff, "iat", want.get("iat"), got.getIat());
        field(diff, "exp", want.get("exp"), got.getExp());
        field(diff, "test", Boolean.TRUE.equals(want.get("test")), got.isTest());
        if (lease) {
            field(diff, "machine", want.get("machine"), got.getMachine());
        } else {
            field(diff, "seats", want.get("seats"), got.getSeats());
            field(diff, "name", want.get("name"), got.getName());
        }
        return diff.isEmpty() ? null : "typed claims differ: " + diff;
    }

    private static void field(List<String> diff, String name, Object want, Object got) {
        if (!Objects.equals(want, got)) diff.add(name + "=" + got + " want " + want);
    }

    /** Rules the vector file does not exercise: key loading, the parser, the CLI's exit codes. */
    private void runOwnChecks() {
        // A real Ed25519 public key whose encodings use '-', '_', '+' and '/'.
        String url = "nubilT8qgRnr7z6UA0M_brz7GjlKHPQg-1T1LlPbalQ";
        VerifyKey a = VerifyKey.parse(url);
        String std = java.util.Base64.getEncoder().encodeToString(a.getRaw());
        check(VerifyKey.parse(std).equals(a), "standard padded base64 loads the same key");
        check(VerifyKey.parse(" " + url + "\n").equals(a), "surrounding whitespace around a public key is ignored");
        check(a.encoded().equals(url), "encoded() gives the published encoding back");
        check(std.equals("nubilT8qgRnr7z6UA0M/brz7GjlKHPQg+1T1LlPbalQ="), "the standard encoding differs: " + std);
        for (String bad : new String[] {"", url + "A", url.substring(1), url + "=", url.substring(0, 42) + "Z", std.replace("=", ""), "-----BEGIN PUBLIC KEY-----"}) {
            boolean refused;
            try {
                VerifyKey.parse(bad);
                refused = false;
            } catch (IllegalArgumentException e) {
                refused = true;
            }
            check(refused, "public key text " + Json.write(bad) + " is refused");
        }
        check(Verifier.machineHash("").equals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "machineHash of the empty string");
        Verifier v = new Verifier(List.of(a));
        check(v.verifyKey(null).getCode() == Code.MALFORMED, "a null token is MALFORMED");
        check(v.verifyKey(" \t\r\n").getCode() == Code.MALFORMED, "a blank token is MALFORMED");
        check(v.verifyKey("LIC1.AAAAAAAAAAA.e30." + "A".repeat(86)).getCode() == Code.BAD_SIGNATURE, "an unknown kid is BAD_SIGNATURE at the system clock");
        check(v.verifyLease("LIC1.AAAAAAAAAAA.e30." + "A".repeat(86)).getCode() == Code.MALFORMED, "a lease verifier refuses a key prefix");

        String[] strictRefusals = {
            "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"\\u0062\":2}}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00x\"}",
            "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":1,}", "[1,]", "{\"a\":tru}", "{\"a\":NaN}",
            "{\"a\":\"\t\"}", "{\"a\":\"\\x\"}", "{\"a\":1}x", "{\"a\":1}{}", "\u000b{}", "{}\u00a0", "{'a':1}",
            "{\"a\":\"\\u00g0\"}", "{\"a\" 1}", "", "{\"a\":[}", "[\"\\u0000\"",
        };
        for (String text : strictRefusals) {
            boolean refused;
            try {
                Json.parse(text);
                refused = false;
            } catch (Json.JsonException e) {
                refused = true;
            }
            check(refused, "strict JSON refuses " + Json.write(text));
        }
        try {
            Object o = Json.parse(" {\"a\" : [1, -0, 1.5e3, true, false, null, {}, [], \"\\ud83d\\ude00\\u0000\\/\"]}\r\n");
            check(Json.write(o).equals("{\"a\":[1,0,1500.0,true,false,null,{},[],\"\ud83d\ude00\\u0000/\"]}"), "strict JSON reads every kind of value: " + Json.write(o));
            String deep = "[".repeat(100000) + "]".repeat(100000);
            check(Json.parse(deep) instanceof List, "deep nesting parses without overflowing the stack");
            check(Json.parse("123456789012345678901234567890") instanceof java.math.BigInteger, "a huge integer stays exact");
        } catch (Json.JsonException e) {
            check(false, "strict JSON accepts valid text: " + e.getMessage());
        }
    }
}
