package licensemint

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// vectorFile is clients/vectors/v1.json, shared by every client library.
var vectorFile = filepath.Join("..", "vectors", "v1.json")

type vectorCase struct {
	Name   string                 `json:"name"`
	Kind   string                 `json:"kind"`
	Input  string                 `json:"input"`
	Code   Code                   `json:"code"`
	Claims map[string]interface{} `json:"claims"`
}

type vectors struct {
	Now        int64 `json:"now"`
	PublicKeys []struct {
		Kid       string `json:"kid"`
		PublicKey string `json:"public_key"`
	} `json:"public_keys"`
	Machines []struct {
		Fingerprint string `json:"fingerprint"`
		Machine     string `json:"machine"`
	} `json:"machines"`
	Cases []vectorCase `json:"cases"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	data, err := os.ReadFile(vectorFile)
	if err != nil {
		t.Fatalf("cannot read the vector file: %v", err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", vectorFile, err)
	}
	if len(v.Cases) == 0 {
		t.Fatalf("%s has no cases", vectorFile)
	}
	return v
}

func TestEveryVectorGivesItsCodeAndClaims(t *testing.T) {
	v := loadVectors(t)
	var texts, kids []string
	for _, k := range v.PublicKeys {
		texts = append(texts, k.PublicKey)
		kids = append(kids, k.Kid)
	}
	verifier, err := NewVerifier(texts...)
	if err != nil {
		t.Fatal(err)
	}
	got := verifier.Kids()
	sort.Strings(got)
	sort.Strings(kids)
	if !reflect.DeepEqual(got, kids) {
		t.Fatalf("derived kids %v, the file says %v", got, kids)
	}
	passed, failed := 0, 0
	for _, c := range v.Cases {
		c := c
		ok := t.Run(c.Name, func(t *testing.T) {
			var r Result
			if c.Kind == "lease" {
				r = verifier.VerifyLeaseAt(c.Input, v.Now)
			} else {
				r = verifier.VerifyKeyAt(c.Input, v.Now)
			}
			if r.Code != c.Code {
				t.Fatalf("code %s (%s), want %s", r.Code, r.Reason, c.Code)
			}
			if c.Claims == nil {
				if r.Claims != nil {
					t.Fatalf("claims returned for %s", r.Code)
				}
				return
			}
			compareClaims(t, r.Claims, c.Claims, c.Kind == "lease")
		})
		if ok {
			passed++
		} else {
			failed++
		}
	}
	for _, m := range v.Machines {
		m := m
		ok := t.Run("machineHash "+m.Fingerprint, func(t *testing.T) {
			if got := MachineHash(m.Fingerprint); got != m.Machine {
				t.Fatalf("MachineHash(%q) = %s, want %s", m.Fingerprint, got, m.Machine)
			}
		})
		if ok {
			passed++
		} else {
			failed++
		}
	}
	fmt.Printf("vectors: %d cases, %d machines\n%d passed, %d failed\n", len(v.Cases), len(v.Machines), passed, failed)
}

// compareClaims checks every claim of the spec's tables (absent optional claims as zero
// values), then the whole payload object.
func compareClaims(t *testing.T, got *Claims, want map[string]interface{}, lease bool) {
	t.Helper()
	integer := func(name string) interface{} {
		if f, ok := want[name].(float64); ok {
			return int64(f)
		}
		return want[name]
	}
	check := func(name string, got, want interface{}) {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("claim %s: got %#v, want %#v", name, got, want)
		}
	}
	check("v", got.V, integer("v"))
	check("lid", got.Lid, want["lid"])
	check("product", got.Product, want["product"])
	check("tier", got.Tier, want["tier"])
	check("iat", got.Iat, integer("iat"))
	var exp interface{}
	if got.Exp != nil {
		exp = *got.Exp
	}
	check("exp", exp, integer("exp"))
	test, _ := want["test"].(bool)
	check("test", got.Test, test)
	if lease {
		check("machine", got.Machine, want["machine"])
	} else {
		check("seats", got.Seats, integer("seats"))
		var name interface{}
		if got.Name != nil {
			name = *got.Name
		}
		check("name", name, want["name"])
	}
	var whole map[string]interface{}
	if err := json.Unmarshal(got.Raw, &whole); err != nil {
		t.Fatalf("Raw is not JSON: %v", err)
	}
	check("(whole payload)", whole, want)
}
