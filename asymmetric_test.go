package session_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
)

// A Manager signs its cookies with an asymmetric key, so that federated services verify the
// session JWT holding only the public key: a bearer.Bearer over a verify-only codec accepts the
// cookie's token when it opts in to session tokens, and refuses it otherwise.
func TestAsymmetricSessionsForFederatedServices(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return t0 }
	for _, priv := range []fastjwt.PrivateKey{
		{ID: "ec-1", Alg: fastjwt.ES256, Key: ecKey},
		{ID: "ed-1", Alg: fastjwt.EdDSA, Key: edKey},
	} {
		t.Run(priv.Alg.String(), func(t *testing.T) {
			signer, err := fastjwt.NewSigner(priv, nil, fastjwt.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			m, err := session.New(signer, session.Config{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			s := acquire(t, m, "")
			_ = s.Set("sub", "alice")
			tok, _ := roundTrip(m, s)
			s = acquire(t, m, tok)
			if v, _ := s.String("sub"); v != "alice" {
				t.Fatalf("the session did not come back: %q (%v)", v, s.InvalidReason())
			}
			m.Release(s)

			// The federated service holds the public key only.
			verifier, err := fastjwt.NewVerifier([]fastjwt.PublicKey{priv.Public()}, fastjwt.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := verifier.AppendSignType(nil, fastjwt.TypeSession, []byte(`{}`)); err == nil {
				t.Fatal("a verify-only codec signed a token")
			}
			for _, types := range [][]fastjwt.Type{{fastjwt.TypeSession}, nil} {
				b, err := bearer.New(verifier, bearer.Config{Types: types, Forward: []bearer.Forward{{Claim: "sub", Header: "X-User"}}})
				if err != nil {
					t.Fatal(err)
				}
				h := http.Header{"Authorization": {"Bearer " + tok}}
				tk := b.Acquire()
				aerr := b.Authenticate(context.Background(), tk, bearerRequest{h})
				switch {
				case types != nil && (aerr != nil || h.Get("X-User") != "alice"):
					t.Errorf("federated service refused the session token: %v", aerr)
				case types == nil && (aerr == nil || aerr.Status != 401):
					t.Errorf("a default Bearer accepted a session token: %v", aerr)
				}
				b.Release(tk)
			}
		})
	}
}

// bearerRequest is a bearer.Request over an http.Header.
type bearerRequest struct{ h http.Header }

func (r bearerRequest) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range r.h.Values(name) {
		dst = append(dst, []byte(v))
	}
	return dst
}
func (bearerRequest) AppendQuery(dst [][]byte, _ string) [][]byte { return dst }
func (r bearerRequest) Del(name string)                           { r.h.Del(name) }
func (r bearerRequest) Set(name string, value []byte)             { r.h.Set(name, string(value)) }
