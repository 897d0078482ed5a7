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

// A Bearer over a JWKS client, as a federated service or a gateway runs it: tokens of an issuer
// that publishes its keys on a real loopback server are accepted, a rotated key is picked up
// through the client's refetch, and a token signed by a key the issuer never published is
// refused.
func TestBearerOverJWKS(t *testing.T) {
	newKey := func(id string) fastjwt.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return fastjwt.PrivateKey{ID: id, Alg: fastjwt.ES256, Key: k}
	}
	first, second, stranger := newKey("2026-11"), newKey("2026-12"), newKey("2026-11")
	var published atomic.Pointer[http.Handler]
	publish := func(keys ...fastjwt.PrivateKey) {
		var pub []fastjwt.PublicKey
		for _, k := range keys {
			pub = append(pub, k.Public())
		}
		h, err := jwks.Handler(pub, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		published.Store(&h)
	}
	publish(first)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*published.Load()).ServeHTTP(w, r)
	}))
	defer srv.Close()

	client, err := jwks.New(srv.URL, jwks.Options{Cooldown: time.Millisecond, CodecOptions: []fastjwt.Option{fastjwt.WithAudience("api")}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	b, err := bearer.New(client, bearer.Config{Forward: []bearer.Forward{{Claim: "sub", Header: "X-User"}}})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k fastjwt.PrivateKey) string {
		c, err := fastjwt.NewSigner(k, nil)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.AppendSign(nil, []byte(`{"sub":"alice","aud":"api"}`))
		if err != nil {
			t.Fatal(err)
		}
		return string(tok)
	}
	check := func(name, token string, want int) {
		t.Helper()
		h := http.Header{"Authorization": {"Bearer " + token}}
		tk := b.Acquire()
		defer b.Release(tk)
		aerr := b.Authenticate(context.Background(), tk, newRequest(h))
		switch {
		case want == 200 && (aerr != nil || h.Get("X-User") != "alice"):
			t.Errorf("%s: %v, X-User %q", name, aerr, h.Get("X-User"))
		case want != 200 && (aerr == nil || aerr.Status != want):
			t.Errorf("%s: %v, want %d", name, aerr, want)
		}
	}
	check("a token of the published key", sign(first), 200)
	check("a token of an unpublished key with the same kid", sign(stranger), 401)

	// The issuer rotates: the new kid is fetched on first sight.
	publish(first, second)
	time.Sleep(5 * time.Millisecond) // past the test's cooldown
	check("a token of the rotated-in key", sign(second), 200)
	if err := client.Ready(); err != nil {
		t.Errorf("Ready: %v", err)
	}
	var aerr *bearer.AuthError
	tk := b.Acquire()
	if aerr = b.Authenticate(context.Background(), tk, newRequest(http.Header{"Authorization": {"Bearer " + sign(newKey("unknown"))}})); aerr == nil || !errors.Is(aerr, fastjwt.ErrUnknownKey) {
		t.Errorf("an unknown kid: %v, want ErrUnknownKey", aerr)
	}
	b.Release(tk)
}
