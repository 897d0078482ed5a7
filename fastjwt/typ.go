package fastjwt

// Explicit typing (RFC 8725 sec. 3.11): the "typ" header parameter (RFC 7515 sec. 4.1.9) says
// what a token is for, so that a token issued for one purpose (a session cookie) is not accepted
// for another (a bearer access token) even when one secret signs both. The codec signs the types
// it knows with precomputed headers, recognises them by byte comparison when verifying, and
// reports the type of every verified token in Claims.Type; refusing a type is the caller's
// policy, not the codec's.

// Type is the media type a token's header declares in "typ".
type Type uint8

// The token types the codec distinguishes.
const (
	// TypeNone: the header has no "typ" member.
	TypeNone Type = iota
	// TypeJWT: "typ" is "JWT" (RFC 7519 sec. 5.1), what AppendSign emits.
	TypeJWT
	// TypeAccess: "typ" is "at+jwt", an OAuth 2.0 access token (RFC 9068 sec. 2.1).
	TypeAccess
	// TypeSession: "typ" is "session+jwt", a session cookie issued by this library.
	TypeSession
	// TypeRefresh: "typ" is "refresh+jwt", a refresh token issued by package issuing: accepted
	// only where a refresh is, never as an access token or a session.
	TypeRefresh
	// TypeOther: "typ" is any other string. The codec verifies such tokens, but cannot sign them.
	TypeOther
)

// typNames are the canonical "typ" values of the types the codec signs, indexed by Type.
var typNames = [TypeOther]string{TypeNone: "", TypeJWT: "JWT", TypeAccess: "at+jwt", TypeSession: "session+jwt",
	TypeRefresh: "refresh+jwt"}

// String returns the canonical "typ" value of t: "" for TypeNone, "JWT", "at+jwt", "session+jwt",
// "refresh+jwt";
// "other" for TypeOther (which stands for any other value, so the text is not a "typ" value), and
// "invalid" for a value that is none of the constants.
func (t Type) String() string {
	switch {
	case t < TypeOther:
		return typNames[t]
	case t == TypeOther:
		return "other"
	}
	return "invalid"
}

// maxTypLen is the length of the longest spelling classifyType recognises (as long as
// "application/refresh+jwt").
const maxTypLen = len("application/session+jwt")

// classifyType returns the Type of a "typ" header value (decoded, without quotes). Following
// RFC 7515 sec. 4.1.9, media type names are compared ASCII case-insensitively (RFC 2045 sec. 2)
// and an "application/" prefix may be present or omitted. The comparison is ASCII-only on
// purpose: Unicode case folding would equate "ſession+jwt" (U+017F) with "session+jwt".
func classifyType(v []byte) Type {
	if len(v) > len("application/") && asciiEqualFold(v[:len("application/")], "application/") {
		v = v[len("application/"):]
	}
	for t := TypeJWT; t < TypeOther; t++ {
		if asciiEqualFold(v, typNames[t]) {
			return t
		}
	}
	return TypeOther
}

// typeOf classifies a "typ" value as the scanner found it, decoding escapes on the stack.
func typeOf(js jsonString) Type {
	if !js.esc {
		return classifyType(js.raw)
	}
	// An escape sequence decodes to at least one byte per six of its text, so a longer value
	// cannot decode to a known spelling.
	if len(js.raw) > 6*maxTypLen {
		return TypeOther
	}
	var buf [6 * maxTypLen]byte
	return classifyType(appendUnescaped(buf[:0], js.raw))
}

// asciiEqualFold reports whether b equals s, ignoring the case of ASCII letters only.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
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
