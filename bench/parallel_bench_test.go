package bench

import (
	"sync/atomic"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// BenchmarkParallel runs verify and sign on every CPU of -cpu (RunParallel), one codec shared by
// all goroutines as in a server: with -cpu 1,2 the ratio of the two shows whether anything on the
// path (the verified-token cache, its counters, the MAC's pooled states) keeps a second core
// from adding throughput. The many-users row gives each goroutine its own stride through the
// 100 000 clients' tokens.
func BenchmarkParallel(b *testing.B) {
	b.Run("verify-repeated", func(b *testing.B) {
		c := newCodec()
		m := startCores()
		defer m.stop(b)
		b.RunParallel(func(pb *testing.PB) {
			buf := make([]byte, 0, 512)
			for pb.Next() {
				if _, err := c.AppendVerify(buf[:0], token); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	for _, v := range []struct {
		name string
		opts []fastjwt.Option
	}{{"verify-100000-clients", nil}, {"verify-nocache-100000-clients", []fastjwt.Option{fastjwt.WithVerifyCache(0)}}} {
		b.Run(v.name, func(b *testing.B) {
			toks := manyTokens()
			c := newCodec(v.opts...)
			for _, tok := range toks {
				for range 2 {
					if _, err := c.AppendVerify(nil, tok); err != nil {
						b.Fatal(err)
					}
				}
			}
			var next atomic.Int64
			b.ResetTimer()
			m := startCores()
			defer m.stop(b)
			b.RunParallel(func(pb *testing.PB) {
				buf := make([]byte, 0, 512)
				i := int(next.Add(7919)) % len(toks)
				for pb.Next() {
					if _, err := c.AppendVerify(buf[:0], toks[i]); err != nil {
						b.Error(err)
						return
					}
					if i++; i == len(toks) {
						i = 0
					}
				}
			})
		})
	}
	b.Run("sign", func(b *testing.B) {
		c := newCodec()
		m := startCores()
		defer m.stop(b)
		b.RunParallel(func(pb *testing.PB) {
			buf := make([]byte, 0, 512)
			for pb.Next() {
				if _, err := c.AppendSign(buf[:0], payloadJSON); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
