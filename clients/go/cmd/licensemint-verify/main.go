// Command licensemint-verify checks a licensemint license key or machine lease offline.
//
//	licensemint-verify --public-key KEY [--public-key KEY]... [--lease] [--now UNIX_SECONDS] TOKEN
//
// It prints {"code": ..., "claims": ...} on one line (claims: the payload object for VALID
// and EXPIRED, else null) and exits 0 for VALID, 1 for any other code, 2 for a usage error.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	licensemint "github.com/licensemint/licensemint/clients/go"
)

type keyList []string

func (k *keyList) String() string     { return fmt.Sprint(*k) }
func (k *keyList) Set(v string) error { *k = append(*k, v); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("licensemint-verify", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var keys keyList
	flags.Var(&keys, "public-key", "a public key as GET /v1/keys publishes it (repeatable)")
	lease := flags.Bool("lease", false, "the token is a machine lease (LEASE1), not a license key")
	nowText := flags.String("now", "", "verify at this time, Unix seconds (default: the system clock)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: licensemint-verify --public-key KEY [--public-key KEY]... [--lease] [--now UNIX_SECONDS] TOKEN")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	usage := func(message string) int {
		fmt.Fprintln(stderr, "licensemint-verify:", message)
		flags.Usage()
		return 2
	}
	if flags.NArg() != 1 {
		return usage("the token is the last argument")
	}
	if len(keys) == 0 {
		return usage("give at least one --public-key")
	}
	verifier, err := licensemint.NewVerifier(keys...)
	if err != nil {
		return usage(err.Error())
	}
	if *nowText != "" {
		now, err := strconv.ParseInt(*nowText, 10, 64)
		if err != nil {
			return usage("--now is whole Unix seconds")
		}
		var r licensemint.Result
		if *lease {
			r = verifier.VerifyLeaseAt(flags.Arg(0), now)
		} else {
			r = verifier.VerifyKeyAt(flags.Arg(0), now)
		}
		return report(r, stdout)
	}
	if *lease {
		return report(verifier.VerifyLease(flags.Arg(0)), stdout)
	}
	return report(verifier.VerifyKey(flags.Arg(0)), stdout)
}

func report(r licensemint.Result, stdout io.Writer) int {
	claims := json.RawMessage("null")
	if r.Claims != nil {
		var compact bytes.Buffer
		if err := json.Compact(&compact, r.Claims.Raw); err == nil {
			claims = compact.Bytes()
		}
	}
	line, _ := json.Marshal(struct {
		Code   licensemint.Code `json:"code"`
		Claims json.RawMessage  `json:"claims"`
	}{r.Code, claims})
	fmt.Fprintf(stdout, "%s\n", line)
	if r.Valid() {
		return 0
	}
	return 1
}
