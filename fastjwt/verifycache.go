package fastjwt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// verifyCache remembers tokens that verified, so that a token presented again (a client sends
// the same bearer token or session cookie with every request) skips the signature check, the
// HMAC for HS256 or the RSA, ECDSA or Ed25519 verify for the others, and the JSON scan of its
// payload. Envoy's jwt_cache_config does the same for the same reason: an asymmetric verify costs
// a hundred to a thousand times an HMAC.
//
// An entry does not hold the token. It holds a 128-bit keyed digest of the whole token and what
// the token's verify found (its time claims, the offsets of iss, sub, jti and aud in its payload,
// its key, its type, the verdict of the issuer and audience checks) in one 64-byte cache line, so
// that 100 000 clients' tokens fit in a few megabytes, and a short tag of each entry in an index of
// 2 bytes per entry that stays in the processor's caches, so that a lookup of a token the cache
// does not hold reads no entry at all, and a hit reads one. A hit decodes the payload from the
// presented token.
//
// The security argument, point by point:
//
//   - Entries describe only tokens that passed everything a verify checks before the clock: the
//     size cap, the segments, the header, the signature under a key of the ring, and the strict
//     scan of the payload. The issuer and audience verdict depends only on the payload and the
//     codec.
//   - A hit needs the presented token's digest to equal the entry's, compared in constant time.
//     The digest is the GMAC of the whole token: the tag of an AES-128-GCM seal of no plaintext
//     with the token as additional data, GHASH_H(token) XOR E_K(J0), under a key K drawn at random
//     for each codec (H = E_K(0) is GHASH's key) and a fixed nonce. For two different tokens of at
//     most L 16-byte blocks, GHASH_H collides with probability at most (L+1)/2^128 over the
//     choice of H (the difference of their GHASH values is a nonzero polynomial of degree at most
//     L+1 in H, the length block included), and the XOR with E_K(J0), the same for both, keeps
//     equal values equal and different ones different: the digests collide exactly when GHASH
//     does. The digest never leaves the cache and decides nothing but the constant-time equality:
//     the bucket, the tag and the way come from maphash (below), so neither the memory a lookup
//     touches nor its timing depends on a digest. (That is why the nonce may repeat: GCM's
//     forgery attacks from a repeated nonce need tags the attacker sees.) An attacker's only
//     signal is hit or miss, and until a first forged hit every answer is "miss", so adaptively
//     chosen tokens do no better than tokens chosen in advance: q tokens presented against N
//     entries make a forged hit with probability at most q*N*(L+1)/2^128, below 2^-50 for 2^40
//     tokens of 2 KiB against a million entries. That is the 128-bit security level of ES256,
//     and a forger of the cache does no better than one guessing an HS256 key of 128 bits; it
//     is not the 2^-256 of guessing an HMAC-SHA256 tag, a margin that buys nothing once 2^-128
//     is out of reach.
//   - So a hit is served only for the very bytes that verified: its header, payload and
//     signature are those of the verified token, its type, key and claims that token's, and the
//     payload the caller gets is decoded from those bytes.
//   - exp and nbf (and iat with RejectFutureIssuedAt) are checked against the clock on every hit,
//     so an entry never outlives its token. Revocation is the caller's check, after the verify,
//     on a hit as on a miss.
//   - The bucket is chosen by hash/maphash of the token's last 32 bytes (its signature, for any
//     token worth caching) under a seed drawn for each codec: a client cannot compute which
//     tokens share a bucket, and cannot aim tokens at an entry to evict it. Tags of the same hash
//     (14 bits in the index, 30 in the entry) pick the candidate entry in the bucket: they save
//     reading entries and computing the digest for a token the bucket does not hold, and decide
//     nothing, since a tag match is always followed by the digest comparison. A hit being faster than a miss tells the client whether a token it
//     already holds was seen lately, nothing more.
//   - A token is admitted in two steps: its first verify leaves only its short tag in the index
//     (a mark, with no record), and its next verify, again in full, computes the digest and
//     stores the record. A token presented once, the common case of a cold start or of a client that
//     never returns, so costs the cache one hash of 32 bytes, never the digest; the digest is
//     paid once per token that comes back. A mark answers nothing: a token whose tag matches one
//     is verified in full.
//   - A Codec is immutable: its keys never change, so an entry's key is always one of the ring.
//     A key leaves the ring by building a new Codec, whose cache starts empty; the old codec's
//     entries die with it. A verifier backed by a JWK Set builds a new Codec for each set it
//     fetches, so a key the set dropped is never used again through a cached token.
//   - Memory is bounded: a fixed number of entries (WithVerifyCache). The index is allocated
//     when the codec is built, the entries a segment of segBuckets buckets (256 KiB) at a time,
//     by the first insertion into it; a lookup allocates nothing, nor does any other insertion. A token longer than MaxCachedTokenSize,
//     and a token the entry cannot describe exactly (a time claim beyond 2^38 seconds, about
//     8 700 years, from 1970, or with a nonzero digit past the ninth of its fraction; a key index
//     above 255), is never cached: it is verified in full every time.
//   - Nothing waits, and a lookup writes nothing shared but a counter: an entry is a seqlock.
//     Its first word holds a 32-bit sequence number (odd while a writer is at work) beside the
//     tag; a reader loads it, the other words, and it again, all atomically, and answers only when
//     it read the same even number twice, so it never combines the digest of one token with the
//     claims of another. (A writer that wrapped the number around in between would have had to
//     write that one entry 2^31 times during one lookup.) A writer takes an entry by a
//     compare-and-swap of that word; one that loses skips its insertion. Readers take no lock and
//     leave the entries' cache lines shared between cores.
type verifyCache struct {
	seed    maphash.Seed
	gcm     cipher.AEAD // GMAC under K: the tag of a seal of nothing
	buckets int
	index   []cacheIndex // one per bucket
	// segs hold the entries, cacheWays per bucket, segBuckets buckets to a segment, each
	// allocated the first time one of its entries is written: a codec that never caches a token
	// (it only signs, or sees each token once) pays the index (2 bytes per entry), not the
	// entries (64), however large its cache.
	segs    []atomic.Pointer[cacheSegment]
	counts  [countShards]cacheCounts
	scratch sync.Pool // *digestScratch
	hot     hotCache
}

