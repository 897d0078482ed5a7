package revoke_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/revoke"
)

// The check beside the verify it follows, in one run: the token of fastjwt's own benchmarks
// (about 200 bytes of claims, a UUID "jti"), and a list holding 10,000 revoked "jti"s and
// 10,000 subject epochs, none of which names the token.

var benchPayload = []byte(`{"sub":"1234567890","name":"John Doe","admin":true,"iat":1700000000,` +
	`"exp":4102444800,"iss":"https://auth.example.com","aud":"api.example.com",` +
	`"jti":"b6d3f1e2-9a4c-4f5e-8d7b-0c1a2b3c4d5e","roles":["reader","writer"],"counter":42}`)

func benchCodec(tb testing.TB) (*fastjwt.Codec, []byte) {
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte("bench-secret-0123456789abcdefghij")}},
		fastjwt.WithIssuer("https://auth.example.com"), fastjwt.WithAudience("api.example.com"),
		fastjwt.WithClock(func() time.Time { return t0.Add(100 * time.Second) }))
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := c.AppendSign(nil, benchPayload)
	if err != nil {
		tb.Fatal(err)
	}
	return c, tok
}

func benchList(tb testing.TB) *revoke.Memory {
	l := revoke.NewMemory(revoke.MemoryOptions{})
	ctx := context.Background()
	for i := range 10000 {
		if err := l.RevokeToken(ctx, fmt.Sprintf("%08x-0000-4000-8000-000000000000", i), time.Now().Add(time.Hour)); err != nil {
			tb.Fatal(err)
		}
		if err := l.RevokeSubject(ctx, fmt.Sprint("user-", i), time.Now(), time.Now().Add(time.Hour)); err != nil {
			tb.Fatal(err)
		}
	}
	return l
}

// BenchmarkVerify is the verify the check follows (the verified-token cache on, as by default).
func BenchmarkVerify(b *testing.B) {
	c, tok := benchCodec(b)
	buf := make([]byte, 0, 512)
	var cl fastjwt.Claims
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = c.AppendVerifyClaims(buf[:0], tok, &cl); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemoryRevoked is the "not revoked" check alone: two lookups ("jti" and "sub"), with
// no lock. The target is 50 ns, 0 allocations.
func BenchmarkMemoryRevoked(b *testing.B) {
	c, tok := benchCodec(b)
	var cl fastjwt.Claims
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil {
		b.Fatal(err)
	}
	l := benchList(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r, err := l.Revoked(ctx, &cl); r || err != nil {
			b.Fatal(r, err)
		}
	}
}

// BenchmarkMemoryRevokedParallel is the same check on every core at once.
func BenchmarkMemoryRevokedParallel(b *testing.B) {
	c, tok := benchCodec(b)
	var cl fastjwt.Claims
	if _, err := c.AppendVerifyClaims(nil, tok, &cl); err != nil {
		b.Fatal(err)
	}
	l := benchList(b)
	ctx := context.Background()
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

// BenchmarkVerifyMemoryRevoked is what a request pays: the verify, then the check.
func BenchmarkVerifyMemoryRevoked(b *testing.B) {
	c, tok := benchCodec(b)
	l := benchList(b)
	ctx := context.Background()
	buf := make([]byte, 0, 512)
	var cl fastjwt.Claims
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = c.AppendVerifyClaims(buf[:0], tok, &cl); err != nil {
			b.Fatal(err)
		}
		if r, err := l.Revoked(ctx, &cl); r || err != nil {
			b.Fatal(r, err)
		}
	}
}

// The realistic workload: many clients, each with its own token (its own "jti" and "sub"),
// checked in turn against a list of 100,000 revoked "jti"s and 10,000 subject epochs, none of
// which names them. Unlike the single token above, the entries a check visits are not all in
// the CPU's nearest cache.
const (
	manyClients    = 10000
	manyRevokedJTI = 100000
	manyRevokedSub = 10000
)

func manyTokens(tb testing.TB, c *fastjwt.Codec) [][]byte {
	toks := make([][]byte, manyClients)
	for i := range toks {
		p := fmt.Appendf(nil, `{"sub":"user-%07d@example.com","name":"John Doe","admin":true,"iat":1700000000,`+
			`"exp":4102444800,"iss":"https://auth.example.com","aud":"api.example.com",`+
			`"jti":"%08x-9a4c-4f5e-8d7b-0c1a2b3c4d5e","roles":["reader","writer"],"counter":42}`, i, i)
		var err error
		if toks[i], err = c.AppendSign(nil, p); err != nil {
			tb.Fatal(err)
		}
	}
	return toks
}

func manyClaims(tb testing.TB, c *fastjwt.Codec, toks [][]byte) []fastjwt.Claims {
	cls := make([]fastjwt.Claims, len(toks))
	for i, tok := range toks {
		if _, err := c.AppendVerifyClaims(nil, tok, &cls[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return cls
}

func manyList(tb testing.TB) *revoke.Memory {
	l := revoke.NewMemory(revoke.MemoryOptions{})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	for i := range manyRevokedJTI {
		if err := l.RevokeToken(ctx, fmt.Sprintf("%08x-0000-4000-8000-000000000000", i), exp); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range manyRevokedSub {
		if err := l.RevokeSubject(ctx, fmt.Sprintf("revoked-%07d@example.com", i), time.Now(), exp); err != nil {
			tb.Fatal(err)
		}
	}
	return l
}

// BenchmarkVerifyMany is the verify of the many clients' tokens in turn (the codec's default
// verified-token cache, which holds fewer tokens than there are clients).
func BenchmarkVerifyMany(b *testing.B) {
	c, _ := benchCodec(b)
	toks := manyTokens(b, c)
	buf := make([]byte, 0, 512)
	var cl fastjwt.Claims
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var err error
		if buf, err = c.AppendVerifyClaims(buf[:0], toks[i], &cl); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(toks) {
			i = 0
		}
	}
}

// BenchmarkMemoryRevokedMany is the "not revoked" check of the many clients' tokens in turn.
// The target is 50 ns, 0 allocations.
func BenchmarkMemoryRevokedMany(b *testing.B) {
	c, _ := benchCodec(b)
	cls := manyClaims(b, c, manyTokens(b, c))
	l := manyList(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if r, err := l.Revoked(ctx, &cls[i]); r || err != nil {
			b.Fatal(r, err)
		}
		if i++; i == len(cls) {
			i = 0
		}
	}
}

// BenchmarkMemoryRevokedManyParallel is the same on every core at once.
func BenchmarkMemoryRevokedManyParallel(b *testing.B) {
	c, _ := benchCodec(b)
	cls := manyClaims(b, c, manyTokens(b, c))
	l := manyList(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if r, err := l.Revoked(ctx, &cls[i]); r || err != nil {
				b.Error(r, err)
				return
			}
			if i++; i == len(cls) {
				i = 0
			}
		}
	})
}
