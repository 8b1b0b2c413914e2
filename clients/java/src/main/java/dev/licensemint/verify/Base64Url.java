package dev.licensemint.verify;

/** Canonical base64 decoding: the checks the JDK's decoders do not make (trailing bits, length). */
final class Base64Url {
    private Base64Url() {}

    private static final String URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final String STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /** Unpadded canonical base64url, or null: non-empty, alphabet A-Z a-z 0-9 - _, length not 1 mod 4, unused low bits zero. */
    static byte[] decode(String text) {
        return decode(text, URL);
    }

    /** Standard base64 with its padding (length a multiple of 4), canonical; or null. */
    static byte[] decodeStandardPadded(String text) {
        if (text.isEmpty() || text.length() % 4 != 0) return null;
        int end = text.length();
        if (text.charAt(end - 1) == '=') end--;
        if (text.charAt(end - 1) == '=') end--;
        if (end % 4 == 1) return null;
        if ((text.length() - end) != (4 - end % 4) % 4) return null;
        return decode(text.substring(0, end), STD);
    }

    private static byte[] decode(String text, String alphabet) {
        int n = text.length();
        if (n == 0 || n % 4 == 1) return null;
        byte[] out = new byte[n * 3 / 4];
        int acc = 0;
        int bits = 0;
        int o = 0;
        for (int i = 0; i < n; i++) {
            int v = alphabet.indexOf(text.charAt(i));
            if (v < 0) return null;
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (byte) (acc >> bits);
                acc &= (1 << bits) - 1;
            }
        }
        if (acc != 0) return null; // non-canonical: stray low bits in the last character
        return out;
    }

    static String encode(byte[] data) {
        StringBuilder out = new StringBuilder();
        int acc = 0;
        int bits = 0;
        for (byte b : data) {
            acc = (acc << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 6) {
                bits -= 6;
                out.append(URL.charAt((acc >> bits) & 63));
            }
            acc &= (1 << bits) - 1;
        }
        if (bits > 0) out.append(URL.charAt((acc << (6 - bits)) & 63));
        return out.toString();
    }
}
