package fastjwt

import (
	"crypto/fips140"
	"crypto/hmac"
	stdsha256 "crypto/sha256"
	"crypto/subtle"
	"encoding"
	"hash"
	"sync"

	"github.com/minio/sha256-simd"
)

// macKey computes HMAC-SHA256 (RFC 2104, FIPS 198-1) under one secret.
//
// The states after hashing key^ipad and key^opad are computed once and stored, as FIPS 198-1
// sec. 6 allows, so each MAC costs the message's blocks plus one block for the outer hash instead
// of two more. Hash objects come from a pool, so computing a MAC allocates nothing.
//
// SHA-256 comes from github.com/minio/sha256-simd. When the program runs in FIPS 140 mode the
// standard library's crypto/hmac is used instead, since FIPS mode requires its validated module.
type macKey struct {
	inner, outer []byte // marshaled SHA-256 states after key^ipad and key^opad
	pool         sync.Pool
}

// macState is one pooled set of hash objects and the buffer their sums go to.
type macState struct {
	in, out     hash.Hash // sha256-simd digests; in is crypto/hmac's in FIPS mode, out nil
	inU, outU   encoding.BinaryUnmarshaler
	sum, digest [32]byte
}

func newMACKey(secret []byte) *macKey {
	k := new(macKey)
	if fips140.Enabled() {
		key := append([]byte(nil), secret...)
		k.pool.New = func() any { return &macState{in: hmac.New(stdsha256.New, key)} }
		return k
	}
	const blockSize = 64
	key := secret
	if len(key) > blockSize {
		s := sha256.Sum256(key)
		key = s[:]
	}
	var ipad, opad [blockSize]byte
	copy(ipad[:], key)
	copy(opad[:], key)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	k.inner = marshaledState(ipad[:])
	k.outer = marshaledState(opad[:])
	k.pool.New = func() any {
		in, out := sha256.New(), sha256.New()
		return &macState{in: in, out: out,
			inU: in.(encoding.BinaryUnmarshaler), outU: out.(encoding.BinaryUnmarshaler)}
	}
	return k
}

// marshaledState returns the state of a SHA-256 hash after writing block.
func marshaledState(block []byte) []byte {
	h := sha256.New()
	h.Write(block)
	b, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("fastjwt: sha256 state cannot be marshaled: " + err.Error()) // a broken build, not input
	}
	return b
}

// sum writes the MAC of msg to out.
func (k *macKey) sum(out *[32]byte, msg []byte) {
	s := k.pool.Get().(*macState)
	if s.out == nil { // FIPS mode: crypto/hmac keeps its own precomputed states
		s.in.Reset()
		s.in.Write(msg)
		s.in.Sum(s.sum[:0])
	} else {
		// The states are marshaled by this package and cannot fail to unmarshal.
		_ = s.inU.UnmarshalBinary(k.inner)
		s.in.Write(msg)
		s.in.Sum(s.digest[:0])
		_ = s.outU.UnmarshalBinary(k.outer)
		s.out.Write(s.digest[:])
		s.out.Sum(s.sum[:0])
	}
	*out = s.sum
	k.pool.Put(s)
}

// macEqual reports whether two MACs are equal, in time independent of their contents.
func macEqual(a, b *[32]byte) bool {
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
