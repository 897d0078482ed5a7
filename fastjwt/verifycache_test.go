package fastjwt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
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
	for i := 0; i < 3; i++ { // the third verify is served by the cache
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

// With one bucket of seven entries and twenty tokens, tokens evict each other all the time; each
// verify must still return its own payload and claims, and the key that verified it.
func TestVerifyCacheEviction(t *testing.T) {
	old, _ := NewHS256([]Key{{Secret: []byte("the-old-secret-0123456789abcdefghij")}})
	c, err := NewHS256([]Key{{Secret: benchSecret}, {Secret: []byte("the-old-secret-0123456789abcdefghij")}},
		WithVerifyCache(1), AcceptAnyAudience())
	if err != nil {
		t.Fatal(err)
	}
	var toks [][]byte
	for i := 0; i < 20; i++ {
		signer := c
		if i%2 == 1 {
			signer = old
		}
		tok, _ := signer.AppendSign(nil, fmt.Appendf(nil, `{"sub":"user-%d","aud":["a%d"]}`, i, i))
		toks = append(toks, tok)
	}
	for round := 0; round < 4; round++ {
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

// isCached reports whether tok is in c's verified-token cache: whether a verify of it would hit.
func isCached(c *Codec, tok []byte) bool {
	var cl Claims
	lk := c.cache.locate(tok)
	if !lk.ok {
		return false
	}
	way, state := c.cache.find(lk.bucket, shortOf(lk.h))
	_, _, hit := c.cache.getMain(lk, way, state, tok, &cl)
	return hit
}

// cachedSlot returns the entry of c's cache that is complete with tok's tag, or nil.
func cachedSlot(c *Codec, tok []byte) *cacheSlot {
	lk := c.cache.locate(tok)
	if !lk.ok {
		return nil
	}
	w, state := c.cache.find(lk.bucket, shortOf(lk.h))
	if state != shortComplete {
		return nil
	}
	return &c.cache.bucket(lk.bucket)[w]
}

// change applies f to the record of the complete entry s, as a writer would (the test is its
// only user).
func change(s *cacheSlot, f func(*cacheRecord)) {
	var r cacheRecord
	w0 := s.w[0].Load()
	s.load(w0, &r)
	f(&r)
	s.w[1].Store(binary.LittleEndian.Uint64(r.digest[:8]))
	s.w[2].Store(binary.LittleEndian.Uint64(r.digest[8:]))
	for i, c := range r.claims {
		s.w[3+i].Store(c)
	}
}

// isMarked reports whether one of the entries of tok's bucket carries tok's tag.
func isMarked(c *Codec, tok []byte) bool {
	lk := c.cache.locate(tok)
	if !lk.ok {
		return false
	}
	w, _ := c.cache.find(lk.bucket, shortOf(lk.h))
	return w >= 0
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

// A token is admitted in two steps: its first verify only marks it (a mark answers nothing),
// its second stores its record, and its third is a hit, with the same result an uncached codec
// gives. A token the codec signs is not cached by the signing.
func TestVerifyCacheAdmission(t *testing.T) {
	c := benchCodec(t)
	plain := benchCodec(t, WithVerifyCache(0))
	tok := benchToken(t, c)
	if isCached(c, tok) || isMarked(c, tok) {
		t.Fatal("signing cached the token")
	}
	var cold Claims
	p2, err2 := plain.AppendVerifyClaims(nil, tok, &cold)
	for i, want := range []struct{ marked, cached bool }{{true, false}, {true, true}, {true, true}} {
		var cl Claims
		p1, err1 := c.AppendVerifyClaims(nil, tok, &cl)
		if err1 != nil || err2 != nil || string(p1) != string(p2) {
			t.Fatalf("verify %d: cached %q %v, uncached %q %v", i, p1, err1, p2, err2)
		}
		if cl.CacheHit() != (i == 2) || cold.CacheHit() {
			t.Fatalf("verify %d: CacheHit %v, uncached %v", i, cl.CacheHit(), cold.CacheHit())
		}
		cl.payload, cold.payload = nil, nil
		cl.cacheHit = false // the one difference a hit makes
		if !reflect.DeepEqual(cl, cold) {
			t.Fatalf("verify %d: claims differ:\n cached   %+v\n uncached %+v", i, cl, cold)
		}
		if isMarked(c, tok) != want.marked || isCached(c, tok) != want.cached {
			t.Fatalf("after verify %d: marked %v, cached %v, want %+v", i, isMarked(c, tok), isCached(c, tok), want)
		}
	}
	if st := c.CacheStats(); st.Hits != 1 || st.Misses != 2 { // isCached does not count
		t.Fatalf("%+v, want 1 hit and 2 misses", st)
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
					if size > 1 && round > 0 && !isCached(c, tok) {
						t.Fatalf("cache %d %s %v: not cached after verify", size, name, typ)
					}
				}
			}
		}
	}
}

// A hit is served only for the very bytes that verified: a token one byte away from a cached one
// (in its tail, which picks the bucket and the tag, or anywhere before it, where only the digest
// tells them apart) is a miss, and so is the cached token itself when its entry's digest differs
// in any bit; the token is then verified in full.
func TestVerifyCacheComparesWholeToken(t *testing.T) {
	c, err := NewHS256([]Key{{Secret: benchSecret}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := c.AppendSignType(nil, TypeSession, []byte(`{"sub":"a"}`))
	for range 2 {
		if _, err := c.AppendVerify(nil, tok); err != nil {
			t.Fatal(err)
		}
	}
	s := cachedSlot(c, tok)
	if s == nil || !isCached(c, tok) {
		t.Fatal("token verified twice is not cached")
	}
	for i := range tok {
		other := append([]byte(nil), tok...)
		other[i] ^= 1
		if isCached(c, other) {
			t.Fatalf("byte %d of the presented token differs, and the cache answered", i)
		}
	}
	for i := range 128 {
		change(s, func(r *cacheRecord) { r.digest[i/8] ^= 1 << (i % 8) })
		if isCached(c, tok) {
			t.Fatalf("bit %d of the stored digest differs, and the cache still answered", i)
		}
		change(s, func(r *cacheRecord) { r.digest[i/8] ^= 1 << (i % 8) })
	}
	if !isCached(c, tok) {
		t.Fatal("the restored entry does not hit")
	}
	// An entry read while a writer is at work (odd sequence number) answers nothing.
	s.w[0].Add(1)
	if isCached(c, tok) {
		t.Fatal("an entry being written answered")
	}
	s.w[0].Add(1)
	change(s, func(r *cacheRecord) {
		r.digest[15] ^= 1
		r.claims[3] = r.claims[3]&^(7<<52) | uint64(TypeAccess)<<52 // what a wrong hit would report
	})
	var cl Claims
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil || cl.Type() != TypeSession {
		t.Fatalf("%v, Type %v", err, cl.Type())
	}
}

// Digests are keyed per codec: the same token has different digests in two codecs with the same
// key, and the same digest every time in one.
func TestVerifyCacheDigestKeyed(t *testing.T) {
	a, b := benchCodec(t), benchCodec(t)
	tok := benchToken(t, a)
	var da, da2, db [16]byte
	a.cache.digest(&da, tok)
	a.cache.digest(&da2, tok)
	b.cache.digest(&db, tok)
	if da != da2 || da == db || a.cache.seed == b.cache.seed {
		t.Fatalf("digests %x %x %x", da, da2, db)
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
		if i > 0 && !isCached(c, oldTok) {
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
	// A codec's cache is its own: another codec of the same keys has not seen the token.
	other, _ := NewSigner(PrivateKey{ID: "new", Alg: ES256, Key: priv}, []PublicKey{
		{ID: "old", Alg: EdDSA, Key: loadSigner(t, "ed25519.pkcs8.pem").Public()}})
	if isCached(other, oldTok) || isMarked(other, oldTok) {
		t.Fatal("two codecs share a cache")
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
	for i := 0; i < 3; i++ {
		if _, err := c.AppendVerify(nil, tok); err != nil {
			t.Fatal(err)
		}
	}
	if isCached(c, tok) {
		t.Fatal("a token over the cap was cached")
	}
	for i := range c.cache.index {
		for j := range c.cache.index[i].w {
			if c.cache.index[i].w[j].Load() != 0 {
				t.Fatal("a token over the cap was marked")
			}
		}
	}
}

// An entry gives back exactly the claims it was packed from: every date it can hold (absent,
// negative, zero, fractional to the nanosecond, up to 2^38-1 seconds) and every span flag
// (escaped strings), the key, the type and the party verdict. A token it cannot describe exactly
// (a date of 2^38 seconds or more, a nonzero digit past a date's ninth fractional digit, a key
// index above 255) is refused, and such a token is never cached.
func TestCachePackClaims(t *testing.T) {
	for _, payload := range []string{
		`{}`,
		`{"exp":4102444800,"nbf":-12.5,"iat":1796695095.737819666,"iss":"i\u00e9","sub":"s","jti":"\"j","aud":["a","b"]}`,
		`{"exp":274877906943.999999999,"nbf":-274877906943,"iat":-0,"aud":"x","sub":"` + strings.Repeat("y", 1500) + `"}`,
		`{"iat":17179869184,"exp":17179869183}`,
	} {
		var cl Claims
		if err := scanPayload([]byte(payload), &cl); err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		for _, key := range []int{0, 255} {
			cl.payload, cl.key, cl.typ, cl.partiesOK = nil, key, TypeOther, key == 0
			p, ok := packClaims(&cl)
			var got Claims
			unpackClaims(&p, &got)
			if !ok || !reflect.DeepEqual(got, cl) {
				t.Fatalf("%s: %v\n got  %+v\n want %+v", payload, ok, got, cl)
			}
		}
	}
	for _, payload := range []string{`{"nbf":274877906944}`, `{"iat":-3e11}`, `{"exp":1.0000000001}`} {
		var cl Claims
		if err := scanPayload([]byte(payload), &cl); err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		if _, ok := packClaims(&cl); ok {
			t.Fatalf("%s: packed", payload)
		}
		c, _ := NewHS256([]Key{{Secret: benchSecret}})
		tok, _ := c.AppendSign(nil, []byte(payload))
		for range 3 {
			if _, err := c.AppendVerify(nil, tok); err != nil && !errors.Is(err, ErrExpired) && !errors.Is(err, ErrNotYetValid) {
				t.Fatalf("%s: %v", payload, err)
			}
		}
		if isCached(c, tok) {
			t.Fatalf("%s: cached", payload)
		}
	}
	var cl Claims
	cl.key = 256
	if _, ok := packClaims(&cl); ok {
		t.Fatal("key 256 packed")
	}
}

// A session token's fractional "iat" is cached like any other date: three verifies, one hit.
func TestVerifyCacheFractionalDate(t *testing.T) {
	c, _ := NewHS256([]Key{{Secret: benchSecret}})
	tok, _ := c.AppendSignType(nil, TypeSession, []byte(`{"counter":42,"iat":1796695095.737819666,"exp":4102444800}`))
	for range 3 {
		if _, err := c.AppendVerify(nil, tok); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.CacheStats(); st.Hits != 1 || !isCached(c, tok) {
		t.Fatalf("%+v", st)
	}
}

// The default cache holds 100 000 clients' tokens in at most 16 MiB: its entries and their lines
// and counters, as laid out.
func TestVerifyCacheDefaultSize(t *testing.T) {
	c := benchCodec(t)
	vc := c.cache
	entries := vc.buckets * cacheWays
	size := unsafe.Sizeof(*vc) + uintptr(entries)*unsafe.Sizeof(cacheSlot{}) +
		uintptr(len(vc.index))*unsafe.Sizeof(cacheIndex{}) +
		uintptr(len(vc.segs))*(unsafe.Sizeof(atomic.Pointer[cacheSegment]{})+unsafe.Sizeof(cacheSegment{}))
	if entries < DefaultVerifyCacheSize || entries < 100_000 || size > 16<<20 {
		t.Fatalf("%d entries in %d bytes", entries, size)
	}
	if unsafe.Sizeof(cacheSlot{}) != 64 || unsafe.Sizeof(cacheCounts{}) != 64 {
		t.Fatalf("entry %d bytes, counters %d", unsafe.Sizeof(cacheSlot{}), unsafe.Sizeof(cacheCounts{}))
	}
	if st := c.CacheStats(); st.Entries != entries {
		t.Fatalf("%+v", st)
	}
}

// A bucket holds eight tokens: eight tokens presented in turn all stay cached. A ninth token's
// mark takes the entry of one of them, and its second verify completes that entry, so eight of
// the nine are cached and the ninth is; a tenth token's mark then takes no complete entry while
// a mark is there to take.
func TestVerifyCacheEightWays(t *testing.T) {
	c := benchCodec(t, WithVerifyCache(8)) // one bucket
	if c.cache.buckets != 1 || len(c.cache.segs) != 1 {
		t.Fatalf("%d buckets", c.cache.buckets)
	}
	other, _ := NewHS256([]Key{{Secret: benchSecret}})
	var toks [][]byte
	for i := range 12 {
		tok, _ := other.AppendSign(nil, fmt.Appendf(nil, `{"iss":"https://auth.example.com","aud":"api.example.com","sub":"%d"}`, i))
		toks = append(toks, tok)
	}
	verify := func(toks ...[]byte) {
		t.Helper()
		for _, tok := range toks {
			if _, err := c.AppendVerify(nil, tok); err != nil {
				t.Fatal(err)
			}
		}
	}
	cached := func(toks [][]byte) (n int) {
		for _, tok := range toks {
			if isCached(c, tok) {
				n++
			}
		}
		return n
	}
	verify(toks[:8]...)
	verify(toks[:8]...)
	if n := cached(toks[:8]); n != 8 {
		t.Fatalf("%d of eight tokens of one bucket cached", n)
	}
	verify(toks[8], toks[8])
	if n := cached(toks[:9]); n != 8 || !isCached(c, toks[8]) {
		t.Fatalf("after a ninth token: %d of nine cached, the ninth %v", n, isCached(c, toks[8]))
	}
	verify(toks[9]) // marks: replaces a complete entry (no mark to take)
	if n := cached(toks[:9]); n != 7 || !isMarked(c, toks[9]) {
		t.Fatalf("after a tenth token's mark: %d of nine cached", n)
	}
	verify(toks[10]) // marks: takes the tenth's mark, not a complete entry
	if n := cached(toks[:9]); n != 7 || isMarked(c, toks[9]) || !isMarked(c, toks[10]) {
		t.Fatalf("after an eleventh token's mark: %d of nine cached, tenth marked %v", n, isMarked(c, toks[9]))
	}
}

// CacheStats counts every lookup as a hit or a miss: a token verified before is a hit, a token
// the codec has not seen (or a forgery, which is never stored) a miss.
func TestVerifyCacheStats(t *testing.T) {
	c, err := NewHS256([]Key{{Secret: benchSecret}}, WithVerifyCache(13))
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewHS256([]Key{{Secret: benchSecret}}, WithVerifyCache(0))
	if err != nil {
		t.Fatal(err)
	}
	if st := c.CacheStats(); st != (CacheStats{Entries: 16}) {
		t.Fatalf("a new codec: %+v", st)
	}
	tok, _ := other.AppendSign(nil, []byte(`{"sub":"a"}`))
	forged := append([]byte(nil), tok...)
	forged[len(forged)-2] ^= 1
	var cl Claims
	for _, v := range [][]byte{tok, tok, tok, tok, forged, forged} {
		_, _ = c.AppendVerifyClaims(nil, v, &cl)
	}
	if st := c.CacheStats(); st != (CacheStats{Hits: 2, Misses: 4, Entries: 16}) {
		t.Fatalf("after two misses (a first and a second sight), two hits and two forgeries: %+v, want 2 hits and 4 misses", st)
	}
	if st := other.CacheStats(); st != (CacheStats{}) {
		t.Fatalf("a codec without a cache: %+v", st)
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

// The entries are allocated a segment at a time, by the first insertion into it: a codec with
// the default cache that signs, and verifies tokens seen once, holds no segment (its cache costs
// the index: 2 bytes per entry); a token that comes back allocates one segment of 256 KiB, and
// the lookups that follow allocate nothing.
func TestVerifyCacheSegmentsOnDemand(t *testing.T) {
	c := benchCodec(t)
	allocated := func() (n int) {
		for i := range c.cache.segs {
			if c.cache.segs[i].Load() != nil {
				n++
			}
		}
		return n
	}
	if len(c.cache.segs) < 2 || allocated() != 0 {
		t.Fatalf("%d of %d segments allocated at the start", allocated(), len(c.cache.segs))
	}
	if size := uintptr(len(c.cache.index)) * unsafe.Sizeof(cacheIndex{}); size > 1<<20 {
		t.Errorf("the index takes %d bytes", size)
	}
	tok := benchToken(t, c)
	var cl Claims
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil || allocated() != 0 {
		t.Fatalf("a token seen once: %v, %d segments", err, allocated())
	}
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil || allocated() != 1 {
		t.Fatalf("a token seen twice: %v, %d segments", err, allocated())
	}
	if seg := c.cache.segs[c.cache.locate(tok).bucket/segBuckets].Load(); len(seg.slots)*int(unsafe.Sizeof(cacheSlot{})) != 256<<10 {
		t.Errorf("a segment of %d entries", len(seg.slots))
	}
	if raceEnabled { // sync.Pool drops objects on purpose under the race detector
		return
	}
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { _, _ = c.AppendVerifyClaims(buf[:0], tok, &cl) }); n != 0 || !isCached(c, tok) {
		t.Errorf("a cached token: %v allocations, cached %v", n, isCached(c, tok))
	}
}
