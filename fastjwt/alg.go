package fastjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"math/big"
	"sync"
)

// The algorithm seam. Every key of a ring is bound to exactly one algorithm when the ring is
// built, and the token's header never chooses one: its "alg" must name the algorithm of the key
// it is verified with (RFC 8725 sec. 3.1, 2.1). Each algorithm is a case of one switch over
// direct calls into the standard library, not an interface: a signature decoded into a stack
// array and handed to an interface method would escape to the heap, and the verify path must
// allocate nothing beyond what the primitive itself allocates.
//
//	HS256  HMAC-SHA256 (RFC 7518 sec. 3.2), mac.go: precomputed inner and outer states.
//	RS256  RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 sec. 3.3, RFC 8017 sec. 8.2), crypto/rsa.
//	PS256  RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518 sec. 3.5).
//	ES256  ECDSA on P-256 with SHA-256 (RFC 7518 sec. 3.4): the signature is R and S as two
//	       32-byte big-endian integers, nothing else (an ASN.1 DER signature is refused).
//	EdDSA  Ed25519 (RFC 8037 sec. 3.1, RFC 8032), crypto/ed25519.
//
// RSA keys have 2048 to 4096 bits (RFC 7518 sec. 3.3 requires 2048 at least; the upper bound
// caps the cost of one verify and the signature buffer at 512 bytes).

// Alg is a JWS signature algorithm, the value of the "alg" header parameter its tokens carry.
// The zero Alg is no algorithm.
type Alg uint8

// The algorithms a key can be bound to.
const (
	// HS256 is HMAC with SHA-256 (RFC 7518 sec. 3.2), for the secrets of NewHS256.
	HS256 Alg = 1 + iota
	// RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 sec. 3.3), RSA keys of 2048 to 4096 bits.
	RS256
	// PS256 is RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a salt as long as the hash, 32
	// bytes (RFC 7518 sec. 3.5), RSA keys of 2048 to 4096 bits.
	PS256
	// ES256 is ECDSA on the P-256 curve with SHA-256 (RFC 7518 sec. 3.4); its signatures are
	// the 64 bytes R||S.
	ES256
	// EdDSA is Ed25519 (RFC 8037 sec. 3.1); the JOSE name covers Ed448 too, which this package
	// does not implement.
	EdDSA
	algEnd // one past the last algorithm
)

var algNames = [algEnd]string{HS256: "HS256", RS256: "RS256", PS256: "PS256", ES256: "ES256", EdDSA: "EdDSA"}

// String returns the algorithm's JOSE name ("RS256"), or "invalid" for a value that is none of
// the constants.
func (a Alg) String() string {
	if a.valid() {
		return algNames[a]
	}
	return "invalid"
}

func (a Alg) valid() bool { return a >= HS256 && a < algEnd }

// ParseAlg returns the algorithm with the JOSE name name, compared exactly: "RS256", never
// "rs256". Any other name, "none" included, is an ErrAlgorithm error.
func ParseAlg(name string) (Alg, error) {
	for a := HS256; a < algEnd; a++ {
		if name == algNames[a] {
			return a, nil
		}
	}
	if len(name) > 32 {
		name = name[:32] + "..."
	}
	return 0, fmt.Errorf("%w: %q is not one of HS256, RS256, PS256, ES256, EdDSA", ErrAlgorithm, name)
}

const (
	minRSABits = 2048
	maxRSABits = 4096
	// maxSigSize is the longest signature of any key: an RSA signature is as long as the
	// modulus.
	maxSigSize = maxRSABits / 8
	es256Size  = 64
)

// pssVerify is the PSS parameter set of PS256: the salt is exactly as long as the hash (RFC 7518
// sec. 3.5), not recovered from the signature.
var (
	pssVerify = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
	pssSign   = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
)

// sigKey is one key of a ring, bound to its algorithm: what checks the signatures of its tokens,
// and for a ring's signing key what makes them.
type sigKey struct {
	alg    Alg
	size   int               // the signature's length in bytes
	mac    *macKey           // HS256
	rsa    *rsa.PublicKey    // RS256, PS256
	ec     *ecdsa.PublicKey  // ES256
	ed     ed25519.PublicKey // EdDSA
	signer crypto.Signer     // the private key, on the signing key of a NewSigner codec
}