// MaxCachedTokenSize is the length of the longest token the verified-token cache keeps: 2 KiB,
// room for an RS256 token of a 4096-bit key with a kilobyte of claims. Longer tokens are
// verified in full every time.
const MaxCachedTokenSize = 2048

// cacheWays is the number of entries of a bucket. With clients
// each sending its own token in turn, tokens land in buckets as balls in bins: with the default
// size and 100 000 clients, a bucket holds 3.2 tokens on average and 0.7% of the buckets are asked
// to hold more than eight.
const cacheWays = 8

// cacheSlot is one entry, one cache line of eight words:
//
//	0: tag 32 | sequence number 32
//	1, 2: the digest
//	3, 4, 5: exp, nbf, iat: the low 34 bits of the seconds' magnitude | the nanoseconds 30
//	6: iss 22 | sub 22 | key 8 | typ 3 | partiesOK 1 | the spans' ok and esc flags 8
//	7: jti 22 | aud 22 | per date: present 1, negative 1, the seconds' 4 high bits 4
//
// so a date of up to 2^38 seconds (8 700 years) from 1970, to the nanosecond, and a span of 11
// bits of start and 11 of end. The dots are found again in the token on a hit (it is the very
// token that verified, so its first and last dots are its two dots). The tag is the token's full tag (tagOf) with bit 0 set once the entry describes it;
// the index says which entries are complete, the entry's own tag which token it describes.
type cacheSlot struct {
	w [8]atomic.Uint64
}

