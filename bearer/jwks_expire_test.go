package bearer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
)

// A JWK Set older than the client's ExpireAfter is no verdict on the token: 503, without a
// challenge, and 200 again once a fetch succeeds.
func TestBearerOverExpiredJWKS(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := fastjwt.PrivateKey{ID: "k1", Alg: fastjwt.ES256, Key: ec}
	h, err := jwks.Handler([]fastjwt.PublicKey{key.Public()}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	client, err := jwks.New(srv.URL, jwks.Options{ExpireAfter: time.Hour, Cooldown: time.Millisecond,
		Clock: func() time.Time { return time.Unix(0, now.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	b, err := bearer.New(client, bearer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := fastjwt.NewSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := signer.AppendSign(nil, []byte(`{"sub":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	auth := func() *bearer.AuthError {
		tk := b.Acquire()
		defer b.Release(tk)
		aerr := b.Authenticate(context.Background(), tk, newRequest(http.Header{"Authorization": {"Bearer " + string(tok)}}))
		if aerr == nil {
			return nil
		}
		cp := *aerr // valid until Release
		return &cp
	}
	if aerr := auth(); aerr != nil {
		t.Fatal(aerr)
	}
	down.Store(true)
	now.Add(int64(2 * time.Hour))
	aerr := auth()
	if aerr == nil || aerr.Status != 503 || aerr.Challenge() != nil || !errors.Is(aerr, jwks.ErrSetExpired) {
		t.Fatalf("expired set: %v, want 503 without a challenge", aerr)
	}
	down.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for auth() != nil {
		if time.Now().After(deadline) {
			t.Fatal("still refused 5s after the server is back")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
