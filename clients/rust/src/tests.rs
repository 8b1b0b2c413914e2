//! The checks in order, on tokens this test signs itself with a fixed test key (the shared
//! vector file is run by tests/vectors.rs).

use ring::signature::{Ed25519KeyPair, KeyPair};

use super::*;

const NOW: i64 = 1_750_000_000;
const CLAIMS: &str = r#"{"v":1,"lid":"lic_01","product":"acmesoft-pro","tier":"pro","seats":2,"iat":1700000000}"#;

struct Signer {
    pair: Ed25519KeyPair,
    public: PublicKey,
}

impl Signer {
    fn new(seed: u8) -> Signer {
        let pair = Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap();
        let public = PublicKey::from_bytes(pair.public_key().as_ref().try_into().unwrap());
        Signer { pair, public }
    }

    fn sign(&self, prefix: &str, payload: &[u8]) -> String {
        let signed = format!("{prefix}.{}.{}", self.public.kid(), base64::encode_url(payload));
        let sig = self.pair.sign(signed.as_bytes());
        format!("{signed}.{}", base64::encode_url(sig.as_ref()))
    }

    fn key(&self, claims: &str) -> String {
        self.sign("LIC1", claims.as_bytes())
    }
}

fn keys(signer: &Signer) -> Vec<PublicKey> {
    vec![signer.public.clone()]
}

fn code(token: impl AsRef<[u8]>, signer: &Signer) -> Code {
    verify_key(token, &keys(signer), Some(NOW)).code
}

fn with(extra: &str) -> String {
    format!("{},{extra}}}", &CLAIMS[..CLAIMS.len() - 1])
}

/// Replaces one dot-separated part of a token.
fn replace_part(token: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = part;
    parts.join(".")
}

#[test]
fn a_well_signed_key_is_valid_and_returns_its_claims_and_kid() {
    let signer = Signer::new(1);
    let result = verify_key(signer.key(CLAIMS), &keys(&signer), Some(NOW));
    assert_eq!(result.code, Code::Valid);
    assert!(result.is_valid());
    assert_eq!(result.kid.as_deref(), Some(signer.public.kid()));
    let claims = result.claims.unwrap();
    assert_eq!((claims.product.as_str(), claims.seats, claims.exp, claims.test), ("acmesoft-pro", 2, None, false));
    assert_eq!(claims.to_json(), CLAIMS);
}

