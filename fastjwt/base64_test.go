package fastjwt

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// appendBase64 must be encoding/base64's unpadded base64url, for every length around its 24-byte
// vector steps, 6-byte blocks and 8-byte loads, every byte value in every position of the first
// two vector steps and the scalar blocks after them, and after whatever dst already holds.
func TestAppendBase64MatchesStdlib(t *testing.T) {
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(i*151 + 17) // every byte value within the first 256
	}
	prefix := []byte("prefix.")
	for n := 0; n <= len(src); n++ {
		for _, dst := range [][]byte{nil, prefix, make([]byte, 0, 1024)} {
			got := appendBase64(bytes.Clone(dst), src[:n])
			want := base64.RawURLEncoding.AppendEncode(bytes.Clone(dst), src[:n])
			if !bytes.Equal(got, want) {
				t.Fatalf("%d bytes after %q: %q, want %q", n, dst, got, want)
			}
			if back, ok := appendDecodeBase64(nil, got[len(dst):]); !ok || !bytes.Equal(back, src[:n]) {
				t.Fatalf("%d bytes: the encoding does not decode back", n)
			}
		}
	}
	t.Logf("vector encode: %v", hasAVX2)
	for c := range 256 {
		for pos := range 64 {
			b := bytes.Repeat([]byte{0xa5}, 64)
			b[pos] = byte(c)
			if got, want := appendBase64(nil, b), base64.RawURLEncoding.EncodeToString(b); string(got) != want {
				t.Fatalf("byte %#x at %d: %q, want %q", c, pos, got, want)
			}
		}
	}
}

func BenchmarkEncodeBase64(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(benchClaims)))
	for b.Loop() {
		buf = appendBase64(buf[:0], benchClaims)
	}
}

func BenchmarkEncodeBase64Stdlib(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(benchClaims)))
	for b.Loop() {
		buf = base64.RawURLEncoding.AppendEncode(buf[:0], benchClaims)
	}
}

// strictReference is the decoder appendDecodeBase64 must equal: encoding/base64's strict
// unpadded base64url, which also refuses CR and LF (the standard library skips them).
func strictReference(src []byte) ([]byte, bool) {
	if bytes.ContainsAny(src, "\r\n") {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(string(src))
	return b, err == nil
}

// Every byte value at every position of the first three 32-character steps of the vector decode
// (decodeBase64AVX2 where the CPU has AVX2) and of the scalar code after it, in texts of lengths
// that end a step exactly, leave a scalar remainder, or end in a 2- or 3-character tail.
func TestDecodeBase64EveryByteEveryPosition(t *testing.T) {
	t.Logf("vector decode: %v", hasAVX2)
	plain := make([]byte, 120)
	for i := range plain {
		plain[i] = byte(i*37 + 11)
	}
	for _, n := range []int{24, 47, 48, 49, 72, 90, 96, 119} {
		src := appendBase64(nil, plain[:n])
		for pos := range src {
			for c := range 256 {
				mut := bytes.Clone(src)
				mut[pos] = byte(c)
				got, ok := appendDecodeBase64([]byte("x"), mut)
				want, wantOK := strictReference(mut)
				if ok != wantOK || (ok && !bytes.Equal(got[1:], want)) || (!ok && string(got) != "x") {
					t.Fatalf("%d bytes, %#x at %d: %x %v, want %x %v", n, c, pos, got, ok, want, wantOK)
				}
			}
		}
	}
	for n := 0; n <= len(plain); n++ {
		src := appendBase64(nil, plain[:n])
		if got, ok := appendDecodeBase64(nil, src); !ok || !bytes.Equal(got, plain[:n]) {
			t.Fatalf("%d bytes: %x %v", n, got, ok)
		}
	}
}
