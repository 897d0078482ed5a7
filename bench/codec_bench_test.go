package bench

import (
	"fmt"
	"testing"

	stdsha256 "crypto/sha256"

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
