//go:debug fips140=on

package fipstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/fips140"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
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

// In FIPS 140 mode the asymmetric algorithms run on the standard library's validated module:
// each signs a token that the standard library verifies and that a verifier of its public key
// accepts, and refuses the token with a changed signature.
func TestFIPSModeAsymmetric(t *testing.T) {
	if !fips140.Enabled() {
		t.Fatal("FIPS 140 mode is not on")
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		alg fastjwt.Alg
		key crypto.Signer
	}{{fastjwt.RS256, rsaKey}, {fastjwt.PS256, rsaKey}, {fastjwt.ES256, ecKey}, {fastjwt.EdDSA, edKey}} {
		priv := fastjwt.PrivateKey{ID: "k", Alg: tc.alg, Key: tc.key}
		signer, err := fastjwt.NewSigner(priv, nil)
		if err != nil {
			t.Fatalf("%v: %v", tc.alg, err)
		}
		verifier, err := fastjwt.NewVerifier([]fastjwt.PublicKey{priv.Public()}, fastjwt.WithVerifyCache(0))
		if err != nil {
			t.Fatalf("%v: %v", tc.alg, err)
		}
		tok, err := signer.AppendSign(nil, []byte(`{"sub":"42"}`))
		if err != nil {
			t.Fatalf("%v: %v", tc.alg, err)
		}
		if p, err := verifier.AppendVerify(nil, tok); err != nil || string(p) != `{"sub":"42"}` {
			t.Fatalf("%v: verify: %q %v", tc.alg, p, err)
		}
		if i := len(tok) - 5; tok[i] == 'A' {
			tok[i] = 'B'
		} else {
			tok[i] = 'A'
		}
		if _, err := verifier.AppendVerify(nil, tok); !errors.Is(err, fastjwt.ErrSignature) {
			t.Fatalf("%v: tampered token: %v", tc.alg, err)
		}
	}
}
