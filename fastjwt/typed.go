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
// token to dst, as AppendSign does. Strings are not HTML-escaped ('<', '>' and '&' stay as they
// are): a token is not HTML, and escaping would only make it longer.
func Encode[T any](c *Codec, dst []byte, claims T) ([]byte, error) {
	payload, err := json.MarshalWithOption(claims, json.DisableHTMLEscape())
	if err != nil {
		return dst, err
	}
	return c.AppendSign(dst, payload)
}

// Decode verifies token as AppendVerify does and unmarshals its payload into claims. On error
// claims is left untouched.
func Decode[T any](c *Codec, token []byte, claims *T) error {
	bp := payloadPool.Get().(*[]byte)
	defer payloadPool.Put(bp)
	payload, err := c.AppendVerify((*bp)[:0], token)
	*bp = payload[:0]
	if err != nil {
		return err
	}
	var v T
	if err := json.Unmarshal(payload, &v); err != nil {
		return err
	}
	*claims = v
	return nil
}
