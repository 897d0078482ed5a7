package bearer

import (
	json "github.com/goccy/go-json"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/jsonint"
)

// Token is one request's bearer token after Authenticate: the verified payload and its
// registered claims. Get it from an adapter (fasthttpsession.TokenFrom,
// nethttpsession.TokenFromContext); it is valid until the handler returns, and so are the slices
// its methods return.
type Token struct {
	b       *Bearer
	valid   bool
	raw     []byte // the token as sent
	payload []byte
	claims  fastjwt.Claims
	found   [][]byte // raw values of the claims the Bearer looks for (Bearer.claims), nil if absent
	buf     []byte   // forwarded header values and the challenge
	lines   [][]byte // request header lines being read
	vals    [][]byte // cookie or query values being read
	aerr    AuthError
}

func (t *Token) reset() {
	clear(t.found)
	clear(t.lines)
	clear(t.vals)
	*t = Token{
		b:       t.b,
		raw:     t.raw[:0],
		payload: t.payload[:0],
		found:   t.found,
		buf:     t.buf[:0],
		lines:   t.lines[:0],
		vals:    t.vals[:0],
	}
}

// walk reads the raw values of every claim the Bearer needs (required and forwarded): those
// the verify recorded (sub, iss, jti, aud) from its Claims, the others in one pass over the
// payload that ends at the last of them.
func (t *Token) walk() { t.claims.LookupClaims(t.payload, t.b.claims, t.found) }

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

// Alg returns the algorithm of the key that verified the token's signature, valid or refused
// after its signature (expired, another purpose, revoked...); zero when no signature verified.
// With CacheHit it is what Config.Observer reports, for layers that report verdicts their own
// way (the gateway).
func (t *Token) Alg() fastjwt.Alg { return t.claims.Alg() }

// CacheHit reports whether the verifier's verified-token cache answered the verify
// (fastjwt.Claims.CacheHit), whether the token was then accepted or refused.
func (t *Token) CacheHit() bool { return t.claims.CacheHit() }

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
	return jsonint.Parse(raw)
}

// Subject returns the "sub" claim ("" when absent).
func (t *Token) Subject() string {
	if !t.Valid() {
		return ""
	}
	return t.claims.Subject()
}

// Decode decodes the whole payload into v with goccy/go-json (v is usually a pointer to the
// user's claims struct).
func (t *Token) Decode(v any) error {
	if !t.Valid() {
		return ErrNoToken
	}
	return json.Unmarshal(t.payload, v)
}
