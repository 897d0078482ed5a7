package fastjwt

import (
	"encoding/binary"
	"sync"
)

// hotCache keeps, in front of the verified-token cache, the few tokens presented most often,
// whole, with their decoded payloads: a hit there compares the presented token with the kept one
// in every byte, in constant time, and copies the payload, skipping the digest and the base64url
// decode that a hit in the main cache pays. A client sending a burst of requests with one token
// is served from here; a server with many clients is served by the main cache, which holds them
// all.
//
// Its security argument is the main cache's, with the byte comparison in the place of the digest:
//
//   - An entry is stored only from a hit of the main cache, so it holds a token that verified,
//     the claims its verify found, and the payload decoded from its own bytes. It is looked up
//     only for a token whose main-cache entry is complete (the index says so), so a token the
//     main cache does not hold pays nothing here.
//   - A hit needs the presented token to equal the kept one in every byte, compared in constant
//     time over the whole token; the hash only picks the entry, so a collision costs a miss, never
//     a wrong answer.
//   - The clock is checked on every hit, as for the main cache; the entries die with the codec.
//   - Memory is bounded and allocated with the codec: hotEntries entries of one token of at most
//     MaxCachedTokenSize bytes and its payload.
//   - Nothing waits: each entry has its own lock, taken with TryLock; an entry another goroutine
//     holds is a miss here, and the main cache answers.
//
// Entries are replaced on one main-cache hit in hotEvery, unless the entry was hit since it was
// stored (it then gets a second chance): clients presenting their tokens in turn, each seldom,
// pay a copy on a few of their hits, and a token presented often finds its way in within a few
// presentations and stays.
type hotCache struct {
	entries [hotEntries]hotEntry
}

const (
	hotEntries = 16
	hotEvery   = 8
)

// hotEntry is one kept token: buf holds the token, then its decoded payload.
type hotEntry struct {
	mu     sync.Mutex
	used   bool // hit since it was stored
	n, pn  int  // the lengths of the token and of its payload; n is 0 for an empty entry
	h      uint64
	claims Claims // payload nil
	buf    [MaxCachedTokenSize + MaxCachedTokenSize*3/4]byte
}

// entry returns the entry for hash h (bits that neither the main cache's bucket nor its tags use
// alone).
func (hc *hotCache) entry(h uint64) *hotEntry { return &hc.entries[(h>>40)%hotEntries] }

// get appends tok's payload to dst and fills cl when tok is kept.
func (hc *hotCache) get(h uint64, tok, dst []byte, cl *Claims) ([]byte, bool) {
	e := hc.entry(h)
	if !e.mu.TryLock() {
		return dst, false
	}
	hit := e.n == len(tok) && e.h == h && equalConstantTime(e.buf[:e.n], tok)
	if hit {
		*cl = e.claims
		dst = append(dst, e.buf[e.n:e.n+e.pn]...)
		e.used = true
	}
	e.mu.Unlock()
	return dst, hit
}

// put keeps tok, a main-cache hit of hash h, with its payload and claims, in the place of an
// entry not hit since it was stored; an entry that was gets a second chance.
func (hc *hotCache) put(h uint64, tok, payload []byte, cl *Claims) {
	e := hc.entry(h)
	if !e.mu.TryLock() {
		return
	}
	if e.used && e.h != h {
		e.used = false
	} else {
		e.n, e.pn, e.h, e.used = len(tok), len(payload), h, false
		copy(e.buf[:], tok)
		copy(e.buf[e.n:], payload)
		e.claims = *cl
		e.claims.payload = nil
	}
	e.mu.Unlock()
}

// equalConstantTime reports whether a and b, of equal length, are equal, in time that depends
// on their length only. It reads eight bytes at a time: crypto/subtle's ConstantTimeCompare
// takes one byte per step, which would make comparing a whole token cost as much as the rest of
// a hit.
func equalConstantTime(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	var d0, d1, d2, d3 uint64
	for len(a) >= 32 {
		b = b[:len(a)] // the lengths are equal: one bounds check per block
		d0 |= binary.LittleEndian.Uint64(a[0:8]) ^ binary.LittleEndian.Uint64(b[0:8])
		d1 |= binary.LittleEndian.Uint64(a[8:16]) ^ binary.LittleEndian.Uint64(b[8:16])
		d2 |= binary.LittleEndian.Uint64(a[16:24]) ^ binary.LittleEndian.Uint64(b[16:24])
		d3 |= binary.LittleEndian.Uint64(a[24:32]) ^ binary.LittleEndian.Uint64(b[24:32])
		a, b = a[32:], b[32:]
	}
	for i := range a {
		d0 |= uint64(a[i] ^ b[i])
	}
	return d0|d1|d2|d3 == 0
}
