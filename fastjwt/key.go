package fastjwt

import (
	"bytes"
	"crypto"
	"encoding/json"
)

// Key is one HMAC secret of a codec's key ring ([NewHS256]).
type Key struct {
	// ID becomes the "kid" header of tokens signed with this key when non-empty, and lets a
	// verifier pick the key by the token's "kid" instead of trying each key in turn.
	ID string
	// Secret is the HMAC key. The codec copies what it needs at construction.
	Secret []byte
}

// PublicKey is a public key of a ring ([NewVerifier], [NewSigner]), bound to the one algorithm its
// tokens are verified with: a token whose header names another "alg" is refused, whatever it
// says. Key is, by algorithm:
//
//	RS256, PS256  *rsa.PublicKey of 2048 to 4096 bits
//	ES256         *ecdsa.PublicKey on P-256
//	EdDSA         ed25519.PublicKey
//
// One RSA key is bound to RS256 or to PS256, not both (RFC 7517 sec. 4.4: a key is for one
// algorithm); give it twice, under two IDs, to accept both.
type PublicKey struct {
	// ID becomes the "kid" of the tokens signed with the key, and lets a verifier pick the key
	// by the token's "kid" instead of trying each key of the algorithm in turn.
	ID string
	// Alg is the algorithm the key verifies. It is never taken from a token.
	Alg Alg
	// Key is the public key. The codec copies it at construction.
	Key crypto.PublicKey
}

// PrivateKey is the signing key of a ring ([NewSigner]), bound to its algorithm. Key is an
// *rsa.PrivateKey (RS256, PS256), an *ecdsa.PrivateKey on P-256 (ES256), an ed25519.PrivateKey
// (EdDSA), or any crypto.Signer whose Public method returns the key PublicKey describes for the
// algorithm (a key in a hardware module, say); ECDSA signers return ASN.1 DER signatures, as
// crypto.Signer specifies, and the codec converts them to the R||S form JWS uses.
type PrivateKey struct {
	// ID becomes the "kid" header of the tokens the key signs when non-empty.
	ID string
	// Alg is the algorithm the key signs with.
	Alg Alg
	// Key is the private key.
	Key crypto.Signer
}

// Public returns the public half of k, with k's ID and algorithm: what a verifier of k's tokens
// holds, and what a JWK Set publishes (AppendJWK).
func (k PrivateKey) Public() PublicKey {
	if k.Key == nil {
		return PublicKey{ID: k.ID, Alg: k.Alg}
	}
	return PublicKey{ID: k.ID, Alg: k.Alg, Key: k.Key.Public()}
}

// ringKey is a key prepared for use: bound to its algorithm (for HS256, its precomputed HMAC
// states) and the encoded headers the codec emits when signing with it, one per type it can
// sign.
type ringKey struct {
	id string
	sigKey
	headers [TypeOther][]byte // base64url of the header JSON, indexed by Type
}

// headerJSON returns the header the codec emits for a key of algorithm alg with the given ID and
// a token of type typ (one of the types it signs): "alg", then "kid" if id is not empty, then
// "typ" unless typ is TypeNone. For an ID-less HS256 key and TypeJWT this is
// {"alg":"HS256","typ":"JWT"}, byte for byte what most JWT libraries emit, so their tokens also
// take the verifier's fast path (ownHeader).
func headerJSON(alg Alg, id string, typ Type) []byte {
	var b bytes.Buffer
	b.WriteString(`{"alg":"`)
	b.WriteString(alg.String())
	b.WriteByte('"')
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
