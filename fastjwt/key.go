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

// ringKey is a Key prepared for use: its precomputed HMAC states and the encoded header the
// codec emits when signing with it.
type ringKey struct {
	id     string
	mac    *macKey
	header []byte // base64url of the header JSON, as emitted when this key signs
}

// plainHeader is the header of a token signed by a key without an ID. It is byte for byte what
// most JWT libraries emit, so their tokens also take the verifier's fast path.
const plainHeader = `{"alg":"HS256","typ":"JWT"}`

// headerJSON returns the header the codec emits for a key with the given ID.
func headerJSON(id string) []byte {
	if id == "" {
		return []byte(plainHeader)
	}
	kid, _ := json.Marshal(id) // a string always marshals
	var b bytes.Buffer
	b.WriteString(`{"alg":"HS256","kid":`)
	b.Write(kid)
	b.WriteString(`,"typ":"JWT"}`)
	return b.Bytes()
}
