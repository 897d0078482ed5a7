//go:debug fips140=on

package fipstest

import (
	"crypto/fips140"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

func TestFIPSMode(t *testing.T) {
	if !fips140.Enabled() {
		t.Fatal("FIPS 140 mode is not on: the //go:debug line did not take effect")
	}
	secret := []byte("fips-mode-secret-0123456789abcdefgh")
	c, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.AppendSign(nil, []byte(`{"sub":"42"}`))
	if err != nil {
		t.Fatal(err)
	}
	// The MAC is HMAC-SHA256 as crypto/hmac computes it.
	parts := strings.Split(string(tok), ".")
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if want := base64.RawURLEncoding.EncodeToString(m.Sum(nil)); parts[2] != want {
		t.Fatalf("signature %s, want %s", parts[2], want)
	}
	if p, err := c.AppendVerify(nil, tok); err != nil || string(p) != `{"sub":"42"}` {
		t.Fatalf("verify: %q %v", p, err)
	}
	tok[len(tok)-5] ^= 'A' ^ 'B'
	if _, err := c.AppendVerify(nil, tok); !errors.Is(err, fastjwt.ErrSignature) {
		t.Fatalf("tampered token: %v", err)
	}
	buf := make([]byte, 0, 256)
	tok[len(tok)-5] ^= 'A' ^ 'B'
	if raceEnabled {
		return // sync.Pool drops objects on purpose under the race detector
	}
	if n := testing.AllocsPerRun(100, func() { buf, _ = c.AppendVerify(buf[:0], tok) }); n != 0 {
		t.Fatalf("verify in FIPS mode: %v allocs", n)
	}
}
