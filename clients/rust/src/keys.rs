//! Public keys as licensemint publishes them, and the key id (kid) each one has.

use std::fmt;
use std::str::FromStr;

use ring::digest::{digest, SHA256};

use crate::base64;

/// An Ed25519 public key that verifies licensemint tokens, with its key id.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    raw: [u8; 32],
    kid: String,
}

/// Why a text is not a public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Neither canonical unpadded base64url nor padded standard base64.
    NotBase64,
    /// Decoded, but not the 32 bytes of an Ed25519 public key (the length it had).
    WrongLength(usize),
    /// A PEM block that is not an Ed25519 `PUBLIC KEY` (SubjectPublicKeyInfo).
    NotEd25519Pem,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::NotBase64 => {
                f.write_str("a public key is base64url without padding (or standard base64 with padding)")
            }
            KeyError::WrongLength(n) => write!(f, "an Ed25519 public key is 32 bytes, this one is {n}"),
            KeyError::NotEd25519Pem => f.write_str("the PEM block is not an Ed25519 PUBLIC KEY"),
        }
    }
}

impl std::error::Error for KeyError {}

impl PublicKey {
    /// Loads a key in the published encoding, base64url without padding of the raw 32 bytes
    /// (43 characters, as `GET /v1/keys` and `licensemint keygen` print it); standard base64
    /// with padding (44 characters) is accepted too. Surrounding ASCII space, tab, CR and LF
    /// are ignored.
    pub fn from_base64(text: &str) -> Result<PublicKey, KeyError> {
        let text = crate::trim_ascii_whitespace(text.as_bytes());
        let raw = if text.is_empty() {
            None
        } else if text.contains(&b'=') || text.contains(&b'+') || text.contains(&b'/') {
            base64::decode_standard_padded(text)
        } else {
            base64::decode_url(text)
        }
        .ok_or(KeyError::NotBase64)?;
        let raw: [u8; 32] = raw.as_slice().try_into().map_err(|_| KeyError::WrongLength(raw.len()))?;
        Ok(PublicKey::from_bytes(raw))
    }

    /// Loads a key from PEM (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo), as
    /// `licensemint keygen` writes `public-key.pem`.
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        let body = text
            .trim()
            .strip_prefix("-----BEGIN PUBLIC KEY-----")
            .and_then(|rest| rest.strip_suffix("-----END PUBLIC KEY-----"))
            .ok_or(KeyError::NotEd25519Pem)?;
        let base64: Vec<u8> = body.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let der = base64::decode_standard_padded(&base64).ok_or(KeyError::NotEd25519Pem)?;
        match der.strip_prefix(&ED25519_SPKI_PREFIX[..]) {
            Some(raw) => Ok(PublicKey::from_bytes(raw.try_into().map_err(|_| KeyError::NotEd25519Pem)?)),
            None => Err(KeyError::NotEd25519Pem),
        }
    }

    /// A key from its raw 32 bytes.
    pub fn from_bytes(raw: [u8; 32]) -> PublicKey {
        let kid = base64::encode_url(&digest(&SHA256, &raw).as_ref()[..8]);
        PublicKey { raw, kid }
    }

    /// The key id tokens signed by this key carry: base64url of the first 8 bytes of
    /// SHA-256 of the raw key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.raw
    }

    /// The published encoding: base64url without padding.
    pub fn to_base64url(&self) -> String {
        base64::encode_url(&self.raw)
    }
}

/// The DER of an Ed25519 SubjectPublicKeyInfo before the 32 key bytes (RFC 8410).
const ED25519_SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// Parses either form: PEM when the text starts with `-----BEGIN`, otherwise
/// [`PublicKey::from_base64`].
impl FromStr for PublicKey {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<PublicKey, KeyError> {
        if text.trim_start().starts_with("-----BEGIN") {
            PublicKey::from_pem(text)
        } else {
            PublicKey::from_base64(text)
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey").field("kid", &self.kid).field("key", &self.to_base64url()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8032, section 7.1, TEST 1: the public key and its kid.
    const RFC_KEY_HEX: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    fn rfc_key() -> [u8; 32] {
        let mut raw = [0u8; 32];
        for (i, b) in raw.iter_mut().enumerate() {
            *b = u8::from_str_radix(&RFC_KEY_HEX[2 * i..2 * i + 2], 16).unwrap();
        }
        raw
    }

    #[test]
    fn loads_the_published_base64url_encoding_and_derives_the_kid() {
        let key = PublicKey::from_bytes(rfc_key());
        let text = key.to_base64url();
        assert_eq!(text, "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
        let loaded = PublicKey::from_base64(&text).unwrap();
        assert_eq!(loaded, key);
        assert_eq!(loaded.as_bytes(), &rfc_key());
        // base64url(SHA-256(key)[0:8]), computed independently with Python's hashlib.
        assert_eq!(loaded.kid(), KID);
    }

    const KID: &str = "If4x36FUomE";

    #[test]
    fn also_loads_standard_base64_with_padding_and_ignores_surrounding_whitespace() {
        let key = PublicKey::from_base64("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").unwrap();
        assert_eq!(key.as_bytes(), &rfc_key());
        let key: PublicKey = " 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\n".parse().unwrap();
        assert_eq!(key.as_bytes(), &rfc_key());
    }

    #[test]
    fn loads_pem_as_licensemint_keygen_writes_it() {
        // The RFC key as SubjectPublicKeyInfo PEM (written by Python's cryptography).
        let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
        assert_eq!(PublicKey::from_pem(pem).unwrap().as_bytes(), &rfc_key());
        assert_eq!(pem.parse::<PublicKey>().unwrap().as_bytes(), &rfc_key());
        // An X25519 key (OID 1.3.101.110) is not an Ed25519 key.
        let x25519 = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----";
        assert_eq!(PublicKey::from_pem(x25519), Err(KeyError::NotEd25519Pem));
        assert_eq!(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----"), Err(KeyError::NotEd25519Pem));
        assert_eq!(PublicKey::from_pem("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"), Err(KeyError::NotEd25519Pem));
    }

    #[test]
    fn refuses_other_encodings_and_lengths() {
        for text in [
            "",
            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp",
            "11qYAYKxCrfVS_7T yWQHOg7hcvPapiMlrwIaaPcHURo",
        ] {
            assert_eq!(PublicKey::from_base64(text), Err(KeyError::NotBase64), "{text:?}");
        }
        assert_eq!(PublicKey::from_base64("AAAA"), Err(KeyError::WrongLength(3)));
        assert!(PublicKey::from_base64("AAAA").unwrap_err().to_string().contains("32 bytes"));
    }
}
