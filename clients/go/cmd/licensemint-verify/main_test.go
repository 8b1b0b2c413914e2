package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Runs the command on the vector file's first VALID and first BAD_SIGNATURE key.
func TestPrintsOneJSONLineAndExitsByCode(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "vectors", "v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Now        int64 `json:"now"`
		PublicKeys []struct {
			PublicKey string `json:"public_key"`
		} `json:"public_keys"`
		Cases []struct {
			Kind, Input, Code string
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	args := []string{"--now", strconv.FormatInt(v.Now, 10)}
	for _, k := range v.PublicKeys {
		args = append(args, "--public-key", k.PublicKey)
	}
	seen := map[string]bool{}
	for _, c := range v.Cases {
		if c.Kind != "key" || seen[c.Code] || (c.Code != "VALID" && c.Code != "BAD_SIGNATURE") {
			continue
		}
		seen[c.Code] = true
		var stdout, stderr bytes.Buffer
		code := run(append(append([]string{}, args...), c.Input), &stdout, &stderr)
		var out struct {
			Code   string                 `json:"code"`
			Claims map[string]interface{} `json:"claims"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("%q: %v", stdout.String(), err)
		}
		want := 1
		if c.Code == "VALID" {
			want = 0
		}
		if out.Code != c.Code || code != want || (out.Claims != nil) != (c.Code == "VALID") {
			t.Fatalf("%s: exit %d, %s", c.Code, code, stdout.String())
		}
	}
	if len(seen) != 2 {
		t.Fatalf("the vector file lacks a VALID or BAD_SIGNATURE key: %v", seen)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{}, {"LIC1.x"}, {"--public-key", "nope", "LIC1.x"}, {"--public-key", "nubilT8qgRnr7z6UA0M_brz7GjlKHPQg-1T1LlPbalQ", "--now", "soon", "LIC1.x"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 || stdout.Len() != 0 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout.String())
		}
	}
}