// verify reports whether sig is a valid signature of input under k. It allocates only what the
// standard library's primitive allocates.
func (k *sigKey) verify(input, sig []byte) bool {
	if len(sig) != k.size {
		return false
	}
	switch k.alg {
	case HS256:
		var mac [32]byte
		k.mac.sum(&mac, input)
		return subtle.ConstantTimeCompare(mac[:], sig) == 1
	case RS256:
		digest := sha256.Sum256(input)
		return rsa.VerifyPKCS1v15(k.rsa, crypto.SHA256, digest[:], sig) == nil
	case PS256:
		// crypto/rsa's VerifyPSS, like crypto/ecdsa, keeps hold of its arguments as far as escape
		// analysis can tell, so what they are given comes from a pool, not the stack.
		sc := scratchPool.Get().(*scratch)
		sc.digest = sha256.Sum256(input)
		ok := rsa.VerifyPSS(k.rsa, crypto.SHA256, sc.digest[:], sig, pssVerify) == nil
		scratchPool.Put(sc)
		return ok
	case ES256:
		sc := scratchPool.Get().(*scratch)
		sc.digest = sha256.Sum256(input)
		ok := ecdsa.VerifyASN1(k.ec, sc.digest[:], appendECDSADER(sc.der[:0], sig))
		scratchPool.Put(sc)
		return ok
	case EdDSA:
		return ed25519.Verify(k.ed, input, sig)
	}
	return false
}

