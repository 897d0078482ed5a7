package fastjwt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"unicode/utf8"
)

// JSON Web Keys (RFC 7517) and JWK Sets, for RSA (RFC 7518 sec. 6.3), EC P-256 (RFC 7518 sec.
// 6.2) and Ed25519 (OKP, RFC 8037 sec. 2) keys: parsed strictly into keys bound to one
// algorithm, and written for publishing a ring's public keys (what an issuer serves at
// /.well-known/jwks.json).
//
// The rules, each refused with ErrKey and a message naming the member at fault:
//
//   - The text is one strict JSON object (strict UTF-8, no duplicate member names), at most
//     MaxKeyFileSize bytes; a set holds at most DefaultMaxJWKSetKeys keys (JWKMaxKeys).
//   - "alg", when present, is the key's algorithm; it must be one this package implements and fit
//     the key type ("ES256" on an RSA key is refused). Without "alg" a key gets the one
//     algorithm its type implies: RSA → RS256, EC P-256 → ES256, OKP Ed25519 → EdDSA, unless
//     JWKDefaultAlg says otherwise (PS256 for RSA keys).
//   - "use", when present, is "sig"; "key_ops", when present, lists "verify" (for a private key,
//     "sign"), each operation once, and no operation other than "sign" and "verify" (RFC 7517
//     sec. 4.3: a key is for signatures or for encryption, not both).
//   - "kty" is "RSA", "EC" or "OKP"; "crv" is "P-256" for EC and "Ed25519" for OKP. A symmetric
//     key ("oct") is never a public key.
//   - Members are canonical unpadded base64url of exactly their size: "x" and "y" of P-256 32
//     bytes, "x" of Ed25519 32 bytes, "n" without leading zero bytes (RFC 7518 sec. 6.3.1.1)
//     and of 2048 to 4096 bits, "e" an odd number from 3 to 2^31-1. An EC point must be on the
//     curve.
//   - Where a public key is expected, private members ("d", "p", "q", "dp", "dq", "qi", "oth",
//     "k") are refused: a published key that carries them has leaked its private half.
//   - "kid", when present, is a string; it becomes the key's ID. "x5c", "x5t", "x5u" and other
//     members are ignored: the key is what "n" and "e", or "x" and "y", say.
//
// In a JWK Set, a key for another purpose or of an algorithm or size this package does not
// implement ("use":"enc", a P-384 key, "alg":"RS512", a 1024-bit RSA key) is skipped, so that the
// signing keys of a provider that publishes them alongside (Keycloak publishes an RSA-OAEP key
// with its RS256 key) are usable; JWKOnSkip hears about each one. A key that is malformed or dangerous (private members,
// a symmetric key, a point off the curve, bad base64url, a duplicate "kid" among the usable keys)
// refuses the whole set: a set that carries one is not to be trusted for the others.

// DefaultMaxJWKSetKeys is the number of keys a JWK Set may hold when JWKMaxKeys is not given.
const DefaultMaxJWKSetKeys = 100

// A JWKOption configures the parsing of JWKs and JWK Sets.
type JWKOption func(*jwkConfig)

type jwkConfig struct {
	defaultRSA Alg
	maxKeys    int
	onSkip     func(index int, err error)
}

// JWKDefaultAlg sets the algorithm of keys without "alg" whose type it fits: RS256 or PS256 for
// RSA keys (by default RS256). ES256 and EdDSA are the only algorithms of their key types, so
// they are the default for them anyway. Other values are ignored.
func JWKDefaultAlg(alg Alg) JWKOption {
	return func(c *jwkConfig) {
		if alg == RS256 || alg == PS256 {
			c.defaultRSA = alg
		}
	}
}

// JWKMaxKeys sets the number of keys a JWK Set may hold (default DefaultMaxJWKSetKeys); a set
// with more is refused. Values under 1 keep the default.
func JWKMaxKeys(n int) JWKOption {
	return func(c *jwkConfig) {
		if n > 0 {
			c.maxKeys = n
		}
	}
}

// JWKOnSkip sets a function that ParseJWKSet calls for each key it skips, with the key's index
// in "keys" and an ErrKey error that says why (its text never contains key material).
func JWKOnSkip(fn func(index int, err error)) JWKOption {
	return func(c *jwkConfig) { c.onSkip = fn }
}

