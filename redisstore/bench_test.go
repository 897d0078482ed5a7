package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
)

// The check against Redis beside the verify it follows, in one run, against the local
// redis-server that TestMain started: a cache hit (the common case: a token seen before on this
// node), a cache miss (a token seen for the first time: one round trip), and a write.

var benchPayload = `{"sub":"1234567890","name":"John Doe","admin":true,"iat":%d,` +
	`"exp":%d,"iss":"https://auth.example.com","aud":"api.example.com",` +
	`"jti":"%s","roles":["reader","writer"],"counter":42}`

func benchToken(tb testing.TB, c *fastjwt.Codec, jti string) []byte {
	now := time.Now().Unix()
	tok, err := c.AppendSign(nil, fmt.Appendf(nil, benchPayload, now, now+3600, jti))
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func benchCodec(tb testing.TB) *fastjwt.Codec {
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("bench-secret-0123456789abcdefghij")}},
		fastjwt.WithIssuer("https://auth.example.com"), fastjwt.WithAudience("api.example.com"))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// BenchmarkVerify is the verify the check follows, for the ratio.
func BenchmarkVerify(b *testing.B) {
	c := benchCodec(b)
	tok := benchToken(b, c, "b6d3f1e2-9a4c-4f5e-8d7b-0c1a2b3c4d5e")
	buf := make([]byte, 0, 512)
	var cl fastjwt.Claims
	m := startCPU(b)
	for b.Loop() {
		var err error
		if buf, err = c.AppendVerifyClaims(buf[:0], tok, &cl); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

// BenchmarkRevokedCacheHit is a "not revoked" check whose three keys are in the client-side
// cache. The target is 150 ns.
func BenchmarkRevokedCacheHit(b *testing.B) {
	needRedis(b)
	l := dial(b, shared, Options{}).List()
	c := benchCodec(b)
	var cl fastjwt.Claims
	if _, err := c.AppendVerifyClaims(nil, benchToken(b, c, "b6d3f1e2-9a4c-4f5e-8d7b-0c1a2b3c4d5e"), &cl); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if r, err := l.Revoked(ctx, &cl); r || err != nil {
		b.Fatal(r, err)
	}
	m := startCPU(b)
	for b.Loop() {
		if r, err := l.Revoked(ctx, &cl); r || err != nil {
			b.Fatal(r, err)
		}
	}
	m.stop(b)
}

// BenchmarkRevokedCacheHitParallel is the same check on every core at once.
func BenchmarkRevokedCacheHitParallel(b *testing.B) {
	needRedis(b)
	l := dial(b, shared, Options{}).List()
	c := benchCodec(b)
	var cl fastjwt.Claims
	if _, err := c.AppendVerifyClaims(nil, benchToken(b, c, "b6d3f1e2-9a4c-4f5e-8d7b-0c1a2b3c4d5e"), &cl); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	l.Revoked(ctx, &cl)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r, err := l.Revoked(ctx, &cl); r || err != nil {
				b.Error(r, err)
				return
			}
		}
	})
}

// BenchmarkRevokedCacheMiss is the check of a token seen for the first time: its "jti" key is
// not cached (the global and subject keys are), so the check makes one round trip.
func BenchmarkRevokedCacheMiss(b *testing.B) {
	needRedis(b)
	l := dial(b, shared, Options{}).List()
	c := benchCodec(b)
	ctx := context.Background()
	toks := make([]fastjwt.Claims, b.N)
	for i := range toks {
		if _, err := c.AppendVerifyClaims(nil, benchToken(b, c, fmt.Sprint("miss-", i, "-", time.Now().UnixNano())), &toks[i]); err != nil {
			b.Fatal(err)
		}
	}
	if len(toks) > 0 {
		l.Revoked(ctx, &toks[0])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if r, err := l.Revoked(ctx, &toks[i]); r || err != nil {
			b.Fatal(r, err)
		}
	}
}

