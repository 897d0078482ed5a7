package fastjwt

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// A cached token is still checked against the clock, the issuer and the audience on every
// verify: the cache skips the signature and the scan, never the time claims.
func TestVerifyCacheKeepsTimeChecks(t *testing.T) {
	now := time.Unix(1000, 0)
	c, err := NewHS256([]Key{{Secret: benchSecret}}, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := c.AppendSign(nil, []byte(`{"sub":"a","exp":1001,"nbf":999}`))
	var cl Claims
	for i := 0; i < 2; i++ { // the second verify is served by the cache
		if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil {
			t.Fatalf("verify %d: %v", i, err)
		}
		if cl.Subject() != "a" {
			t.Fatalf("verify %d: sub %q", i, cl.Subject())
		}
	}
	if !isCached(c, tok) {
		t.Fatal("verified token not cached")
	}
	now = time.Unix(1001, 0)
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); !errors.Is(err, ErrExpired) {
		t.Fatalf("cached token after exp: %v", err)
	}
	now = time.Unix(998, 0)
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); !errors.Is(err, ErrNotYetValid) {
		t.Fatalf("cached token before nbf: %v", err)
	}
}

// With one slot every token evicts the previous one; each verify must still return its own
// payload and claims, and the key that verified it.
func TestVerifyCacheEviction(t *testing.T) {
	old, _ := NewHS256([]Key{{Secret: []byte("the-old-secret-0123456789abcdefghij")}})
	c, err := NewHS256([]Key{{Secret: benchSecret}, {Secret: []byte("the-old-secret-0123456789abcdefghij")}},
		WithVerifyCache(1), AcceptAnyAudience())
	if err != nil {
		t.Fatal(err)
	}
	var toks [][]byte
	for i := 0; i < 6; i++ {
		signer := c
		if i%2 == 1 {
			signer = old
		}
		tok, _ := signer.AppendSign(nil, fmt.Appendf(nil, `{"sub":"user-%d","aud":["a%d"]}`, i, i))
		toks = append(toks, tok)
	}
	for round := 0; round < 3; round++ {
		for i, tok := range toks {
			var cl Claims
			p, err := c.AppendVerifyClaims([]byte("x"), tok, &cl)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf(`x{"sub":"user-%d","aud":["a%d"]}`, i, i)
			if string(p) != want || cl.Subject() != fmt.Sprintf("user-%d", i) ||
				!cl.HasAudience(fmt.Sprintf("a%d", i)) || cl.KeyIndex() != i%2 {
				t.Fatalf("round %d token %d: %q sub %q key %d", round, i, p, cl.Subject(), cl.KeyIndex())
			}
		}
	}
}