// cacheIndex holds a bucket's short tags, 16 bits per entry, four to a word: 0 for an empty entry,
// else 14 bits of the token's hash above two bits of state, shortMark for a token verified once,
// shortComplete for an entry that describes its token.
type cacheIndex struct {
	w [cacheWays / 4]atomic.Uint64
}

const (
	shortMark     = 1
	shortComplete = 3
	tagComplete   = 1
	dateBits      = 38
	offsetBits    = 11 // MaxCachedTokenSize is 2^11: every offset in a cached token is below it
)

// countShards is the number of counter pairs of a cache. A lookup counts in the shard of its
// goroutine's stack address, so goroutines on different cores seldom share a counter's cache
// line even when they look up the same token; stats sums them.
const countShards = 64

// cacheCounts is one shard of the counters, alone on its cache line.
type cacheCounts struct {
	hits, misses atomic.Uint64
	_            [48]byte
}

// cacheRecord is the content of a complete entry: the token's digest and, packed, what its
// verify found (words 3 to 7 of cacheSlot).
type cacheRecord struct {
	digest [16]byte
	claims [5]uint64
}

// digestScratch holds a digest as cipher.AEAD writes it: Seal takes its slice through an
// interface, so a buffer on the stack would escape and be allocated on every lookup.
type digestScratch struct{ tag [16]byte }

// DefaultVerifyCacheSize is the number of verified tokens a codec remembers when
// WithVerifyCache is not given: 250 000, room for 100 000 clients presenting their tokens in turn
// with 99% of them hitting. Each entry takes 64 bytes, so the default cache takes 15.3 MiB once
// full; its entries are allocated 256 KiB at a time, as tokens come back, beside an index of
// 0.5 MiB allocated with the codec.
const DefaultVerifyCacheSize = 250_000

// maxCacheEntries caps the number of entries WithVerifyCache can ask for.
const maxCacheEntries = 1 << 22

// cacheLookup is what a lookup found, for the insertion that follows a miss.
type cacheLookup struct {
	h       uint64 // the token's maphash
	bucket  int
	marked  bool // the token's tag marks an entry: it was verified once before
	ok      bool // the token can be cached
	promote bool // a hit of the main cache whose token should go to the hot cache
}

// newVerifyCache returns a cache of at least n entries, a whole number of buckets, or nil for
// n <= 0 (or when AES-GCM is unavailable, as in a FIPS 140-only mode refusing caller nonces: no
// cache is then the safe answer).
func newVerifyCache(n int) *verifyCache {
	if n <= 0 {
		return nil
	}
	n = min(n, maxCacheEntries)
	buckets := (n + cacheWays - 1) / cacheWays
	var key [16]byte
	_, _ = rand.Read(key[:]) // crypto/rand.Read never fails
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil
	}
	vc := &verifyCache{seed: maphash.MakeSeed(), gcm: gcm, buckets: buckets,
		index: make([]cacheIndex, buckets), segs: make([]atomic.Pointer[cacheSegment], (buckets+segBuckets-1)/segBuckets)}
	vc.scratch.New = func() any { return new(digestScratch) }
	return vc
}

var zeroNonce [12]byte

// digest sets d to the keyed digest of tok (see the security argument above).
func (vc *verifyCache) digest(d *[16]byte, tok []byte) {
	s := vc.scratch.Get().(*digestScratch)
	vc.gcm.Seal(s.tag[:0], zeroNonce[:], nil, tok)
	*d = s.tag
	vc.scratch.Put(s)
}

// locate hashes tok and finds its bucket.
func (vc *verifyCache) locate(tok []byte) cacheLookup {
	if len(tok) > MaxCachedTokenSize || len(tok) == 0 {
		return cacheLookup{}
	}
	h := maphash.Bytes(vc.seed, tok[len(tok)-min(len(tok), 32):])
	b, _ := bits.Mul64(h, uint64(vc.buckets))
	return cacheLookup{h: h, bucket: int(b), ok: true}
}

