package licensemint

import (
	"crypto/ed25519"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Hand-made cases for each rule; they do not need the vector file and pin JSON details the
// file may not reach (duplicate names, surrogate escapes).

var b64 = base64.RawURLEncoding

type signer struct {
	priv ed25519.PrivateKey
	pub  PublicKey
}

func newSigner(seed byte) signer {
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string([]byte{seed}), 32)))
	return signer{priv: priv, pub: NewPublicKey(priv.Public().(ed25519.PublicKey))}
}

func (s signer) token(prefix, payload string) string {
	return s.tokenWithKid(prefix, s.pub.Kid, payload)
}

func (s signer) tokenWithKid(prefix, kid, payload string) string {
	body := prefix + "." + kid + "." + b64.EncodeToString([]byte(payload))
	return body + "." + b64.EncodeToString(ed25519.Sign(s.priv, []byte(body)))
}

const (
	keyJSON   = `{"v":1,"lid":"lic_1","product":"acmesoft-pro","tier":"basic","seats":2,"iat":1700000000`
	leaseJSON = `{"v":1,"lid":"lic_1","product":"acmesoft-pro","tier":"basic","machine":"m","iat":1700000000,"exp":1700086400`
	now       = 1700000500
)

func TestRules(t *testing.T) {
	s, other := newSigner(7), newSigner(9)
	v := NewVerifierFromKeys(other.pub, s.pub)
	valid := s.token("LIC1", keyJSON+"}")
	parts := strings.Split(valid, ".")
	kid, payload, sig := parts[1], parts[2], parts[3]
	flipped := sig[:85] + string(sig[85]+1)
	cases := []struct {
		name, kind, input string
		code              Code
	}{
		{"a valid key", "key", valid, Valid},
		{"exp, test and name", "key", s.token("LIC1", keyJSON+`,"exp":1700000501,"test":true,"name":"Ann"}`), Valid},
		{"exp null is perpetual", "key", s.token("LIC1", keyJSON+`,"exp":null}`), Valid},
		{"unknown claims are ignored", "key", s.token("LIC1", keyJSON+`,"x":[1.5,{"a":1e3}]}`), Valid},
		{"expired at exp", "key", s.token("LIC1", keyJSON+`,"exp":1700000500}`), Expired},
		{"valid at exp - 1", "key", s.token("LIC1", keyJSON+`,"exp":1700000501}`), Valid},
		{"ASCII whitespace around is removed", "key", " \t\r\n" + valid + "\n\r\t ", Valid},
		{"U+000B around is kept", "key", valid + "\v", Malformed},
		{"U+00A0 around is kept", "key", "\u00a0" + valid, Malformed},
		{"U+FEFF around is kept", "key", "\ufeff" + valid, Malformed},
		{"U+0085 around is kept", "key", valid + "\u0085", Malformed},
		{"a trailing NUL", "key", valid + "\x00", Malformed},
		{"invalid UTF-8 around", "key", valid + "\xff", Malformed},
		{"an inner space", "key", "LIC1. " + kid + "." + payload + "." + sig, Malformed},
		{"empty", "key", "", Malformed},
		{"blank", "key", " \t\r\n", Malformed},
		{"three parts", "key", "LIC1." + kid + "." + payload, Malformed},
		{"five parts", "key", valid + ".x", Malformed},
		{"a lease to the key verifier", "key", s.token("LEASE1", leaseJSON+"}"), Malformed},
		{"a key to the lease verifier", "lease", valid, Malformed},
		{"padded signature", "key", valid + "==", Malformed},
		{"non-canonical trailing bits", "key", "LIC1." + kid + "." + payload + "." + flipped, Malformed},
		{"a kid of 7 bytes", "key", "LIC1." + kid[:10] + "." + payload + "." + sig, Malformed},
		{"an empty payload", "key", "LIC1." + kid + ".." + sig, Malformed},
		{"unknown kid", "key", s.tokenWithKid("LIC1", "AAAAAAAAAAA", keyJSON+"}"), BadSignature},
		{"signed by another key", "key", other.tokenWithKid("LIC1", kid, keyJSON+"}"), BadSignature},
		{"tampered payload that is not JSON", "key", "LIC1." + kid + ".AAAA." + sig, BadSignature},
		{"a lease of 4097 bytes", "lease", s.token("LEASE1", leaseJSON+`,"pad":"`+strings.Repeat("x", 2993-len(leaseJSON)-10)+`"}`), Malformed},
		{"a lease of 4096 bytes", "lease", s.token("LEASE1", leaseJSON+`,"pad":"`+strings.Repeat("x", 2992-len(leaseJSON)-10)+`"}`), Valid},
		{"not JSON", "key", s.token("LIC1", "hello"), Malformed},
		{"an array", "key", s.token("LIC1", "[1]"), Malformed},
		{"invalid UTF-8 in a string", "key", s.token("LIC1", keyJSON+`,"name":"`+"\xc3\x28"+`"}`), Malformed},
		{"an encoded surrogate", "key", s.token("LIC1", keyJSON+`,"name":"`+"\xed\xa0\x80"+`"}`), Malformed},
		{"a BOM", "key", s.token("LIC1", "\ufeff"+keyJSON+"}"), Malformed},
		{"JSON whitespace around", "key", s.token("LIC1", " \n"+keyJSON+"}\t\r"), Valid},
		{"a trailing comma", "key", s.token("LIC1", keyJSON+",}"), Malformed},
		{"two JSON texts", "key", s.token("LIC1", keyJSON+"}{}"), Malformed},
		{"a duplicate member name", "key", s.token("LIC1", keyJSON+`,"seats":2}`), Malformed},
		{"a duplicate name spelled with an escape", "key", s.token("LIC1", keyJSON+`,"sea\u0074s":2}`), Malformed},
		{"a duplicate name in a nested object", "key", s.token("LIC1", keyJSON+`,"x":{"a":1,"a":2}}`), Malformed},
		{"a lone high surrogate escape", "key", s.token("LIC1", keyJSON+`,"name":"\ud800"}`), Malformed},
		{"a lone low surrogate escape in a nested array", "key", s.token("LIC1", keyJSON+`,"x":["\udc00"]}`), Malformed},
		{"a lone surrogate escape in a member name", "key", s.token("LIC1", keyJSON+`,"\ud800":1}`), Malformed},
		{"a high surrogate escape then a non-low escape", "key", s.token("LIC1", keyJSON+`,"name":"\ud800\u0041"}`), Malformed},
		{"a high surrogate escape at the end of a string", "key", s.token("LIC1", keyJSON+`,"name":"a\udbff"}`), Malformed},
		{"a reversed surrogate pair", "key", s.token("LIC1", keyJSON+`,"name":"\ude00\ud83d"}`), Malformed},
		{"a lone surrogate escape in a lease", "lease", s.token("LEASE1", leaseJSON+`,"x":"\udfff"}`), Malformed},
		{"a name and its escaped spelling", "key", s.token("LIC1", keyJSON+`,"\u00e9":1,"é":2}`), Malformed},
		{"a pair and its escaped spelling", "key", s.token("LIC1", keyJSON+`,"\ud83d\ude00":1,"😀":2}`), Malformed},
		{"escapes as names", "key", s.token("LIC1", keyJSON+`,"\n":1,"\u000a":2}`), Malformed},
		// The spec sets no nesting limit: 1400 levels fill the longest payload.
		{"deep nesting in an unknown claim", "key", s.token("LIC1", keyJSON+`,"x":`+strings.Repeat("[", 1400)+strings.Repeat("]", 1400)+"}"), Valid},
		{"a surrogate pair escape", "key", s.token("LIC1", keyJSON+`,"name":"\ud83d\ude00"}`), Valid},
		{"v 2", "key", s.token("LIC1", strings.Replace(keyJSON, `"v":1`, `"v":2`, 1)+"}"), Malformed},
		{"v 1.0", "key", s.token("LIC1", strings.Replace(keyJSON, `"v":1`, `"v":1.0`, 1)+"}"), Malformed},
		{"seats 2e0", "key", s.token("LIC1", strings.Replace(keyJSON, `"seats":2`, `"seats":2e0`, 1)+"}"), Malformed},
		{"seats -0.0", "key", s.token("LIC1", strings.Replace(keyJSON, `"seats":2`, `"seats":-0.0`, 1)+"}"), Malformed},
		{"seats -0", "key", s.token("LIC1", strings.Replace(keyJSON, `"seats":2`, `"seats":-0`, 1)+"}"), Valid},
		{"seats true", "key", s.token("LIC1", strings.Replace(keyJSON, `"seats":2`, `"seats":true`, 1)+"}"), Malformed},
		{"iat 2^53 - 1", "key", s.token("LIC1", strings.Replace(keyJSON, `1700000000`, `9007199254740991`, 1)+"}"), Valid},
		{"iat 2^53", "key", s.token("LIC1", strings.Replace(keyJSON, `1700000000`, `9007199254740992`, 1)+"}"), Malformed},
		{"iat -(2^53)", "key", s.token("LIC1", strings.Replace(keyJSON, `1700000000`, `-9007199254740992`, 1)+"}"), Malformed},
		{"iat past int64", "key", s.token("LIC1", strings.Replace(keyJSON, `1700000000`, `99999999999999999999`, 1)+"}"), Malformed},
		{"exp \"soon\"", "key", s.token("LIC1", keyJSON+`,"exp":"soon"}`), Malformed},
		{"test \"yes\"", "key", s.token("LIC1", keyJSON+`,"test":"yes"}`), Malformed},
		{"name 5", "key", s.token("LIC1", keyJSON+`,"name":5}`), Malformed},
		{"missing seats", "key", s.token("LIC1", strings.Replace(keyJSON, `"seats":2,`, ``, 1)+"}"), Malformed},
		{"a valid lease", "lease", s.token("LEASE1", leaseJSON+"}"), Valid},
		{"a lease with exp null", "lease", s.token("LEASE1", strings.Replace(leaseJSON, `"exp":1700086400`, `"exp":null`, 1)+"}"), Malformed},
		{"a lease without machine", "lease", s.token("LEASE1", strings.Replace(leaseJSON, `"machine":"m",`, ``, 1)+"}"), Malformed},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			var r Result
			if c.kind == "lease" {
				r = v.VerifyLeaseAt(c.input, now)
			} else {
				r = v.VerifyKeyAt(c.input, now)
			}
			if r.Code != c.code {
				t.Fatalf("code %s (%s), want %s", r.Code, r.Reason, c.code)
			}
			if (r.Claims != nil) != (c.code == Valid || c.code == Expired) {
				t.Fatalf("claims %v with code %s", r.Claims, r.Code)
			}
		})
	}
}