func newJWKConfig(opts []JWKOption) jwkConfig {
	c := jwkConfig{defaultRSA: RS256, maxKeys: DefaultMaxJWKSetKeys}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// jwk is the members of a JWK this package reads, as strings; has tells which were present.
type jwk struct {
	kty, use, alg, kid, crv, n, e, x, y, d, p, q, dp, dq, qi string
	has                                                      map[string]bool
	keyOps                                                   []string
}

// errSkip marks the errors of a key a JWK Set skips rather than refuses.
type errSkip struct{ error }

func (e errSkip) Unwrap() error { return e.error }

func skipf(format string, a ...any) error {
	return errSkip{fmt.Errorf("%w: "+format, append([]any{ErrKey}, a...)...)}
}

func refusef(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrKey}, a...)...)
}

var errOct = errorf(ErrKey, `a symmetric key ("kty":"oct") where a public or private key is expected`)

// privateMembers are the members of private (and symmetric) keys (RFC 7518 sec. 6.2.2, 6.3.2,
// 6.4.1; RFC 8037 sec. 2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", "r", "t"}

// ParseJWK parses one JWK holding a public key (see the rules above) and returns it bound to its
// algorithm, with its "kid" as ID. A key that a JWK Set would skip ("use":"enc", an unsupported
// curve or algorithm) is refused here. Errors match ErrKey.
func ParseJWK(data []byte, opts ...JWKOption) (PublicKey, error) {
	cfg := newJWKConfig(opts)
	if len(data) > MaxKeyFileSize {
		return PublicKey{}, errPEMTooLarge
	}
	k, err := readJWK(data)
	if err != nil {
		return PublicKey{}, err
	}
	return k.public(&cfg)
}

