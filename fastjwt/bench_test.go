package fastjwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"testing"
	"time"
)

// The workload of the benchmarks: about 200 bytes of claims, iss and aud checked, as a gateway
// or session middleware verifies on every request.
var (
	benchSecret = []byte("bench-secret-0123456789abcdefghij")
	benchClaims = []byte(`{"sub":"1234567890","name":"John Doe","admin":true,"iat":1700000000,` +
		`"exp":4102444800,"iss":"https://auth.example.com","aud":"api.example.com",` +
		`"jti":"b6d3f1e2-9a4c-4f5e-8d7b-0c1a2b3c4d5e","roles":["reader","writer"],"counter":42}`)
	benchNow = time.Unix(1700000100, 0)
)

func benchCodec(tb testing.TB, opts ...Option) *Codec {
	opts = append([]Option{WithIssuer("https://auth.example.com"), WithAudience("api.example.com"),
		WithClock(func() time.Time { return benchNow })}, opts...)
	c, err := NewHS256([]Key{{Secret: benchSecret}}, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func benchToken(tb testing.TB, c *Codec) []byte {
	tok, err := c.AppendSign(nil, benchClaims)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func BenchmarkSign(b *testing.B) {
	c := benchCodec(b)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = c.AppendSign(buf[:0], benchClaims)
	}
}

// BenchmarkVerify verifies the same token again and again, as a server does for a client that
// sends its token with every request: after the first, the verify cache skips the JSON scan.
func BenchmarkVerify(b *testing.B) { benchVerify(b, benchCodec(b)) }

// BenchmarkVerifyUncached is a verify that does all its work: the first sight of a token, or a
// codec without the verify cache.
func BenchmarkVerifyUncached(b *testing.B) { benchVerify(b, benchCodec(b, WithVerifyCache(0))) }

func benchVerify(b *testing.B, c *Codec) {
	tok := benchToken(b, c)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(tok)))
	for b.Loop() {
		var err error
		if buf, err = c.AppendVerify(buf[:0], tok); err != nil {
			b.Fatal(err)
		}
	}
}

type benchStruct struct {
	Sub     string   `json:"sub"`
	Name    string   `json:"name"`
	Admin   bool     `json:"admin"`
	Iat     int64    `json:"iat"`
	Exp     int64    `json:"exp"`
	Iss     string   `json:"iss"`
	Aud     string   `json:"aud"`
	Jti     string   `json:"jti"`
	Roles   []string `json:"roles"`
	Counter int      `json:"counter"`
}

func BenchmarkVerifyTyped(b *testing.B) {
	c := benchCodec(b)
	tok := benchToken(b, c)
	b.ReportAllocs()
	for b.Loop() {
		var v benchStruct
		if err := Decode(c, tok, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloor is what any verify that returns the payload costs with the standard library's
// primitives: a reused HMAC over the signing input, the signature's base64url decode, a
// constant-time compare, and the payload's base64url decode. Verify is judged as a ratio to it.
func BenchmarkFloor(b *testing.B) {
	c := benchCodec(b)
	tok := benchToken(b, c)
	d1, d2 := indexDots(tok)
	mac := hmac.New(sha256.New, benchSecret)
	var sum, sig [32]byte
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		mac.Reset()
		mac.Write(tok[:d2])
		mac.Sum(sum[:0])
		if _, err := base64.RawURLEncoding.Decode(sig[:], tok[d2+1:]); err != nil {
			b.Fatal(err)
		}
		if subtle.ConstantTimeCompare(sum[:], sig[:]) != 1 {
			b.Fatal("mac")
		}
		var err error
		if buf, err = base64.RawURLEncoding.AppendDecode(buf[:0], tok[d1+1:d2]); err != nil {
			b.Fatal(err)
		}
	}
}

func indexDots(tok []byte) (int, int) {
	d1, d2 := -1, -1
	for i, c := range tok {
		if c == '.' {
			if d1 < 0 {
				d1 = i
			} else {
				d2 = i
			}
		}
	}
	return d1, d2
}
