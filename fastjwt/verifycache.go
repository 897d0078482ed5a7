package fastjwt

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
)

// verifyCache remembers tokens that verified, byte for byte, so that a token presented again (a
// client sends the same bearer token or session cookie with every request) skips the signature
// check entirely, the HMAC for HS256 or the RSA, ECDSA or Ed25519 verify for the others, and
// the JSON scan of its payload. Envoy's jwt_cache_config does the same for the same reason: an
// asymmetric verify costs a hundred to a thousand times an HMAC.
//
// The security argument, point by point:
//
//   - Entries hold only tokens that passed everything a verify checks before the clock: the size
//     cap, the segments, the header, the signature under a key of the ring, and the strict scan
//     of the payload; and tokens the codec signed itself, whose payload AppendSign validated
//     with the same scan. An entry records what that verify found: the registered claims, the
//     index of the key, the type, and the verdict of the issuer and audience checks (which
//     depends only on the payload and the codec).
//   - A hit needs the presented token to equal the entry's token in every byte, compared in
//     constant time over the whole token. The hash only picks the slot: a collision costs a miss,
//     never a wrong answer, so the cache accepts exactly the byte strings that verified, and a
//     token one byte away from a cached one is verified in full.
//   - Since the whole token is compared, the header, payload and signature of a hit are those of
//     the verified token: its type, key and claims are that token's.
//   - exp and nbf (and iat with RejectFutureIssuedAt) are checked against the clock on every hit,
//     so an entry never outlives its token. The payload goes into the caller's buffer on every
//     hit, copied from the entry (decoded from the token when it verified) or decoded again.
//   - The bucket is chosen by hash/maphash under a seed drawn at random for each codec, so a
//     client cannot compute which tokens share a bucket and cannot aim tokens at an entry to
//     evict it.
//     The constant-time comparison keeps the time of a lookup from telling how much of a cached
//     token a guess got right. What timing can tell, a hit being faster than a miss, is whether a
//     token the client already holds was seen lately.
//   - A Codec is immutable: its keys never change, so an entry's key is always one of the ring.
//     A key leaves the ring by building a new Codec, whose cache starts empty; the old codec's
//     entries die with it. A verifier backed by a JWK Set builds a new Codec for each set it
//     fetches, so a key the set dropped is never used again through a cached token.
//   - Memory is bounded: a fixed number of entries (WithVerifyCache), each with room for one
//     token of at most MaxCachedTokenSize bytes (and its decoded payload, when both fit); a
//     longer token is never cached. All of it is allocated when the codec is built, and a
//     lookup or an insertion allocates nothing.
//   - Nothing waits: each bucket of two entries has its own lock, taken with TryLock; a bucket
//     another goroutine holds counts as a miss (or a skipped insertion).
type verifyCache struct {
	seed    maphash.Seed
	mask    uint64 // number of buckets - 1
	buckets []cacheBucket
}

// MaxCachedTokenSize is the length of the longest token the verified-token cache keeps: 2 KiB,
// room for an RS256 token of a 4096-bit key with a kilobyte of claims. Longer tokens are
// verified in full every time.
const MaxCachedTokenSize = 2048

// cacheBucket holds two entries (the cache is two-way set-associative): two tokens whose hashes
// pick one bucket both stay cached, where a direct-mapped cache would have them evict each other
// on every presentation. With clients each sending its own token in turn, a cache of four times
// as many entries as clients keeps 91% of the tokens (78% with one entry per hash), eight times
// 97% (88%). A new token replaces the entry of the two that was used less recently.
type cacheBucket struct {
	mu   sync.Mutex
	last int // the way used last (hit or stored)
	// hits and misses count the lookups of this bucket, under its lock: counting costs no
	// atomic operation and no cache line beyond the one the lookup takes anyway.
	hits, misses uint64
	ways         [2]cacheEntry
}

// cacheEntry holds one token and what its verify found. buf holds the token and, when both fit,
// its decoded payload after it, so that a hit copies the payload instead of decoding it again
// (the decode is the largest part of a hit's cost); a longer token is kept alone.
type cacheEntry struct {
	n      int    // the token's length; 0 when the entry is empty
	pn     int    // the decoded payload's length in buf[n:], or -1 when it is not kept
	hash   uint64 // the token's keyed hash
	d1, d2 int    // the token's dots
	claims Claims // payload nil
	buf    [MaxCachedTokenSize]byte
}

// holds reports whether e holds the token tok of hash h.
func (e *cacheEntry) holds(h uint64, tok []byte) bool {
	return e.n == len(tok) && e.hash == h && equalConstantTime(e.buf[:e.n], tok)
}

