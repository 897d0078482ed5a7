package fastjwt

import (
	"bytes"
	"encoding/json"
)

// Key is one HMAC secret of a codec's key ring.
type Key struct {
	// ID becomes the "kid" header of tokens signed with this key when non-empty, and lets a
	// verifier pick the key by the token's "kid" instead of trying each key in turn.
	ID string
	// Secret is the HMAC key. The codec copies what it needs at construction.
	Secret []byte
}

// ringKey is a Key prepared for use: its precomputed HMAC states and the encoded headers the
// codec emits when signing with it, one per type it can sign.
type ringKey struct {
	id      string
	mac     *macKey
	headers [TypeOther][]byte // base64url of the header JSON, indexed by Type
}

// plainHeader is the header of a token signed by a key without an ID. It is byte for byte what
// most JWT libraries emit, so their tokens also take the verifier's fast path.
const plainHeader = `{"alg":"HS256","typ":"JWT"}`

// headerJSON returns the header the codec emits for a key with the given ID and a token of type
// typ (one of the types it signs): "alg", then "kid" if id is not empty, then "typ" unless typ is
// TypeNone. For an ID-less key and TypeJWT this is plainHeader.
func headerJSON(id string, typ Type) []byte {
	var b bytes.Buffer
	b.WriteString(`{"alg":"HS256"`)
	if id != "" {
		kid, _ := json.Marshal(id) // a string always marshals
		b.WriteString(`,"kid":`)
		b.Write(kid)
	}
	if typ != TypeNone {
		b.WriteString(`,"typ":"`)
		b.WriteString(typNames[typ]) // no character of a canonical name needs escaping
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.Bytes()
}