// tagOf returns the full tag of hash h, without the complete bit: its low 32 bits, never 0
// (the bucket comes from its high bits).
func tagOf(h uint64) uint64 { return uint64(uint32(h)|2) &^ tagComplete }

// shortOf returns the short tag of hash h, without its state: 14 bits of the full tag.
func shortOf(h uint64) uint16 { return uint16(h) &^ 3 }

// segBuckets is the number of buckets of a segment of entries: 512, 256 KiB.
const segBuckets = 512

// cacheSegment holds the entries of up to segBuckets consecutive buckets.
type cacheSegment struct{ slots []cacheSlot }

// bucket returns the entries of bucket b, or nil when none of its segment was ever written.
func (vc *verifyCache) bucket(b int) []cacheSlot {
	seg := vc.segs[b/segBuckets].Load()
	if seg == nil {
		return nil
	}
	i := b % segBuckets * cacheWays
	return seg.slots[i : i+cacheWays : i+cacheWays]
}

// bucketForWrite returns the entries of bucket b, allocating its segment if need be (of two
// writers racing to, one's segment is kept).
func (vc *verifyCache) bucketForWrite(b int) []cacheSlot {
	if sl := vc.bucket(b); sl != nil {
		return sl
	}
	first := b / segBuckets * segBuckets
	n := min(segBuckets, vc.buckets-first)
	vc.segs[b/segBuckets].CompareAndSwap(nil, &cacheSegment{slots: make([]cacheSlot, n*cacheWays)})
	return vc.bucket(b)
}

// find returns the way of bucket b whose short tag is short, and its state; -1 when none is.
func (vc *verifyCache) find(b int, short uint16) (way int, state uint16) {
	for i := range vc.index[b].w {
		v := vc.index[b].w[i].Load()
		for j := range 4 {
			if e := uint16(v >> (16 * j)); e&^3 == short && e != 0 {
				return 4*i + j, e & 3
			}
		}
	}
	return -1, 0
}

// get looks tok up. On a hit it fills cl (payload nil) with what the verify of tok found: from
// the hot cache, with the payload appended to dst (decoded); from the main cache, with tok's dots
// returned, and the caller decodes the payload segment tok[d1+1:d2] itself (and keeps it in the
// hot cache when lk.promote says so).
func (vc *verifyCache) get(tok, dst []byte, cl *Claims) (lk cacheLookup, out []byte, d1, d2 int, decoded, hit bool) {
	lk = vc.locate(tok)
	if !lk.ok {
		return lk, dst, 0, 0, false, false
	}
	counts := vc.shard()
	way, state := vc.find(lk.bucket, shortOf(lk.h))
	lk.marked = way >= 0
	// The hot cache holds only tokens whose entry is complete here: a token the index does not
	// hold complete (every first-seen token) skips it.
	if state == shortComplete {
		if out, hit = vc.hot.get(lk.h, tok, dst, cl); hit {
			counts.hits.Add(1)
			return lk, out, 0, 0, true, true
		}
	}
	if d1, d2, hit = vc.getMain(lk, way, state, tok, cl); hit {
		lk.promote = counts.hits.Add(1)%hotEvery == 0
		return lk, dst, d1, d2, false, true
	}
	counts.misses.Add(1)
	return lk, dst, 0, 0, false, false
}

// getMain looks tok up in the main cache, in the way of its bucket that find returned.
func (vc *verifyCache) getMain(lk cacheLookup, way int, state uint16, tok []byte, cl *Claims) (d1, d2 int, hit bool) {
	if state == shortComplete {
		var rec cacheRecord
		sl := vc.bucket(lk.bucket)
		if sl == nil { // the index is written after the entry: never, but read nothing then
			return 0, 0, false
		}
		s := &sl[way]
		w0 := s.w[0].Load()
		if w0>>32 == tagOf(lk.h)|tagComplete && s.load(w0, &rec) {
			var d [16]byte
			vc.digest(&d, tok)
			if subtle.ConstantTimeCompare(d[:], rec.digest[:]) == 1 {
				unpackClaims(&rec.claims, cl)
				return bytes.IndexByte(tok, '.'), bytes.LastIndexByte(tok, '.'), true
			}
		}
	}
	return 0, 0, false
}

