package licensemint

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// topLevelMembers walks a JSON text that json.Valid accepted and returns the raw value of
// each member of its top-level object, or nil and why not: the top level is not an object, or
// a member name repeats in any object (encoding/json would keep the last).
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
		nameStart := w.i
		name, err := w.str()
		if err != "" {
			return err
		}
		// Compared as UTF-16 code units, so an escaped and a raw spelling of one name are equal.
		units := codeUnits(w.text[nameStart+1 : w.i-1])
		if seen[units] {
			return "duplicate member name " + strconv.Quote(name)
		}
		seen[units] = true
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
		if w.text[w.i+1] == 'u' {
			// An escaped surrogate pair is one character; a lone surrogate escape names no
			// character (UTF-8 cannot hold it) and is MALFORMED (docs/key-format.md, section 5).
			unit := hex4(w.text[w.i+2 : w.i+6])
			if unit >= 0xdc00 && unit <= 0xdfff {
				return "", "a lone surrogate escape"
			}
			if unit >= 0xd800 && unit <= 0xdbff {
				next := w.text[w.i+6:]
				if len(next) < 6 || next[0] != '\\' || next[1] != 'u' {
					return "", "a lone surrogate escape"
				}
				if low := hex4(next[2:6]); low < 0xdc00 || low > 0xdfff {
					return "", "a lone surrogate escape"
				}
				w.i += 6
			}
		}
		w.i += 2 // the escaped character; \uXXXX's hex digits are plain characters
	}
	w.i++
	var s string
	if err := json.Unmarshal(w.text[start:w.i], &s); err != nil {
		return "", "a string that does not decode"
	}
	return s, ""
}

// hex4 is the value of four hex digits (the text is known to be valid JSON).
func hex4(digits []byte) uint64 {
	n, _ := strconv.ParseUint(string(digits), 16, 16)
	return n
}

var escapes = map[byte]uint16{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// codeUnits is a string's content (between its quotes, valid JSON and UTF-8) as UTF-16 code
// units (str has already refused lone surrogate escapes), packed into a Go string usable as a
// map key.
func codeUnits(raw []byte) string {
	var units []uint16
	for i := 0; i < len(raw); {
		switch {
		case raw[i] == '\\' && raw[i+1] == 'u':
			n, _ := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
			units = append(units, uint16(n))
			i += 6
		case raw[i] == '\\':
			units = append(units, escapes[raw[i+1]])
			i += 2
		default:
			r, size := utf8.DecodeRune(raw[i:])
			units = append(units, utf16.Encode([]rune{r})...)
			i += size
		}
	}
	packed := make([]byte, 0, 2*len(units))
	for _, u := range units {
		packed = append(packed, byte(u>>8), byte(u))
	}
	return string(packed)
}
