package bench

import (
	"fmt"
	"testing"

	stdsha256 "crypto/sha256"

	"github.com/fastjwt/session/fastjwt"
	simd "github.com/minio/sha256-simd"
)

// BenchmarkVerify verifies the shared token with every contender, then runs the floors.
func BenchmarkVerify(b *testing.B) {
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			verify, _ := c.verifier(token)
			m := startCPU(b)
			for b.Loop() {
				if err := verify(); err != nil {
					b.Fatal(err)
				}
			}
			m.stop(b)
		})
	}
	b.Run("floor", func(b *testing.B) {
		f := newFloor()
		m := startCPU(b)
		for b.Loop() {
			if _, err := f.verify(token); err != nil {
				b.Fatal(err)
			}
		}
		m.stop(b)
	})
	benchManyUsers(b)
	for _, backend := range []struct {
		name string
		simd bool
	}{{"hmac-stdlib", false}, {"hmac-simd", true}} {
		b.Run(backend.name, func(b *testing.B) {
			h := newHMACOnly(backend.simd)
			m := startCPU(b)
			for b.Loop() {
				h.run()
			}
			m.stop(b)
		})
	}
}

// BenchmarkSign signs the shared claims with every contender.
func BenchmarkSign(b *testing.B) {
	for _, c := range contenders {
		if c.signer == nil {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			sign := c.signer()
			m := startCPU(b)
			for b.Loop() {
				if _, err := sign(); err != nil {
					b.Fatal(err)
				}
			}
			m.stop(b)
		})
	}
}

// BenchmarkSHA256 is raw SHA-256 with both backends: the standard library (which uses the SHA
// extensions where the CPU has them) and github.com/minio/sha256-simd, which the codec uses.
func BenchmarkSHA256(b *testing.B) {
	for _, size := range []int{64, 256, 1024, 8192} {
		data := make([]byte, size)
		b.Run(fmt.Sprintf("stdlib/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			m := startCPU(b)
			for b.Loop() {
				stdsha256.Sum256(data)
			}
			m.stop(b)
		})
		b.Run(fmt.Sprintf("simd/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			m := startCPU(b)
			for b.Loop() {
				simd.Sum256(data)
			}
			m.stop(b)
		})
	}
}

// benchManyUsers is the many-users workload (manyusers_test.go): 10 000 and 100 000 clients
// presenting their own tokens in turn, through the default cache (each token admitted first by
// its first two verifies), without a cache, and the floor over the same tokens.
func benchManyUsers(b *testing.B) {
	toks := manyTokens()
	for _, n := range []int{10_000, manyUsers} {
		for _, v := range []struct {
			name string
			opts []fastjwt.Option
		}{{"fastjwt", nil}, {"fastjwt-nocache", []fastjwt.Option{fastjwt.WithVerifyCache(0)}}} {
			b.Run(fmt.Sprintf("%s-%d-clients", v.name, n), func(b *testing.B) {
				c := newCodec(v.opts...)
				for _, tok := range toks[:n] {
					for range 2 {
						if _, err := c.AppendVerify(nil, tok); err != nil {
							b.Fatal(err)
						}
					}
				}
				run := manyVerify("", c, toks, n).run
				m := startCPU(b)
				for b.Loop() {
					if err := run(); err != nil {
						b.Fatal(err)
					}
				}
				m.stop(b)
			})
		}
		b.Run(fmt.Sprintf("floor-%d-clients", n), func(b *testing.B) {
			run := floorOver("", toks, n).run
			m := startCPU(b)
			for b.Loop() {
				if err := run(); err != nil {
					b.Fatal(err)
				}
			}
			m.stop(b)
		})
	}
}
