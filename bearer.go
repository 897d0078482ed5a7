package session

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/textproto"
	"sync"

	"github.com/fastjwt/session/fastjwt"
)

// DefaultRealm is the realm of the WWW-Authenticate challenge when BearerConfig.Realm is empty.
const DefaultRealm = "api"

// Forward copies one verified claim into a request header for the upstream handler.
type Forward struct {
	// Claim is the top-level claim's name in the payload.
	Claim string
	// Header is the request header that receives it. A client-sent header of this name is
	// always deleted first, whether or not the request carries a valid token.
	Header string
}

// BearerConfig is the policy of bearer-token authentication (RFC 6750). The zero value reads
// "Authorization: Bearer <token>" only and answers 401 to requests without a token.
type BearerConfig struct {
	// Realm is the realm of the WWW-Authenticate challenge (default "api").
	Realm string
	// Schemes are the accepted authorization schemes, matched without regard to case (RFC 7235
	// sec. 2.1). Default: {"Bearer"}. djangorestframework-jwt clients send "JWT".
	Schemes []string
	// Cookie, if set, is a cookie name read when the Authorization header carries no token.
	Cookie string
	// Query, if set, is a query parameter read when neither header nor cookie carries a token.
	// Tokens in URLs end up in logs and browser history (RFC 6750 sec. 5.3): opt in only when a
	// client cannot send headers (WebSocket handshakes, EventSource).
	Query string
	// Optional lets requests without any token through to the handler, with an invalid Token
	// (Token.Valid reports false). A request with a bad token is still refused.
	Optional bool
	// Audience, if set, must be in the token's "aud" claim; otherwise 403 insufficient_scope.
	// (A codec built with fastjwt.WithAudience has the same effect.)
	Audience string
	// RequiredClaims must all be present in the payload; otherwise 403 insufficient_scope.
	RequiredClaims []string
	// Forward lists the claims copied into request headers for the upstream handler. A string
	// claim forwards its decoded value, any other JSON value its raw JSON. A value holding a
	// control character (CR, LF, NUL, HTAB, DEL...) or leading or trailing spaces is dropped,
	// never sent: the header is then absent, and the request goes on.
	Forward []Forward
	// PayloadHeader, if set, receives the whole verified payload, base64url-encoded without
	// padding (RFC 4648 sec. 5). A client-sent header of this name is always deleted first.
	PayloadHeader string
	// OnInvalid, if set, is called with the cause of every refused request (ErrNoToken, a codec
	// error, ErrMissingClaim, fastjwt.ErrAudience), e.g. for logging.
	OnInvalid func(err error)
}

// Request is the part of a request that bearer authentication reads and writes. Adapters
// implement it over their framework's request; names are given in canonical form.
type Request interface {
	// Peek returns the first value of the named request header, or nil.
	Peek(name string) []byte
	// Cookie returns the value of the named cookie, or nil.
	Cookie(name string) []byte
	// Query returns the value of the named query parameter, or nil.
	Query(name string) []byte
	// Del deletes every value of the named request header.
	Del(name string)
	// Set sets the named request header to value (which the adapter must copy if it keeps it).
	Set(name string, value []byte)
}

// Bearer authenticates requests by bearer token under one BearerConfig. It is immutable after
// NewBearer and safe for concurrent use.
type Bearer struct {
	codec   *fastjwt.Codec
	cfg     BearerConfig
	schemes [][]byte
	// drop lists every header name Authenticate deletes from each request.
	drop []string
	// challenge401 is the challenge for a request without a token, precomputed.
	challenge401 []byte
	pool         sync.Pool
}

// NewBearer returns a Bearer that verifies tokens with codec under cfg. It refuses header names
// that are not tokens and schemes that are not tokens (ErrConfig).
func NewBearer(codec *fastjwt.Codec, cfg BearerConfig) (*Bearer, error) {
	if codec == nil {
		return nil, fmt.Errorf("%w: nil codec", ErrConfig)
	}
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if len(cfg.Schemes) == 0 {
		cfg.Schemes = []string{"Bearer"}
	}
	b := &Bearer{codec: codec, cfg: cfg}
	for _, sc := range cfg.Schemes {
		if !isToken(sc) {
			return nil, fmt.Errorf("%w: scheme %q is not a token", ErrConfig, sc)
		}
		b.schemes = append(b.schemes, []byte(sc))
	}
	if cfg.Cookie != "" && !isToken(cfg.Cookie) {
		return nil, fmt.Errorf("%w: cookie name %q is not a token", ErrConfig, cfg.Cookie)
	}
	for _, f := range cfg.Forward {
		if !isToken(f.Header) || f.Claim == "" {
			return nil, fmt.Errorf("%w: forward %q to header %q", ErrConfig, f.Claim, f.Header)
		}
	}
	// Header names in canonical form, so adapters over canonicalizing maps (net/http) need no
	// conversion per request.
	cfg.Forward = append([]Forward(nil), cfg.Forward...)
	for i := range cfg.Forward {
		cfg.Forward[i].Header = textproto.CanonicalMIMEHeaderKey(cfg.Forward[i].Header)
	}
	if cfg.PayloadHeader != "" {
		if !isToken(cfg.PayloadHeader) {
			return nil, fmt.Errorf("%w: payload header %q is not a token", ErrConfig, cfg.PayloadHeader)
		}
		cfg.PayloadHeader = textproto.CanonicalMIMEHeaderKey(cfg.PayloadHeader)
	}
	b.cfg = cfg
	for _, f := range cfg.Forward {
		b.drop = append(b.drop, f.Header)
	}
	if cfg.PayloadHeader != "" {
		b.drop = append(b.drop, cfg.PayloadHeader)
	}
	b.challenge401 = b.appendChallenge(nil, "", "")
	b.pool.New = func() any { return &Token{b: b} }
	return b, nil
}

