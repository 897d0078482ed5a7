package fastjwt

import (
	"fmt"
	"testing"
)

// manyTokens returns n distinct tokens of the benchmark's claims (each with its own "jti"),
// signed by c.
func manyTokens(tb testing.TB, c *Codec, n int) [][]byte {
	toks := make([][]byte, n)
	for i := range toks {
		payload := fmt.Appendf(nil, `{"sub":"1234567890","name":"John Doe","admin":true,"iat":1700000000,`+
			`"exp":4102444800,"iss":"https://auth.example.com","aud":"api.example.com",`+
			`"jti":"b6d3f1e2-9a4c-4f5e-8d7b-%012d","roles":["reader","writer"],"counter":42}`, i)
		tok, err := c.AppendSign(nil, payload)
		if err != nil {
			tb.Fatal(err)
		}
		toks[i] = tok
	}
	return toks
}

// BenchmarkVerifyManyUsers verifies the tokens of many clients in turn, each presenting its own
// token, through the default cache, and without one; and, as "miss", through a cache much smaller
// than the clients, where every lookup misses and every verify is stored.
func BenchmarkVerifyManyUsers(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, cache := range []struct {
			name string
			opts []Option
		}{{"cache", nil}, {"small", []Option{WithVerifyCache(2 * n)}}, {"nocache", []Option{WithVerifyCache(0)}}, {"miss", []Option{WithVerifyCache(1024)}}} {
			b.Run(fmt.Sprintf("%d/%s", n, cache.name), func(b *testing.B) {
				c := benchCodec(b, cache.opts...)
				toks := manyTokens(b, c, n)
				buf := make([]byte, 0, 512)
				for _, tok := range toks { // every token seen twice: admitted
					for range 2 {
						_, _ = c.AppendVerify(buf[:0], tok)
					}
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					var err error
					if buf, err = c.AppendVerify(buf[:0], toks[i]); err != nil {
						b.Fatal(err)
					}
					if i++; i == len(toks) {
						i = 0
					}
				}
				if st := c.CacheStats(); st.Entries > 0 {
					b.ReportMetric(float64(st.Hits)/float64(st.Hits+st.Misses), "hitrate")
				}
			})
		}
	}
}