// scratch is the memory of one PS256 or ES256 verify: the digest, and for ES256 the signature in
// ASN.1 DER.
type scratch struct {
	digest [32]byte
	der    [2 + 2*(3+32)]byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

var errSignerOutput = errorf(ErrKey, "the signing key returned a signature of the wrong form")

// publicKey returns a copy of k's public key, nil for HS256.
func (k *sigKey) publicKey() crypto.PublicKey {
	switch k.alg {
	case RS256, PS256:
		return &rsa.PublicKey{N: new(big.Int).Set(k.rsa.N), E: k.rsa.E}
	case ES256:
		point, _ := k.ec.Bytes() // checked when the key was bound
		cp, _ := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		return cp
	case EdDSA:
		return append(ed25519.PublicKey(nil), k.ed...)
	}
	return nil
}

// sign appends the signature of input under k's private key to dst, whose spare capacity must be
// at least k.size. The standard library's Sign methods allocate their result; nothing else does.
func (k *sigKey) sign(dst, input []byte) ([]byte, error) {
	var digest [32]byte
	var opts crypto.SignerOpts = crypto.SHA256
	switch k.alg {
	case RS256, ES256:
		digest = sha256.Sum256(input)
	case PS256:
		digest = sha256.Sum256(input)
		opts = pssSign
	case EdDSA:
		if priv, ok := k.signer.(ed25519.PrivateKey); ok {
			return append(dst, ed25519.Sign(priv, input)...), nil
		}
		sig, err := k.signer.Sign(rand.Reader, input, crypto.Hash(0))
		if err != nil {
			return dst, fmt.Errorf("%w: signing: %v", ErrKey, err)
		}
		if len(sig) != k.size {
			return dst, errSignerOutput
		}
		return append(dst, sig...), nil
	default:
		return dst, errSignerOutput
	}
	sig, err := k.signer.Sign(rand.Reader, digest[:], opts)
	if err != nil {
		return dst, fmt.Errorf("%w: signing: %v", ErrKey, err)
	}
	if k.alg == ES256 {
		// crypto.Signer returns ECDSA signatures in ASN.1 DER; JWS wants R||S.
		out, ok := appendECDSARaw(dst, sig)
		if !ok {
			return dst, errSignerOutput
		}
		return out, nil
	}
	if len(sig) != k.size {
		return dst, errSignerOutput
	}
	return append(dst, sig...), nil
}

// appendECDSADER appends the ASN.1 DER encoding of the ECDSA-Sig-Value (RFC 3279 sec. 2.2.3)
// whose R and S are the two big-endian halves of raw, 32 bytes each, to dst. A zero R or S is
// encoded as the integer 0, which the verifier refuses as a signature value.
func appendECDSADER(dst, raw []byte) []byte {
	r, s := derInteger(raw[:32]), derInteger(raw[32:])
	n := 2 + len(r) + 2 + len(s)
	if r[0]&0x80 != 0 {
		n++
	}
	if s[0]&0x80 != 0 {
		n++
	}
	dst = append(dst, 0x30, byte(n))
	dst = appendDERInteger(dst, r)
	return appendDERInteger(dst, s)
}

// derInteger strips the leading zero bytes of a big-endian unsigned integer, keeping one byte.
func derInteger(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func appendDERInteger(dst, v []byte) []byte {
	if v[0]&0x80 != 0 { // a positive integer whose top bit is set takes a leading zero
		dst = append(dst, 0x02, byte(len(v)+1), 0)
	} else {
		dst = append(dst, 0x02, byte(len(v)))
	}
	return append(dst, v...)
}

// appendECDSARaw appends the 64-byte R||S form of a DER ECDSA-Sig-Value on P-256 to dst.
func appendECDSARaw(dst, der []byte) ([]byte, bool) {
	if len(der) < 8 || der[0] != 0x30 || int(der[1]) != len(der)-2 {
		return dst, false
	}
	rest := der[2:]
	var halves [2][]byte
	for i := range halves {
		if len(rest) < 3 || rest[0] != 0x02 || int(rest[1]) > len(rest)-2 || rest[1] == 0 {
			return dst, false
		}
		v := rest[2 : 2+int(rest[1])]
		rest = rest[2+int(rest[1]):]
		if len(v) > 1 && v[0] == 0 {
			v = v[1:]
		}
		if len(v) > 32 {
			return dst, false
		}
		halves[i] = v
	}
	if len(rest) != 0 {
		return dst, false
	}
	for _, v := range halves {
		for range 32 - len(v) {
			dst = append(dst, 0)
		}
		dst = append(dst, v...)
	}
	return dst, true
}

// newSigKey binds the public key pub to alg, checking that it is a key of alg's type and size,
// and copies it, so that a caller changing its key afterwards changes nothing in a codec.
func newSigKey(alg Alg, pub crypto.PublicKey) (sigKey, error) {
	switch alg {
	case RS256, PS256:
		k, ok := pub.(*rsa.PublicKey)
		if !ok || k == nil {
			return sigKey{}, wrongKeyType(alg, pub, "an *rsa.PublicKey")
		}
		if err := checkRSA(k); err != nil {
			return sigKey{}, err
		}
		cp := &rsa.PublicKey{N: new(big.Int).Set(k.N), E: k.E}
		return sigKey{alg: alg, size: (cp.N.BitLen() + 7) / 8, rsa: cp}, nil
	case ES256:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || k == nil {
			return sigKey{}, wrongKeyType(alg, pub, "an *ecdsa.PublicKey on P-256")
		}
		if k.Curve != elliptic.P256() {
			return sigKey{}, fmt.Errorf("%w: ES256 needs a P-256 key, not %s", ErrKey, curveName(k.Curve))
		}
		point, err := k.Bytes()
		if err != nil {
			return sigKey{}, fmt.Errorf("%w: ES256 key: the point is not on P-256", ErrKey)
		}
		cp, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		if err != nil {
			return sigKey{}, fmt.Errorf("%w: ES256 key: the point is not on P-256", ErrKey)
		}
		return sigKey{alg: alg, size: es256Size, ec: cp}, nil
	case EdDSA:
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return sigKey{}, wrongKeyType(alg, pub, "an ed25519.PublicKey")
		}
		if len(k) != ed25519.PublicKeySize {
			return sigKey{}, fmt.Errorf("%w: EdDSA key of %d bytes, want %d", ErrKey, len(k), ed25519.PublicKeySize)
		}
		return sigKey{alg: alg, size: ed25519.SignatureSize, ed: append(ed25519.PublicKey(nil), k...)}, nil
	case HS256:
		return sigKey{}, errorf(ErrKey, "HS256 keys are secrets: build their codec with NewHS256")
	}
	return sigKey{}, errorf(ErrKey, "no algorithm: a public key must be bound to RS256, PS256, ES256 or EdDSA")
}

// checkRSA refuses RSA public keys the verifier cannot or should not use: fewer than 2048 bits
// (RFC 7518 sec. 3.3), more than 4096, an even modulus, an exponent that is even, below 3 or
// above 2^31-1 (crypto/rsa refuses those too, but only when verifying).
func checkRSA(k *rsa.PublicKey) error {
	if k.N == nil || k.N.Sign() <= 0 {
		return errorf(ErrKey, "RSA key without a modulus")
	}
	switch bits := k.N.BitLen(); {
	case bits < minRSABits:
		return fmt.Errorf("%w: RSA key of %d bits: at least %d are needed (RFC 7518 sec. 3.3)", ErrKey, bits, minRSABits)
	case bits > maxRSABits:
		return fmt.Errorf("%w: RSA key of %d bits: at most %d are supported", ErrKey, bits, maxRSABits)
	}
	if k.N.Bit(0) == 0 {
		return errorf(ErrKey, "RSA key with an even modulus")
	}
	if k.E < 3 || k.E > 1<<31-1 || k.E&1 == 0 {
		return errorf(ErrKey, "RSA key whose public exponent is not an odd number from 3 to 2^31-1")
	}
	return nil
}

func wrongKeyType(alg Alg, key any, want string) error {
	return fmt.Errorf("%w: %v needs %s, not %s", ErrKey, alg, want, keyTypeName(key))
}

// keyTypeName names a key's type for an error message without printing the key.
func keyTypeName(key any) string {
	switch k := key.(type) {
	case nil:
		return "no key"
	case *ecdsa.PublicKey:
		if k == nil {
			return "a nil *ecdsa.PublicKey"
		}
		return "an ECDSA key on " + curveName(k.Curve)
	case *rsa.PublicKey:
		return "an RSA key"
	case ed25519.PublicKey:
		return "an Ed25519 key"
	}
	return fmt.Sprintf("a %T", key)
}

func curveName(c elliptic.Curve) string {
	if c == nil || c.Params() == nil {
		return "an unknown curve"
	}
	return c.Params().Name
}