// DefaultVerifyCacheSize is the number of verified tokens a codec remembers when
// WithVerifyCache is not given. Each entry takes about 2.3 KiB, so the default cache takes about
// 600 KiB.
const DefaultVerifyCacheSize = 256

// maxCacheEntries caps the number of entries WithVerifyCache can ask for.
const maxCacheEntries = 1 << 20

// newVerifyCache returns a cache of n entries rounded up to a power of two (at least two, one
// bucket), or nil for n <= 0.
func newVerifyCache(n int) *verifyCache {
	if n <= 0 {
		return nil
	}
	size := 2
	for size < n && size < maxCacheEntries {
		size <<= 1
	}
	buckets := size / 2
	return &verifyCache{seed: maphash.MakeSeed(), mask: uint64(buckets - 1), buckets: make([]cacheBucket, buckets)}
}

// hash returns the keyed hash of tok, or 0 when tok is too long to be cached (0 is also a
// possible hash: it only means a lookup that cannot hit is not skipped).
func (vc *verifyCache) hash(tok []byte) uint64 {
	if len(tok) > MaxCachedTokenSize || len(tok) == 0 {
		return 0
	}
	return maphash.Bytes(vc.seed, tok)
}

// get looks tok up. On a hit it copies into cl what the verify of tok found and, when the entry
// keeps the decoded payload, appends it to dst (decoded); it returns tok's dots, so that the
// caller decodes the payload segment tok[d1+1:d2] itself otherwise.
func (vc *verifyCache) get(h uint64, tok, dst []byte, cl *Claims) (out []byte, d1, d2 int, decoded, hit bool) {
	if len(tok) > MaxCachedTokenSize || len(tok) == 0 {
		return dst, 0, 0, false, false
	}
	b := &vc.buckets[h&vc.mask]
	if !b.mu.TryLock() {
		return dst, 0, 0, false, false
	}
	for w := range b.ways {
		e := &b.ways[w]
		if !e.holds(h, tok) {
			continue
		}
		*cl = e.claims
		d1, d2, hit = e.d1, e.d2, true
		if e.pn >= 0 {
			dst, decoded = append(dst, e.buf[e.n:e.n+e.pn]...), true
		}
		b.last = w
		break
	}
	if hit {
		b.hits++
	} else {
		b.misses++
	}
	b.mu.Unlock()
	return dst, d1, d2, decoded, hit
}

// CacheStats counts the lookups of a codec's verified-token cache since the codec was built.
type CacheStats struct {
	// Hits counts the verifies answered from the cache, without a signature check.
	Hits uint64
	// Misses counts the lookups of tokens the cache did not hold. A lookup that finds its bucket
	// in use by another goroutine (it then verifies in full rather than wait) and a token too
	// long to be cached are not counted.
	Misses uint64
	// Entries is the cache's capacity, in tokens; 0 when the codec has no cache.
	Entries int
}

// stats sums the buckets' counters, taking each bucket's lock in turn: a scrape of metrics
// waits for at most one lookup at a time.
func (vc *verifyCache) stats() CacheStats {
	st := CacheStats{Entries: 2 * len(vc.buckets)}
	for i := range vc.buckets {
		b := &vc.buckets[i]
		b.mu.Lock()
		st.Hits += b.hits
		st.Misses += b.misses
		b.mu.Unlock()
	}
	return st
}

// put remembers tok, a token that verified (or that the codec signed), with its dots, its
// decoded payload and what its verify found, in the entry of its bucket used less recently (or
// in the one that holds it already).
func (vc *verifyCache) put(h uint64, tok []byte, d1, d2 int, payload []byte, cl *Claims) {
	if len(tok) > MaxCachedTokenSize || len(tok) == 0 {
		return
	}
	b := &vc.buckets[h&vc.mask]
	if !b.mu.TryLock() {
		return
	}
	w := 1 - b.last
	if b.ways[b.last].holds(h, tok) {
		w = b.last
	} else if b.ways[w].n != 0 && b.ways[b.last].n == 0 {
		w = b.last
	}
	e := &b.ways[w]
	e.n, e.hash, e.d1, e.d2 = len(tok), h, d1, d2
	copy(e.buf[:], tok)
	e.pn = -1
	if len(tok)+len(payload) <= len(e.buf) {
		e.pn = copy(e.buf[e.n:], payload)
	}
	e.claims = *cl
	e.claims.payload = nil
	b.last = w
	b.mu.Unlock()
}

// equalConstantTime reports whether a and b, of equal length, are equal, in time that depends
// on their length only. It reads eight bytes at a time: crypto/subtle's ConstantTimeCompare
// takes one byte per step, which would make comparing a whole token cost as much as the rest of
// a cached verify.
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