// Optional reports whether requests without a token pass through (BearerConfig.Optional).
func (b *Bearer) Optional() bool { return b.cfg.Optional }

// Acquire returns a pooled Token for one request. Adapters call it, then Authenticate; give the
// Token back with Release after the handler returns.
func (b *Bearer) Acquire() *Token { return b.pool.Get().(*Token) }

// Release returns t to the pool. t must not be used afterwards.
func (b *Bearer) Release(t *Token) {
	if t == nil || t.b != b {
		return
	}
	t.reset()
	b.pool.Put(t)
}

// Authenticate reads the request's token into t and prepares the request for the handler.
// In order: it deletes every client-sent header named in Forward and PayloadHeader; finds the
// token (Authorization with an accepted scheme, then Cookie, then Query); verifies it; checks
// Audience and RequiredClaims; and sets the forwarded headers.
//
// It returns nil when the handler should run: with a valid t, or with an invalid t in Optional
// mode when the request had no token. Otherwise it returns t's *AuthError, holding the status and
// the WWW-Authenticate challenge to answer with; it is valid until Release. The result is a
// concrete pointer: compare it with nil before storing it in an error variable.
func (b *Bearer) Authenticate(t *Token, r Request) *AuthError {
	for _, h := range b.drop {
		r.Del(h)
	}
	tok, found := b.extract(r)
	if !found {
		if b.cfg.Optional {
			return nil
		}
		return t.fail(401, "", "", ErrNoToken)
	}
	t.raw = append(t.raw[:0], tok...)
	var err error
	t.payload, err = b.codec.AppendVerifyClaims(t.payload[:0], t.raw, &t.claims)
	if err != nil {
		if errors.Is(err, fastjwt.ErrAudience) {
			return t.fail(403, "insufficient_scope", "the token is not valid for this audience", err)
		}
		return t.fail(401, "invalid_token", describe(err), err)
	}
	if b.cfg.Audience != "" && !t.claims.HasAudience(b.cfg.Audience) {
		return t.fail(403, "insufficient_scope", "the token is not valid for this audience", fastjwt.ErrAudience)
	}
	for _, c := range b.cfg.RequiredClaims {
		if _, ok := fastjwt.LookupClaim(t.payload, c); !ok {
			return t.fail(403, "insufficient_scope", "the token lacks a required claim", ErrMissingClaim)
		}
	}
	t.valid = true
	for _, f := range b.cfg.Forward {
		raw, ok := fastjwt.LookupClaim(t.payload, f.Claim)
		if !ok {
			continue
		}
		start := len(t.buf)
		if raw[0] == '"' {
			t.buf, _ = fastjwt.AppendString(t.buf, raw)
		} else {
			t.buf = append(t.buf, raw...)
		}
		if v := t.buf[start:]; safeHeaderValue(v) {
			r.Set(f.Header, v)
		}
	}
	if b.cfg.PayloadHeader != "" {
		start := len(t.buf)
		t.buf = base64.RawURLEncoding.AppendEncode(t.buf, t.payload)
		r.Set(b.cfg.PayloadHeader, t.buf[start:])
	}
	return nil
}

// extract finds the request's token: Authorization with an accepted scheme, then the cookie,
// then the query parameter. A present but empty credential counts as found (and fails to verify).
func (b *Bearer) extract(r Request) ([]byte, bool) {
	if h := r.Peek("Authorization"); len(h) > 0 {
		// credentials = auth-scheme [ 1*SP token68 ]  (RFC 7235 sec. 2.1)
		scheme, rest := h, []byte(nil)
		if i := bytes.IndexByte(h, ' '); i >= 0 {
			scheme, rest = h[:i], h[i+1:]
		}
		for _, s := range b.schemes {
			if bytes.EqualFold(scheme, s) {
				return bytes.Trim(rest, " \t"), true
			}
		}
	}
	if b.cfg.Cookie != "" {
		if v := r.Cookie(b.cfg.Cookie); len(v) > 0 {
			return v, true
		}
	}
	if b.cfg.Query != "" {
		if v := r.Query(b.cfg.Query); len(v) > 0 {
			return v, true
		}
	}
	return nil, false
}

// safeHeaderValue reports whether v can be a header value as is: no control characters (HTAB
// included, so a value never changes under the whitespace trimming of RFC 9110 sec. 5.5) and no
// leading or trailing space.
func safeHeaderValue(v []byte) bool {
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return len(v) == 0 || (v[0] != ' ' && v[len(v)-1] != ' ')
}

// describe maps a codec error to a fixed error_description: short, without claim values, and
// free of characters RFC 6750 sec. 3 forbids there.
func describe(err error) string {
	switch {
	case errors.Is(err, fastjwt.ErrExpired):
		return "the token has expired"
	case errors.Is(err, fastjwt.ErrNotYetValid):
		return "the token is not valid yet"
	case errors.Is(err, fastjwt.ErrSignature), errors.Is(err, fastjwt.ErrUnknownKey):
		return "the token signature is invalid"
	case errors.Is(err, fastjwt.ErrIssuer):
		return "the token issuer is not accepted"
	case errors.Is(err, fastjwt.ErrTooLarge):
		return "the token is too large"
	case errors.Is(err, fastjwt.ErrAlgorithm), errors.Is(err, fastjwt.ErrUnsupported):
		return "the token algorithm is not accepted"
	}
	return "the token is malformed"
}