// load reads the record of s, whose first word was w0 (even: no writer at work), into r, and
// reports whether no writer changed s meanwhile.
func (s *cacheSlot) load(w0 uint64, r *cacheRecord) bool {
	binary.LittleEndian.PutUint64(r.digest[:8], s.w[1].Load())
	binary.LittleEndian.PutUint64(r.digest[8:], s.w[2].Load())
	for i := range r.claims {
		r.claims[i] = s.w[3+i].Load()
	}
	return w0&1 == 0 && s.w[0].Load() == w0
}

// shard returns the counters of the calling goroutine's shard, chosen by its stack address.
func (vc *verifyCache) shard() *cacheCounts {
	var probe byte
	return &vc.counts[uintptr(unsafe.Pointer(&probe))>>12%countShards]
}

// put records tok, a token that verified with the claims cl, after the
// lookup lk missed: it marks tok in the index when tok was not marked, and completes tok's entry
// with the digest and the record when it was (the token is back: worth the digest). A writer
// that meets another at work on the same word or entry skips its insertion.
func (vc *verifyCache) put(lk cacheLookup, tok []byte, cl *Claims) {
	if !lk.ok {
		return
	}
	short := shortOf(lk.h)
	if !lk.marked {
		if w, _ := vc.find(lk.bucket, short); w < 0 {
			vc.setShort(lk.bucket, vc.victim(lk.bucket, lk.h), short|shortMark)
		}
		return
	}
	var rec cacheRecord
	var ok bool
	if rec.claims, ok = packClaims(cl); !ok {
		return
	}
	vc.digest(&rec.digest, tok)
	w, _ := vc.find(lk.bucket, short)
	if w < 0 {
		w = vc.victim(lk.bucket, lk.h)
	}
	s := &vc.bucketForWrite(lk.bucket)[w]
	w0 := s.w[0].Load()
	if w0&1 != 0 || !s.w[0].CompareAndSwap(w0, w0&^(1<<32-1)|uint64(uint32(w0+1))) {
		return
	}
	s.w[1].Store(binary.LittleEndian.Uint64(rec.digest[:8]))
	s.w[2].Store(binary.LittleEndian.Uint64(rec.digest[8:]))
	for i, c := range rec.claims {
		s.w[3+i].Store(c)
	}
	s.w[0].Store((tagOf(lk.h)|tagComplete)<<32 | uint64(uint32(w0+2)))
	// The index goes last: a reader that finds the entry complete finds its record stored.
	vc.setShort(lk.bucket, w, short|shortComplete)
}

// setShort sets the short tag of way w of bucket b to e (over a mark of the same token, or the
// tag of another token it evicts), unless another writer changed the word since it was read.
func (vc *verifyCache) setShort(b, w int, e uint16) {
	word := &vc.index[b].w[w/4]
	v := word.Load()
	shift := 16 * (w % 4)
	word.CompareAndSwap(v, v&^(0xffff<<shift)|uint64(e)<<shift)
}

// victim returns the way for a new token of hash h in bucket b: an empty entry, else one that
// only marks a token, else one picked by other bits of the token's hash (with clients presenting
// their tokens in turn, a fixed order of eviction would make a bucket asked to hold one token
// too many miss on all of them; picking by hash keeps most).
func (vc *verifyCache) victim(b int, h uint64) int {
	empty, mark := -1, -1
	for i := range vc.index[b].w {
		v := vc.index[b].w[i].Load()
		for j := range 4 {
			e := uint16(v >> (16 * j))
			switch {
			case e == 0 && empty < 0:
				empty = 4*i + j
			case e&3 == shortMark && mark < 0:
				mark = 4*i + j
			}
		}
	}
	if empty >= 0 {
		return empty
	}
	if mark >= 0 {
		return mark
	}
	w, _ := bits.Mul64(h<<16|h>>48, cacheWays)
	return int(w)
}

