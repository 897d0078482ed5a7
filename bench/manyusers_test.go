package bench

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// The many-users workload: a server whose clients each present their own token, in turn, so that
// a token comes back only after every other client's has. Each token carries the shared
// workload's claims with its own "jti" (the same length), so tokens differ in their payloads and
// signatures, as they do in practice.

// manyUsers is the number of distinct tokens of the largest many-users run.
const manyUsers = 100_000

// manyTokens returns manyUsers distinct tokens signed with the workload's key, built once.
var manyTokens = sync.OnceValue(func() [][]byte {
	c := newCodec(fastjwt.WithVerifyCache(0))
	prefix := payloadJSON[:bytes.Index(payloadJSON, []byte(wantJTI))+len(wantJTI)-12]
	suffix := payloadJSON[len(prefix)+12:]
	toks := make([][]byte, manyUsers)
	buf := make([]byte, 0, len(payloadJSON))
	for i := range toks {
		buf = fmt.Appendf(append(buf[:0], prefix...), "%012d%s", i, suffix)
		tok, err := c.AppendSign(nil, buf)
		if err != nil {
			panic(err)
		}
		toks[i] = tok
	}
	return toks
})

// roundRobin returns a function that returns the first n of toks in turn, one per call.
func roundRobin(toks [][]byte, n int) func() []byte {
	i := 0
	return func() []byte {
		tok := toks[i]
		if i++; i == n {
			i = 0
		}
		return tok
	}
}

// manyVerify is a contender verifying the first n of toks in turn through c.
func manyVerify(name string, c *fastjwt.Codec, toks [][]byte, n int) *timed {
	next := roundRobin(toks, n)
	buf := make([]byte, 0, 512)
	return &timed{name: name, run: func() error {
		var err error
		buf, err = c.AppendVerify(buf[:0], next())
		return err
	}}
}

// firstSeen is a contender verifying tokens its codec has not seen: before each batch a new codec
// (with cache options opts) is built and given the second half of toks, each token verified
// twice, as a server's cache holds the tokens of its other clients (this also takes the page
// faults of a new cache's memory out of the batch); the batch then takes the first tokens of
// toks. With seen > 0 the batch's tokens are verified that many times before the batch, so the
// batch measures their next sight.
func firstSeen(name string, toks [][]byte, seen int, opts ...fastjwt.Option) *timed {
	toks, others := toks[:len(toks)/2], toks[len(toks)/2:]
	var c *fastjwt.Codec
	i := 0
	buf := make([]byte, 0, 512)
	t := &timed{name: name, run: func() error {
		var err error
		buf, err = c.AppendVerify(buf[:0], toks[i])
		i++
		return err
	}}
	t.setup = func(n int) {
		if n > len(toks) {
			panic("a batch of more operations than tokens")
		}
		c = newCodec(opts...)
		i = 0
		for range 2 {
			for _, tok := range others {
				if _, err := c.AppendVerify(buf[:0], tok); err != nil {
					panic(err)
				}
			}
		}
		for range seen {
			for _, tok := range toks[:n] {
				if _, err := c.AppendVerify(buf[:0], tok); err != nil {
					panic(err)
				}
			}
		}
	}
	return t
}

// floorOver is the floor verifying the first n of toks in turn.
func floorOver(name string, toks [][]byte, n int) *timed {
	f := newFloor()
	next := roundRobin(toks, n)
	return &timed{name: name, run: func() error { _, err := f.verify(next()); return err }}
}

const (
	// maxManyUsersHitRatio: a verify through the default cache, with 10 000 or 100 000 clients
	// presenting their tokens in turn, may take at most this many times the same verifies
	// without a cache: the cache must pay for itself at realistic user counts. (Measured here:
	// 0.52-0.90x, usually 0.65-0.75x. Against the floor, the goal of 0.5x is not met: a hit
	// reads the token and one cache entry from memory, computes the digest and decodes the
	// payload; each client's token and entry are out of the processor's caches by the time it
	// comes back, and the floor over the same tokens pays the token's read too, so the hit is
	// logged against both floors.)
	maxManyUsersHitRatio = 0.9
	// maxMissOverhead: a first-seen token's verify through the default cache may take at most
	// this many times the same verify without a cache: the lookup that misses reads the index
	// only, and leaves a mark. The aim is 1.05x; the margin is for noisy runners.
	maxMissOverhead = 1.20
)

