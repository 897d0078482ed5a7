package fastjwt

import (
	"bytes"
	"time"
)

// Claims is a view of the registered claims (RFC 7519 sec. 4.1) of a verified payload, filled by
// [Codec.AppendVerifyClaims] (any [Verifier]) during its single scan of the payload. Its byte
// slices point into the buffer the payload was appended to: a Claims is valid as long as that
// buffer is unchanged.
type Claims struct {
	payload       []byte
	exp, nbf, iat numericDate
	iss, sub, jti span // string values, without their quotes
	aud           span // the raw JSON value: a string or an array of strings
	key           int
	typ           Type // the header's "typ"
	partiesOK     bool // the codec's issuer and audience checks passed
	alg           Alg  // the algorithm of the key that verified the signature
	cacheHit      bool // the verified-token cache answered
}

// span locates a value in the payload by offsets rather than by a slice, so that the result of
// scanning a payload can be kept (the verified-token cache, verifyCache, keeps it with the token's digest)
// and applied to another copy of the same bytes.
type span struct {
	start, end int
	esc, ok    bool
}

// str returns the string value at s.
func (c *Claims) str(s span) jsonString {
	if !s.ok {
		return jsonString{}
	}
	return jsonString{raw: c.payload[s.start:s.end], esc: s.esc, ok: true}
}

// jsonString is a JSON string value as it appears in the payload, without its quotes. esc tells
// whether it contains escapes that need decoding.
type jsonString struct {
	raw []byte
	esc bool
	ok  bool
}

// Expires returns the "exp" claim, truncated to the nanosecond, and whether it is present.
func (c *Claims) Expires() (time.Time, bool) { return c.exp.time() }

// NotBefore returns the "nbf" claim, truncated to the nanosecond, and whether it is present.
func (c *Claims) NotBefore() (time.Time, bool) { return c.nbf.time() }

// IssuedAt returns the "iat" claim, truncated to the nanosecond, and whether it is present.
func (c *Claims) IssuedAt() (time.Time, bool) { return c.iat.time() }

// AppendIssuer appends the decoded "iss" claim to dst and reports whether it is present.
func (c *Claims) AppendIssuer(dst []byte) ([]byte, bool) { return c.str(c.iss).appendTo(dst) }

// AppendSubject appends the decoded "sub" claim to dst and reports whether it is present.
func (c *Claims) AppendSubject(dst []byte) ([]byte, bool) { return c.str(c.sub).appendTo(dst) }

// AppendID appends the decoded "jti" claim to dst and reports whether it is present.
func (c *Claims) AppendID(dst []byte) ([]byte, bool) { return c.str(c.jti).appendTo(dst) }

// Issuer returns the "iss" claim ("" when absent). It allocates; see AppendIssuer.
func (c *Claims) Issuer() string { b, _ := c.AppendIssuer(nil); return string(b) }

// Subject returns the "sub" claim ("" when absent). It allocates; see AppendSubject.
func (c *Claims) Subject() string { b, _ := c.AppendSubject(nil); return string(b) }

// ID returns the "jti" claim ("" when absent). It allocates; see AppendID.
func (c *Claims) ID() string { b, _ := c.AppendID(nil); return string(b) }

// HasAudience reports whether the "aud" claim is aud or is an array containing aud.
func (c *Claims) HasAudience(aud string) bool {
	if !c.aud.ok {
		return false
	}
	raw := c.payload[c.aud.start:c.aud.end]
	if !c.aud.esc && raw[0] == '"' { // one string without escapes, as the scan found: compared in place
		return string(raw[1:len(raw)-1]) == aud
	}
	return audienceContains(raw, aud)
}

// Type returns the type the verified token's header declares in "typ" (TypeNone when it has no
// "typ"; TypeOther for a string the codec does not know). A token is for the purpose its type
// names: a layer that accepts one purpose refuses the others (RFC 8725 sec. 3.11).
func (c *Claims) Type() Type { return c.typ }

// KeyIndex returns the index in the ring of the key that verified the token: 0 is the signing key,
// more means the token was signed by an older key and is due for re-issuing.
func (c *Claims) KeyIndex() int { return c.key }

// Alg returns the algorithm of the key that verified the token's signature, for metrics and
// traces; zero when no signature verified. Like Type it survives a refusal after the signature
// (a time, issuer or audience error).
func (c *Claims) Alg() Alg { return c.alg }

// CacheHit reports whether the verify was answered by the verified-token cache (see
// WithVerifyCache), without a signature check, for metrics and traces. Like Type it survives a
// refusal after the signature.
func (c *Claims) CacheHit() bool { return c.cacheHit }

