//! The claims of a license key (LIC1) and of a machine lease (LEASE1), read from a payload
//! that is already known to be a strict JSON object.

use crate::json::{compact_object, Value};

/// What a license key (`LIC1`) says. Every field of the format's table; claims this version
/// does not know are kept as JSON text ([`Claims::extra`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// Format version; always 1 (any other value is MALFORMED).
    pub v: i64,
    /// License id.
    pub lid: String,
    /// Product id from the seller's catalog.
    pub product: String,
    /// Tier id.
    pub tier: String,
    /// How many machines the license may activate.
    pub seats: i64,
    /// Issued at, Unix seconds UTC.
    pub iat: i64,
    /// Expiry, Unix seconds UTC; `None` = perpetual. Expired when `now >= exp`.
    pub exp: Option<i64>,
    /// A Gumroad test purchase: treat it as valid, and you may show "test license".
    pub test: bool,
    /// Licensee name; absent when the seller leaves names out of keys.
    pub name: Option<String>,
    rest: Rest,
}

/// What a machine lease (`LEASE1`) says. Check [`LeaseClaims::is_for_machine`]: a lease for
/// another machine is not valid on this one, whatever its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseClaims {
    /// Format version; always 1.
    pub v: i64,
    /// License id.
    pub lid: String,
    /// Product id.
    pub product: String,
    /// Tier id.
    pub tier: String,
    /// Lowercase hex SHA-256 of the machine's fingerprint string (see [`crate::machine_hash`]).
    pub machine: String,
    /// Issued at, Unix seconds UTC.
    pub iat: i64,
    /// Lease expiry, Unix seconds UTC (a lease always has one). Expired when `now >= exp`.
    pub exp: i64,
    /// A Gumroad test purchase.
    pub test: bool,
    rest: Rest,
}

/// The whole payload object as compact JSON, and the claims the typed fields do not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rest {
    json: String,
    extra: Vec<(String, String)>,
}

impl Claims {
    /// The whole payload object as compact JSON text (members in the order signed, unknown
    /// claims included).
    pub fn to_json(&self) -> &str {
        &self.rest.json
    }

    /// A claim this version of the format does not define, as compact JSON text
    /// (`"\"pro\""`, `"3"`, `"{...}"`); `None` when absent or when it is one of the fields.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.rest.extra(name)
    }
}

impl LeaseClaims {
    /// The whole payload object as compact JSON text.
    pub fn to_json(&self) -> &str {
        &self.rest.json
    }

    /// A claim this version of the format does not define, as compact JSON text.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.rest.extra(name)
    }

    /// Whether this lease was issued to the machine whose fingerprint is given (compares
    /// [`crate::machine_hash`] of it with `machine`).
    pub fn is_for_machine(&self, fingerprint: &str) -> bool {
        crate::machine_hash(fingerprint) == self.machine
    }
}

impl Rest {
    fn new(members: &[(String, Value)], known: &[&str]) -> Rest {
        let json = compact_object(members);
        let extra = members
            .iter()
            .filter(|(name, _)| !known.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.to_compact()))
            .collect();
        Rest { json, extra }
    }

    fn extra(&self, name: &str) -> Option<&str> {
        self.extra.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One claim set per token kind: its prefix, how it is read, and its expiry.
pub(crate) trait Kind: Sized {
    const PREFIX: &'static str;
    /// `None` when a claim is missing or of the wrong type (MALFORMED).
    fn read(members: &[(String, Value)]) -> Option<Self>;
    fn expires_at(&self) -> Option<i64>;
}

struct Object<'a>(&'a [(String, Value)]);

impl Object<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn string(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    fn integer(&self, name: &str) -> Option<i64> {
        self.get(name)?.as_integer()
    }

    fn version(&self) -> Option<i64> {
        self.integer("v").filter(|&v| v == 1)
    }

    /// Absent = `Some(None)`; present and of the type = `Some(Some(..))`; else `None`.
    fn optional<T>(&self, name: &str, read: impl Fn(&Value) -> Option<T>) -> Option<Option<T>> {
        match self.get(name) {
            None => Some(None),
            Some(value) => read(value).map(Some),
        }
    }

    fn test(&self) -> Option<bool> {
        let test = self.optional("test", |v| match v {
            Value::Bool(b) => Some(*b),
            _ => None,
        })?;
        Some(test.unwrap_or(false))
    }
}

const KEY_CLAIMS: &[&str] = &["v", "lid", "product", "tier", "seats", "iat", "exp", "test", "name"];
const LEASE_CLAIMS: &[&str] = &["v", "lid", "product", "tier", "machine", "iat", "exp", "test"];

impl Kind for Claims {
    const PREFIX: &'static str = "LIC1";

