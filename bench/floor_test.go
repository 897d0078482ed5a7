package bench

import (
	"bytes"
	"crypto/hmac"
	stdsha256 "crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"hash"

	simd "github.com/minio/sha256-simd"
)

// The floor is what a verify that returns the payload cannot avoid with the standard library's
// primitives: an HMAC-SHA256 reused across calls (crypto/hmac keeps its key states after Reset),
// the signature decoded from base64url, a constant-time comparison, and the payload decoded from
// base64url. It checks nothing else: no header, no JSON, no claims.

var errFloor = errors.New("floor: bad token")

// floorVerifier holds the reused state of the floor.
type floorVerifier struct {
	mac      hash.Hash
	sum, sig [32]byte
	buf      []byte
}

func newFloor() *floorVerifier {
	return &floorVerifier{mac: hmac.New(stdsha256.New, secret), buf: make([]byte, 512)}
}

// verify returns tok's decoded payload if its MAC matches.
func (f *floorVerifier) verify(tok []byte) ([]byte, error) {
	d1 := bytes.IndexByte(tok, '.')
	d2 := bytes.LastIndexByte(tok, '.')
	if d1 < 0 || d2 <= d1 {
		return nil, errFloor
	}
	f.mac.Reset()
	f.mac.Write(tok[:d2])
	sum := f.mac.Sum(f.sum[:0])
	n, err := base64.RawURLEncoding.Decode(f.sig[:], tok[d2+1:])
	if err != nil || subtle.ConstantTimeCompare(sum, f.sig[:n]) != 1 {
		return nil, errFloor
	}
	n, err = base64.RawURLEncoding.Decode(f.buf, tok[d1+1:d2])
	if err != nil {
		return nil, errFloor
	}
	return f.buf[:n], nil
}

// hmacOnly is the MAC alone: a reused HMAC-SHA256 over the signing input, with the SHA-256 of
// the standard library or of github.com/minio/sha256-simd.
type hmacOnly struct {
	mac   hash.Hash
	sum   [32]byte
	input []byte
}

func newHMACOnly(simdBackend bool) *hmacOnly {
	h := stdsha256.New
	if simdBackend {
		h = simd.New
	}
	return &hmacOnly{mac: hmac.New(h, secret), input: token[:bytes.LastIndexByte(token, '.')]}
}

func (h *hmacOnly) run() {
	h.mac.Reset()
	h.mac.Write(h.input)
	h.mac.Sum(h.sum[:0])
}
