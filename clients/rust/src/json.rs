//! A strict RFC 8259 reader for the payload: one JSON object, nothing before or after it but
//! JSON whitespace, no `NaN`/`Infinity`, no comments, no lone surrogates, no duplicate names.
//! Numbers keep their token text so the claim rules can tell `1` from `1.0` and `1e0`.
//!
//! Only the top-level members are kept as values; a nested array or object is kept as its
//! compact JSON text (no claim of the format is one). Nothing here recurses, so no nesting a
//! 4096-byte token allows can exhaust the stack, whatever thread the app verifies on.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// The number exactly as written (it matched the JSON number grammar).
    Number(String),
    String(String),
    /// An array or object, as compact JSON text.
    Composite(String),
}

/// The members of an object, in the order written; names are unique.
pub(crate) type Members = Vec<(String, Value)>;

/// The largest magnitude an integer claim may have: 2^53 − 1.
pub(crate) const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

impl Value {
    /// The integer a number token stands for when it is written as a JSON integer (no
    /// fraction, no exponent) within ±(2^53 − 1); `None` for anything else.
    pub(crate) fn as_integer(&self) -> Option<i64> {
        let token = match self {
            Value::Number(token) => token,
            _ => return None,
        };
        let (negative, digits) = match token.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, token.as_str()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut n: i64 = 0;
        for b in digits.bytes() {
            n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
            if n > MAX_SAFE_INTEGER {
                return None;
            }
        }
        Some(if negative { -n } else { n })
    }

    /// Compact JSON text of the value: numbers as written, strings escaped only where JSON
    /// requires it.
    pub(crate) fn to_compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(token) | Value::Composite(token) => out.push_str(token),
            Value::String(s) => write_string(s, out),
        }
    }
}

