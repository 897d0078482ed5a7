package jwks

import (
	"errors"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// A Client reports in Claims what its codec reports: the algorithm of the key that verified the
// token and whether its cache answered; a token first verified after a refetch (a new kid) is a
// miss with its key's algorithm, and a refused token reports neither.
func TestClientReportsAlgAndCacheHit(t *testing.T) {
	keys := []testKey{newKey(t, fastjwt.ES256, "ec"), newKey(t, fastjwt.EdDSA, "ed"), newKey(t, fastjwt.RS256, "rs")}
	s := newServer(t, set(t, keys[:2]...))
	c := newClient(t, s, Options{})
	for _, k := range keys[:2] {
		tok := sign(t, k)
		for i, hit := range []bool{false, false, true} { // marked, stored, then a hit
			var cl fastjwt.Claims
			if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.Alg() != k.pub.Alg || cl.CacheHit() != hit {
				t.Fatalf("%v, verify %d: %v, alg %v hit %v, want hit %v", k.pub.Alg, i, err, cl.Alg(), cl.CacheHit(), hit)
			}
		}
	}
	// A new key: the first verify waits for the refetch and checks the signature.
	s.set(func(s *server) { s.doc = set(t, keys...) })
	expireCooldown(c)
	tok := sign(t, keys[2])
	for i, hit := range []bool{false, false, true} {
		var cl fastjwt.Claims
		if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.Alg() != fastjwt.RS256 || cl.CacheHit() != hit {
			t.Fatalf("new key, verify %d: %v, alg %v hit %v, want hit %v", i, err, cl.Alg(), cl.CacheHit(), hit)
		}
	}
	forged := append([]byte(nil), tok...)
	forged[len(forged)/2] ^= 1
	var cl fastjwt.Claims
	if _, err := c.AppendVerifyClaims(nil, forged, &cl); err == nil || cl.Alg() != 0 || cl.CacheHit() {
		t.Fatalf("forged token: %v, alg %v hit %v", err, cl.Alg(), cl.CacheHit())
	}
	stranger := newKey(t, fastjwt.ES256, "stranger")
	expireCooldown(c)
	if _, err := c.AppendVerifyClaims(nil, sign(t, stranger), &cl); !errors.Is(err, fastjwt.ErrUnknownKey) || cl.Alg() != 0 || cl.CacheHit() {
		t.Fatalf("unknown key: %v, alg %v hit %v", err, cl.Alg(), cl.CacheHit())
	}
}
