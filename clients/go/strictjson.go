package licensemint

import (
	"encoding/json"
	"strconv"
)

// topLevelMembers walks a JSON text that json.Valid accepted and returns the raw value of
// each member of its top-level object, or nil and why not: the top level is not an object,
// a member name repeats in any object, or a \u escape leaves a lone surrogate (which
// encoding/json would turn into U+FFFD).
func topLevelMembers(text []byte) (map[string][]byte, string) {
	w := walker{text: text}
	w.space()
	if w.i >= len(text) || text[w.i] != '{' {
		return nil, "the payload is not a JSON object"
	}
	members := map[string][]byte{}
	if err := w.object(members); err != "" {
		return nil, err
	}
	return members, ""
}

type walker struct {
	text []byte
	i    int
}

func (w *walker) space() {
	for w.i < len(w.text) {
		switch w.text[w.i] {
		case ' ', '\t', '\r', '\n':
			w.i++
		default:
			return
		}
	}
}

// value skips one value; the text is known to be valid JSON.
func (w *walker) value() string {
	switch w.text[w.i] {
	case '{':
		return w.object(nil)
	case '[':
		w.i++
		w.space()
		if w.text[w.i] == ']' {
			w.i++
			return ""
		}
		for {
			w.space()
			if err := w.value(); err != "" {
				return err
			}
			w.space()
			w.i++ // ',' or ']'
			if w.text[w.i-1] == ']' {
				return ""
			}
		}
	case '"':
		_, err := w.str()
		return err
	default: // number, true, false, null
		for w.i < len(w.text) {
			switch w.text[w.i] {
			case ',', ']', '}', ' ', '\t', '\r', '\n':
				return ""
			}
			w.i++
		}
		return ""
	}
}

// object walks an object starting at '{'; members, when not nil, receives each member's raw value.
func (w *walker) object(members map[string][]byte) string {
	w.i++
	seen := map[string]bool{}
	w.space()
	if w.text[w.i] == '}' {
		w.i++
		return ""
	}
	for {
		w.space()
		name, err := w.str()
		if err != "" {
			return err
		}
		if seen[name] {
			return "duplicate member name " + strconv.Quote(name)
		}
		seen[name] = true
		w.space()
		w.i++ // ':'
		w.space()
		start := w.i
		if err := w.value(); err != "" {
			return err
		}
		if members != nil {
			members[name] = w.text[start:w.i]
		}
		w.space()
		w.i++ // ',' or '}'
		if w.text[w.i-1] == '}' {
			return ""
		}
	}
}

// str reads a string starting at '"' and returns its decoded value.
func (w *walker) str() (string, string) {
	start := w.i
	w.i++
	for w.text[w.i] != '"' {
		if w.text[w.i] != '\\' {
			w.i++
			continue
		}
		if w.text[w.i+1] != 'u' {
			w.i += 2
			continue
		}
		unit := hex4(w.text[w.i+2 : w.i+6])
		w.i += 6
		switch {
		case unit >= 0xdc00 && unit <= 0xdfff:
			return "", "a lone surrogate escape in a string"
		case unit >= 0xd800 && unit <= 0xdbff:
			if w.i+6 > len(w.text) || w.text[w.i] != '\\' || w.text[w.i+1] != 'u' {
				return "", "a lone surrogate escape in a string"
			}
			low := hex4(w.text[w.i+2 : w.i+6])
			if low < 0xdc00 || low > 0xdfff {
				return "", "a lone surrogate escape in a string"
			}
			w.i += 6
		}
	}
	w.i++
	var s string
	if err := json.Unmarshal(w.text[start:w.i], &s); err != nil {
		return "", "a string that does not decode"
	}
	return s, ""
}

func hex4(b []byte) rune {
	n, _ := strconv.ParseUint(string(b), 16, 16)
	return rune(n)
}
