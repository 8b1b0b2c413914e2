//! A strict RFC 8259 reader for the payload: one JSON text, nothing before or after it but
//! JSON whitespace, no `NaN`/`Infinity`, no comments, no lone surrogates, no duplicate names.
//! Numbers keep their token text so the claim rules can tell `1` from `1.0` and `1e0`.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// The number exactly as written (it matched the JSON number grammar).
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in the order written; names are unique.
    Object(Vec<(String, Value)>),
}

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

    /// Compact JSON text of the value: no insignificant whitespace, numbers as written,
    /// strings escaped only where JSON requires it.
    pub(crate) fn to_compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(token) => out.push_str(token),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (name, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(name, out);
                    out.push(':');
                    value.write_compact(out);
                }
                out.push('}');
            }
        }
    }
}

pub(crate) fn write_string(s: &str, out: &mut String) {
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

/// Parses one JSON text from `text` (already checked to be UTF-8); `None` if it is not
/// strict JSON.
pub(crate) fn parse(text: &str) -> Option<Value> {
    let mut reader = Reader { bytes: text.as_bytes(), at: 0 };
    reader.skip_whitespace();
    let value = reader.value()?;
    reader.skip_whitespace();
    if reader.at == reader.bytes.len() {
        Some(value)
    } else {
        None
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
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

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Some(value)
        } else {
            None
        }
    }

    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(Value::String),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self) -> Option<Value> {
        self.expect(b'{')?;
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_whitespace();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            let name = self.string()?;
            if members.iter().any(|(seen, _)| *seen == name) {
                return None;
            }
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            let value = self.value()?;
            members.push((name, value));
            self.skip_whitespace();
            match self.next()? {
                b',' => continue,
                b'}' => return Some(Value::Object(members)),
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<Value> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value()?);
            self.skip_whitespace();
            match self.next()? {
                b',' => continue,
                b']' => return Some(Value::Array(items)),
                _ => return None,
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

    fn object(text: &str) -> Vec<(String, Value)> {
        match parse(text) {
            Some(Value::Object(members)) => members,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn reads_every_kind_of_value() {
        let members = object(r#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}} "#);
        assert_eq!(members[0].0, "a");
        assert_eq!(
            members[0].1,
            Value::Array(vec![
                Value::Number("1".into()),
                Value::Number("-2.5e3".into()),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
            ])
        );
        assert_eq!(members[1].1, Value::Object(vec![("c".into(), Value::String("d".into()))]));
    }

    #[test]
    fn decodes_escapes_and_surrogate_pairs() {
        let members = object(r#"{"s": "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é"}"#);
        assert_eq!(members[0].1, Value::String("\"\\/\u{8}\u{c}\n\r\té😀é".into()));
    }

    #[test]
    fn refuses_what_rfc_8259_does_not_allow() {
        for text in [
            "",
            "{",
            "{}x",
            "{} {}",
            "{'a': 1}",
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": .5}"#,
            r#"{"a": +1}"#,
            r#"{"a": 1e}"#,
            r#"{"a": NaN}"#,
            r#"{"a": Infinity}"#,
            r#"{"a": -Infinity}"#,
            r#"{"a": 1,}"#,
            r#"{"a": [1,]}"#,
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
        ] {
            assert_eq!(parse(text), None, "{text:?}");
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
    fn compact_text_reads_back_as_the_same_value() {
        let text = "{\"a\" : [ 1 , 2.50 ], \"b\\n\": \"x\\u0001\\\"é\", \"c\": {}}";
        let value = parse(text).unwrap();
        let compact = value.to_compact();
        assert_eq!(compact, "{\"a\":[1,2.50],\"b\\n\":\"x\\u0001\\\"é\",\"c\":{}}");
        assert_eq!(parse(&compact), Some(value));
    }
}