// Many goroutines verifying overlapping sets of tokens through a small cache (run with -race).
func TestVerifyCacheConcurrent(t *testing.T) {
	c, err := NewHS256([]Key{{Secret: benchSecret}}, WithVerifyCache(4))
	if err != nil {
		t.Fatal(err)
	}
	var toks [][]byte
	for i := 0; i < 16; i++ {
		tok, _ := c.AppendSign(nil, fmt.Appendf(nil, `{"sub":"%d","pad":"%*s"}`, i, i, ""))
		toks = append(toks, tok)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			buf := make([]byte, 0, 256)
			var cl Claims
			for n := 0; n < 2000; n++ {
				i := (n*7 + g) % len(toks)
				var err error
				buf, err = c.AppendVerifyClaims(buf[:0], toks[i], &cl)
				if err != nil || cl.Subject() != fmt.Sprint(i) {
					errs <- fmt.Errorf("token %d: sub %q, %v", i, cl.Subject(), err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A tampered token never reaches the cache: the MAC is checked first.
func TestVerifyCacheAfterMAC(t *testing.T) {
	c := benchCodec(t)
	tok := benchToken(t, c)
	if _, err := c.AppendVerify(nil, tok); err != nil {
		t.Fatal(err)
	}
	d1, _ := indexDots(tok)
	forged := append([]byte(nil), tok...)
	forged[d1+5] ^= 'A' ^ 'B' // change the payload, keep the (now wrong) signature
	if _, err := c.AppendVerify(nil, forged); !errors.Is(err, ErrSignature) && !errors.Is(err, ErrMalformed) {
		t.Fatalf("forged payload with a cached token's signature: %v", err)
	}
}

// isCached reports whether tok is in c's verified-token cache.
func isCached(c *Codec, tok []byte) bool {
	var cl Claims
	_, _, _, _, hit := c.cache.get(c.cache.hash(tok), tok, nil, &cl)
	return hit
}

// cachedEntry returns the entry of c's cache that holds tok (by length and hash), or nil.
func cachedEntry(c *Codec, tok []byte) *cacheEntry {
	h := c.cache.hash(tok)
	b := &c.cache.buckets[h&c.cache.mask]
	for w := range b.ways {
		if b.ways[w].n == len(tok) && b.ways[w].hash == h {
			return &b.ways[w]
		}
	}
	return nil
}

// The issuer and audience verdicts kept with a cached scan give the same answers as the
// uncached path, on every verify.
func TestVerifyCacheKeepsPartyChecks(t *testing.T) {
	c, err := NewHS256([]Key{{Secret: benchSecret}}, WithIssuer("good"), WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		payload string
		want    error
	}{
		{`{"iss":"good","aud":"api"}`, nil},
		{`{"iss":"bad","aud":"api"}`, ErrIssuer},
		{`{"iss":"good","aud":["web"]}`, ErrAudience},
		{`{"aud":"api"}`, ErrIssuer},
	} {
		tok, _ := c.AppendSign(nil, []byte(tc.payload))
		for i := 0; i < 3; i++ {
			var cl Claims
			_, err := c.AppendVerifyClaims(nil, tok, &cl)
			if !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Fatalf("%s, verify %d: %v, want %v", tc.payload, i, err, tc.want)
			}
		}
	}
}

// A token the codec signs is cached at once: its first verify is served by the cache, with the
// same result an uncached codec gives.
func TestVerifyCacheFilledBySign(t *testing.T) {
	c := benchCodec(t)
	plain := benchCodec(t, WithVerifyCache(0))
	tok := benchToken(t, c)
	if !isCached(c, tok) {
		t.Fatal("signed token not cached")
	}
	var hit, cold Claims
	p1, err1 := c.AppendVerifyClaims(nil, tok, &hit)
	p2, err2 := plain.AppendVerifyClaims(nil, tok, &cold)
	if err1 != nil || err2 != nil || string(p1) != string(p2) {
		t.Fatalf("cached %q %v, uncached %q %v", p1, err1, p2, err2)
	}
	if !hit.CacheHit() || cold.CacheHit() {
		t.Fatalf("CacheHit: cached %v, uncached %v", hit.CacheHit(), cold.CacheHit())
	}
	hit.payload, cold.payload = nil, nil
	hit.cacheHit = false // the one difference
	if !reflect.DeepEqual(hit, cold) {
		t.Fatalf("claims differ:\n cached   %+v\n uncached %+v", hit, cold)
	}
}

// Claims.Type is right on cache hits: for tokens the codec signed (cached at signing) and tokens
// it verified before, for each type, with one Claims reused across types, and when one slot is
// shared by every token (each verify evicts the previous entry).
func TestVerifyCacheType(t *testing.T) {
	for _, size := range []int{DefaultVerifyCacheSize, 1} {
		c, err := NewHS256([]Key{{Secret: benchSecret}}, WithVerifyCache(size))
		if err != nil {
			t.Fatal(err)
		}
		foreign := make(map[Type][]byte) // signed by crypto/hmac-equivalent code: not cached until verified
		own := make(map[Type][]byte)
		payload := []byte(`{"sub":"same payload for every type"}`)
		for typ := TypeNone; typ < TypeOther; typ++ {
			own[typ], _ = c.AppendSignType(nil, typ, payload)
			tok, _ := c.AppendSign(nil, payload)
			hdr := `{"typ":"` + typNames[typ] + `", "alg":"HS256"}`
			if typ == TypeNone {
				hdr = `{ "alg":"HS256"}`
			}
			foreign[typ] = resign(t, c, hdr, tok)
		}
		foreign[TypeOther] = resign(t, c, `{"alg":"HS256","typ":"secevent+jwt"}`, own[TypeJWT])
		if size > 1 && !isCached(c, own[TypeSession]) {
			t.Fatal("a signed session token is not cached")
		}
		var cl Claims
		for round := 0; round < 3; round++ {
			for typ := TypeNone; typ <= TypeOther; typ++ {
				for name, set := range map[string]map[Type][]byte{"own": own, "foreign": foreign} {
					tok, ok := set[typ]
					if !ok {
						continue
					}
					if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.Type() != typ {
						t.Fatalf("cache %d round %d %s %v: %v, Type %v", size, round, name, typ, err, cl.Type())
					}
					if size > 1 && !isCached(c, tok) {
						t.Fatalf("cache %d %s %v: not cached after verify", size, name, typ)
					}
				}
			}
		}
	}
}

// A hit is served only for the very bytes that verified: an entry whose stored token differs
// from the presented one in any byte (here: a corrupted copy of the same length, hash and slot)
// is a miss, and the token is verified in full.
func TestVerifyCacheComparesWholeToken(t *testing.T) {
	c, err := NewHS256([]Key{{Secret: benchSecret}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := c.AppendSignType(nil, TypeSession, []byte(`{"sub":"a"}`))
	s := cachedEntry(c, tok)
	if s == nil {
		t.Fatal("signed token not cached")
	}
	for i := 0; i < len(tok); i++ {
		s.buf[i] ^= 1
		if isCached(c, tok) {
			t.Fatalf("byte %d of the stored token differs, and the cache still answered", i)
		}
		s.buf[i] ^= 1
	}
	if !isCached(c, tok) {
		t.Fatal("the restored entry does not hit")
	}
	s.buf[len(tok)-1] ^= 1
	s.claims.typ = TypeAccess // what a wrong hit would report
	var cl Claims
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.Type() != TypeSession {
		t.Fatalf("%v, Type %v", err, cl.Type())
	}
}

// The audience rule's verdict is kept with the cached scan: a codec without an audience refuses a
// token with "aud" on every verify, also when the token was cached by its own AppendSign, and
// AcceptAnyAudience accepts it on every verify.
func TestVerifyCacheAudienceRule(t *testing.T) {
	strict, _ := NewHS256([]Key{{Secret: benchSecret}})
	lax, _ := NewHS256([]Key{{Secret: benchSecret}}, AcceptAnyAudience())
	for _, payload := range []string{`{"aud":"x"}`, `{"aud":[]}`, `{"aud":["x","y"],"sub":"s"}`} {
		for name, c := range map[string]*Codec{"default": strict, "AcceptAnyAudience": lax} {
			tok, _ := c.AppendSign(nil, []byte(payload))
			for i := 0; i < 3; i++ {
				_, err := c.AppendVerify(nil, tok)
				if name == "default" && !errors.Is(err, ErrAudience) || name != "default" && err != nil {
					t.Fatalf("%s %s verify %d: %v", name, payload, i, err)
				}
			}
		}
	}
}

// RejectFutureIssuedAt depends on the clock, so it is applied on every verify, never cached.
func TestVerifyCacheFutureIssuedAt(t *testing.T) {
	now := time.Unix(1000, 0)
	c, err := NewHS256([]Key{{Secret: benchSecret}}, WithClock(func() time.Time { return now }),
		RejectFutureIssuedAt(), WithLeeway(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := c.AppendSign(nil, []byte(`{"iat":1010}`))
	for _, tc := range []struct {
		now  int64
		want error
	}{{1000, ErrNotYetValid}, {1004, ErrNotYetValid}, {1005, nil}, {1000, ErrNotYetValid}, {2000, nil}} {
		now = time.Unix(tc.now, 0)
		if _, err := c.AppendVerify(nil, tok); !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
			t.Fatalf("now %d: %v, want %v", tc.now, err, tc.want)
		}
	}
}

// An asymmetric token presented again skips the signature check: served from the cache, with
// the key index and type of its first verify, and the clock checked on every hit.
func TestVerifyCacheAsymmetric(t *testing.T) {
	now := time.Unix(1000, 0)
	priv := loadSigner(t, "p256.pkcs8.pem")
	c, err := NewSigner(PrivateKey{ID: "new", Alg: ES256, Key: priv}, []PublicKey{
		{ID: "old", Alg: EdDSA, Key: loadSigner(t, "ed25519.pkcs8.pem").Public()}},
		WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	old, _ := NewSigner(PrivateKey{ID: "old", Alg: EdDSA, Key: loadSigner(t, "ed25519.pkcs8.pem")}, nil)
	oldTok, _ := old.AppendSignType(nil, TypeAccess, []byte(`{"sub":"o","exp":1001}`))
	if isCached(c, oldTok) {
		t.Fatal("another codec's token is in the cache before it was verified")
	}
	for i := 0; i < 3; i++ {
		var cl Claims
		if _, err := c.AppendVerifyClaims(nil, oldTok, &cl); err != nil || cl.KeyIndex() != 1 || cl.Type() != TypeAccess || cl.Subject() != "o" {
			t.Fatalf("verify %d: %v, key %d, type %v", i, err, cl.KeyIndex(), cl.Type())
		}
		if !isCached(c, oldTok) {
			t.Fatalf("verify %d: not cached", i)
		}
	}
	// A hit does not check the signature: a cached token whose key were broken (here: the
	// key's signature size) still answers from the cache, which shows the check is skipped.
	c.keys[1].size = 1
	if _, err := c.AppendVerify(nil, oldTok); err != nil {
		t.Fatalf("cached token checked again: %v", err)
	}
	c.keys[1].size = 64
	now = time.Unix(1001, 0)
	if _, err := c.AppendVerify(nil, oldTok); !errors.Is(err, ErrExpired) {
		t.Fatalf("cached token after exp: %v", err)
	}
	// A codec's cache is its own: its seed, its slots.
	other, _ := NewSigner(PrivateKey{ID: "new", Alg: ES256, Key: priv}, nil)
	if other.cache.seed == c.cache.seed {
		t.Fatal("two codecs share a hash seed")
	}
}

// A token over MaxCachedTokenSize is verified in full every time and never stored.
func TestVerifyCacheTokenSizeCap(t *testing.T) {
	c := benchCodec(t)
	big := fmt.Appendf(nil, `{"iss":"https://auth.example.com","aud":"api.example.com","pad":"%s"}`, strings.Repeat("x", MaxCachedTokenSize))
	tok, err := c.AppendSign(nil, big)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.AppendVerify(nil, tok); err != nil {
			t.Fatal(err)
		}
	}
	if isCached(c, tok) {
		t.Fatal("a token over the cap was cached")
	}
	for i := range c.cache.buckets {
		for _, e := range c.cache.buckets[i].ways {
			if e.n > MaxCachedTokenSize {
				t.Fatal("an entry holds more than the cap")
			}
		}
	}
}

// The whole-token comparison takes the same path whatever the bytes: it is checked here for
// its verdicts (equal, any single byte different, a length different).
func TestEqualConstantTime(t *testing.T) {
	a := make([]byte, 67)
	for i := range a {
		a[i] = byte(i * 7)
	}
	if !equalConstantTime(a, append([]byte(nil), a...)) {
		t.Fatal("equal slices differ")
	}
	for i := range a {
		b := append([]byte(nil), a...)
		b[i] ^= 0x80
		if equalConstantTime(a, b) {
			t.Fatalf("byte %d differs, reported equal", i)
		}
	}
	if equalConstantTime(a, a[:66]) || !equalConstantTime(nil, []byte{}) {
		t.Fatal("lengths")
	}
}

// A bucket holds two tokens: two tokens presented in turn both stay cached, and a third
// replaces the one used less recently.
func TestVerifyCacheTwoWays(t *testing.T) {
	c := benchCodec(t, WithVerifyCache(2)) // one bucket
	if len(c.cache.buckets) != 1 {
		t.Fatalf("%d buckets", len(c.cache.buckets))
	}
	other, _ := NewHS256([]Key{{Secret: benchSecret}}, WithIssuer("https://auth.example.com"),
		WithAudience("api.example.com"), WithClock(func() time.Time { return benchNow }))
	a, _ := other.AppendSign(nil, []byte(`{"iss":"https://auth.example.com","aud":"api.example.com","sub":"a"}`))
	b, _ := other.AppendSign(nil, []byte(`{"iss":"https://auth.example.com","aud":"api.example.com","sub":"b"}`))
	d, _ := other.AppendSign(nil, []byte(`{"iss":"https://auth.example.com","aud":"api.example.com","sub":"d"}`))
	for _, tok := range [][]byte{a, b, a, b} {
		if _, err := c.AppendVerify(nil, tok); err != nil {
			t.Fatal(err)
		}
	}
	if !isCached(c, a) || !isCached(c, b) {
		t.Fatal("two tokens of one bucket do not both stay cached")
	}
	// b was used last (isCached(b) is a hit): d replaces a.
	if _, err := c.AppendVerify(nil, d); err != nil {
		t.Fatal(err)
	}
	if isCached(c, a) || !isCached(c, b) || !isCached(c, d) {
		t.Fatalf("after a third token: a %v, b %v, d %v", isCached(c, a), isCached(c, b), isCached(c, d))
	}
}

// CacheStats counts every lookup as a hit or a miss: a token verified before is a hit, a token
// the codec has not seen (or a forgery, which is never stored) a miss.
func TestVerifyCacheStats(t *testing.T) {
	c, err := NewHS256([]Key{{Secret: benchSecret}}, WithVerifyCache(8))
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewHS256([]Key{{Secret: benchSecret}}, WithVerifyCache(0))
	if err != nil {
		t.Fatal(err)
	}
	if st := c.CacheStats(); st != (CacheStats{Entries: 8}) {
		t.Fatalf("a new codec: %+v", st)
	}
	tok, _ := other.AppendSign(nil, []byte(`{"sub":"a"}`))
	forged := append([]byte(nil), tok...)
	forged[len(forged)-2] ^= 1
	var cl Claims
	for _, v := range [][]byte{tok, tok, tok, forged, forged} {
		_, _ = c.AppendVerifyClaims(nil, v, &cl)
	}
	if st := c.CacheStats(); st != (CacheStats{Hits: 2, Misses: 3, Entries: 8}) {
		t.Fatalf("after a miss, two hits and two forgeries: %+v, want 2 hits and 3 misses", st)
	}
	if st := other.CacheStats(); st != (CacheStats{}) {
		t.Fatalf("a codec without a cache: %+v", st)
	}
}
