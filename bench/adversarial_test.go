package bench

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// Hostile tokens must be refused in time close to the floor's and without allocating: the
// codec's split is bounded (IndexByte, never strings.Split), the header has its own small cap,
// and nothing is decoded before it is needed.

type hostile struct {
	name string
	tok  []byte
	want error // the sentinel the codec must answer with
}

func hostileTokens() []hostile {
	max := fastjwt.DefaultMaxTokenSize
	body := token[bytes.IndexByte(token, '.'):] // ".payload.signature" of the shared token

	// A header of valid base64url JSON, padded with a long member so the whole token is exactly at
	// the size cap (the cap itself is not what refuses it).
	pad := max - len(body) - base64.RawURLEncoding.EncodedLen(len(`{"alg":"HS256","x":""}`))
	pad = pad / 4 * 3
	hdr := `{"alg":"HS256","x":"` + strings.Repeat("a", pad) + `"}`
	bigHeader := append([]byte(base64.RawURLEncoding.EncodeToString([]byte(hdr))), body...)

	return []hostile{
		{"dots-64KiB", bytes.Repeat([]byte("."), max), fastjwt.ErrMalformed},
		{"header-64KiB", bigHeader, fastjwt.ErrMalformed},
		{"segments-10000", bytes.Repeat([]byte("a."), 10000)[:20000-1], fastjwt.ErrMalformed},
		{"oversize-64KiB+1", bytes.Repeat([]byte("a"), max+1), fastjwt.ErrTooLarge},
		{"bad-signature", tamper(token), fastjwt.ErrSignature},
	}
}

func TestHostileTokens(t *testing.T) {
	c := newCodec()
	buf := make([]byte, 0, 512)
	for _, h := range hostileTokens() {
		t.Run(h.name, func(t *testing.T) {
			if len(h.tok) > fastjwt.DefaultMaxTokenSize && !errors.Is(h.want, fastjwt.ErrTooLarge) {
				t.Fatalf("test token of %d bytes is over the cap", len(h.tok))
			}
			_, err := c.AppendVerify(buf[:0], h.tok)
			if !errors.Is(err, h.want) {
				t.Fatalf("AppendVerify = %v, want %v", err, h.want)
			}
			if n := testing.AllocsPerRun(100, func() { _, _ = c.AppendVerify(buf[:0], h.tok) }); n != 0 {
				t.Fatalf("refusing allocates %v times", n)
			}
		})
	}
}

// BenchmarkReject times the refusal of each hostile token; compare with BenchmarkVerify/fastjwt.
func BenchmarkReject(b *testing.B) {
	c := newCodec()
	buf := make([]byte, 0, 512)
	for _, h := range hostileTokens() {
		b.Run(h.name, func(b *testing.B) {
			m := startCPU(b)
			for b.Loop() {
				if _, err := c.AppendVerify(buf[:0], h.tok); err == nil {
					b.Fatal("accepted")
				}
			}
			m.stop(b)
		})
	}
}
