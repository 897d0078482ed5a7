// Package httpsyntax holds the pieces of HTTP grammar that cookie sessions and bearer
// authentication both read and write: RFC 9110 tokens, lists and quoted strings, ASCII
// case-insensitive header names, and the one Cookie header grammar (RFC 6265). Everything here
// works on []byte, allocates nothing, and is bounded by its input.
package httpsyntax

// isTchar marks the bytes of an RFC 9110 sec. 5.6.2 token (tchar), which header names, cookie
// names and authentication schemes use.
var isTchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// IsToken reports whether s is a non-empty RFC 9110 token.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar[s[i]] {
			return false
		}
	}
	return true
}

// EqualFold reports whether a and b are equal under ASCII case folding, the comparison RFC 9110
// prescribes for header names, schemes and list tokens. Unlike bytes.EqualFold it folds nothing
// outside ASCII, so "\u212a" (Kelvin sign) never matches "k".
func EqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// IsOWS reports whether c is optional whitespace (RFC 9110 sec. 5.6.3): SP or HTAB.
func IsOWS(c byte) bool { return c == ' ' || c == '\t' }

// TrimOWS removes leading and trailing SP and HTAB.
func TrimOWS(b []byte) []byte {
	for len(b) > 0 && IsOWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && IsOWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// SafeFieldValue reports whether v can be sent as a header field value exactly as it is: no
// control characters (HTAB included, so the value never changes under the whitespace trimming
// of RFC 9110 sec. 5.5) and no leading or trailing space.
func SafeFieldValue(v []byte) bool {
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return len(v) == 0 || (v[0] != ' ' && v[len(v)-1] != ' ')
}
