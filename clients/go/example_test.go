package licensemint_test

import (
	"fmt"

	licensemint "github.com/licensemint/licensemint/clients/go"
)

// The public key comes from GET /v1/keys (or `licensemint keygen`); the key from the buyer.
func Example() {
	verifier, err := licensemint.NewVerifier("nubilT8qgRnr7z6UA0M_brz7GjlKHPQg-1T1LlPbalQ")
	if err != nil {
		panic(err) // a bad public key is a bug in the app, not in the buyer's key
	}
	r := verifier.VerifyKeyAt(licenseKey, 1767225600) // VerifyKey(licenseKey) uses the clock
	if r.Valid() {
		fmt.Println("licensed:", r.Claims.Product, r.Claims.Tier, "seats", r.Claims.Seats)
	} else {
		fmt.Println("not licensed:", r.Code) // EXPIRED, BAD_SIGNATURE or MALFORMED
	}
	// Output: licensed: acmesoft-pro desktop seats 3
}

// A machine lease is valid on this machine only when its machine claim is this machine's hash.
func ExampleMachineHash() {
	fmt.Println(licensemint.MachineHash("machine-id:4c4c4544-0042-3510-8052-b4c04f4e3732"))
	// Output: d854d5dc26cbd6d81b33be1c8041ddcc7e1c545797a1ba3a4133ef9153bd08c0
}

// licenseKey is the first VALID key of clients/vectors/v1.json, signed by the key above.
const licenseKey = "LIC1.XWQjreEOXsQ.eyJ2IjoxLCJsaWQiOiJsaWNfdmVjMDAwMSIsInByb2R1Y3QiOiJhY21lc29mdC1wcm8iLCJ0aWVyIjoiZGVza3RvcCIsInNlYXRzIjozLCJuYW1lIjoiWm_DqyBFeGFtcGxlIiwiaWF0IjoxNzY0NjMzNjAwLCJleHAiOm51bGwsInRlc3QiOmZhbHNlfQ.IICSq6eYFOqUzvu7HRRs6uWXczLSeAYEhye8BXk8AauRsE3NTXL_00CofC00mKpVQV3xpADLMFe4tsKw3v6dAA"
