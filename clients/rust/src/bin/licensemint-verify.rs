//! `licensemint-verify --public-key K [--public-key K2 ...] [--lease] [--now N] TOKEN`
//!
//! Verifies one license key (or, with `--lease`, one machine lease) offline and prints one
//! JSON line, `{"code": "VALID", "claims": {...}}` (claims are `null` unless the code is
//! VALID or EXPIRED). Exits 0 for VALID, 1 for any other code, 2 for a usage error. A TOKEN
//! of `-` is read from standard input.

use std::io::Read;
use std::process::ExitCode;

use licensemint::{verify_key, verify_lease, Code, PublicKey};

const USAGE: &str = "usage: licensemint-verify --public-key KEY [--public-key KEY ...] [--lease] [--now UNIX_SECONDS] TOKEN";

struct Args {
    keys: Vec<PublicKey>,
    lease: bool,
    now: Option<i64>,
    token: String,
}

/// The arguments, or `None` for `--help`.
fn parse(mut argv: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut keys = Vec::new();
    let mut lease = false;
    let mut now = None;
    let mut token = None;
    let mut options = true;
    while let Some(arg) = argv.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if options && name.starts_with("--") => (name.to_owned(), Some(value.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| inline.clone().or_else(|| argv.next()).ok_or(format!("{name} needs {what}"));
        match name.as_str() {
            "--public-key" if options => {
                let text = value("a public key")?;
                keys.push(text.parse::<PublicKey>().map_err(|e| format!("--public-key {text:?}: {e}"))?);
            }
            "--now" if options => {
                let text = value("Unix seconds")?;
                now = Some(text.parse().map_err(|_| format!("--now {text:?}: not an integer number of seconds"))?);
            }
            "--lease" if options && inline.is_none() => lease = true,
            "-h" | "--help" if options => return Ok(None),
            "--" if options => options = false,
            _ if options && arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if token.is_some() => return Err("give exactly one token, last".to_owned()),
            _ => token = Some(arg),
        }
    }
    let mut token = token.ok_or("no token given")?;
    if token == "-" {
        token.clear();
        std::io::stdin().read_to_string(&mut token).map_err(|e| format!("cannot read the token from stdin: {e}"))?;
    }
    if keys.is_empty() {
        return Err("give at least one --public-key (from GET /v1/keys or licensemint keygen)".to_owned());
    }
    Ok(Some(Args { keys, lease, now, token }))
}

fn main() -> ExitCode {
    let argv = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned());
    let args = match parse(argv) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("licensemint-verify: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (code, claims) = if args.lease {
        let result = verify_lease(&args.token, &args.keys, args.now);
        (result.code, result.claims.map(|c| c.to_json().to_owned()))
    } else {
        let result = verify_key(&args.token, &args.keys, args.now);
        (result.code, result.claims.map(|c| c.to_json().to_owned()))
    };
    println!(r#"{{"code":"{}","claims":{}}}"#, code.as_str(), claims.as_deref().unwrap_or("null"));
    if code == Code::Valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
