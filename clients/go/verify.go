// Package licensemint verifies licensemint license keys (LIC1) and machine leases (LEASE1)
// offline, following key format 1.0: Ed25519 signatures checked with the public keys the
// server publishes at GET /v1/keys. It uses only the standard library.
package licensemint

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Code is an offline verification answer. Only the server can also say REVOKED, SUSPENDED
// or UNKNOWN.
type Code string

const (
	Valid        Code = "VALID"
	Expired      Code = "EXPIRED"
	BadSignature Code = "BAD_SIGNATURE"
	Malformed    Code = "MALFORMED"
)

const (
	// MaxLength is the longest token, in bytes, after surrounding whitespace is removed.
	MaxLength   = 4096
	KeyPrefix   = "LIC1"
	LeasePrefix = "LEASE1"
)

// Result is the outcome of one verification. Claims is set for Valid and Expired only.
type Result struct {
	Code Code
	// Reason says why, for logs and support: "ok", "expired", "unknown key id",
	// "bad signature", or what is malformed. It never contains the token.
	Reason string
	// Kid is the key id the token names, once it could be read.
	Kid    string
	Claims *Claims
}

// Valid reports whether Code is Valid.
func (r Result) Valid() bool { return r.Code == Valid }

// PublicKey is an Ed25519 public key with its kid: base64url(SHA-256(key)[0:8]).
type PublicKey struct {
	Kid string
	Key ed25519.PublicKey
}

// ParsePublicKey reads a public key as GET /v1/keys and `licensemint keygen` publish it:
// base64url without padding of the raw 32 bytes (43 characters). Standard base64 with
// padding (44 characters) is accepted too. Surrounding ASCII whitespace is ignored.
func ParsePublicKey(text string) (PublicKey, error) {
	text = trimASCIISpace(text)
	var raw []byte
	var err error
	switch {
	case len(text) == 43 && inAlphabet(text, urlAlphabet):
		raw, err = base64.RawURLEncoding.Strict().DecodeString(text)
	case len(text) == 44 && strings.HasSuffix(text, "=") && inAlphabet(text[:43], stdAlphabet):
		raw, err = base64.StdEncoding.Strict().DecodeString(text)
	default:
		err = errors.New("wrong length or alphabet")
	}
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return PublicKey{}, errors.New("licensemint: not an Ed25519 public key: expected base64url of the raw 32 bytes (43 characters)")
	}
	return NewPublicKey(ed25519.PublicKey(raw)), nil
}

// NewPublicKey wraps a raw 32-byte Ed25519 public key and derives its kid. A key of another
// length verifies nothing (every token naming its kid is BAD_SIGNATURE).
func NewPublicKey(key ed25519.PublicKey) PublicKey {
	sum := sha256.Sum256(key)
	return PublicKey{Kid: base64.RawURLEncoding.EncodeToString(sum[:8]), Key: key}
}

// Verifier checks tokens against a fixed set of public keys. It is safe for concurrent use.
type Verifier struct {
	keys map[string]ed25519.PublicKey
	// Now replaces the system clock for VerifyKey and VerifyLease when set.
	Now func() time.Time
}

