package dev.licensemint.verify;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser and a compact writer, so the library needs nothing beyond the JDK.
 *
 * <p>Values map to Java as: object → unmodifiable {@code Map<String, Object>} (insertion
 * order), array → unmodifiable {@code List<Object>}, string → {@code String}, true/false →
 * {@code Boolean}, null → {@code null}, a number written as an integer (no fraction, no
 * exponent) → {@code Long} (or {@code BigInteger} past the range of long), any other number
 * → {@code Double}.
 *
 * <p>Strict means: only space, tab, LF and CR as whitespace; no trailing commas, comments,
 * single quotes, leading zeros or lone surrogate escapes; control characters inside strings
 * must be escaped; duplicate member names in any object are refused; exactly one value with
 * nothing after it. The parser is iterative, so deep nesting cannot overflow the stack.
 */
final class Json {
    private Json() {}

    /** Why a text is not strict JSON; the message says where. */
    static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;

        JsonException(String message, int at) {
            super(message + " at offset " + at);
        }
    }

    /** Parses one JSON text. */
    static Object parse(String text) throws JsonException {
        Parser parser = new Parser(text);
        parser.skipWhitespace();
        Object value = parser.value();
        parser.skipWhitespace();
        if (parser.at != text.length()) {
            throw new JsonException("text after the JSON value", parser.at);
        }
        return value;
    }

    /** Compact JSON for a value of the shapes {@link #parse} returns. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            writeString((String) value, out);
        } else if (value instanceof Boolean || value instanceof Long || value instanceof BigInteger
                || value instanceof Integer) {
            out.append(value);
        } else if (value instanceof Double) {
            double d = (Double) value;
            out.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!first) out.append(',');
                first = false;
                writeString(String.valueOf(e.getKey()), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List) {
            out.append('[');
            boolean first = true;
            for (Object item : (List<?>) value) {
                if (!first) out.append(',');
                first = false;
                write(item, out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    /** One open object or array while parsing. */
    private static final class Frame {
        final Map<String, Object> object;
        final List<Object> array;
        String name;

        Frame(Map<String, Object> object, List<Object> array) {
            this.object = object;
            this.array = array;
        }

        Object container() {
            return object != null ? Collections.unmodifiableMap(object) : Collections.unmodifiableList(array);
        }
    }

    private static final class Parser {
        final String s;
        int at;

        Parser(String s) {
            this.s = s;
        }

        void skipWhitespace() {
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') at++;
                else break;
            }
        }

        char peek() throws JsonException {
            if (at >= s.length()) throw new JsonException("unexpected end", at);
            return s.charAt(at);
        }

        void expect(char c) throws JsonException {
            if (peek() != c) throw new JsonException("expected '" + c + "'", at);
            at++;
        }

        Object value() throws JsonException {
            Deque<Frame> stack = new ArrayDeque<>();
            while (true) {
                // Start of a value.
                Object done;
                char c = peek();
                if (c == '{') {
                    at++;
                    skipWhitespace();
                    if (peek() == '}') {
                        at++;
                        done = Collections.unmodifiableMap(new LinkedHashMap<String, Object>());
                    } else {
                        Frame frame = new Frame(new LinkedHashMap<>(), null);
                        frame.name = memberName();
                        stack.push(frame);
                        continue;
                    }
                } else if (c == '[') {
                    at++;
                    skipWhitespace();
                    if (peek() == ']') {
                        at++;
                        done = Collections.unmodifiableList(new ArrayList<Object>());
                    } else {
                        stack.push(new Frame(null, new ArrayList<>()));
                        continue;
                    }
                } else {
                    done = scalar();
                }
                // A value is complete: hand it to its container, closing containers as needed.
                while (true) {
                    Frame top = stack.peek();
                    if (top == null) return done;
                    if (top.object != null) {
                        if (top.object.containsKey(top.name)) {
                            throw new JsonException("duplicate member name", at);
                        }
                        top.object.put(top.name, done);
                    } else {
                        top.array.add(done);
                    }
                    skipWhitespace();
                    char next = peek();
                    at++;
                    if (next == ',') {
                        skipWhitespace();
                        if (top.object != null) top.name = memberName();
                        break;
                    }
                    if (next == (top.object != null ? '}' : ']')) {
                        stack.pop();
                        done = top.container();
                        continue;
                    }
                    throw new JsonException("expected ',' or the end of the " + (top.object != null ? "object" : "array"), at - 1);
                }
            }
        }

        /** `"name" ws ":" ws`, leaving the position at the member's value. */
        String memberName() throws JsonException {
            if (peek() != '"') throw new JsonException("expected a member name", at);
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            return name;
        }

        Object scalar() throws JsonException {
            char c = peek();
            if (c == '"') return string();
            if (c == '-' || (c >= '0' && c <= '9')) return number();
            if (s.startsWith("true", at)) { at += 4; return Boolean.TRUE; }
            if (s.startsWith("false", at)) { at += 5; return Boolean.FALSE; }
            if (s.startsWith("null", at)) { at += 4; return null; }
            throw new JsonException("unexpected character", at);
        }

        Object number() throws JsonException {
            int start = at;
            if (s.charAt(at) == '-') at++;
            if (at < s.length() && s.charAt(at) == '0') {
                at++;
            } else if (at < s.length() && s.charAt(at) >= '1' && s.charAt(at) <= '9') {
                while (at < s.length() && isDigit(s.charAt(at))) at++;
            } else {
                throw new JsonException("bad number", at);
            }
            boolean integer = true;
            if (at < s.length() && s.charAt(at) == '.') {
                integer = false;
                at++;
                if (at >= s.length() || !isDigit(s.charAt(at))) throw new JsonException("bad fraction", at);
                while (at < s.length() && isDigit(s.charAt(at))) at++;
            }
            if (at < s.length() && (s.charAt(at) == 'e' || s.charAt(at) == 'E')) {
                integer = false;
                at++;
                if (at < s.length() && (s.charAt(at) == '+' || s.charAt(at) == '-')) at++;
                if (at >= s.length() || !isDigit(s.charAt(at))) throw new JsonException("bad exponent", at);
                while (at < s.length() && isDigit(s.charAt(at))) at++;
            }
            String text = s.substring(start, at);
            if (!integer) return Double.parseDouble(text);
            BigInteger big = new BigInteger(text);
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }

        static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        String string() throws JsonException {
            at++; // opening quote
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= s.length()) throw new JsonException("unterminated string", at);
                char c = s.charAt(at++);
                if (c == '"') return out.toString();
                if (c < 0x20) throw new JsonException("unescaped control character in a string", at - 1);
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= s.length()) throw new JsonException("unterminated escape", at);
                char e = s.charAt(at++);
                switch (e) {
                    case '"': out.append('"'); break;
                    case '\\': out.append('\\'); break;
                    case '/': out.append('/'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'n': out.append('\n'); break;
                    case 'r': out.append('\r'); break;
                    case 't': out.append('\t'); break;
                    case 'u': {
                        char unit = hex4();
                        if (Character.isHighSurrogate(unit)) {
                            if (!s.startsWith("\\u", at)) throw new JsonException("lone surrogate escape", at);
                            at += 2;
                            char low = hex4();
                            if (!Character.isLowSurrogate(low)) throw new JsonException("lone surrogate escape", at - 6);
                            out.append(unit).append(low);
                        } else if (Character.isLowSurrogate(unit)) {
                            throw new JsonException("lone surrogate escape", at - 6);
                        } else {
                            out.append(unit);
                        }
                        break;
                    }
                    default:
                        throw new JsonException("bad escape", at - 1);
                }
            }
        }

        char hex4() throws JsonException {
            if (at + 4 > s.length()) throw new JsonException("short \\u escape", at);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(s.charAt(at + i), 16);
                char ch = s.charAt(at + i);
                boolean ascii = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
                if (d < 0 || !ascii) throw new JsonException("bad \\u escape", at + i);
                v = v * 16 + d;
            }
            at += 4;
            return (char) v;
        }
    }
}
