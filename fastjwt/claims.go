package fastjwt

import "time"

// Claims is a view of the registered claims (RFC 7519 sec. 4.1) of a verified payload, filled by
// AppendVerifyClaims during its single scan of the payload. Its byte slices point into the
// buffer the payload was appended to: a Claims is valid as long as that buffer is unchanged.
type Claims struct {
	exp, nbf, iat numericDate
	iss, sub, jti jsonString
	aud           []byte // the raw JSON value: a string or an array of strings
	key           int
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
func (c *Claims) AppendIssuer(dst []byte) ([]byte, bool) { return c.iss.appendTo(dst) }

// AppendSubject appends the decoded "sub" claim to dst and reports whether it is present.
func (c *Claims) AppendSubject(dst []byte) ([]byte, bool) { return c.sub.appendTo(dst) }

// AppendID appends the decoded "jti" claim to dst and reports whether it is present.
func (c *Claims) AppendID(dst []byte) ([]byte, bool) { return c.jti.appendTo(dst) }

// Issuer returns the "iss" claim ("" when absent). It allocates; see AppendIssuer.
func (c *Claims) Issuer() string { b, _ := c.iss.appendTo(nil); return string(b) }

// Subject returns the "sub" claim ("" when absent). It allocates; see AppendSubject.
func (c *Claims) Subject() string { b, _ := c.sub.appendTo(nil); return string(b) }

// ID returns the "jti" claim ("" when absent). It allocates; see AppendID.
func (c *Claims) ID() string { b, _ := c.jti.appendTo(nil); return string(b) }

// HasAudience reports whether the "aud" claim is aud or is an array containing aud.
func (c *Claims) HasAudience(aud string) bool { return audienceContains(c.aud, aud) }

// KeyIndex returns the index in the ring of the key that verified the token: 0 is the signing key,
// more means the token was signed by an older key and is due for re-issuing.
func (c *Claims) KeyIndex() int { return c.key }

func (s jsonString) appendTo(dst []byte) ([]byte, bool) {
	if !s.ok {
		return dst, false
	}
	if !s.esc {
		return append(dst, s.raw...), true
	}
	return appendUnescaped(dst, s.raw), true
}