// TestGateManyUsers: hits, with 10 000 and 100 000 clients presenting their tokens in turn;
// first-seen tokens through the default cache and without one.
func TestGateManyUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("speed gate skipped with -short")
	}
	if raceEnabled {
		t.Skip("speed gate skipped under -race")
	}
	toks := manyTokens()
	f := newFloor()
	floor := &timed{name: "floor, one token", run: func() error { _, err := f.verify(token); return err }}
	t.Run("hits", func(t *testing.T) {
		cs := []*timed{floor}
		var hits []*timed
		floors, uncached := map[*timed]*timed{}, map[*timed]*timed{}
		codecs := map[*timed]*fastjwt.Codec{}
		for _, n := range []int{10_000, manyUsers} {
			c := newCodec()
			for _, tok := range toks[:n] { // each client's first two requests: its token is admitted
				for range 2 {
					if _, err := c.AppendVerify(nil, tok); err != nil {
						t.Fatal(err)
					}
				}
			}
			hit := manyVerify(fmt.Sprintf("verify, %d clients", n), c, toks, n)
			fl := floorOver(fmt.Sprintf("floor, %d clients", n), toks, n)
			hits = append(hits, hit)
			un := manyVerify(fmt.Sprintf("no cache, %d clients", n), newCodec(fastjwt.WithVerifyCache(0)), toks, n)
			floors[hit], uncached[hit], codecs[hit] = fl, un, c
			cs = append(cs, hit, fl, un)
		}
		before := map[*timed]fastjwt.CacheStats{}
		for _, h := range hits {
			before[h] = codecs[h].CacheStats()
		}
		measureUntil(t, cs, func() []string {
			var failed []string
			for _, h := range hits {
				st, b := codecs[h].CacheStats(), before[h]
				before[h] = st
				rate := float64(st.Hits-b.Hits) / float64(st.Hits-b.Hits+st.Misses-b.Misses)
				r := h.median() / uncached[h].median()
				t.Logf("%s: %.2fx the verify without a cache (gate: <= %.2fx, margin %.2fx); %.1f%% hits; %.2fx the floor of one token, %.2fx the floor over the same tokens (aim 0.5x, not gated)",
					h.name, r, maxManyUsersHitRatio, maxManyUsersHitRatio/r, 100*rate,
					h.median()/floor.median(), h.median()/floors[h].median())
				if r > maxManyUsersHitRatio {
					failed = append(failed, fmt.Sprintf("%s takes %.2fx the verify without a cache (%.0f vs %.0f ns/op), want <= %.2fx",
						h.name, r, h.median(), uncached[h].median(), maxManyUsersHitRatio))
				}
			}
			return failed
		})
	})
	t.Run("first-seen", func(t *testing.T) {
		miss := firstSeen("first seen, cache", toks, 0)
		noCache := firstSeen("first seen, no cache", toks, 0, fastjwt.WithVerifyCache(0))
		second := firstSeen("second sight, cache", toks, 1)
		measureUntil(t, []*timed{miss, noCache, second}, func() []string {
			r := miss.median() / noCache.median()
			t.Logf("first-seen token: %.3fx the verify without a cache (gate: <= %.2fx, aim 1.05x); its second sight %.2fx (not gated)",
				r, maxMissOverhead, second.median()/noCache.median())
			if r > maxMissOverhead {
				return []string{fmt.Sprintf("a first-seen token takes %.3fx the verify without a cache (%.0f vs %.0f ns/op), want <= %.2fx",
					r, miss.median(), noCache.median(), maxMissOverhead)}
			}
			return nil
		})
	})
}
