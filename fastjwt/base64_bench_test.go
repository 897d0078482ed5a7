package fastjwt

import (
	"encoding/base64"
	"testing"
)

// The payload decode is part of every verify; these compare it with the standard library's.
func BenchmarkDecodeBase64(b *testing.B) {
	src := appendBase64(nil, benchClaims)
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		buf, _ = appendDecodeBase64(buf[:0], src)
	}
}

func BenchmarkDecodeBase64Stdlib(b *testing.B) {
	src := appendBase64(nil, benchClaims)
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		buf, _ = base64.RawURLEncoding.AppendDecode(buf[:0], src)
	}
}
