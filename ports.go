package session

import (
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// The adapter contract, in one place: what an adapter for an HTTP framework implements, and the
// order in which it calls the Manager. Adapters hold no policy; they translate.
//
// For each request:
//
//	s, err := m.Acquire(ctx, reqHeader) // before the handler; err means "cannot tell": answer 503
//	... the handler runs, reaching s through the adapter ...
//	err = s.Commit(ctx, respHeader)     // once, just before the response header is written;
//	                                    // the store's writes use ctx; err: answer 503
//	m.Release(s)                        // after the handler has returned, never before
//
// The Session must not be used after Release; adapters that run the handler in another goroutine
// (http.TimeoutHandler inside the session middleware) break that rule, see the package doc.

// RequestHeader is the part of a request that sessions read.
type RequestHeader interface {
	// AppendValues appends to dst every value of the named request header field, one element per
	// field line, in the order received, whatever the spelling of the name on the wire (names are
	// matched ASCII case-insensitively, whatever the server's name-normalizing setting). The
	// values may point into the request and are read before the handler returns.
	AppendValues(dst [][]byte, name string) [][]byte
}

// TLSRequest is implemented by a RequestHeader whose adapter knows whether the request arrived
// over TLS (net/http: Request.TLS != nil; fasthttp: RequestCtx.IsTLS). Config.Secure's
// SecureAuto sets Secure on the cookie of such a request; a RequestHeader without the method
// counts as plain HTTP.
type TLSRequest interface {
	TLS() bool
}

// ResponseHeader is the part of a response's header that sessions read and write. Names are
// given in canonical form.
type ResponseHeader interface {
	// AppendValues appends every value of the named response header field, one per line.
	AppendValues(dst [][]byte, name string) [][]byte
	// Set replaces every value of the named header with value.
	Set(name, value string)
	// Add appends one more header line name: value.
	Add(name, value string)
	// AddBytes is Add with a value the adapter must copy if it keeps it.
	AddBytes(name string, value []byte)
}

// Codec is what a Manager needs of a token codec: to issue session tokens and to verify them.
// *fastjwt.Codec implements it; so can a codec over other algorithms or keys.
//
// A write of a registered claim ("iss", "sub", "aud", "nbf") is checked against the codec's rules
// before it is stored. A Codec that also implements fastjwt.ClaimsChecker, as *fastjwt.Codec
// does, is asked through CheckClaims, which signs nothing; any other Codec is asked by signing a
// session holding the value and verifying the token. A Codec that embeds *fastjwt.Codec and
// changes what its AppendVerifyClaims accepts gets the embedded CheckClaims too: it should give
// CheckClaims the same rule.
type Codec interface {
	fastjwt.Signer
	fastjwt.Verifier
}

// LegacyCodec reads and writes the cookies of the session library this one replaces
// (Config.Legacy). gorillacookie.Codec implements it for gorilla/sessions' CookieStore.
type LegacyCodec interface {
	// Decode verifies value as the legacy cookie named name at time now (MAC first, then its
	// age) and calls add with each of its values as a name and a JSON value, only once the
	// whole cookie verified and decoded; a value without a JSON form goes to drop, with why,
	// and the rest is kept. An error means the cookie is refused.
	Decode(name string, value []byte, now time.Time, add func(name string, value []byte), drop func(name string, err error)) error
	// AppendEncode appends to dst the legacy cookie value named name, written at now, holding
	// the (name, JSON value) pairs each yields; a value the legacy format cannot hold goes to
	// drop and the rest is written.
	AppendEncode(dst []byte, name string, now time.Time, each func(yield func(name string, value []byte) bool), drop func(name string, err error)) ([]byte, error)
}