// NewVerifier parses each public key (see ParsePublicKey) into a Verifier.
func NewVerifier(publicKeys ...string) (*Verifier, error) {
	keys := make([]PublicKey, 0, len(publicKeys))
	for _, text := range publicKeys {
		key, err := ParsePublicKey(text)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return NewVerifierFromKeys(keys...), nil
}

// NewVerifierFromKeys builds a Verifier from already parsed keys.
func NewVerifierFromKeys(keys ...PublicKey) *Verifier {
	v := &Verifier{keys: make(map[string]ed25519.PublicKey, len(keys))}
	for _, k := range keys {
		v.keys[k.Kid] = k.Key
	}
	return v
}

// Kids lists the key ids this Verifier trusts.
func (v *Verifier) Kids() []string {
	kids := make([]string, 0, len(v.keys))
	for kid := range v.keys {
		kids = append(kids, kid)
	}
	return kids
}

func (v *Verifier) now() int64 {
	if v.Now != nil {
		return v.Now().Unix()
	}
	return time.Now().Unix()
}

// VerifyKey checks a license key (LIC1) at the current time.
func (v *Verifier) VerifyKey(token string) Result { return v.verify(token, KeyPrefix, v.now()) }

// VerifyKeyAt checks a license key (LIC1) at now, in Unix seconds.
func (v *Verifier) VerifyKeyAt(token string, now int64) Result {
	return v.verify(token, KeyPrefix, now)
}

// VerifyLease checks a machine lease (LEASE1) at the current time. The app must also
// compare Claims.Machine with MachineHash of its own fingerprint.
func (v *Verifier) VerifyLease(token string) Result { return v.verify(token, LeasePrefix, v.now()) }

// VerifyLeaseAt checks a machine lease (LEASE1) at now, in Unix seconds.
func (v *Verifier) VerifyLeaseAt(token string, now int64) Result {
	return v.verify(token, LeasePrefix, now)
}

// MachineHash is the lowercase hex SHA-256 of the UTF-8 bytes of a machine fingerprint: a
// lease is for this machine only when its Machine claim equals it.
func MachineHash(fingerprint string) string {
	sum := sha256.Sum256([]byte(fingerprint))
	return hex.EncodeToString(sum[:])
}

func malformed(reason, kid string) Result { return Result{Code: Malformed, Reason: reason, Kid: kid} }

// verify applies the checks of key format 1.0 in order; the first that fails decides.
func (v *Verifier) verify(token, prefix string, now int64) Result {
	text := trimASCIISpace(token)
	if text == "" {
		return malformed("empty", "")
	}
	for i := 0; i < len(text); i++ {
		if text[i] < 0x21 || text[i] > 0x7e {
			return malformed("a character outside printable ASCII", "")
		}
	}
	if len(text) > MaxLength {
		return malformed("longer than 4096 bytes", "")
	}
	parts := strings.Split(text, ".")
	if len(parts) != 4 {
		return malformed("expected 4 dot-separated parts", "")
	}
	if parts[0] != prefix {
		return malformed("expected the prefix "+prefix, "")
	}
	kid, kidOK := decodeBase64URL(parts[1])
	if !kidOK || len(kid) != 8 {
		return malformed("the key id is not 8 bytes of base64url", "")
	}
	payload, payloadOK := decodeBase64URL(parts[2])
	if !payloadOK {
		return malformed("the payload is not base64url", "")
	}
	sig, sigOK := decodeBase64URL(parts[3])
	if !sigOK || len(sig) != ed25519.SignatureSize {
		return malformed("the signature is not 64 bytes of base64url", "")
	}
	key, known := v.keys[parts[1]]
	if !known || len(key) != ed25519.PublicKeySize { // ed25519.Verify panics on a wrong length
		return Result{Code: BadSignature, Reason: "unknown key id", Kid: parts[1]}
	}
	signed := text[:len(parts[0])+1+len(parts[1])+1+len(parts[2])]
	if !ed25519.Verify(key, []byte(signed), sig) {
		return Result{Code: BadSignature, Reason: "bad signature", Kid: parts[1]}
	}
	claims, reason := readClaims(payload, prefix == LeasePrefix)
	if claims == nil {
		return malformed(reason, parts[1])
	}
	if claims.Exp != nil && now >= *claims.Exp {
		return Result{Code: Expired, Reason: "expired", Kid: parts[1], Claims: claims}
	}
	return Result{Code: Valid, Reason: "ok", Kid: parts[1], Claims: claims}
}

const (
	urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	stdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func inAlphabet(s, alphabet string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// decodeBase64URL decodes canonical unpadded base64url: non-empty, the URL alphabet only
// (the standard decoder would skip CR and LF), not 1 mod 4 long, unused low bits zero.
func decodeBase64URL(s string) ([]byte, bool) {
	if s == "" || !inAlphabet(s, urlAlphabet) {
		return nil, false
	}
	out, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return out, err == nil
}

// trimASCIISpace removes leading and trailing space, tab, CR and LF, and nothing else.
func trimASCIISpace(s string) string {
	return strings.Trim(s, " \t\r\n")
}
