//! `licensemint-verify` as a user runs it: arguments, one JSON line, the exit status.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use ring::signature::{Ed25519KeyPair, KeyPair};

const BIN: &str = env!("CARGO_BIN_EXE_licensemint-verify");

/// The README's example key and token (a perpetual license for acmesoft-pro).
const KEY: &str = "TpsNW8eS7JWegbID2avQN6EVvEBSb0jJOj7utmt_dJ0";
const TOKEN: &str = "LIC1.X_g-d1DyczE.eyJ2IjoxLCJsaWQiOiJsaWNfZGVtbyIsInByb2R1Y3QiOiJhY21lc29mdC1wcm8iLCJ0aWVyIjoicHJvIiwic2VhdHMiOjMsImlhdCI6MTc2NDAwMDAwMH0.uQ-hutL3soWw1xnJnMz4a3AdwoKTrtelm-b-Ldd388qz2wzv999I7pY4YkuiWC7BE5fMiT-Bc8DlFVM03srnCg";
const CLAIMS: &str = r#"{"v":1,"lid":"lic_demo","product":"acmesoft-pro","tier":"pro","seats":3,"iat":1764000000}"#;

fn verify(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run licensemint-verify")
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).unwrap()
}

#[test]
fn a_valid_key_prints_its_code_and_claims_on_one_line_and_exits_0() {
    let output = verify(&["--public-key", KEY, TOKEN]);
    assert_eq!(stdout(&output), format!("{{\"code\":\"VALID\",\"claims\":{CLAIMS}}}\n"));
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn any_other_code_exits_1_with_null_claims() {
    let foreign = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let output = verify(&["--public-key", foreign, TOKEN]);
    assert_eq!(stdout(&output), "{\"code\":\"BAD_SIGNATURE\",\"claims\":null}\n");
    assert_eq!(output.status.code(), Some(1));
    let output = verify(&["--public-key", foreign, "--public-key", KEY, "--lease", TOKEN]);
    assert_eq!(stdout(&output), "{\"code\":\"MALFORMED\",\"claims\":null}\n");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn now_is_a_flag_and_expired_keys_print_their_claims() {
    // A lease signed here, expiring at 2000: valid at 1999, expired at 2000.
    let pair = Ed25519KeyPair::from_seed_unchecked(&[9; 32]).unwrap();
    let public = licensemint::PublicKey::from_bytes(pair.public_key().as_ref().try_into().unwrap());
    let machine = licensemint::machine_hash("host");
    let claims = format!(r#"{{"v":1,"lid":"l","product":"p","tier":"t","machine":"{machine}","iat":1000,"exp":2000}}"#);
    let signed = format!("LEASE1.{}.{}", public.kid(), b64url(claims.as_bytes()));
    let lease = format!("{signed}.{}", b64url(pair.sign(signed.as_bytes()).as_ref()));
    let key = public.to_base64url();

    let output = verify(&["--public-key", &key, "--lease", "--now", "1999", &lease]);
    assert_eq!((stdout(&output), output.status.code()), (&*format!("{{\"code\":\"VALID\",\"claims\":{claims}}}\n"), Some(0)));
    let output = verify(&["--public-key", &key, "--lease", "--now=2000", &lease]);
    assert_eq!((stdout(&output), output.status.code()), (&*format!("{{\"code\":\"EXPIRED\",\"claims\":{claims}}}\n"), Some(1)));
}

#[test]
fn a_token_of_dash_is_read_from_standard_input() {
    let mut child = Command::new(BIN)
        .args(["--public-key", KEY, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{TOKEN}\n").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(stdout(&output), format!("{{\"code\":\"VALID\",\"claims\":{CLAIMS}}}\n"));
}

#[test]
fn usage_errors_exit_2_and_say_what_is_wrong_on_stderr() {
    for (args, says) in [
        (&[TOKEN][..], "--public-key"),
        (&["--public-key", "nope", TOKEN][..], "32 bytes"),
        (&["--public-key", KEY][..], "no token"),
        (&["--public-key", KEY, TOKEN, TOKEN][..], "exactly one token"),
        (&["--public-key", KEY, "--now", "soon", TOKEN][..], "--now"),
        (&["--public-key", KEY, "--verbose", TOKEN][..], "unknown option --verbose"),
    ] {
        let output = verify(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains(says), "{args:?}");
    }
    let help = verify(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).starts_with("usage: licensemint-verify"));
}

fn b64url(data: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}
