package main

import (
	"io"
	"net/http"
	"testing"

	"github.com/fastjwt/session/fastjwt"
)

// With -alg ES256 or EdDSA the demo signs its cookies and tokens with key pairs and publishes
// the public keys: a federated service verifies both with the JWK Set alone. With HS256 there
// is nothing to publish.
func TestAsymmetricDemoPublishesItsKeys(t *testing.T) {
	for _, alg := range []fastjwt.Alg{fastjwt.ES256, fastjwt.EdDSA} {
		for _, stack := range []string{"fasthttp", "nethttp"} {
			t.Run(alg.String()+"/"+stack, func(t *testing.T) {
				base := startDemoAlg(t, stack, alg)
				c := newClient(t, base)
				c.expectCounter("1")
				token := c.login()
				cookie := c.sessionCookie()

				resp, body := c.do("GET", jwksPath, "", "")
				if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") == "" {
					t.Fatalf("GET %s: %d %q, Cache-Control %q", jwksPath, resp.StatusCode, body, resp.Header.Get("Cache-Control"))
				}
				keys, err := fastjwt.ParseJWKSet([]byte(body))
				if err != nil || len(keys) != 2 {
					t.Fatalf("JWK Set: %d keys, %v\n%s", len(keys), err, body)
				}
				for _, k := range keys {
					if k.Alg != alg || k.ID == "" {
						t.Errorf("key %q has alg %v, want %v", k.ID, k.Alg, alg)
					}
				}
				verifier, err := fastjwt.NewVerifier(keys, fastjwt.AcceptAnyAudience())
				if err != nil {
					t.Fatal(err)
				}
				for name, tok := range map[string]string{"session cookie": cookie, "bearer token": token} {
					var cl fastjwt.Claims
					if _, err := verifier.AppendVerifyClaims(nil, []byte(tok), &cl); err != nil {
						t.Errorf("%s does not verify with the published keys: %v", name, err)
					}
				}
				// The API still works with its own token.
				if resp, body := c.do("GET", "/api/me", "", "", "Authorization", "Bearer "+token); resp.StatusCode != 200 {
					t.Errorf("/api/me: %d %q", resp.StatusCode, body)
				}
			})
		}
	}
	base := startDemo(t, "nethttp")
	resp, err := http.Get(base + jwksPath)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("HS256 demo: GET %s = %d, want 404 (no public key)", jwksPath, resp.StatusCode)
	}
}

// The same secret gives the same key pairs: two processes sign alike.
func TestDerivedKeysAreStable(t *testing.T) {
	for _, alg := range []fastjwt.Alg{fastjwt.ES256, fastjwt.EdDSA} {
		a, err := newCodec(alg, testKey, "session cookie")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := newCodec(alg, testKey, "session cookie")
		other, _ := newCodec(alg, testKey, "bearer token")
		tok, err := a.AppendSign(nil, []byte(`{"x":1}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.AppendVerify(nil, tok); err != nil {
			t.Errorf("%v: a second process does not verify the first's token: %v", alg, err)
		}
		if _, err := other.AppendVerify(nil, tok); err == nil {
			t.Errorf("%v: the bearer-token key verifies a session-cookie token", alg)
		}
	}
}
