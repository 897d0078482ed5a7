package fastjwt

import (
	"time"
	"unicode/utf8"
)

// Codec signs and verifies HS256 tokens with a key ring. It is immutable after NewHS256 and safe
// for concurrent use.
type Codec struct {
	keys       []ringKey
	plain      []byte // encoded plainHeader: tokens that carry no "kid"
	cfg        config
	hasOwnKids bool         // some key has an ID: the fast path may see its kid header
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
// an empty ring, IDs that are not valid UTF-8 and duplicate IDs are always refused (ErrKey).
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
		switch {
		case len(k.Secret) == 0:
			return nil, errorf(ErrKey, "empty secret")
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
		c.keys = append(c.keys, ringKey{
			id:     k.ID,
			mac:    newMACKey(k.Secret),
			header: appendBase64(nil, headerJSON(k.ID)),
		})
	}
	c.plain = appendBase64(nil, []byte(plainHeader))
	c.cache = newVerifyCache(c.cfg.cacheSize)
	return c, nil
}