func TestLengthCasesAreTheirLengths(t *testing.T) {
	s := newSigner(7)
	for payloadBytes, length := range map[int]int{2992: 4096, 2993: 4097} {
		tok := s.token("LEASE1", leaseJSON+`,"pad":"`+strings.Repeat("x", payloadBytes-len(leaseJSON)-10)+`"}`)
		if len(tok) != length {
			t.Errorf("a payload of %d bytes gives a token of %d, want %d", payloadBytes, len(tok), length)
		}
	}
}

func TestTypedClaims(t *testing.T) {
	s := newSigner(7)
	v := NewVerifierFromKeys(s.pub)
	r := v.VerifyKeyAt(s.token("LIC1", strings.Replace(keyJSON, `"seats":2`, `"seats":5`, 1)+`,"exp":1800000000,"test":true,"name":"Zoë"}`), now)
	if !r.Valid() || r.Kid != s.pub.Kid {
		t.Fatalf("%+v", r)
	}
	c := r.Claims
	if c.V != 1 || c.Lid != "lic_1" || c.Product != "acmesoft-pro" || c.Tier != "basic" || c.Seats != 5 ||
		c.Iat != 1700000000 || c.Exp == nil || *c.Exp != 1800000000 || !c.Test || c.Name == nil || *c.Name != "Zoë" {
		t.Fatalf("%+v", c)
	}
	r = v.VerifyLeaseAt(s.token("LEASE1", leaseJSON+"}"), now)
	if !r.Valid() || r.Claims.Machine != "m" || *r.Claims.Exp != 1700086400 || r.Claims.Name != nil || r.Claims.Test {
		t.Fatalf("%+v", r.Claims)
	}
}

