//! Runs every case of the shared vector file (`clients/vectors/v1.json`, or the file named by
//! `LICENSEMINT_VECTORS`) and every machine hash in it; prints `N passed, N failed` and exits
//! non-zero on any failure, or when the file cannot be read or has no cases.
//! (A plain `main`: this test target has `harness = false`.)

use std::path::PathBuf;
use std::process::ExitCode;

use licensemint::{machine_hash, verify_key, verify_lease, Claims, Code, LeaseClaims, PublicKey};
use serde_json::{Map, Value};

fn vector_file() -> PathBuf {
    match std::env::var_os("LICENSEMINT_VECTORS") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/v1.json"),
    }
}

fn load() -> Result<Value, String> {
    let path = vector_file();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_json(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// serde_json without its nesting limit of 128 (the file nests deeper; this test's `main`
/// runs on the main thread, whose stack holds far more).
fn parse_json(text: &str) -> serde_json::Result<Value> {
    use serde::Deserialize;
    let mut reader = serde_json::Deserializer::from_str(text);
    reader.disable_recursion_limit();
    let value = Value::deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}

fn main() -> ExitCode {
    match run() {
        Ok((passed, failed)) => {
            println!("{passed} passed, {failed} failed");
            if failed == 0 && passed > 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(message) => {
            println!("vectors: {message}");
            println!("0 passed, 1 failed");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(usize, usize), String> {
    let file = load()?;
    let now = file["now"].as_i64().ok_or("\"now\" is not an integer")?;
    let keys = file["public_keys"]
        .as_array()
        .ok_or("\"public_keys\" is not a list")?
        .iter()
        .map(|k| {
            let text = k["public_key"].as_str().ok_or("a public_key is not a string")?;
            let key = PublicKey::from_base64(text).map_err(|e| format!("public_key {text}: {e}"))?;
            match k["kid"].as_str() {
                Some(kid) if kid == key.kid() => Ok(key),
                other => Err(format!("public_key {text} has kid {}, the file says {other:?}", key.kid())),
            }
        })
        .collect::<Result<Vec<PublicKey>, String>>()?;
    let cases = file["cases"].as_array().ok_or("\"cases\" is not a list")?;
    if cases.is_empty() {
        return Err("the file has no cases".to_owned());
    }

    let (mut passed, mut failed) = (0, 0);
    let mut tally = |name: &str, outcome: Result<(), String>| match outcome {
        Ok(()) => passed += 1,
        Err(why) => {
            failed += 1;
            println!("FAIL {name}: {why}");
        }
    };
    for case in cases {
        let name = case["name"].as_str().unwrap_or("<unnamed case>");
        tally(name, check_case(case, &keys, now));
    }
    let machines = file.get("machines").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    for m in machines {
        let fingerprint = m["fingerprint"].as_str().unwrap_or_default();
        let outcome = match (m["fingerprint"].is_string(), m["machine"].as_str()) {
            (true, Some(want)) if machine_hash(fingerprint) == want => Ok(()),
            (true, Some(want)) => Err(format!("machine_hash gave {}, want {want}", machine_hash(fingerprint))),
            _ => Err("a machines entry needs a fingerprint and a machine string".to_owned()),
        };
        tally(&format!("machineHash({fingerprint:?})"), outcome);
    }
    println!("{} cases, {} machines", cases.len(), machines.len());
    Ok((passed, failed))
}

fn check_case(case: &Value, keys: &[PublicKey], now: i64) -> Result<(), String> {
    let input = case["input"].as_str().ok_or("input is not a string")?;
    let want: Code = case["code"].as_str().ok_or("code is not a string")?.parse().map_err(|e| format!("{e}"))?;
    let want_claims = case.get("claims").filter(|c| !c.is_null());
    let (code, got_claims) = match case["kind"].as_str() {
        Some("key") => {
            let result = verify_key(input, keys, Some(now));
            (result.code, result.claims.map(Either::Key))
        }
        Some("lease") => {
            let result = verify_lease(input, keys, Some(now));
            (result.code, result.claims.map(Either::Lease))
        }
        other => return Err(format!("kind {other:?} is neither \"key\" nor \"lease\"")),
    };
    if code != want {
        return Err(format!("got {code}, want {want}"));
    }
    match (want_claims, got_claims) {
        (None, None) => Ok(()),
        (Some(want), Some(got)) => {
            let want = want.as_object().ok_or("the case's claims are not an object")?;
            got.compare(want)
        }
        (None, Some(_)) if !matches!(code, Code::Valid | Code::Expired) => Err(format!("{code} came with claims")),
        (None, Some(_)) => Ok(()), // a VALID/EXPIRED case without claims to compare
        (Some(_), None) => Err("no claims returned".to_owned()),
    }
}

enum Either {
    Key(Claims),
    Lease(LeaseClaims),
}

impl Either {
    /// Every field of the format's table, then the whole payload object.
    fn compare(&self, want: &Map<String, Value>) -> Result<(), String> {
        let int = |name: &str| want.get(name).and_then(Value::as_i64);
        let string = |name: &str| want.get(name).and_then(Value::as_str).map(str::to_owned);
        let test = want.get("test").and_then(Value::as_bool).unwrap_or(false);
        let (fields, json) = match self {
            Either::Key(c) => (
                vec![
                    ("v", int("v") == Some(c.v)),
                    ("lid", string("lid").as_ref() == Some(&c.lid)),
                    ("product", string("product").as_ref() == Some(&c.product)),
                    ("tier", string("tier").as_ref() == Some(&c.tier)),
                    ("seats", int("seats") == Some(c.seats)),
                    ("iat", int("iat") == Some(c.iat)),
                    ("exp", int("exp") == c.exp),
                    ("test", test == c.test),
                    ("name", string("name") == c.name),
                ],
                c.to_json(),
            ),
            Either::Lease(c) => (
                vec![
                    ("v", int("v") == Some(c.v)),
                    ("lid", string("lid").as_ref() == Some(&c.lid)),
                    ("product", string("product").as_ref() == Some(&c.product)),
                    ("tier", string("tier").as_ref() == Some(&c.tier)),
                    ("machine", string("machine").as_ref() == Some(&c.machine)),
                    ("iat", int("iat") == Some(c.iat)),
                    ("exp", int("exp") == Some(c.exp)),
                    ("test", test == c.test),
                ],
                c.to_json(),
            ),
        };
        let differ: Vec<&str> = fields.iter().filter(|(_, same)| !same).map(|(name, _)| *name).collect();
        if !differ.is_empty() {
            return Err(format!("claims differ in {differ:?}: got {json}"));
        }
        let whole = parse_json(json).map_err(|e| format!("to_json() is not JSON ({e}): {json}"))?;
        if whole.as_object() != Some(want) {
            return Err(format!("the whole payload differs: got {json}"));
        }
        Ok(())
    }
}
