package session

import (
	"strconv"

	json "github.com/goccy/go-json"

	"github.com/fastjwt/session/fastjwt"
)

// Token is one request's bearer token after Authenticate: the verified payload and its
// registered claims. Get it from an adapter (fasthttpsession.TokenFrom, nethttpsession.TokenFromContext);
// it is valid until the handler returns, and so are the slices its methods return.
type Token struct {
	b       *Bearer
	valid   bool
	raw     []byte // the token as sent
	payload []byte
	claims  fastjwt.Claims
	buf     []byte // forwarded header values and the challenge
	aerr    AuthError
}

func (t *Token) reset() {
	*t = Token{
		b:       t.b,
		raw:     t.raw[:0],
		payload: t.payload[:0],
		buf:     t.buf[:0],
	}
}

// Valid reports whether the request carried a valid token. It is false only in Optional mode,
// for a request without a token.
func (t *Token) Valid() bool { return t != nil && t.valid }

// Raw returns the token as the client sent it.
func (t *Token) Raw() []byte {
	if !t.Valid() {
		return nil
	}
	return t.raw
}

// Payload returns the verified payload, the JSON object exactly as signed (nil if !Valid).
func (t *Token) Payload() []byte {
	if !t.Valid() {
		return nil
	}
	return t.payload
}

// Claims returns the registered claims of the token (nil if !Valid).
func (t *Token) Claims() *fastjwt.Claims {
	if !t.Valid() {
		return nil
	}
	return &t.claims
}

// Claim returns the raw JSON value of the named top-level claim. It allocates nothing.
func (t *Token) Claim(name string) ([]byte, bool) {
	if !t.Valid() {
		return nil, false
	}
	return fastjwt.LookupClaim(t.payload, name)
}

// AppendString appends the decoded value of the named string claim to dst, and reports whether
// the claim is present and a string.
func (t *Token) AppendString(dst []byte, name string) ([]byte, bool) {
	raw, ok := t.Claim(name)
	if !ok {
		return dst, false
	}
	return fastjwt.AppendString(dst, raw)
}

// String returns the decoded value of the named string claim.
func (t *Token) String(name string) (string, bool) {
	b, ok := t.AppendString(nil, name)
	return string(b), ok
}

// Int returns the named claim if it is an integer that fits an int.
func (t *Token) Int(name string) (int, bool) {
	raw, ok := t.Claim(name)
	if !ok {
		return 0, false
	}
	return parseInt(raw)
}

// Subject returns the "sub" claim ("" when absent).
func (t *Token) Subject() string {
	if !t.Valid() {
		return ""
	}
	return t.claims.Subject()
}

// Unmarshal decodes the whole payload into v with goccy/go-json (v is usually a pointer to the
// user's claims struct).
func (t *Token) Unmarshal(v any) error {
	if !t.Valid() {
		return ErrNoToken
	}
	return json.Unmarshal(t.payload, v)
}

// AuthError is a refused bearer request: the status to answer with, the RFC 6750 error code and
// description, and the cause. It lives in its Token and is valid until the Token is released.
type AuthError struct {
	// Status is 401 (no token, invalid token) or 403 (audience or required claim).
	Status int
	// Code is "" (no token), "invalid_token" or "insufficient_scope" (RFC 6750 sec. 3.1).
	Code string
	// Description is a fixed, human-readable error_description ("" when Code is "").
	Description string
	// Err is the cause: ErrNoToken, a fastjwt error, ErrMissingClaim or fastjwt.ErrAudience.
	Err error

	challenge []byte
}

// Error returns "session: 401 invalid_token: <cause>".
func (e *AuthError) Error() string {
	s := "session: " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *AuthError) Unwrap() error { return e.Err }

// Challenge returns the value of the WWW-Authenticate header to answer with, e.g.
// `Bearer realm="api", error="invalid_token", error_description="the token has expired"`.
func (e *AuthError) Challenge() []byte { return e.challenge }

func (t *Token) fail(status int, code, desc string, err error) *AuthError {
	b := t.b
	t.valid = false
	t.aerr = AuthError{Status: status, Code: code, Description: desc, Err: err}
	if code == "" {
		t.aerr.challenge = b.challenge401
	} else {
		start := len(t.buf)
		t.buf = b.appendChallenge(t.buf, code, desc)
		t.aerr.challenge = t.buf[start:]
	}
	if b.cfg.OnInvalid != nil {
		b.cfg.OnInvalid(err)
	}
	return &t.aerr
}

// appendChallenge appends a Bearer challenge (RFC 6750 sec. 3) for the first accepted scheme.
func (b *Bearer) appendChallenge(dst []byte, code, desc string) []byte {
	dst = append(dst, b.cfg.Schemes[0]...)
	dst = append(dst, ` realm=`...)
	dst = appendQuotedString(dst, b.cfg.Realm)
	if code != "" {
		dst = append(dst, `, error=`...)
		dst = appendQuotedString(dst, code)
		if desc != "" {
			dst = append(dst, `, error_description=`...)
			dst = appendQuotedString(dst, desc)
		}
	}
	return dst
}

// appendQuotedString appends s as an RFC 9110 sec. 5.6.4 quoted-string: '"' and '\' are escaped
// with a backslash, and control characters (which a quoted-string cannot hold) are left out, so a
// configured realm can never split the header.
func appendQuotedString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case (c < 0x20 && c != '\t') || c == 0x7f:
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