#[test]
fn a_key_is_expired_from_its_exp_second_on_and_still_returns_its_claims() {
    let signer = Signer::new(1);
    let token = signer.key(&with(&format!(r#""exp":{NOW}"#)));
    let at = |now| verify_key(&token, &keys(&signer), Some(now));
    assert_eq!(at(NOW - 1).code, Code::Valid);
    assert_eq!(at(NOW).code, Code::Expired);
    assert_eq!(at(NOW + 1).code, Code::Expired);
    assert_eq!(at(NOW).claims.unwrap().exp, Some(NOW));
    assert_eq!(code(signer.key(&with(r#""exp":null"#)), &signer), Code::Valid);
}

#[test]
fn without_now_the_system_clock_decides() {
    let signer = Signer::new(1);
    assert_eq!(verify_key(signer.key(CLAIMS), &keys(&signer), None).code, Code::Valid);
    let past = signer.key(&with(r#""exp":1"#));
    assert_eq!(verify_key(past, &keys(&signer), None).code, Code::Expired);
    let future = signer.key(&with(&format!(r#""exp":{}"#, unix_now() + 3600)));
    assert_eq!(verify_key(future, &keys(&signer), None).code, Code::Valid);
}

#[test]
fn only_ascii_space_tab_cr_and_lf_around_a_token_are_forgiven() {
    let signer = Signer::new(1);
    let token = signer.key(CLAIMS);
    for ws in [" ", "\t", "\r", "\n", " \r\n\t "] {
        assert_eq!(code(format!("{ws}{token}{ws}"), &signer), Code::Valid, "{ws:?}");
    }
    for ws in [
        "\u{b}", "\u{c}", "\u{1c}", "\u{1f}", "\u{85}", "\u{a0}", "\u{feff}", "\u{200b}", "\u{2028}", "\u{3000}", "\0",
    ] {
        assert_eq!(code(format!("{ws}{token}"), &signer), Code::Malformed, "before: {ws:?}");
        assert_eq!(code(format!("{token}{ws}"), &signer), Code::Malformed, "after: {ws:?}");
    }
}

#[test]
fn empty_blank_and_non_printable_ascii_tokens_are_malformed() {
    let signer = Signer::new(1);
    let token = signer.key(CLAIMS);
    assert_eq!(code("", &signer), Code::Malformed);
    assert_eq!(code(" \t\r\n", &signer), Code::Malformed);
    let (head, tail) = token.split_at(20);
    for inner in [" ", "\0", "\u{200b}", "é", "\u{7f}"] {
        assert_eq!(code(format!("{head}{inner}{tail}"), &signer), Code::Malformed, "{inner:?}");
    }
    let mut bytes = token.clone().into_bytes();
    bytes.push(0xff);
    assert_eq!(code(&bytes, &signer), Code::Malformed);
}

/// A signed key of exactly `length` bytes (padded with an unknown claim), if one exists.
fn key_of_length(signer: &Signer, prefix: &str, claims: &str, length: usize) -> Option<String> {
    (0..length).map(|n| signer.sign(prefix, with_padding(claims, n).as_bytes())).find(|t| t.len() == length)
}

fn with_padding(claims: &str, n: usize) -> String {
    format!("{},\"pad\":\"{}\"}}", &claims[..claims.len() - 1], "x".repeat(n))
}

#[test]
fn the_length_limit_is_4096_bytes_after_stripping() {
    let signer = Signer::new(1);
    let longest = key_of_length(&signer, "LIC1", CLAIMS, MAX_TOKEN_LENGTH).unwrap();
    assert_eq!(code(&longest, &signer), Code::Valid);
    assert_eq!(code(format!("  {longest}\n"), &signer), Code::Valid);
    // 4097 cannot be a LIC1 key (its payload would be 1 mod 4 characters); 4098 can.
    let too_long = key_of_length(&signer, "LIC1", CLAIMS, MAX_TOKEN_LENGTH + 2).unwrap();
    assert_eq!(code(too_long, &signer), Code::Malformed);
    let lease_claims = r#"{"v":1,"lid":"l","product":"p","tier":"t","machine":"m","iat":1,"exp":9000000000}"#;
    let lease = key_of_length(&signer, "LEASE1", lease_claims, MAX_TOKEN_LENGTH + 1).unwrap();
    assert_eq!(verify_lease(lease, &keys(&signer), Some(NOW)).code, Code::Malformed);
}

#[test]
fn a_token_needs_exactly_four_parts_and_the_expected_prefix() {
    let signer = Signer::new(1);
    let token = signer.key(CLAIMS);
    assert_eq!(code(format!("{token}."), &signer), Code::Malformed);
    assert_eq!(code(format!("{token}.x"), &signer), Code::Malformed);
    assert_eq!(code(token.rsplit_once('.').unwrap().0, &signer), Code::Malformed);
    assert_eq!(code(replace_part(&token, 0, "lic1"), &signer), Code::Malformed);
    assert_eq!(code(replace_part(&token, 0, "LIC2"), &signer), Code::Malformed);
    assert_eq!(code(format!("x{token}"), &signer), Code::Malformed);
}

#[test]
fn a_lease_is_malformed_to_the_key_verifier_and_a_key_to_the_lease_verifier() {
    let signer = Signer::new(1);
    let machine = machine_hash("host");
    let lease_claims = format!(r#"{{"v":1,"lid":"l","product":"p","tier":"t","machine":"{machine}","iat":1,"exp":{}}}"#, NOW + 10);
    let lease = signer.sign("LEASE1", lease_claims.as_bytes());
    assert_eq!(code(&lease, &signer), Code::Malformed);
    let result = verify_lease(&lease, &keys(&signer), Some(NOW));
    assert_eq!(result.code, Code::Valid);
    assert!(result.claims.unwrap().is_for_machine("host"));
    assert_eq!(verify_lease(signer.key(CLAIMS), &keys(&signer), Some(NOW)).code, Code::Malformed);
    assert_eq!(verify_lease(&lease, &keys(&signer), Some(NOW + 10)).code, Code::Expired);
}

#[test]
fn every_part_must_be_canonical_unpadded_base64url_of_the_right_length() {
    let signer = Signer::new(1);
    let token = signer.key(CLAIMS);
    let parts: Vec<&str> = token.split('.').collect();
    for (index, part) in parts.iter().enumerate().skip(1) {
        let standard = part.replace('-', "+").replace('_', "/");
        let cases = [format!("{part}="), format!("{part}=="), String::new(), format!("{part}A")];
        for bad in cases.iter().chain((standard != *part).then_some(&standard)) {
            assert_eq!(code(replace_part(&token, index, bad), &signer), Code::Malformed, "part {index}: {bad}");
        }
    }
    // Non-zero unused bits: the kid's 11th character carries 2 unused bits, the signature's
    // 86th carries 4; flipping the lowest bit keeps the decoded bytes the same.
    for index in [1, 3] {
        let part = parts[index];
        let last = part.as_bytes()[part.len() - 1];
        let flipped = match last {
            b'A'..=b'Y' | b'a'..=b'y' | b'0'..=b'8' => last + 1,
            _ => unreachable!("the last character of a canonical part has zero low bits"),
        };
        let bad = format!("{}{}", &part[..part.len() - 1], flipped as char);
        assert_eq!(code(replace_part(&token, index, &bad), &signer), Code::Malformed, "part {index}: {bad}");
    }
    let short_kid = base64::encode_url(&[1, 2, 3, 4, 5, 6, 7]);
    let long_kid = base64::encode_url(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let short_sig = base64::encode_url(&[0; 63]);
    let long_sig = base64::encode_url(&[0; 65]);
    assert_eq!(code(replace_part(&token, 1, &short_kid), &signer), Code::Malformed);
    assert_eq!(code(replace_part(&token, 1, &long_kid), &signer), Code::Malformed);
    assert_eq!(code(replace_part(&token, 3, &short_sig), &signer), Code::Malformed);
    assert_eq!(code(replace_part(&token, 3, &long_sig), &signer), Code::Malformed);
}

#[test]
fn an_unknown_kid_is_a_bad_signature_and_is_reported() {
    let signer = Signer::new(1);
    let other = Signer::new(2);
    let result = verify_key(other.key(CLAIMS), &keys(&signer), Some(NOW));
    assert_eq!((result.code, result.kid.as_deref(), result.claims), (Code::BadSignature, Some(other.public.kid()), None));
    assert_eq!(verify_key(signer.key(CLAIMS), &[], Some(NOW)).code, Code::BadSignature);
}

#[test]
fn the_signature_is_checked_before_the_payload_is_read() {
    let signer = Signer::new(1);
    let token = signer.key(CLAIMS);
    // Another payload under the original signature, even one that is not JSON.
    for payload in [with(r#""seats":99"#), "not json".to_owned(), "\u{feff}{}".to_owned()] {
        let forged = replace_part(&token, 2, &base64::encode_url(payload.as_bytes()));
        assert_eq!(code(forged, &signer), Code::BadSignature, "{payload}");
    }
    let mut sig = token.split('.').nth(3).unwrap().to_owned();
    sig.replace_range(0..1, if sig.starts_with('A') { "B" } else { "A" });
    assert_eq!(code(replace_part(&token, 3, &sig), &signer), Code::BadSignature);
    // A signature by a different key that claims this key's kid.
    let impostor = Signer::new(2);
    let forged = replace_part(&impostor.key(CLAIMS), 1, signer.public.kid());
    assert_eq!(code(forged, &signer), Code::BadSignature);
}

#[test]
fn a_well_signed_payload_that_breaks_the_payload_rules_is_malformed() {
    let signer = Signer::new(1);
    let bad_payloads: Vec<Vec<u8>> = vec![
        b"not json".to_vec(),
        b"[1,2]".to_vec(),
        b"\"LIC1\"".to_vec(),
        [b"\xef\xbb\xbf".as_slice(), CLAIMS.as_bytes()].concat(),
        [&CLAIMS.as_bytes()[..10], b"\xc0\xaf", &CLAIMS.as_bytes()[10..]].concat(),
        [&CLAIMS.as_bytes()[..10], b"\xed\xa0\x80", &CLAIMS.as_bytes()[10..]].concat(),
        [CLAIMS.as_bytes(), b"\xff"].concat(),
        format!("{CLAIMS}{CLAIMS}").into_bytes(),
        CLAIMS.replace(r#""v":1"#, r#""v":2"#).into_bytes(),
        CLAIMS.replace(r#""v":1"#, r#""v":1.0"#).into_bytes(),
        CLAIMS.replace(r#""seats":2"#, r#""seats":2e0"#).into_bytes(),
        CLAIMS.replace(r#""seats":2"#, r#""seats":9007199254740992"#).into_bytes(),
        CLAIMS.replace(r#""iat":1700000000"#, r#""iat":-0.0"#).into_bytes(),
        CLAIMS.replace(r#""tier":"pro","#, "").into_bytes(),
        with(r#""test":"yes""#).into_bytes(),
        with(r#""lid":"again""#).into_bytes(),
    ];
    for payload in bad_payloads {
        let result = verify_key(signer.sign("LIC1", &payload), &keys(&signer), Some(NOW));
        assert_eq!(result.code, Code::Malformed, "{}", String::from_utf8_lossy(&payload));
        assert_eq!(result.kid.as_deref(), Some(signer.public.kid()));
        assert_eq!(result.claims, None);
    }
    // JSON whitespace inside the payload, unknown claims and the largest integers are fine.
    let spaced = " {\n\t\"v\" : 1 , \"lid\":\"l\",\"product\":\"p\",\"tier\":\"t\",\"seats\":9007199254740991,\"iat\":-9007199254740991,\"x\":[1.5e300]}\r\n";
    let result = verify_key(signer.sign("LIC1", spaced.as_bytes()), &keys(&signer), Some(NOW));
    assert_eq!(result.code, Code::Valid);
    assert_eq!(result.claims.unwrap().extra("x"), Some("[1.5e300]"));
}

#[test]
fn each_key_of_several_verifies_its_own_tokens() {
    let old = Signer::new(1);
    let new = Signer::new(2);
    let both = vec![old.public.clone(), new.public.clone()];
    assert_eq!(verify_key(old.key(CLAIMS), &both, Some(NOW)).code, Code::Valid);
    assert_eq!(verify_key(new.key(CLAIMS), &both, Some(NOW)).code, Code::Valid);
    assert_eq!(verify_key(new.key(CLAIMS), &keys(&old), Some(NOW)).code, Code::BadSignature);
}

#[test]
fn codes_read_and_write_as_the_format_names_them() {
    for (code, text) in [
        (Code::Valid, "VALID"),
        (Code::Expired, "EXPIRED"),
        (Code::BadSignature, "BAD_SIGNATURE"),
        (Code::Malformed, "MALFORMED"),
    ] {
        assert_eq!(code.as_str(), text);
        assert_eq!(code.to_string(), text);
        assert_eq!(text.parse::<Code>(), Ok(code));
    }
    assert!("REVOKED".parse::<Code>().is_err());
}

#[test]
fn machine_hash_is_lowercase_hex_sha256_of_the_utf8_fingerprint() {
    assert_eq!(machine_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(machine_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(machine_hash("é 🖥"), "5f564ece8c5919b37c1bff91ed96301cf07a406be703885b5f99714bd55df0c7");
}

#[test]
fn no_input_makes_the_verifier_panic_and_every_one_gets_a_code() {
    let signer = Signer::new(1);
    let keys = keys(&signer);
    let token = signer.key(&with(r#""exp":1800000000,"x":[{"y":"\u00e9"}]"#));
    let replacements: [&[u8]; 8] = [b"", b".", b"=", b"A", b" ", b"\0", "\u{e9}".as_bytes(), b"\xff"];
    // Every position of a token: each character replaced, and every truncation.
    for at in 0..token.len() {
        for with in replacements {
            let mutated = [&token.as_bytes()[..at], with, &token.as_bytes()[at + 1..]].concat();
            let _ = verify_key(&mutated, &keys, Some(NOW));
            let _ = verify_lease(&mutated, &keys, Some(NOW));
        }
        assert_ne!(verify_key(&token[..at], &keys, Some(NOW)).code, Code::Valid);
    }
    // Every position of a well-signed payload, so the JSON reader sees the damage.
    let payload = with(r#""exp":1800000000,"x":[{"y":"\u00e9","z":[1.5e3,null,true]}],"n":"é""#);
    for at in 0..payload.len() {
        for with in [&b""[..], b"{", b"[", b"\"", b"\\", b"}", b"]", b",", b":", b"-", b"\xc3"] {
            let mutated = [&payload.as_bytes()[..at], with, &payload.as_bytes()[at + 1..]].concat();
            let result = verify_key(signer.sign("LIC1", &mutated), &keys, Some(NOW));
            assert_ne!(result.code, Code::BadSignature, "{}", String::from_utf8_lossy(&mutated));
            assert_eq!(result.claims.is_some(), matches!(result.code, Code::Valid | Code::Expired));
        }
    }
}
