package fastjwt

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// hotHolds reports whether c's hot cache keeps tok.
func hotHolds(c *Codec, tok []byte) bool {
	var cl Claims
	_, hit := c.cache.hot.get(c.cache.locate(tok).h, tok, nil, &cl)
	return hit
}

// A token presented often moves to the hot cache within a few main-cache hits, and is answered
// from there with the payload and claims an uncached codec gives, its clock still checked on
// every verify.
func TestHotCacheServesRepeatedToken(t *testing.T) {
	now := benchNow
	c := benchCodec(t, WithClock(func() time.Time { return now }))
	plain := benchCodec(t, WithVerifyCache(0))
	tok := benchToken(t, c)
	var cold Claims
	want, err := plain.AppendVerifyClaims(nil, tok, &cold)
	if err != nil {
		t.Fatal(err)
	}
	cold.payload = nil
	for i := range 2 + 2*hotEvery {
		var cl Claims
		got, err := c.AppendVerifyClaims([]byte("x"), tok, &cl)
		if err != nil || string(got) != "x"+string(want) {
			t.Fatalf("verify %d: %q %v", i, got, err)
		}
		if cl.CacheHit() != (i >= 2) {
			t.Fatalf("verify %d: CacheHit %v", i, cl.CacheHit())
		}
		cl.payload, cl.cacheHit = nil, false
		if !reflect.DeepEqual(cl, cold) {
			t.Fatalf("verify %d: claims differ:\n got  %+v\n want %+v", i, cl, cold)
		}
	}
	if !hotHolds(c, tok) {
		t.Fatal("a token verified 18 times is not in the hot cache")
	}
	now = time.Unix(4102444800, 0) // the token's exp
	if _, err := c.AppendVerify(nil, tok); !errors.Is(err, ErrExpired) {
		t.Fatalf("hot token after exp: %v", err)
	}
}

// A hot hit is served only for the very bytes kept: a token one byte away is not, and when the
// kept bytes differ from the presented token in any byte the main cache answers instead, with
// the token's own claims.
func TestHotCacheComparesWholeToken(t *testing.T) {
	c, err := NewHS256([]Key{{Secret: benchSecret}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := c.AppendSignType(nil, TypeSession, []byte(`{"sub":"a"}`))
	for range 2 + 2*hotEvery {
		if _, err := c.AppendVerify(nil, tok); err != nil {
			t.Fatal(err)
		}
	}
	e := c.cache.hot.entry(c.cache.locate(tok).h)
	if !hotHolds(c, tok) || e.n != len(tok) {
		t.Fatal("token not in the hot cache")
	}
	for i := range tok {
		other := append([]byte(nil), tok...)
		other[i] ^= 1
		if hotHolds(c, other) {
			t.Fatalf("byte %d of the presented token differs, and the hot cache answered", i)
		}
		e.buf[i] ^= 1
		if hotHolds(c, tok) {
			t.Fatalf("byte %d of the kept token differs, and the hot cache answered", i)
		}
		e.buf[i] ^= 1
	}
	e.buf[0] ^= 1
	e.claims.typ = TypeAccess // what a wrong hit would report
	var cl Claims
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.Type() != TypeSession {
		t.Fatalf("%v, Type %v", err, cl.Type())
	}
}

// An entry hit since it was stored gets a second chance: the next replacement skips it once.
func TestHotCacheSecondChance(t *testing.T) {
	var hc hotCache
	var cl Claims
	a, b := []byte("token-a"), []byte("token-b")
	const h = 7 << 40 // one entry for both
	hc.put(h, a, []byte("pa"), &cl)
	if _, ok := hc.get(h, a, nil, &cl); !ok {
		t.Fatal("a not kept")
	}
	hc.put(h+1, b, []byte("pb"), &cl) // a was hit: skipped once
	if _, ok := hc.get(h, a, nil, &cl); !ok {
		t.Fatal("a replaced despite its hit")
	}
	hc.put(h+1, b, []byte("pb"), &cl) // a was hit again: skipped again
	hc.put(h+1, b, []byte("pb"), &cl) // a not hit since: replaced
	out, ok := hc.get(h+1, b, nil, &cl)
	if !ok || string(out) != "pb" {
		t.Fatalf("b: %q %v", out, ok)
	}
	if _, ok := hc.get(h, a, nil, &cl); ok {
		t.Fatal("a still kept")
	}
}
