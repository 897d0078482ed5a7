package fastjwt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
)

// Claims.Alg names the algorithm of the key that verified each token, and Claims.CacheHit tells
// a verify answered by the cache from one that checked the signature: a token's first two
// verifies are misses (the first marks it, the second stores it), the third a hit, and one
// Claims reused for another token starts over.
func TestClaimsAlgAndCacheHit(t *testing.T) {
	secret := []fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}}
	hs := func(opts ...fastjwt.Option) *fastjwt.Codec {
		c, err := fastjwt.NewHS256(secret, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	type pair struct {
		name             string
		alg              fastjwt.Alg
		signer, verifier *fastjwt.Codec
		uncached         *fastjwt.Codec // verifies with WithVerifyCache(0)
	}
	pairs := []pair{{"HS256", fastjwt.HS256, hs(), hs(), hs(fastjwt.WithVerifyCache(0))}}
	for _, ac := range asymCases {
		s, v := ac.pair(t, "k1")
		_, u := ac.pair(t, "k1", fastjwt.WithVerifyCache(0))
		pairs = append(pairs, pair{ac.name, ac.alg, s, v, u})
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			a, _ := p.signer.AppendSign(nil, []byte(`{"sub":"a"}`))
			b, _ := p.signer.AppendSign(nil, []byte(`{"sub":"b"}`))
			var cl fastjwt.Claims
			for i, want := range []struct {
				tok []byte
				hit bool
			}{{a, false}, {a, false}, {a, true}, {b, false}, {a, true}, {b, false}, {b, true}} {
				if _, err := p.verifier.AppendVerifyClaims(nil, want.tok, &cl); err != nil {
					t.Fatalf("verify %d: %v", i, err)
				}
				if cl.Alg() != p.alg || cl.CacheHit() != want.hit {
					t.Fatalf("verify %d: alg %v hit %v, want %v %v", i, cl.Alg(), cl.CacheHit(), p.alg, want.hit)
				}
			}
			// Without a cache no verify is a hit.
			for i := range 3 {
				if _, err := p.uncached.AppendVerifyClaims(nil, a, &cl); err != nil || cl.CacheHit() || cl.Alg() != p.alg {
					t.Fatalf("uncached verify %d: %v, alg %v hit %v", i, err, cl.Alg(), cl.CacheHit())
				}
			}
		})
	}
}

// Signing does not fill the cache: a token the codec signed is verified in full the first
// times, and reports the signing key's algorithm every time, a hit once it is cached.
func TestClaimsCacheHitAfterSign(t *testing.T) {
	hs, _ := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("0123456789abcdef0123456789abcdef")}})
	es, _ := asymCases[5].pair(t, "k1")
	for _, c := range []struct {
		codec *fastjwt.Codec
		alg   fastjwt.Alg
	}{{hs, fastjwt.HS256}, {es, fastjwt.ES256}} {
		tok, err := c.codec.AppendSign(nil, []byte(`{"sub":"a"}`))
		if err != nil {
			t.Fatal(err)
		}
		for i, hit := range []bool{false, false, true} {
			var cl fastjwt.Claims
			if _, err := c.codec.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.CacheHit() != hit || cl.Alg() != c.alg {
				t.Fatalf("%v: verify %d of a signed token: %v, hit %v, alg %v", c.alg, i, err, cl.CacheHit(), cl.Alg())
			}
		}
	}
}

// In a ring of several algorithms each token reports the algorithm of its own key. A refusal
// before the signature verified (a forged signature, an unknown key) reports no algorithm and no
// hit; one after it (expired) keeps both, as it keeps the type, whether or not the cache
// answered.
func TestClaimsAlgOnRefusal(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := fastjwt.WithClock(func() time.Time { return now })
	es := signingKey(t, "p256.sec1.pem", fastjwt.ES256, "new")
	ed := signingKey(t, "ed25519.pkcs8.pem", fastjwt.EdDSA, "old")
	ring, err := fastjwt.NewSigner(es, []fastjwt.PublicKey{ed.Public()}, clock)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := fastjwt.NewSigner(ed, nil)
	oldTok, _ := old.AppendSign(nil, []byte(`{"sub":"o","exp":1001}`))
	var cl fastjwt.Claims
	for range 2 { // marked, then cached
		if _, err := ring.AppendVerifyClaims(nil, oldTok, &cl); err != nil || cl.Alg() != fastjwt.EdDSA || cl.CacheHit() {
			t.Fatalf("old key's token: %v, alg %v hit %v", err, cl.Alg(), cl.CacheHit())
		}
	}
	newTok, _ := ring.AppendSign(nil, []byte(`{"sub":"n","exp":1001}`))
	if _, err := ring.AppendVerifyClaims(nil, newTok, &cl); err != nil || cl.Alg() != fastjwt.ES256 {
		t.Fatalf("new key's token: %v, alg %v", err, cl.Alg())
	}

	forged := append([]byte(nil), oldTok...)
	forged[len(forged)-2] ^= 1
	if _, err := ring.AppendVerifyClaims(nil, forged, &cl); !errors.Is(err, fastjwt.ErrSignature) && !errors.Is(err, fastjwt.ErrMalformed) || cl.Alg() != 0 || cl.CacheHit() {
		t.Fatalf("forged token: %v, alg %v hit %v", err, cl.Alg(), cl.CacheHit())
	}
	stranger, _ := fastjwt.NewSigner(signingKey(t, "p256.sec1.pem", fastjwt.ES256, "stranger"), nil)
	unknown, _ := stranger.AppendSign(nil, []byte(`{"sub":"s"}`))
	if _, err := ring.AppendVerifyClaims(nil, unknown, &cl); !errors.Is(err, fastjwt.ErrUnknownKey) || cl.Alg() != 0 || cl.CacheHit() {
		t.Fatalf("unknown key: %v, alg %v hit %v", err, cl.Alg(), cl.CacheHit())
	}

	now = time.Unix(1001, 0)
	if _, err := ring.AppendVerifyClaims(nil, oldTok, &cl); !errors.Is(err, fastjwt.ErrExpired) || cl.Alg() != fastjwt.EdDSA || !cl.CacheHit() {
		t.Fatalf("expired cached token: %v, alg %v hit %v", err, cl.Alg(), cl.CacheHit())
	}
	fresh, _ := fastjwt.NewSigner(es, []fastjwt.PublicKey{ed.Public()}, clock) // an empty cache
	if _, err := fresh.AppendVerifyClaims(nil, oldTok, &cl); !errors.Is(err, fastjwt.ErrExpired) || cl.Alg() != fastjwt.EdDSA || cl.CacheHit() {
		t.Fatalf("expired token, verified in full: %v, alg %v hit %v", err, cl.Alg(), cl.CacheHit())
	}
	if cl.Subject() != "" || cl.KeyIndex() != 0 {
		t.Fatalf("a refused token's claims: sub %q key %d", cl.Subject(), cl.KeyIndex())
	}
}
