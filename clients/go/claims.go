package licensemint

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Claims are the decoded payload of a key or a lease. Fields a token kind does not have
// stay zero: Seats and Name for leases, Machine for keys.
type Claims struct {
	V       int64
	Lid     string
	Product string
	Tier    string
	// Seats is how many machines the license may activate (keys only).
	Seats int64
	// Iat is the issue time, Unix seconds (UTC).
	Iat int64
	// Exp is the expiry, Unix seconds (UTC); nil means perpetual (keys only: a lease
	// always has one). Expired when now >= Exp.
	Exp *int64
	// Test marks a Gumroad test purchase: treat it as valid; you may show "test license".
	Test bool
	// Name is the licensee's name; nil when the key carries none (keys only).
	Name *string
	// Machine is the lowercase hex SHA-256 of the machine's fingerprint (leases only):
	// compare it with MachineHash.
	Machine string
	// Raw is the whole payload, a JSON object, unknown claims included.
	Raw json.RawMessage
}

type claimKind int

const (
	kindInteger claimKind = iota
	kindString
	kindBoolean
	kindIntegerOrNull
)

type claimRule struct {
	name     string
	kind     claimKind
	required bool
}

var keyRules = []claimRule{
	{"v", kindInteger, true}, {"lid", kindString, true}, {"product", kindString, true},
	{"tier", kindString, true}, {"seats", kindInteger, true}, {"iat", kindInteger, true},
	{"exp", kindIntegerOrNull, false}, {"test", kindBoolean, false}, {"name", kindString, false},
}

var leaseRules = []claimRule{
	{"v", kindInteger, true}, {"lid", kindString, true}, {"product", kindString, true},
	{"tier", kindString, true}, {"machine", kindString, true}, {"iat", kindInteger, true},
	{"exp", kindInteger, true}, {"test", kindBoolean, false},
}

const maxSafeInteger = 1<<53 - 1

// readClaims applies checks 10 and 11 to a well-signed payload: strict UTF-8, no BOM, one
// strict JSON object, the claims of the table present and of their types. It returns the
// claims, or nil and why not.
func readClaims(payload []byte, lease bool) (*Claims, string) {
	if bytes.HasPrefix(payload, []byte("\xef\xbb\xbf")) {
		return nil, "the payload starts with a byte order mark"
	}
	// encoding/json would replace invalid UTF-8 rather than refuse it.
	if !utf8.Valid(payload) {
		return nil, "the payload is not UTF-8"
	}
	if !json.Valid(payload) {
		return nil, "the payload is not JSON"
	}
	members, reason := topLevelMembers(payload)
	if members == nil {
		return nil, reason
	}
	rules := keyRules
	if lease {
		rules = leaseRules
	}
	c := &Claims{Raw: append(json.RawMessage(nil), payload...)}
	for _, rule := range rules {
		raw, present := members[rule.name]
		if !present {
			if rule.required {
				return nil, "claim " + strconv.Quote(rule.name) + " is missing"
			}
			continue
		}
		if !assign(c, rule, raw) {
			return nil, "claim " + strconv.Quote(rule.name) + " is of the wrong type"
		}
	}
	if c.V != 1 {
		return nil, "unsupported version " + strconv.FormatInt(c.V, 10)
	}
	return c, ""
}

// assign stores one claim's raw JSON value in c if it has the rule's type.
func assign(c *Claims, rule claimRule, raw []byte) bool {
	switch rule.kind {
	case kindString:
		if raw[0] != '"' {
			return false
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		switch rule.name {
		case "lid":
			c.Lid = s
		case "product":
			c.Product = s
		case "tier":
			c.Tier = s
		case "machine":
			c.Machine = s
		case "name":
			c.Name = &s
		}
	case kindBoolean:
		if string(raw) != "true" && string(raw) != "false" {
			return false
		}
		c.Test = string(raw) == "true"
	case kindIntegerOrNull, kindInteger:
		if rule.kind == kindIntegerOrNull && string(raw) == "null" {
			return true
		}
		n, ok := parseInteger(raw)
		if !ok {
			return false
		}
		switch rule.name {
		case "v":
			c.V = n
		case "seats":
			c.Seats = n
		case "iat":
			c.Iat = n
		case "exp":
			c.Exp = &n
		}
	}
	return true
}

// parseInteger accepts a JSON integer (no fraction, no exponent) within ±(2^53 − 1).
func parseInteger(raw []byte) (int64, bool) {
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || (digits[0] == '0' && len(digits) > 1) {
		return 0, false
	}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || n > maxSafeInteger || n < -maxSafeInteger {
		return 0, false
	}
	return n, true
}
