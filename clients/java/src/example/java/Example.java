import dev.licensemint.verify.Verifier;
import dev.licensemint.verify.VerifyResult;

/** The README's usage example, compiled by build.sh so it cannot go stale. */
public final class Example {
    public static void main(String[] args) {
        Verifier verifier = Verifier.of(args[0]);             // public key from GET /v1/keys
        VerifyResult result = verifier.verifyKey(args[1]);    // the buyer's license key
        switch (result.getCode()) {
            case VALID: System.out.println("licensed: " + result.getClaims().getProduct()
                    + (result.getClaims().isTest() ? " (test purchase)" : "")); break;
            case EXPIRED: System.out.println("expired; renew " + result.getClaims().getProduct()); break;
            default: System.out.println("not a valid key: " + result.getCode());
        }
        System.out.println("this machine: " + Verifier.machineHash("fingerprint of this machine"));
    }
}