func TestTheClockIsInjectable(t *testing.T) {
	s := newSigner(7)
	v := NewVerifierFromKeys(s.pub)
	token := s.token("LIC1", keyJSON+`,"exp":100}`)
	v.Now = func() time.Time { return time.Unix(99, 0) }
	if got := v.VerifyKey(token).Code; got != Valid {
		t.Fatalf("at 99: %s", got)
	}
	v.Now = func() time.Time { return time.Unix(100, 0) }
	if got := v.VerifyKey(token).Code; got != Expired {
		t.Fatalf("at 100: %s", got)
	}
	v.Now = nil // the system clock
	soon := time.Now().Unix() + 60
	if got := v.VerifyKey(s.token("LIC1", keyJSON+`,"exp":`+strconv.FormatInt(soon, 10)+`}`)).Code; got != Valid {
		t.Fatalf("a minute before exp by the system clock: %s", got)
	}
}

func TestPublicKeys(t *testing.T) {
	s := newSigner(7)
	url := b64.EncodeToString(s.pub.Key)
	std := base64.StdEncoding.EncodeToString(s.pub.Key)
	for _, text := range []string{url, std, " " + url + "\n"} {
		k, err := ParsePublicKey(text)
		if err != nil || k.Kid != s.pub.Kid {
			t.Errorf("ParsePublicKey(%q) = %v, %v", text, k, err)
		}
	}
	for _, bad := range []string{
		"", url + "=", url[:42], b64.EncodeToString(make([]byte, 33)), std[:43],
		strings.ReplaceAll(std, "=", "") + "\n=", url[:20] + "\n" + url[20:],
		url[:42] + string(url[42]+1), "-----BEGIN PUBLIC KEY-----",
	} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
	if _, err := NewVerifier(url, "nope"); err == nil {
		t.Error("NewVerifier accepted a bad key")
	}
}

func TestAPublicKeyOfTheWrongLengthVerifiesNothingAndDoesNotPanic(t *testing.T) {
	s := newSigner(7)
	short := NewPublicKey(ed25519.PublicKey(s.pub.Key[:31]))
	v := NewVerifierFromKeys(short)
	if got := v.VerifyKeyAt(s.tokenWithKid("LIC1", short.Kid, keyJSON+"}"), now).Code; got != BadSignature {
		t.Fatalf("%s", got)
	}
}

func TestMachineHash(t *testing.T) {
	for fingerprint, want := range map[string]string{
		"":       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc":    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"\u00e9": "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c",
	} {
		if got := MachineHash(fingerprint); got != want {
			t.Errorf("MachineHash(%q) = %s, want %s", fingerprint, got, want)
		}
	}
}
