package dev.licensemint.verify;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -cp licensemint-verify.jar dev.licensemint.verify.Cli --public-key K [--public-key K2] [--lease] [--now N] TOKEN}
 *
 * <p>Prints one JSON line {@code {"code": ..., "claims": ...}} (claims null unless VALID or
 * EXPIRED) and exits 0 for VALID, 1 otherwise, 2 for a usage error.
 */
public final class Cli {
    private Cli() {}

    private static final List<String> FLAGS = List.of("--public-key", "--lease", "--now");

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        List<String> keys = new ArrayList<>();
        boolean lease = false;
        Long now = null;
        String token = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i == args.length - 1 && !FLAGS.contains(arg)) {
                token = arg;
            } else if (arg.equals("--public-key") && i + 1 < args.length - 1) {
                keys.add(args[++i]);
            } else if (arg.equals("--lease")) {
                lease = true;
            } else if (arg.equals("--now") && i + 1 < args.length - 1) {
                try {
                    now = Long.parseLong(args[++i]);
                } catch (NumberFormatException e) {
                    return usage("--now takes Unix seconds, an integer");
                }
            } else {
                return usage("unexpected argument " + (arg.startsWith("--") ? arg : "before the token"));
            }
        }
        if (token == null) return usage("the token is the last argument");
        if (keys.isEmpty()) return usage("give at least one --public-key");
        Verifier verifier;
        try {
            verifier = Verifier.ofText(keys);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        long at = now != null ? now : Verifier.nowSeconds();
        VerifyResult result = lease ? verifier.verifyLease(token, at) : verifier.verifyKey(token, at);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("code", result.getCode().name());
        line.put("claims", result.getClaims() == null ? null : result.getClaims().getRaw());
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        out.println(Json.write(line));
        out.flush();
        return result.isValid() ? 0 : 1;
    }

    private static int usage(String problem) {
        System.err.println("licensemint-verify: " + problem);
        System.err.println("usage: java -cp licensemint-verify.jar dev.licensemint.verify.Cli --public-key KEY [--public-key KEY ...] [--lease] [--now UNIX_SECONDS] TOKEN");
        return 2;
    }
}