// ParseJWKSet parses a JWK Set, {"keys":[...]} (RFC 7517 sec. 5), and returns its usable public
// keys in order, each bound to its algorithm, with its "kid" as ID. Keys for encryption or of
// algorithms this package does not implement are skipped (see JWKOnSkip); a malformed or
// dangerous key, more than the maximum number of keys (JWKMaxKeys), two usable keys with one
// "kid", or no usable key at all refuse the set. Errors match ErrKey.
func ParseJWKSet(data []byte, opts ...JWKOption) ([]PublicKey, error) {
	cfg := newJWKConfig(opts)
	if len(data) > MaxKeyFileSize {
		return nil, errPEMTooLarge
	}
	var raw []byte
	err := EachMember(data, func(name, value []byte) bool {
		if n, _ := AppendString(nil, name); string(n) == "keys" {
			raw = value
		}
		return true
	})
	if err != nil {
		return nil, refusef("the JWK Set is not one strict JSON object: %v", err)
	}
	if raw == nil {
		return nil, refusef(`the JWK Set has no "keys" member`)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil || raw[0] != '[' {
		return nil, refusef(`"keys" is not an array`)
	}
	if len(elems) > cfg.maxKeys {
		return nil, refusef("the JWK Set has %d keys, more than the %d allowed", len(elems), cfg.maxKeys)
	}
	var keys []PublicKey
	ids := map[string]bool{}
	for i, e := range elems {
		k, err := readJWK(e)
		var pk PublicKey
		if err == nil {
			pk, err = k.public(&cfg)
		}
		if err != nil {
			var skip errSkip
			if errors.As(err, &skip) {
				if cfg.onSkip != nil {
					cfg.onSkip(i, skip.error)
				}
				continue
			}
			return nil, fmt.Errorf("key %d of the set: %w", i, err)
		}
		if pk.ID != "" {
			if ids[pk.ID] {
				return nil, refusef("two keys of the set have the kid %q", limitText(pk.ID))
			}
			ids[pk.ID] = true
		}
		keys = append(keys, pk)
	}
	if len(keys) == 0 {
		return nil, refusef("the JWK Set has no key usable for verifying signatures")
	}
	return keys, nil
}

// ParsePrivateJWK parses one JWK holding a private key: an RSA key with "d", "p" and "q" (and,
// if present, "dp", "dq" and "qi", checked against them), an EC P-256 or Ed25519 key with "d"
// whose public members match it. The rules above apply, with "sign" in place of "verify" for
// "key_ops". Errors match ErrKey.
func ParsePrivateJWK(data []byte, opts ...JWKOption) (PrivateKey, error) {
	cfg := newJWKConfig(opts)
	if len(data) > MaxKeyFileSize {
		return PrivateKey{}, errPEMTooLarge
	}
	k, err := readJWK(data)
	if err != nil {
		return PrivateKey{}, err
	}
	return k.private(&cfg)
}

// readJWK reads the members of one JWK object.
func readJWK(data []byte) (*jwk, error) {
	k := &jwk{has: map[string]bool{}}
	var bad error
	err := EachMember(data, func(nameJSON, value []byte) bool {
		nb, _ := AppendString(nil, nameJSON)
		name := string(nb)
		k.has[name] = true
		var dst *string
		switch name {
		case "kty":
			dst = &k.kty
		case "use":
			dst = &k.use
		case "alg":
			dst = &k.alg
		case "kid":
			dst = &k.kid
		case "crv":
			dst = &k.crv
		case "n":
			dst = &k.n
		case "e":
			dst = &k.e
		case "x":
			dst = &k.x
		case "y":
			dst = &k.y
		case "d":
			dst = &k.d
		case "p":
			dst = &k.p
		case "q":
			dst = &k.q
		case "dp":
			dst = &k.dp
		case "dq":
			dst = &k.dq
		case "qi":
			dst = &k.qi
		case "key_ops":
			if json.Unmarshal(value, &k.keyOps) != nil || value[0] != '[' {
				bad = refusef(`"key_ops" is not an array of strings`)
				return false
			}
			return true
		default:
			return true
		}
		s, ok := AppendString(nil, value)
		if !ok {
			bad = refusef("%q is not a string", name)
			return false
		}
		*dst = string(s)
		return true
	})
	if err != nil {
		return nil, refusef("a JWK is not one strict JSON object: %v", err)
	}
	if bad != nil {
		return nil, bad
	}
	if !utf8.ValidString(k.kid) {
		return nil, errKeyIDUTF8 // cannot happen: the scanner refuses invalid UTF-8
	}
	return k, nil
}

// purpose checks "use" and "key_ops" for a key used for op ("verify" or "sign").
func (k *jwk) purpose(op string) error {
	if k.has["use"] && k.use != "sig" {
		return skipf(`"use" is %q: the key is not for signatures`, limitText(k.use))
	}
	if k.has["key_ops"] {
		seen := map[string]bool{}
		for _, o := range k.keyOps {
			if seen[o] {
				return refusef(`"key_ops" lists %q twice`, limitText(o))
			}
			seen[o] = true
			if o != "sign" && o != "verify" {
				return skipf(`"key_ops" lists %q: the key is not only for signatures`, limitText(o))
			}
		}
		if !seen[op] {
			return skipf(`"key_ops" does not list %q`, op)
		}
	}
	return nil
}

// algorithm returns the algorithm of the key: "alg" if present, else the one its type implies.
func (k *jwk) algorithm(cfg *jwkConfig) (Alg, error) {
	var implied, other Alg
	switch k.kty {
	case "RSA":
		implied, other = RS256, PS256
		if cfg.defaultRSA == PS256 {
			implied, other = PS256, RS256
		}
	case "EC":
		if k.crv != "P-256" {
			return 0, skipf(`EC key on %q: only P-256 (ES256) is supported`, limitText(k.crv))
		}
		implied = ES256
	case "OKP":
		if k.crv != "Ed25519" {
			return 0, skipf(`OKP key on %q: only Ed25519 (EdDSA) is supported`, limitText(k.crv))
		}
		implied = EdDSA
	case "oct":
		return 0, errOct
	case "":
		if !k.has["kty"] {
			return 0, refusef(`the JWK has no "kty"`)
		}
		fallthrough
	default:
		return 0, skipf(`"kty" %q is not supported (RSA, EC, OKP)`, limitText(k.kty))
	}
	if !k.has["alg"] {
		return implied, nil
	}
	alg, err := ParseAlg(k.alg)
	if err != nil || alg == HS256 {
		return 0, skipf(`"alg" %q is not supported for keys of type %s`, limitText(k.alg), k.kty)
	}
	if alg != implied && alg != other {
		return 0, refusef(`"alg" %q does not fit keys of type %s`, k.alg, k.kty)
	}
	return alg, nil
}

// public returns the public key of a JWK that must not carry private members.
func (k *jwk) public(cfg *jwkConfig) (PublicKey, error) {
	if k.kty == "oct" {
		return PublicKey{}, errOct
	}
	for _, m := range privateMembers {
		if k.has[m] {
			return PublicKey{}, refusef("the JWK has the private member %q where a public key is expected", m)
		}
	}
	if err := k.purpose("verify"); err != nil {
		return PublicKey{}, err
	}
	alg, err := k.algorithm(cfg)
	if err != nil {
		return PublicKey{}, err
	}
	pub, err := k.publicKey()
	if err != nil {
		return PublicKey{}, err
	}
	if _, err := newSigKey(alg, pub); err != nil {
		return PublicKey{}, err
	}
	return PublicKey{ID: k.kid, Alg: alg, Key: pub}, nil
}

// publicKey decodes the public members.
func (k *jwk) publicKey() (any, error) {
	switch k.kty {
	case "RSA":
		n, err := k.bytes("n", k.n, 0)
		if err != nil {
			return nil, err
		}
		if len(n) == 0 || n[0] == 0 {
			return nil, refusef(`"n" has leading zero bytes (RFC 7518 sec. 6.3.1.1)`)
		}
		if bits := new(big.Int).SetBytes(n).BitLen(); bits < minRSABits || bits > maxRSABits {
			return nil, skipf("RSA key of %d bits: only %d to %d bits are supported", bits, minRSABits, maxRSABits)
		}
		e, err := k.bytes("e", k.e, 0)
		if err != nil {
			return nil, err
		}
		if len(e) == 0 || e[0] == 0 || len(e) > 4 {
			return nil, refusef(`"e" is not a public exponent from 3 to 2^31-1 without leading zero bytes`)
		}
		var ev int64
		for _, b := range e {
			ev = ev<<8 | int64(b)
		}
		if ev > 1<<31-1 {
			return nil, refusef(`"e" is not a public exponent from 3 to 2^31-1`)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(ev)}, nil
	case "EC":
		x, err := k.bytes("x", k.x, 32)
		if err != nil {
			return nil, err
		}
		y, err := k.bytes("y", k.y, 32)
		if err != nil {
			return nil, err
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, refusef(`"x" and "y" are not a point on P-256`)
		}
		return pub, nil
	case "OKP":
		x, err := k.bytes("x", k.x, ed25519.PublicKeySize)
		if err != nil {
			return nil, err
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, refusef(`"kty" %q is not supported`, limitText(k.kty))
}

// bytes decodes the member name, canonical unpadded base64url, and checks its size when size > 0.
func (k *jwk) bytes(name, v string, size int) ([]byte, error) {
	if !k.has[name] {
		return nil, refusef("the %s JWK has no %q", k.kty, name)
	}
	b, ok := appendDecodeBase64(nil, []byte(v))
	if !ok {
		return nil, refusef("%q is not canonical unpadded base64url", name)
	}
	if size > 0 && len(b) != size {
		return nil, refusef("%q has %d bytes, want %d", name, len(b), size)
	}
	return b, nil
}

// private returns the private key of a JWK.
func (k *jwk) private(cfg *jwkConfig) (PrivateKey, error) {
	if err := k.purpose("sign"); err != nil {
		return PrivateKey{}, err
	}
	alg, err := k.algorithm(cfg)
	if err != nil {
		return PrivateKey{}, err
	}
	for _, m := range []string{"oth", "k", "r", "t"} {
		if k.has[m] {
			return PrivateKey{}, refusef("the JWK has the member %q, which this package does not support", m)
		}
	}
	pub, err := k.publicKey()
	if err != nil {
		return PrivateKey{}, err
	}
	var key any
	switch p := pub.(type) {
	case *rsa.PublicKey:
		key, err = k.rsaPrivate(p)
	case *ecdsa.PublicKey:
		var d []byte
		if d, err = k.bytes("d", k.d, 32); err == nil {
			var priv *ecdsa.PrivateKey
			priv, err = ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
			switch {
			case err != nil:
				err = refusef(`"d" is not a P-256 private key`)
			case !priv.PublicKey.Equal(p):
				err = refusef(`"d" is not the private key of "x" and "y"`)
			}
			key = priv
		}
	case ed25519.PublicKey:
		var d []byte
		if d, err = k.bytes("d", k.d, ed25519.SeedSize); err == nil {
			priv := ed25519.NewKeyFromSeed(d)
			if !bytes.Equal(priv.Public().(ed25519.PublicKey), p) {
				err = refusef(`"d" is not the private key of "x"`)
			}
			key = priv
		}
	}
	if err != nil {
		return PrivateKey{}, err
	}
	return bindPrivate(key, alg, k.kid)
}

// rsaPrivate builds and checks the RSA private key of a JWK with the public key pub.
func (k *jwk) rsaPrivate(pub *rsa.PublicKey) (*rsa.PrivateKey, error) {
	var ints [3]*big.Int
	for i, m := range []struct{ name, v string }{{"d", k.d}, {"p", k.p}, {"q", k.q}} {
		b, err := k.bytes(m.name, m.v, 0)
		if err != nil {
			return nil, err
		}
		ints[i] = new(big.Int).SetBytes(b)
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: ints[0], Primes: []*big.Int{ints[1], ints[2]}}
	if err := priv.Validate(); err != nil {
		return nil, refusef(`"d", "p" and "q" are not the private key of "n" and "e"`)
	}
	priv.Precompute()
	for _, m := range []struct {
		name, v string
		want    *big.Int
	}{{"dp", k.dp, priv.Precomputed.Dp}, {"dq", k.dq, priv.Precomputed.Dq}, {"qi", k.qi, priv.Precomputed.Qinv}} {
		if !k.has[m.name] {
			continue
		}
		b, err := k.bytes(m.name, m.v, 0)
		if err != nil {
			return nil, err
		}
		if new(big.Int).SetBytes(b).Cmp(m.want) != 0 {
			return nil, refusef("%q does not match the key", m.name)
		}
	}
	return priv, nil
}

// AppendJWK appends the JWK of k's public key to dst (RFC 7517 sec. 4; RFC 8037 for Ed25519):
// "kty", "kid" when k has an ID, "use":"sig", "alg", then the key's members. The key is checked
// as NewVerifier checks it; on error dst is returned unchanged.
func (k PublicKey) AppendJWK(dst []byte) ([]byte, error) {
	sk, err := newSigKey(k.Alg, k.Key)
	if err != nil {
		return dst, err
	}
	if !utf8.ValidString(k.ID) {
		return dst, errKeyIDUTF8
	}
	member := func(name, value string) {
		dst = append(dst, `,"`...)
		dst = append(dst, name...)
		dst = append(dst, `":"`...)
		dst = append(dst, value...)
		dst = append(dst, '"')
	}
	b64 := func(name string, v []byte) {
		dst = append(dst, `,"`...)
		dst = append(dst, name...)
		dst = append(dst, `":"`...)
		dst = appendBase64(dst, v)
		dst = append(dst, '"')
	}
	kty := map[Alg]string{RS256: "RSA", PS256: "RSA", ES256: "EC", EdDSA: "OKP"}[k.Alg]
	dst = append(dst, `{"kty":"`...)
	dst = append(dst, kty...)
	dst = append(dst, '"')
	if k.ID != "" {
		id, _ := json.Marshal(k.ID) // a string always marshals
		dst = append(dst, `,"kid":`...)
		dst = append(dst, id...)
	}
	member("use", "sig")
	member("alg", k.Alg.String())
	switch k.Alg {
	case RS256, PS256:
		b64("n", sk.rsa.N.Bytes())
		b64("e", big.NewInt(int64(sk.rsa.E)).Bytes())
	case ES256:
		point, _ := sk.ec.Bytes() // checked by newSigKey
		member("crv", "P-256")
		b64("x", point[1:33])
		b64("y", point[33:])
	case EdDSA:
		member("crv", "Ed25519")
		b64("x", sk.ed)
	}
	return append(dst, '}'), nil
}

// AppendJWKSet appends the JWK Set {"keys":[...]} of keys to dst (RFC 7517 sec. 5), for example
// a codec's PublicKeys: what an issuer serves at /.well-known/jwks.json. Keys with the same
// non-empty ID are refused, as ParseJWKSet refuses them; on error dst is returned unchanged.
func AppendJWKSet(dst []byte, keys []PublicKey) ([]byte, error) {
	start := len(dst)
	dst = append(dst, `{"keys":[`...)
	ids := map[string]bool{}
	for i, k := range keys {
		if k.ID != "" {
			if ids[k.ID] {
				return dst[:start], errorf(ErrKey, "two keys have one ID")
			}
			ids[k.ID] = true
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = k.AppendJWK(dst); err != nil {
			return dst[:start], err
		}
	}
	return append(dst, "]}"...), nil
}