// packClaims packs what a verify found in cl into words 3 to 7 of an entry (see cacheSlot), or
// reports that an entry cannot describe it exactly.
func packClaims(cl *Claims) (p [5]uint64, ok bool) {
	if cl.key < 0 || cl.key > 255 || cl.typ > 7 {
		return p, false
	}
	spans := [4]*span{&cl.iss, &cl.sub, &cl.jti, &cl.aud}
	var flags uint64
	for i, s := range spans {
		flags |= uint64(b2u(s.ok)|b2u(s.esc)<<1) << (2 * i)
	}
	p[3] = packSpan(cl.iss) | packSpan(cl.sub)<<22 | uint64(cl.key)<<44 | uint64(cl.typ)<<52 |
		uint64(b2u(cl.partiesOK))<<55 | flags<<56
	p[4] = packSpan(cl.jti) | packSpan(cl.aud)<<22
	for i, d := range [3]*numericDate{&cl.exp, &cl.nbf, &cl.iat} {
		if d.more || d.sec >= 1<<dateBits {
			return p, false
		}
		p[i] = uint64(d.sec)&(1<<34-1) | uint64(d.nsec)<<34
		p[4] |= (uint64(b2u(d.ok)) | uint64(b2u(d.neg))<<1 | uint64(d.sec)>>34<<2) << (44 + 6*i)
	}
	return p, true
}

// unpackClaims sets cl (payload nil) from words 3 to 7 of an entry.
func unpackClaims(p *[5]uint64, cl *Claims) {
	*cl = Claims{
		exp: unpackDate(p, 0), nbf: unpackDate(p, 1), iat: unpackDate(p, 2),
		iss: unpackSpan(p[3], p[3]>>56), sub: unpackSpan(p[3]>>22, p[3]>>58),
		jti: unpackSpan(p[4], p[3]>>60), aud: unpackSpan(p[4]>>22, p[3]>>62),
		key: int(p[3] >> 44 & 255), typ: Type(p[3] >> 52 & 7), partiesOK: p[3]>>55&1 != 0,
	}
}

// unpackDate returns date i (exp, nbf, iat) of words p: 34 bits of seconds and the nanoseconds in
// its own word, its presence, sign and 4 more bits of seconds in the last word.
func unpackDate(p *[5]uint64, i int) numericDate {
	f := p[4] >> (44 + 6*i)
	return numericDate{ok: f&1 != 0, neg: f&2 != 0,
		sec: int64(p[i]&(1<<34-1) | (f>>2&15)<<34), nsec: int64(p[i] >> 34)}
}

func packSpan(s span) uint64 { return uint64(s.start) | uint64(s.end)<<offsetBits }

func unpackSpan(w, flags uint64) span {
	const m11 = 1<<offsetBits - 1
	return span{start: int(w & m11), end: int(w >> offsetBits & m11), ok: flags&1 != 0, esc: flags&2 != 0}
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// CacheStats counts the lookups of a codec's verified-token cache since the codec was built.
type CacheStats struct {
	// Hits counts the verifies answered from the cache, without a signature check.
	Hits uint64
	// Misses counts the lookups of tokens the cache did not hold: tokens it had not seen, tokens
	// seen once (marked, see WithVerifyCache), forgeries, and lookups that met a writer at work on
	// the entry. A token too long to be cached is not counted.
	Misses uint64
	// Entries is the cache's capacity, in tokens; 0 when the codec has no cache.
	Entries int
}

// stats sums the counters' shards. It takes no lock.
func (vc *verifyCache) stats() CacheStats {
	st := CacheStats{Entries: vc.buckets * cacheWays}
	for i := range vc.counts {
		st.Hits += vc.counts[i].hits.Load()
		st.Misses += vc.counts[i].misses.Load()
	}
	return st
}