/// Compact JSON text of an object with these members.
pub(crate) fn compact_object(members: &[(String, Value)]) -> String {
    let mut out = String::from("{");
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(name, &mut out);
        out.push(':');
        value.write_compact(&mut out);
    }
    out.push('}');
    out
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The members of the one JSON object `text` (already known to be UTF-8) holds; `None` if
/// it is not strict JSON or not an object.
pub(crate) fn parse_object(text: &str) -> Option<Members> {
    let mut reader = Reader { bytes: text.as_bytes(), at: 0 };
    reader.skip_whitespace();
    reader.expect(b'{')?;
    let mut members: Members = Vec::new();
    reader.skip_whitespace();
    if reader.peek()? == b'}' {
        reader.at += 1;
    } else {
        loop {
            reader.skip_whitespace();
            let name = reader.member_name(members.iter().map(|(n, _)| n))?;
            reader.skip_whitespace();
            let value = match reader.peek()? {
                b'[' | b'{' => Value::Composite(reader.composite()?),
                _ => reader.scalar()?,
            };
            members.push((name, value));
            reader.skip_whitespace();
            match reader.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    reader.skip_whitespace();
    (reader.at == reader.bytes.len()).then_some(members)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// An array or object being read by [`Reader::composite`].
enum Frame {
    Array,
    /// The names read so far, to refuse a duplicate.
    Object(Vec<String>),
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// `"name" :`, refusing a name already in `seen`.
    fn member_name<'s>(&mut self, mut seen: impl Iterator<Item = &'s String>) -> Option<String> {
        let name = self.string()?;
        if seen.any(|n| *n == name) {
            return None;
        }
        self.skip_whitespace();
        self.expect(b':')?;
        Some(name)
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Some(value)
        } else {
            None
        }
    }

    /// A string, number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Option<Value> {
        match self.peek()? {
            b'"' => self.string().map(Value::String),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// The array or object starting here, as compact JSON text; read with an explicit
    /// stack of open containers instead of recursion.
    fn composite(&mut self) -> Option<String> {
        let mut out = String::new();
        let mut open: Vec<Frame> = Vec::new();
        loop {
            // A value is expected here.
            self.skip_whitespace();
            match self.peek()? {
                b'[' => {
                    self.at += 1;
                    out.push('[');
                    self.skip_whitespace();
                    if self.peek()? == b']' {
                        self.at += 1;
                        out.push(']');
                    } else {
                        open.push(Frame::Array);
                        continue;
                    }
                }
                b'{' => {
                    self.at += 1;
                    out.push('{');
                    self.skip_whitespace();
                    if self.peek()? == b'}' {
                        self.at += 1;
                        out.push('}');
                    } else {
                        let name = self.member_name(std::iter::empty())?;
                        write_string(&name, &mut out);
                        out.push(':');
                        open.push(Frame::Object(vec![name]));
                        continue;
                    }
                }
                _ => self.scalar()?.write_compact(&mut out),
            }
            // A value has ended: close containers until one goes on with another value.
            loop {
                let frame = match open.last_mut() {
                    Some(frame) => frame,
                    None => return Some(out),
                };
                self.skip_whitespace();
                match (frame, self.next()?) {
                    (Frame::Array, b',') => {
                        out.push(',');
                        break;
                    }
                    (Frame::Object(names), b',') => {
                        self.skip_whitespace();
                        let name = self.member_name(names.iter())?;
                        out.push(',');
                        write_string(&name, &mut out);
                        out.push(':');
                        names.push(name);
                        break;
                    }
                    (Frame::Array, b']') => out.push(']'),
                    (Frame::Object(_), b'}') => out.push('}'),
                    _ => return None,
                }
                open.pop();
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let token = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        Some(Value::Number(token.to_owned()))
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut n = 0;
        for _ in 0..4 {
            n = n * 16 + char::from(self.next()?).to_digit(16)?;
        }
        Some(n)
    }

    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            // Copy the run of plain characters at once; the text is UTF-8 already and a
            // run never ends inside a multi-byte character (it stops only at ASCII bytes).
            let start = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            out.push_str(std::str::from_utf8(&self.bytes[start..self.at]).ok()?);
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => out.push(self.escape()?),
                _ => return None, // a control character U+0000–U+001F, unescaped
            }
        }
    }

    fn escape(&mut self) -> Option<char> {
        Some(match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                match first {
                    0xD800..=0xDBFF => {
                        self.expect(b'\\')?;
                        self.expect(b'u')?;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))?
                    }
                    // A lone low surrogate names no character; char::from_u32 refuses it.
                    _ => char::from_u32(first)?,
                }
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Members {
        parse_object(text).unwrap_or_else(|| panic!("{text:?} was refused"))
    }

    #[test]
    fn reads_every_kind_of_value_keeping_nested_ones_as_compact_text() {
        let members = object(r#" {"a": [1, -2.5e3, true, false, null, [], {}], "b": { "c" : {"d": ["e"]} }, "f": 0, "g": "h", "i": null, "j": false} "#);
        let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "f", "g", "i", "j"]);
        assert_eq!(members[0].1, Value::Composite(r#"[1,-2.5e3,true,false,null,[],{}]"#.into()));
        assert_eq!(members[1].1, Value::Composite(r#"{"c":{"d":["e"]}}"#.into()));
        assert_eq!(members[2].1, Value::Number("0".into()));
        assert_eq!(members[3].1, Value::String("h".into()));
        assert_eq!(members[4].1, Value::Null);
        assert_eq!(members[5].1, Value::Bool(false));
        assert_eq!(object("{}"), vec![]);
        assert_eq!(object(" \t\r\n{ \t\r\n} \t\r\n"), vec![]);
    }

    #[test]
    fn decodes_escapes_and_surrogate_pairs() {
        let members = object(r#"{"s": "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é"}"#);
        assert_eq!(members[0].1, Value::String("\"\\/\u{8}\u{c}\n\r\té😀é".into()));
    }

    #[test]
    fn refuses_what_rfc_8259_does_not_allow_and_anything_but_an_object() {
        for text in [
            "",
            "{",
            "{}x",
            "{} {}",
            "[]",
            "\"a\"",
            "1",
            "null",
            "{'a': 1}",
            "{a: 1}",
            r#"{"a" 1}"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": .5}"#,
            r#"{"a": +1}"#,
            r#"{"a": 1e}"#,
            r#"{"a": 0x10}"#,
            r#"{"a": NaN}"#,
            r#"{"a": Infinity}"#,
            r#"{"a": -Infinity}"#,
            r#"{"a": True}"#,
            r#"{"a": 1,}"#,
            r#"{"a": [1,]}"#,
            r#"{"a": [1 2]}"#,
            r#"{"a": [1}"#,
            r#"{"a": {"b": 1]}"#,
            r#"{"a": {"b": 1,}}"#,
            r#"{"a": {"b"}}"#,
            r#"{"a": [[[]]}"#,
            r#"{"a": tru}"#,
            r#"{"a": "\x"}"#,
            r#"{"a": "\u12"}"#,
            r#"{"a": "\ud800"}"#,
            r#"{"a": "\udc00"}"#,
            r#"{"a": "\ud800\u0041"}"#,
            "{\"a\": \"tab\there\"}",
            "{\"a\": \"nul\u{0}\"}",
            "{\u{a0}\"a\": 1}",
            "{\u{c}\"a\": 1}",
            "{\"a\": 1} // comment",
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": {"b": 1, "b": 2}}"#,
            r#"{"a": [{"b": 1, "c": [], "b": 2}]}"#,
        ] {
            assert_eq!(parse_object(text), None, "{text:?}");
        }
        // The same name in different objects is fine.
        assert!(parse_object(r#"{"a": {"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}}"#).is_some());
    }

    #[test]
    fn nesting_as_deep_as_a_4096_byte_token_allows_does_not_exhaust_the_stack() {
        for depth in [4096, 100_000] {
            let arrays = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(object(&arrays)[0].1.to_compact().len(), 2 * depth);
            let objects = format!("{{\"a\":{}1{}}}", "{\"b\":".repeat(depth), "}".repeat(depth));
            assert!(parse_object(&objects).is_some());
            assert_eq!(parse_object(&arrays[..arrays.len() - 2]), None);
        }
    }

    #[test]
    fn integers_are_integer_tokens_within_plus_or_minus_2_to_the_53_minus_1() {
        let n = |t: &str| Value::Number(t.into()).as_integer();
        assert_eq!(n("0"), Some(0));
        assert_eq!(n("-0"), Some(0));
        assert_eq!(n("1700000000"), Some(1_700_000_000));
        assert_eq!(n("9007199254740991"), Some(MAX_SAFE_INTEGER));
        assert_eq!(n("-9007199254740991"), Some(-MAX_SAFE_INTEGER));
        assert_eq!(n("9007199254740992"), None);
        assert_eq!(n("-9007199254740992"), None);
        assert_eq!(n("99999999999999999999999999"), None);
        assert_eq!(n("1.0"), None);
        assert_eq!(n("1e3"), None);
        assert_eq!(n("3E0"), None);
        assert_eq!(n("-0.0"), None);
        assert_eq!(Value::String("1".into()).as_integer(), None);
        assert_eq!(Value::Bool(true).as_integer(), None);
    }

    #[test]
    fn compact_text_reads_back_as_the_same_members() {
        let text = "{\"a\" : [ 1 , 2.50 ], \"b\\n\": \"x\\u0001\\\"\\\\é\\/\", \"c\": { } }";
        let members = object(text);
        let compact = compact_object(&members);
        assert_eq!(compact, "{\"a\":[1,2.50],\"b\\n\":\"x\\u0001\\\"\\\\é/\",\"c\":{}}");
        assert_eq!(object(&compact), members);
    }
}
