#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base64;
mod claims;
mod json;
mod keys;

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use ring::signature::{UnparsedPublicKey, ED25519};

pub use claims::{Claims, LeaseClaims};
pub use keys::{KeyError, PublicKey};

use claims::Kind;

/// The longest token accepted, in bytes, after surrounding whitespace is removed.
pub const MAX_TOKEN_LENGTH: usize = 4096;

/// The offline answer for a token. Only the server can also say REVOKED, SUSPENDED or
/// UNKNOWN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// Well formed, signed by one of your keys, and not expired.
    Valid,
    /// Valid, but `now >= exp`; the claims are still returned.
    Expired,
    /// Signed by a key you do not have, or tampered with.
    BadSignature,
    /// Not a token of this kind at all, or a signed payload that breaks the format's rules.
    Malformed,
}

impl Code {
    /// The code as the format and the server write it: `VALID`, `EXPIRED`,
    /// `BAD_SIGNATURE`, `MALFORMED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Valid => "VALID",
            Code::Expired => "EXPIRED",
            Code::BadSignature => "BAD_SIGNATURE",
            Code::Malformed => "MALFORMED",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of the four offline codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an offline code (VALID, EXPIRED, BAD_SIGNATURE, MALFORMED)", self.0)
    }
}

impl std::error::Error for UnknownCode {}

impl FromStr for Code {
    type Err = UnknownCode;

    fn from_str(text: &str) -> Result<Code, UnknownCode> {
        [Code::Valid, Code::Expired, Code::BadSignature, Code::Malformed]
            .into_iter()
            .find(|code| code.as_str() == text)
            .ok_or_else(|| UnknownCode(text.to_owned()))
    }
}

/// The result of checking one token: its code, its claims (for `Valid` and `Expired`
/// only), and the key id it names (once the token is well formed enough to have one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification<C = Claims> {
    /// The answer.
    pub code: Code,
    /// The claims, when the code is `Valid` or `Expired`.
    pub claims: Option<C>,
    /// The token's kid, from `BadSignature` on (an unknown kid is reported, so an app can
    /// say "this key is newer than this app").
    pub kid: Option<String>,
}

impl<C> Verification<C> {
    /// Whether the code is `Valid`.
    pub fn is_valid(&self) -> bool {
        self.code == Code::Valid
    }

    fn answer(code: Code, kid: Option<&[u8]>) -> Verification<C> {
        Verification { code, claims: None, kid: kid.map(|k| String::from_utf8_lossy(k).into_owned()) }
    }
}

/// Verifies a license key (`LIC1.…`) with the public keys the app ships. `now` is Unix
/// seconds UTC; `None` reads the system clock. Never panics, whatever the input.
pub fn verify_key(token: impl AsRef<[u8]>, keys: &[PublicKey], now: Option<i64>) -> Verification<Claims> {
    verify(token.as_ref(), keys, now.unwrap_or_else(unix_now))
}

/// Verifies a machine lease (`LEASE1.…`), like [`verify_key`]. A `Valid` lease is valid on
/// this machine only if [`LeaseClaims::is_for_machine`] says so.
pub fn verify_lease(token: impl AsRef<[u8]>, keys: &[PublicKey], now: Option<i64>) -> Verification<LeaseClaims> {
    verify(token.as_ref(), keys, now.unwrap_or_else(unix_now))
}

/// The machine id a lease names for a fingerprint: lowercase hex SHA-256 of its UTF-8 bytes.
pub fn machine_hash(fingerprint: &str) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, fingerprint.as_bytes());
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The system clock in Unix seconds (negative before 1970).
pub fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Removes leading and trailing ASCII space, tab, CR and LF — only those four.
pub(crate) fn trim_ascii_whitespace(mut text: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    while text.first().map_or(false, is_space) {
        text = &text[1..];
    }
    while text.last().map_or(false, is_space) {
        text = &text[..text.len() - 1];
    }
    text
}

/// The format's checks, in the format's order; the first that fails decides the code.
fn verify<C: Kind>(token: &[u8], keys: &[PublicKey], now: i64) -> Verification<C> {
    use Code::{BadSignature, Malformed};

    let token = trim_ascii_whitespace(token);
    if token.is_empty() || !token.iter().all(|b| (0x21..=0x7e).contains(b)) || token.len() > MAX_TOKEN_LENGTH {
        return Verification::answer(Malformed, None);
    }
    let parts: Vec<&[u8]> = token.split(|&b| b == b'.').collect();
    let (prefix, kid, payload, sig) = match parts[..] {
        [prefix, kid, payload, sig] => (prefix, kid, payload, sig),
        _ => return Verification::answer(Malformed, None),
    };
    if prefix != C::PREFIX.as_bytes() {
        return Verification::answer(Malformed, None);
    }
    let decoded = (base64::decode_url(kid), base64::decode_url(payload), base64::decode_url(sig));
    let (payload_bytes, sig_bytes) = match decoded {
        (Some(k), Some(p), Some(s)) if k.len() == 8 && !p.is_empty() && s.len() == 64 => (p, s),
        _ => return Verification::answer(Malformed, None),
    };

    let signed = &token[..token.len() - sig.len() - 1];
    let mut candidates = keys.iter().filter(|key| key.kid().as_bytes() == kid).peekable();
    if candidates.peek().is_none() {
        return Verification::answer(BadSignature, Some(kid));
    }
    if !candidates.any(|key| UnparsedPublicKey::new(&ED25519, key.as_bytes()).verify(signed, &sig_bytes).is_ok()) {
        return Verification::answer(BadSignature, Some(kid));
    }

    let claims = match read_payload::<C>(&payload_bytes) {
        Some(claims) => claims,
        None => return Verification::answer(Malformed, Some(kid)),
    };
    let code = match claims.expires_at() {
        Some(exp) if now >= exp => Code::Expired,
        _ => Code::Valid,
    };
    Verification { code, claims: Some(claims), kid: Some(String::from_utf8_lossy(kid).into_owned()) }
}

/// Strict UTF-8, no byte order mark, one strict JSON object, claims of their types.
fn read_payload<C: Kind>(payload: &[u8]) -> Option<C> {
    let text = std::str::from_utf8(payload).ok()?;
    if text.starts_with('\u{feff}') {
        return None;
    }
    C::read(&json::parse_object(text)?)
}

#[cfg(test)]
mod tests;
