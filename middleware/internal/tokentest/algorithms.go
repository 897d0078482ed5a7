package tokentest

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
)

// runAlgorithms runs the flow with a codec of each algorithm: obtain, use, refresh, a retry
// inside the window (the same successor: the same "jti", signed again; byte for byte the same
// token where the algorithm is deterministic), a reuse that ends the family.
func runAlgorithms(t *testing.T, st Stack) {
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
		name          string
		deterministic bool
		codec         func(now func() time.Time) (*fastjwt.Codec, error)
	}{
		{"HS256", true, hs256},
		{"RS256", true, func(now func() time.Time) (*fastjwt.Codec, error) {
			return fastjwt.NewSigner(fastjwt.PrivateKey{Alg: fastjwt.RS256, Key: rsaKey}, nil, codecOptions(now)...)
		}},
		{"ES256", false, func(now func() time.Time) (*fastjwt.Codec, error) {
			return fastjwt.NewSigner(fastjwt.PrivateKey{Alg: fastjwt.ES256, Key: ecKey}, nil, codecOptions(now)...)
		}},
		{"EdDSA", true, func(now func() time.Time) (*fastjwt.Codec, error) {
			return fastjwt.NewSigner(fastjwt.PrivateKey{Alg: fastjwt.EdDSA, Key: edKey}, nil, codecOptions(now)...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixtureWith(t, st, tc.codec)
			a := f.obtain()
			want(t, f.me("Bearer", a.Access), 200, "", "the access token")
			want(t, f.me("Bearer", a.Refresh), 401, "", "the refresh token at /api/me")
			b := f.refresh(a.Refresh)
			want(t, b, 200, "", "refresh")
			r := f.refresh(a.Refresh)
			want(t, r, 200, "", "a retry inside the window")
			if tc.deterministic && (r.Access != b.Access || r.Refresh != b.Refresh) {
				t.Fatal("a retry got other tokens")
			}
			vb, vr := f.form("/token/verify", "token", b.Access), f.form("/token/verify", "token", r.Access)
			want(t, vr, 200, "", "verify of the retried access token")
			if vb.JTI == "" || vb.JTI != vr.JTI || vb.Body != vr.Body {
				t.Fatalf("a retry got another successor: %s, %s", vb.Body, vr.Body)
			}
			want(t, f.refresh(r.Refresh), 200, "", "refresh of the retried successor")
			f.Clock.Add(issuing.DefaultGrace)
			want(t, f.refresh(a.Refresh), 400, "invalid_grant", "reuse")
			want(t, f.me("Bearer", r.Access), 401, "", "an access token of the ended family")
		})
	}
}