// BenchmarkUpdate is a write of one field of a session (and its expiry): one round trip.
func BenchmarkUpdate(b *testing.B) {
	needRedis(b)
	s := dial(b, shared, Options{}).Store()
	ctx := context.Background()
	set := fields("count", "42")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Update(ctx, "bench", set, nil, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCacheHit is a read of a cached session of three fields.
func BenchmarkLoadCacheHit(b *testing.B) {
	needRedis(b)
	s := dial(b, shared, Options{}).Store()
	ctx := context.Background()
	if err := s.Update(ctx, "bench", fields("count", "42", "user", `"ann"`, "cart", "[]"), nil, time.Hour); err != nil {
		b.Fatal(err)
	}
	nop := func(string, []byte) {}
	s.Load(ctx, "bench", nop)
	b.ReportAllocs()
	for b.Loop() {
		if found, err := s.Load(ctx, "bench", nop); !found || err != nil {
			b.Fatal(found, err)
		}
	}
}

// benchClients is the number of distinct tokens of the many-clients benchmarks.
const benchClients = 10000

// clientClaims returns the verified claims of benchClients distinct tokens, each with its own
// "jti" and "sub".
func clientClaims(tb testing.TB, c *fastjwt.Codec) []fastjwt.Claims {
	cls := make([]fastjwt.Claims, benchClients)
	now := time.Now().Unix()
	for i := range cls {
		p := fmt.Appendf(nil, `{"sub":"user-%d","name":"John Doe","admin":true,"iat":%d,"exp":%d,`+
			`"iss":"https://auth.example.com","aud":"api.example.com",`+
			`"jti":"3f2c9a1e-7b4d-4e8a-9c1f-%012d","roles":["reader","writer"],"counter":42}`, i, now, now+3600, i)
		tok, err := c.AppendSign(nil, p)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := c.AppendVerifyClaims(nil, tok, &cls[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return cls
}

// BenchmarkRevokedCacheHitMany is the check of 10,000 clients' tokens in turn, each seen once
// before (its keys cached on this node): the realistic form of BenchmarkRevokedCacheHit.
func BenchmarkRevokedCacheHitMany(b *testing.B) {
	needRedis(b)
	l := dial(b, shared, Options{}).List()
	cls := clientClaims(b, benchCodec(b))
	ctx := context.Background()
	for i := range cls {
		if r, err := l.Revoked(ctx, &cls[i]); r || err != nil {
			b.Fatal(r, err)
		}
	}
	runtime.GC()
	m := startCPU(b)
	i := 0
	for b.Loop() {
		if r, err := l.Revoked(ctx, &cls[i]); r || err != nil {
			b.Fatal(r, err)
		}
		if i++; i == len(cls) {
			i = 0
		}
	}
	m.stop(b)
}

// BenchmarkRevokeToken is a revocation of one token: one round trip (the merge script).
func BenchmarkRevokeToken(b *testing.B) {
	needRedis(b)
	l := dial(b, shared, Options{}).List()
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := l.RevokeToken(ctx, fmt.Sprint("bench-revoke-", i), exp); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAliveCacheHit is the liveness check of a session id on every request (Store.Alive),
// answered from the Store's own cache, beside BenchmarkVerify.
func BenchmarkAliveCacheHit(b *testing.B) {
	needRedis(b)
	s := dial(b, shared, Options{}).Store()
	ctx := context.Background()
	if err := s.Update(ctx, "alive-bench", fields("count", "42"), nil, time.Hour); err != nil {
		b.Fatal(err)
	}
	if ok, err := s.Alive(ctx, "alive-bench"); !ok || err != nil {
		b.Fatal(ok, err)
	}
	m := startCPU(b)
	for b.Loop() {
		if ok, err := s.Alive(ctx, "alive-bench"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	m.stop(b)
}

// BenchmarkFamilyStart is the record of a new family (an obtain): one round trip (a script).
func BenchmarkFamilyStart(b *testing.B) {
	needRedis(b)
	f := dial(b, shared, Options{}).Families()
	ctx := context.Background()
	now := time.Now()
	run := rand.Text() // ids of this run: a family id is never taken twice
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		fam := issuing.Family{ID: fmt.Sprint("bench-start-", run, i), Subject: "ann", Start: now, End: now.Add(time.Hour),
			Grace: time.Second, First: issuing.Generation{Refresh: "r", Access: "a", Issued: now, AccessExpires: now.Add(15 * time.Minute)}}
		if err := f.Start(ctx, fam); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkFamilyRotate is one rotation (a refresh): one round trip (a script), on families
// of up to 100 generations.
func BenchmarkFamilyRotate(b *testing.B) {
	needRedis(b)
	f := dial(b, shared, Options{}).Families()
	ctx := context.Background()
	var fam issuing.Family
	cur := ""
	run := rand.Text()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		now := time.Now()
		if i%100 == 0 {
			b.StopTimer()
			fam = issuing.Family{ID: fmt.Sprint("bench-rotate-", run, i), Subject: "ann", Start: now, End: now.Add(time.Hour),
				First: issuing.Generation{Refresh: "r0", Access: "a0", Issued: now, AccessExpires: now.Add(time.Nanosecond)}}
			if err := f.Start(ctx, fam); err != nil {
				b.Fatal(err)
			}
			cur = "r0"
			b.StartTimer()
		}
		next := issuing.Generation{Refresh: fmt.Sprint("r", i+1), Access: fmt.Sprint("a", i+1), Issued: now, AccessExpires: now.Add(time.Nanosecond)}
		r, err := f.Rotate(ctx, issuing.Rotate{Family: fam.ID, Presented: cur, Now: now.Add(time.Microsecond), Next: next, Grace: 10 * time.Second})
		if err != nil || r.Outcome != issuing.Rotated {
			b.Fatal(r.Outcome, err)
		}
		cur = next.Refresh
		i++
	}
}

// benchIssuer is an Issuer on families (Redis or memory) and the Redis list, its codec HS256.
func benchIssuer(b *testing.B, families issuing.Families, list *List) *issuing.Issuer {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: issuerSecret}}, fastjwt.WithIssuer("https://issuer.test"), fastjwt.WithAudience("api"))
	if err != nil {
		b.Fatal(err)
	}
	iss, err := issuing.New(issuing.Config{Codec: codec, Issuer: "https://issuer.test", Audience: "api",
		Families: families, Revocations: list, Authenticate: authenticateAnn})
	if err != nil {
		b.Fatal(err)
	}
	return iss
}

var benchLogin = issuing.Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: []byte("username=ann&password=s3cret")}

// benchFamilies runs fn with the families on Redis and in memory (the reference), beside one
// Redis list.
func benchFamilies(b *testing.B, fn func(b *testing.B, iss *issuing.Issuer)) {
	needRedis(b)
	r := dial(b, shared, Options{})
	b.Run("redis", func(b *testing.B) { fn(b, benchIssuer(b, r.Families(), r.List())) })
	b.Run("memory", func(b *testing.B) { fn(b, benchIssuer(b, issuing.NewMemory(issuing.MemoryOptions{}), r.List())) })
}

// BenchmarkIssuerObtain is a login: the credentials' check (the test's, constant-time), two
// tokens signed, the family started.
func BenchmarkIssuerObtain(b *testing.B) {
	benchFamilies(b, func(b *testing.B, iss *issuing.Issuer) {
		b.ReportAllocs()
		for b.Loop() {
			if a := iss.Obtain(context.Background(), benchLogin); a.Status != 200 {
				b.Fatalf("%d %s", a.Status, a.Body)
			}
		}
	})
}

// BenchmarkIssuerRefresh is a refresh: the refresh token verified and checked against the
// list, the family rotated, two tokens signed; a new login every 20 refreshes (outside the
// timer), so that no family holds more than DefaultMaxLive access tokens.
func BenchmarkIssuerRefresh(b *testing.B) {
	benchFamilies(b, func(b *testing.B, iss *issuing.Issuer) {
		var tok string
		next := func(body []byte) {
			var a struct {
				Refresh string `json:"refresh_token"`
			}
			if err := json.Unmarshal(body, &a); err != nil || a.Refresh == "" {
				b.Fatalf("%s: %v", body, err)
			}
			tok = a.Refresh
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i%20 == 0 {
				b.StopTimer()
				next(iss.Obtain(context.Background(), benchLogin).Body)
				b.StartTimer()
			}
			a := iss.Refresh(context.Background(), issuing.Request{Method: "POST", ContentType: "application/x-www-form-urlencoded",
				Body: []byte("refresh_token=" + tok)})
			if a.Status != 200 {
				b.Fatalf("%d %s", a.Status, a.Body)
			}
			b.StopTimer()
			next(a.Body)
			b.StartTimer()
			i++
		}
	})
}
