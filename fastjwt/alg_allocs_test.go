package fastjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// The asymmetric verify path allocates exactly what the standard library's primitive allocates
// (crypto/rsa converts the key on every call, crypto/ecdsa decodes the point): the codec adds
// nothing. Each primitive is measured alone, called as the codec calls it, then the codec's
// uncached verify of a token of that key; a cached verify allocates nothing at all, and neither
// does a refusal before the signature check.
func TestAsymmetricVerifyAddsNoAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, tc := range []struct {
		alg  Alg
		file string
	}{
		{RS256, "rsa2048.pkcs8.pem"}, {RS256, "rsa4096.pkcs8.pem"}, {PS256, "rsa2048.pkcs8.pem"},
		{ES256, "p256.pkcs8.pem"}, {EdDSA, "ed25519.pkcs8.pem"},
	} {
		t.Run(tc.alg.String()+"/"+tc.file, func(t *testing.T) {
			priv := loadSigner(t, tc.file)
			c, err := NewSigner(PrivateKey{Alg: tc.alg, Key: priv}, nil, WithVerifyCache(0),
				WithIssuer("https://auth.example.com"), WithAudience("api.example.com"))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.AppendSign(nil, benchClaims)
			if err != nil {
				t.Fatal(err)
			}
			_, d2 := indexDots(tok)
			sig, ok := appendDecodeBase64(nil, tok[d2+1:])
			if !ok {
				t.Fatal("signature")
			}
			input := tok[:d2]
			digest := sha256.Sum256(input)
			var primitive func() bool
			switch pub := priv.Public().(type) {
			case *rsa.PublicKey:
				primitive = func() bool {
					if tc.alg == PS256 {
						return rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, pssVerify) == nil
					}
					return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
				}
			case *ecdsa.PublicKey:
				der := appendECDSADER(nil, sig)
				primitive = func() bool { return ecdsa.VerifyASN1(pub, digest[:], der) }
			case ed25519.PublicKey:
				primitive = func() bool { return ed25519.Verify(pub, input, sig) }
			}
			if !primitive() {
				t.Fatal("the primitive does not verify the codec's token")
			}
			want := testing.AllocsPerRun(50, func() { primitive() })
			buf := make([]byte, 0, 1024)
			var cl Claims
			got := testing.AllocsPerRun(50, func() {
				if buf, err = c.AppendVerifyClaims(buf[:0], tok, &cl); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%v: primitive %v allocs, codec %v", tc.alg, want, got)
			if got != want {
				t.Errorf("the codec's verify makes %v allocations, the primitive alone %v", got, want)
			}
			if buf, err = c.AppendVerify(buf[:0], tok); err != nil || string(buf) != string(benchClaims) {
				t.Fatalf("%q %v", buf, err)
			}

			// Cached: no signature check, no allocation.
			cached, _ := NewSigner(PrivateKey{Alg: tc.alg, Key: priv}, nil,
				WithIssuer("https://auth.example.com"), WithAudience("api.example.com"))
			if n := testing.AllocsPerRun(200, func() { buf, err = cached.AppendVerifyClaims(buf[:0], tok, &cl) }); n != 0 || err != nil {
				t.Errorf("cached verify: %v allocs, %v", n, err)
			}
			// Refused before the signature: a wrong alg, a short signature.
			bad := append([]byte(nil), tok[:d2+1]...)
			bad = append(bad, "AAAA"...)
			if n := testing.AllocsPerRun(200, func() { buf, err = c.AppendVerify(buf[:0], bad) }); n != 0 || err == nil {
				t.Errorf("short signature: %v allocs, %v", n, err)
			}
		})
	}
}

func loadSigner(tb testing.TB, name string) crypto.Signer {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(data)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k.(crypto.Signer)
}