    fn read(members: &[(String, Value)]) -> Option<Claims> {
        let o = Object(members);
        Some(Claims {
            v: o.version()?,
            lid: o.string("lid")?,
            product: o.string("product")?,
            tier: o.string("tier")?,
            seats: o.integer("seats")?,
            iat: o.integer("iat")?,
            // exp: absent or null = perpetual; otherwise an integer.
            exp: o
                .optional("exp", |v| match v {
                    Value::Null => Some(None),
                    v => v.as_integer().map(Some),
                })?
                .flatten(),
            test: o.test()?,
            name: o.optional("name", |v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })?,
            rest: Rest::new(members, KEY_CLAIMS),
        })
    }

    fn expires_at(&self) -> Option<i64> {
        self.exp
    }
}

impl Kind for LeaseClaims {
    const PREFIX: &'static str = "LEASE1";

    fn read(members: &[(String, Value)]) -> Option<LeaseClaims> {
        let o = Object(members);
        Some(LeaseClaims {
            v: o.version()?,
            lid: o.string("lid")?,
            product: o.string("product")?,
            tier: o.string("tier")?,
            machine: o.string("machine")?,
            iat: o.integer("iat")?,
            exp: o.integer("exp")?,
            test: o.test()?,
            rest: Rest::new(members, LEASE_CLAIMS),
        })
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.exp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_object;

    fn key(text: &str) -> Option<Claims> {
        Claims::read(&parse_object(text).expect("JSON"))
    }

    fn lease(text: &str) -> Option<LeaseClaims> {
        LeaseClaims::read(&parse_object(text).expect("JSON"))
    }

    const BASE: &str = r#""v":1,"lid":"lic_1","product":"acmesoft-pro","tier":"pro","seats":3,"iat":1700000000"#;

    #[test]
    fn a_key_with_only_the_required_claims_is_perpetual_and_not_a_test() {
        let c = key(&format!("{{{BASE}}}")).unwrap();
        assert_eq!((c.v, c.lid.as_str(), c.product.as_str(), c.tier.as_str()), (1, "lic_1", "acmesoft-pro", "pro"));
        assert_eq!((c.seats, c.iat, c.exp, c.test, c.name), (3, 1_700_000_000, None, false, None));
    }

    #[test]
    fn optional_key_claims_are_read_when_present() {
        let c = key(&format!(r#"{{{BASE},"exp":1800000000,"test":true,"name":"Ada"}}"#)).unwrap();
        assert_eq!((c.exp, c.test, c.name.as_deref()), (Some(1_800_000_000), true, Some("Ada")));
        assert_eq!(key(&format!(r#"{{{BASE},"exp":null}}"#)).unwrap().exp, None);
    }

    #[test]
    fn a_missing_required_claim_is_refused() {
        for claim in ["v", "lid", "product", "tier", "seats", "iat"] {
            let members: Vec<&str> = BASE.split(',').filter(|m| !m.starts_with(&format!("\"{claim}\""))).collect();
            assert_eq!(key(&format!("{{{}}}", members.join(","))), None, "without {claim}");
        }
    }

    #[test]
    fn a_claim_of_the_wrong_type_is_refused() {
        for extra in [
            r#""exp":"soon""#,
            r#""exp":1.5"#,
            r#""test":"yes""#,
            r#""test":null"#,
            r#""name":5"#,
            r#""name":null"#,
        ] {
            assert_eq!(key(&format!("{{{BASE},{extra}}}")), None, "{extra}");
        }
        for (claim, bad) in [("v", "2"), ("v", "1.0"), ("v", "true"), ("seats", "\"3\""), ("seats", "3E0"), ("iat", "1e9"), ("lid", "1")] {
            let text = format!("{{{}}}", BASE.replace(&format!("\"{claim}\":"), &format!("\"{claim}\":{bad},\"_was_{claim}\":")));
            assert_eq!(key(&text), None, "{claim}: {bad}");
        }
    }

    #[test]
    fn unknown_claims_are_kept_as_json_and_ignored() {
        let c = key(&format!(r#"{{{BASE},"features":["a","b"],"n":1.5}}"#)).unwrap();
        assert_eq!(c.extra("features"), Some(r#"["a","b"]"#));
        assert_eq!(c.extra("n"), Some("1.5"));
        assert_eq!(c.extra("lid"), None);
        assert_eq!(c.to_json(), format!(r#"{{{BASE},"features":["a","b"],"n":1.5}}"#));
    }

    #[test]
    fn a_lease_needs_a_machine_and_an_integer_expiry() {
        let machine = crate::machine_hash("host-1");
        let ok = format!(r#"{{"v":1,"lid":"l","product":"p","tier":"t","machine":"{machine}","iat":1,"exp":2}}"#);
        let c = lease(&ok).unwrap();
        assert_eq!((c.exp, c.test), (2, false));
        assert!(c.is_for_machine("host-1"));
        assert!(!c.is_for_machine("host-2"));
        assert_eq!(lease(&ok.replace(r#","exp":2"#, "")), None);
        assert_eq!(lease(&ok.replace(r#""exp":2"#, r#""exp":null"#)), None);
        assert_eq!(lease(&ok.replace(&format!(r#""machine":"{machine}","#), "")), None);
    }
}
