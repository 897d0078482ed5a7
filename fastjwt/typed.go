package fastjwt

import (
	"sync"

	json "github.com/goccy/go-json"
)

// Typed claims: a user's struct, encoded and decoded with github.com/goccy/go-json, on top of the
// raw path. The registered claims are validated exactly as by AppendVerify, so a struct field
// named "exp" of the wrong type cannot slip through. These helpers allocate (JSON mapping does);
// the raw AppendSign and AppendVerify do not.

// payloadPool holds buffers for verified payloads awaiting unmarshaling.
var payloadPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Encode marshals claims (a struct or map that becomes a JSON object) and appends the signed
// token to dst, as Codec.AppendSign does: s signs it as a token of type TypeJWT. Strings are not
// HTML-escaped ('<', '>' and '&' stay as they are): a token is not HTML, and escaping would only
// make it longer. s is any Signer; a *Codec is one.
func Encode[T any](s Signer, dst []byte, claims T) ([]byte, error) {
	payload, err := json.MarshalWithOption(claims, json.DisableHTMLEscape())
	if err != nil {
		return dst, err
	}
	return s.AppendSignType(dst, TypeJWT, payload)
}

// Decode verifies token with v, as Codec.AppendVerify does, and unmarshals its payload into
// claims. On error claims is left untouched. v is any Verifier: a *Codec, or a jwks.Client that
// verifies with the keys an issuer publishes.
func Decode[T any](v Verifier, token []byte, claims *T) error {
	bp := payloadPool.Get().(*[]byte)
	defer payloadPool.Put(bp)
	payload, err := appendVerify(v, (*bp)[:0], token)
	*bp = payload[:0]
	if err != nil {
		return err
	}
	var out T
	if err := json.Unmarshal(payload, &out); err != nil {
		return err
	}
	*claims = out
	return nil
}

// appendVerify is v.AppendVerifyClaims without the claims. A *Codec is called directly, so that
// its Claims stays on the stack; through the interface, the Claims escapes to the heap.
func appendVerify(v Verifier, dst, token []byte) ([]byte, error) {
	if c, ok := v.(*Codec); ok {
		return c.AppendVerify(dst, token)
	}
	cl := new(Claims)
	return v.AppendVerifyClaims(dst, token, cl)
}
