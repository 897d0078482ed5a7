package fastjwt

import (
	"encoding/binary"
	"sync"
)

// verifyCache remembers the result of scanning payloads that were already verified, so that a
// token presented again (a client sends the same bearer token or session cookie with every
// request) skips the JSON scan, the one step of a verify that costs as much as the HMAC.
//
// It is keyed by the token's MAC and the index of the key that produced it, and consulted only
// after the MAC has been recomputed and compared in constant time: two signing inputs with the
// same HMAC under the same key are, short of breaking HMAC-SHA256, the same bytes, so the cached
// scan is the scan of this very payload. Entries are made only from tokens that passed the MAC
// and the scan, and from tokens the codec signs itself (AppendSign validates the payload with
// the same scan), so a token issued by this codec skips the scan already the first time it
// comes back. Everything that depends on the request's moment or outcome is still done on
// every verify: the MAC, the payload's decode into the caller's buffer, and the exp/nbf, issuer
// and audience checks.
//
// Slots are direct-mapped by the MAC's first bytes (uniformly distributed) and each has its own
// lock, taken with TryLock: a slot another goroutine holds counts as a miss, so the cache never
// makes a verify wait and never allocates.
type verifyCache struct {
	mask  uint64
	slots []cacheSlot
}

type cacheSlot struct {
	mu     sync.Mutex
	used   bool
	mac    [32]byte
	claims Claims // payload nil; key is part of the cache key
}

// DefaultVerifyCacheSize is the number of verified tokens a codec remembers when
// WithVerifyCache is not given. Each slot takes about 300 bytes.
const DefaultVerifyCacheSize = 256

// newVerifyCache returns a cache of n slots rounded up to a power of two, or nil for n <= 0.
func newVerifyCache(n int) *verifyCache {
	if n <= 0 {
		return nil
	}
	size := 1
	for size < n && size < 1<<20 {
		size <<= 1
	}
	return &verifyCache{mask: uint64(size - 1), slots: make([]cacheSlot, size)}
}

func (vc *verifyCache) slot(mac *[32]byte) *cacheSlot {
	return &vc.slots[binary.LittleEndian.Uint64(mac[:8])&vc.mask]
}

// get copies into cl the scan cached for a token with this MAC under key, and reports a hit.
func (vc *verifyCache) get(mac *[32]byte, key int, cl *Claims) bool {
	s := vc.slot(mac)
	if !s.mu.TryLock() {
		return false
	}
	hit := s.used && s.claims.key == key && s.mac == *mac
	if hit {
		*cl = s.claims
	}
	s.mu.Unlock()
	return hit
}

// put remembers cl, the scan of a verified token's payload, under the token's MAC.
func (vc *verifyCache) put(mac *[32]byte, cl *Claims) {
	s := vc.slot(mac)
	if !s.mu.TryLock() {
		return
	}
	s.used, s.mac, s.claims = true, *mac, *cl
	s.claims.payload = nil
	s.mu.Unlock()
}
