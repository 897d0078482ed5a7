package fastjwt

import (
	"time"
	"unicode/utf8"
)

// Codec signs and verifies HS256 tokens with a key ring. It is immutable after NewHS256 and safe
// for concurrent use.
type Codec struct {
	keys       []ringKey
	plain      [TypeOther][]byte // encoded headers of tokens that carry no "kid", indexed by Type
	cfg        config
	hasOwnKids bool         // some key has an ID: the fast path may see its kid headers
	cache      *verifyCache // nil when WithVerifyCache(0)
}

// NewHS256 returns a codec for the key ring keys: keys[0] signs, and every key verifies, so a
// rotation puts the new key first and keeps the old ones until their tokens have expired.
//
// A token whose header names a "kid" is checked against the key with that ID (and keys without an
// ID); a token without "kid" is tried against each key in order, so with an ID-less ring of n
// keys an invalid token costs n MAC computations. Give keys IDs when the ring is long.
//
// Secrets shorter than MinSecretSize are refused unless AllowShortKeys is given; empty secrets,
// an empty ring, IDs that are not valid UTF-8 and duplicate IDs are always refused (ErrKey). So
// is a secret that is asymmetric key material (see the key material rule in keymaterial.go: a
// PEM block, an OpenSSH public key, a JWK whose "kty" is not "oct"): a verifier handed a public
// key as its HMAC secret would accept tokens MACed with that public key by anyone.
func NewHS256(keys []Key, opts ...Option) (*Codec, error) {
	c := &Codec{cfg: config{now: time.Now, maxSize: DefaultMaxTokenSize, cacheSize: DefaultVerifyCacheSize}}
	for _, o := range opts {
		o(&c.cfg)
	}
	if len(keys) == 0 {
		return nil, errorf(ErrKey, "no keys")
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if len(k.Secret) == 0 {
			return nil, errorf(ErrKey, "empty secret")
		}
		if err := checkKeyMaterial(k.Secret); err != nil {
			return nil, err
		}
		switch {
		case len(k.Secret) < MinSecretSize && !c.cfg.allowShort:
			return nil, errorf(ErrKey, "secret shorter than 32 bytes (see AllowShortKeys)")
		case !utf8.ValidString(k.ID):
			return nil, errorf(ErrKey, "key ID is not valid UTF-8")
		case k.ID != "" && seen[k.ID]:
			return nil, errorf(ErrKey, "duplicate key ID")
		}
		seen[k.ID] = true
		if k.ID != "" {
			c.hasOwnKids = true
		}
		rk := ringKey{id: k.ID, mac: newMACKey(k.Secret)}
		for t := range rk.headers {
			rk.headers[t] = appendBase64(nil, headerJSON(k.ID, Type(t)))
		}
		c.keys = append(c.keys, rk)
	}
	for t := range c.plain {
		c.plain[t] = appendBase64(nil, headerJSON("", Type(t)))
	}
	c.cache = newVerifyCache(c.cfg.cacheSize)
	return c, nil
}