func (s jsonString) appendTo(dst []byte) ([]byte, bool) {
	if !s.ok {
		return dst, false
	}
	if !s.esc {
		return append(dst, s.raw...), true
	}
	return appendUnescaped(dst, s.raw), true
}

// LookupClaims sets found[i] to the raw JSON value of the top-level member names[i] of payload,
// a verified payload, as LookupClaim returns it (a string with its quotes), or to nil when
// payload has no such member. Names beyond len(found) are not looked up.
//
// It is LookupClaim for several names at once, at less than the cost of one, when c is the
// Claims the verify of payload filled (the same slice): "iss", "sub", "jti" and "aud" then come
// from what the verify's scan recorded, without reading the payload again, and the absence of
// "exp", "nbf" or "iat" is known the same way. Any other name (every name, when c describes
// another payload or none) is found in one pass over the members that stops as soon as every
// such name is found and does not validate again what the verify validated. It allocates
// nothing for member names of up to 64 bytes.
func (c *Claims) LookupClaims(payload []byte, names []string, found [][]byte) {
	names = names[:min(len(names), len(found))]
	same := len(payload) > 0 && len(c.payload) == len(payload) && &c.payload[0] == &payload[0]
	left := 0 // names the walk must find
	for i, name := range names {
		found[i] = nil
		if same {
			var known bool
			if found[i], known = c.recorded(name); known {
				continue
			}
		}
		left++
	}
	d := payload
	if left == 0 {
		return
	}
	// A verified payload is one valid strict object, so the walk only looks for where each
	// member ends (a string at its first unescaped quote, a number or literal at the first
	// delimiter) instead of validating again; the bounds checks keep any other input from being
	// read out of bounds.
	i := skipSpace(d, 0)
	if i >= len(d) || d[i] != '{' {
		return
	}
	for i = skipSpace(d, i+1); left > 0 && i < len(d) && d[i] == '"'; {
		end := endOfString(d, i)
		name := d[i+1 : end-1]
		i = skipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return
		}
		start := skipSpace(d, i+1)
		if i = endOfValue(d, start); i < 0 {
			return
		}
		esc := -1 // whether name has escapes: looked at once, only if no name matches as is
		for k, want := range names {
			if found[k] != nil {
				continue
			}
			if string(name) != want {
				if esc < 0 {
					esc = min(bytes.IndexByte(name, '\\')+1, 1)
				}
				// A recorded name that is absent matches no member: the scan would have
				// recorded it.
				if esc == 0 || !(jsonString{raw: name, esc: true, ok: true}).equals(want) {
					continue
				}
			}
			found[k] = d[start:i]
			left--
		}
		if i = skipSpace(d, i); i < len(d) && d[i] == ',' {
			i = skipSpace(d, i+1)
		}
	}
}

// endOfString returns the index after the closing quote of the string of a valid JSON text
// whose opening quote is at d[i] (len(d) if it has none).
func endOfString(d []byte, i int) int {
	for j := i + 1; j < len(d); j++ {
		k := bytes.IndexByte(d[j:], '"')
		if k < 0 {
			break
		}
		j += k
		n := 0 // backslashes before the quote: an odd number escapes it
		for m := j - 1; m > i && d[m] == '\\'; m-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
	}
	return len(d)
}

// endOfValue returns the index after the value of a valid JSON text that starts at d[i], or -1.
// Objects and arrays, rare among the claims a layer forwards, take the validating scan.
func endOfValue(d []byte, i int) int {
	if i >= len(d) {
		return -1
	}
	switch d[i] {
	case '"':
		return endOfString(d, i)
	case '{', '[':
		end, err := skipValue(d, i, 1)
		if err != nil {
			return -1
		}
		return end
	}
	for j := i; j < len(d); j++ { // a number or a literal
		switch d[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
	}
	return len(d)
}

// recorded returns the raw JSON value of name when the verify's scan recorded it (nil when
// absent), and whether it did: the scan keeps where the string claims and "aud" are, and only
// whether the dates are present.
func (c *Claims) recorded(name string) (raw []byte, known bool) {
	if len(name) != 3 {
		return nil, false
	}
	quoted := func(s span) []byte {
		if !s.ok {
			return nil
		}
		return c.payload[s.start-1 : s.end+1]
	}
	switch name {
	case "iss":
		return quoted(c.iss), true
	case "sub":
		return quoted(c.sub), true
	case "jti":
		return quoted(c.jti), true
	case "aud":
		if !c.aud.ok {
			return nil, true
		}
		return c.payload[c.aud.start:c.aud.end], true
	case "exp":
		return nil, !c.exp.ok
	case "nbf":
		return nil, !c.nbf.ok
	case "iat":
		return nil, !c.iat.ok
	}
	return nil, false
}
