package fastjwt

import (
	"time"
	"unicode/utf8"
)

// Codec signs and verifies tokens with a key ring: HS256 secrets ([NewHS256]), or public keys with
// an optional private signing key ([NewSigner], [NewVerifier]). It is immutable after construction
// and safe for concurrent use. It is the package's [Verifier] and [Signer].
type Codec struct {
	keys       []ringKey
	plain      []plainHeaders // encoded headers of tokens that carry no "kid", one set per algorithm
	cfg        config
	hasOwnKids bool         // some key has an ID: the fast path may see its kid headers
	hmac       bool         // every key is HS256: signatures are 32-byte MACs
	canSign    bool         // keys[0] signs (NewHS256, NewSigner)
	cache      *verifyCache // nil when WithVerifyCache(0)
}

// plainHeaders are the headers, indexed by Type, the codec emits for the ID-less keys of one
// algorithm; tokens other libraries sign carry them too.
type plainHeaders struct {
	alg Alg
	enc [TypeOther][]byte
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
	c := newCodec(opts)
	if len(keys) == 0 {
		return nil, errorf(ErrKey, "no keys")
	}
	for _, k := range keys {
		if len(k.Secret) == 0 {
			return nil, errorf(ErrKey, "empty secret")
		}
		if err := checkKeyMaterial(k.Secret); err != nil {
			return nil, err
		}
		if len(k.Secret) < MinSecretSize && !c.cfg.allowShort {
			return nil, errorf(ErrKey, "secret shorter than 32 bytes (see AllowShortKeys)")
		}
		if err := c.add(k.ID, sigKey{alg: HS256, size: 32, mac: newMACKey(k.Secret)}); err != nil {
			return nil, err
		}
	}
	c.hmac, c.canSign = true, true
	return c.finish(), nil
}

// NewSigner returns a codec that signs with priv and verifies tokens signed by priv or by any
// key of verify: the ring is priv's public key, then verify in order, so a rotation signs with
// the new private key and keeps the old public keys in verify until their tokens have expired.
// Each key is bound to its Alg: a token is verified only with keys of the algorithm its header
// names, and with the key its "kid" names (and keys without an ID) when it has one.
//
// Refused with ErrKey: a key that is not of its algorithm's type (see PublicKey), an RSA key of
// fewer than 2048 or more than 4096 bits, an ECDSA key on another curve than P-256, HS256 (its
// secrets take NewHS256: one ring never mixes secrets and public keys), a key without an Alg,
// IDs that are not valid UTF-8 and duplicate IDs.
func NewSigner(priv PrivateKey, verify []PublicKey, opts ...Option) (*Codec, error) {
	if priv.Key == nil {
		return nil, errorf(ErrKey, "no signing key")
	}
	c := newCodec(opts)
	pub := priv.Public()
	k, err := newSigKey(pub.Alg, pub.Key)
	if err != nil {
		return nil, err
	}
	k.signer = priv.Key
	if err := c.add(priv.ID, k); err != nil {
		return nil, err
	}
	if err := c.addPublic(verify); err != nil {
		return nil, err
	}
	c.canSign = true
	return c.finish(), nil
}

// NewVerifier returns a codec that verifies tokens signed by the private keys of keys, and signs
// nothing: AppendSign and AppendSignType return an ErrKey error. It is what a service holds that
// accepts the tokens of an issuer (an identity provider, a session server) without being able to
// issue them. The keys are checked as by NewSigner; an empty ring is refused.
func NewVerifier(keys []PublicKey, opts ...Option) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errorf(ErrKey, "no keys")
	}
	c := newCodec(opts)
	if err := c.addPublic(keys); err != nil {
		return nil, err
	}
	return c.finish(), nil
}

func newCodec(opts []Option) *Codec {
	c := &Codec{cfg: config{now: time.Now, maxSize: DefaultMaxTokenSize, cacheSize: DefaultVerifyCacheSize}}
	for _, o := range opts {
		o(&c.cfg)
	}
	return c
}

func (c *Codec) addPublic(keys []PublicKey) error {
	for _, pk := range keys {
		k, err := newSigKey(pk.Alg, pk.Key)
		if err != nil {
			return err
		}
		if err := c.add(pk.ID, k); err != nil {
			return err
		}
	}
	return nil
}

// add appends a key bound to its algorithm to the ring, with its precomputed headers.
func (c *Codec) add(id string, k sigKey) error {
	if !utf8.ValidString(id) {
		return errorf(ErrKey, "key ID is not valid UTF-8")
	}
	if id != "" {
		for i := range c.keys {
			if c.keys[i].id == id {
				return errorf(ErrKey, "duplicate key ID")
			}
		}
		c.hasOwnKids = true
	}
	rk := ringKey{id: id, sigKey: k}
	for t := range rk.headers {
		rk.headers[t] = appendBase64(nil, headerJSON(k.alg, id, Type(t)))
	}
	c.keys = append(c.keys, rk)
	return nil
}

// finish precomputes the ID-less headers of each algorithm of the ring and makes the cache.
func (c *Codec) finish() *Codec {
	for i := range c.keys {
		if c.plainFor(c.keys[i].alg) == nil {
			p := plainHeaders{alg: c.keys[i].alg}
			for t := range p.enc {
				p.enc[t] = appendBase64(nil, headerJSON(p.alg, "", Type(t)))
			}
			c.plain = append(c.plain, p)
		}
	}
	c.cache = newVerifyCache(c.cfg.cacheSize)
	return c
}

func (c *Codec) plainFor(alg Alg) *plainHeaders {
	for i := range c.plain {
		if c.plain[i].alg == alg {
			return &c.plain[i]
		}
	}
	return nil
}

// PublicKeys returns the public keys of the ring, in ring order (the signing key first), with
// their IDs and algorithms: what a JWK Set publishes (AppendJWKSet). The keys are copies. A
// codec of HS256 secrets has none: its keys are secret.
func (c *Codec) PublicKeys() []PublicKey {
	var out []PublicKey
	for i := range c.keys {
		k := &c.keys[i]
		if k.alg != HS256 {
			out = append(out, PublicKey{ID: k.id, Alg: k.alg, Key: k.publicKey()})
		}
	}
	return out
}

// CacheStats returns the counts of c's verified-token cache (see WithVerifyCache): how many
// verifies it answered and how many it could not. It is cheap enough for every scrape of a
// metrics endpoint, not for every request. A codec without a cache returns zeros.
func (c *Codec) CacheStats() CacheStats {
	if c.cache == nil {
		return CacheStats{}
	}
	return c.cache.stats()
}

// Leeway returns the clock skew c allows (WithLeeway): it accepts a token until its "exp" plus
// the leeway. A revocation list must keep an entry at least that long past "exp", or a revoked
// token would be accepted again once its entry has gone (session.New and bearer.New compare it
// with the list's grace: see package revoke).
func (c *Codec) Leeway() time.Duration { return c.cfg.leeway }

// LeewayOf returns the leeway a codec built with opts allows (0 without WithLeeway), for a
// verifier that builds its codecs later from the same options (jwks.Client).
func LeewayOf(opts ...Option) time.Duration {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return cfg.leeway
}
