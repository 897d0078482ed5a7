package fastjwt

import (
	"crypto/fips140"
	"crypto/hmac"
	stdsha256 "crypto/sha256"
	"crypto/subtle"
	"encoding"
	"encoding/binary"
	"hash"
	"sync"

	"github.com/minio/sha256-simd"
)

// macKey computes HMAC-SHA256 (RFC 2104, FIPS 198-1) under one secret.
//
// The states after hashing key^ipad and key^opad are computed once and stored, as FIPS 198-1
// sec. 6 allows, so each MAC costs the message's blocks plus one block for the outer hash instead
// of two more.
//
// With the x86 SHA extensions (hasSHANI) the states are kept as SHA-256's eight words, copied
// into a local state for each MAC, and the message's blocks are compressed where they lie: no
// hash object, pool or serialized state, and the padding is written once, on the stack.
// Elsewhere SHA-256 comes from github.com/minio/sha256-simd, with hash objects from a pool and
// the states restored from their serialized form, so a MAC allocates nothing either way. When the
// program runs in FIPS 140 mode the standard library's crypto/hmac is used instead, since FIPS
// mode requires its validated module.
type macKey struct {
	direct         bool      // blockSHANI on innerH and outerH
	innerH, outerH [8]uint32 // SHA-256 states after key^ipad and key^opad, when direct
	inner, outer   []byte    // the same states marshaled by sha256-simd, when not direct
	pool           sync.Pool
}

// macState is one pooled set of hash objects and the buffer their sums go to.
type macState struct {
	in, out     hash.Hash // sha256-simd digests; in is crypto/hmac's in FIPS mode, out nil
	inU, outU   encoding.BinaryUnmarshaler
	sum, digest [32]byte
}

func newMACKey(secret []byte) *macKey { return newMACKeyWith(secret, hasSHANI) }

// newMACKeyWith is newMACKey with the choice of blockSHANI given, so tests can check both ways.
func newMACKeyWith(secret []byte, direct bool) *macKey {
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
	if direct {
		k.direct = true
		k.innerH, k.outerH = sha256IV, sha256IV
		blockSHANI(&k.innerH, ipad[:])
		blockSHANI(&k.outerH, opad[:])
		return k
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

// sha256IV is SHA-256's initial state (FIPS 180-4 sec. 5.3.3).
var sha256IV = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// sumDirect is sum with blockSHANI: the inner hash continues from innerH over msg's whole
// blocks in place, then over its last bytes and the padding (FIPS 180-4 sec. 5.1.1, the length
// counting the ipad block); the outer hash continues from outerH over one block, the inner
// digest and its padding.
func (k *macKey) sumDirect(out *[32]byte, msg []byte) {
	h := k.innerH
	whole := len(msg) &^ 63
	if whole > 0 {
		blockSHANI(&h, msg[:whole])
	}
	var last [128]byte
	n := copy(last[:], msg[whole:])
	last[n] = 0x80
	end := 64
	if n >= 56 {
		end = 128
	}
	binary.BigEndian.PutUint64(last[end-8:], uint64(64+len(msg))*8)
	blockSHANI(&h, last[:end])

	var outer [64]byte
	for i, v := range h {
		binary.BigEndian.PutUint32(outer[4*i:], v)
	}
	outer[32] = 0x80
	binary.BigEndian.PutUint64(outer[56:], (64+32)*8)
	o := k.outerH
	blockSHANI(&o, outer[:])
	for i, v := range o {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
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
	if k.direct {
		k.sumDirect(out, msg)
		return
	}
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
