package jwks_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/fastjwt/jwks"
)

// An issuer publishes the public key it signs with; a service that verifies its tokens holds a
// Client of that URL, which it can give to bearer.New like any fastjwt.Verifier.
func Example() {
	// The issuer: an ES256 key, its public half served at /.well-known/jwks.json.
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	issuer, _ := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "2026-01", Alg: fastjwt.ES256, Key: priv}, nil)
	h, err := jwks.Handler(issuer.PublicKeys(), 10*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/.well-known/jwks.json", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The service: keys from the issuer's URL only, refreshed every 10 minutes (the max-age).
	client, err := jwks.New(srv.URL+"/.well-known/jwks.json", jwks.Options{
		CodecOptions: []fastjwt.Option{fastjwt.WithIssuer("https://issuer.example")},
		OnError:      func(err error) { log.Print(err) },
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	token, _ := issuer.AppendSign(nil, []byte(`{"iss":"https://issuer.example","sub":"42","exp":4102444800}`))
	var claims fastjwt.Claims
	payload, err := client.AppendVerifyClaims(nil, token, &claims)
	fmt.Println(string(payload), err)
	fmt.Println("subject:", claims.Subject())

	// A token signed with a key the issuer never published: its kid is unknown.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forger, _ := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "2026-02", Alg: fastjwt.EdDSA, Key: other}, nil)
	forged, _ := forger.AppendSign(nil, []byte(`{"iss":"https://issuer.example","sub":"admin"}`))
	_, err = client.AppendVerifyClaims(nil, forged, &claims)
	fmt.Println(errors.Is(err, fastjwt.ErrUnknownKey) || errors.Is(err, fastjwt.ErrAlgorithm))

	fmt.Println("ready:", client.Ready(), "fetches:", client.Fetches())
	// Output:
	// {"iss":"https://issuer.example","sub":"42","exp":4102444800} <nil>
	// subject: 42
	// true
	// ready: <nil> fetches: 2
}

func ExampleHandler() {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	issuer, _ := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "k1", Alg: fastjwt.EdDSA, Key: priv}, nil)
	h, err := jwks.Handler(issuer.PublicKeys(), 0)
	if err != nil {
		log.Fatal(err)
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/.well-known/jwks.json", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))

	// A cache that holds the document asks again with its ETag.
	req := httptest.NewRequest("GET", "/.well-known/jwks.json", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.Len())

	// Secrets are never published.
	_, err = jwks.Handler([]fastjwt.PublicKey{{ID: "hs", Alg: fastjwt.HS256, Key: []byte("secret")}}, 0)
	fmt.Println(errors.Is(err, fastjwt.ErrKey))
	// Output:
	// 200 application/jwk-set+json public, max-age=300
	// 304 0
	// true
}

func ExampleFetch() {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	issuer, _ := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "k1", Alg: fastjwt.EdDSA, Key: priv}, nil)
	h, _ := jwks.Handler(issuer.PublicKeys(), 0)
	srv := httptest.NewServer(h)
	defer srv.Close()

	keys, err := jwks.Fetch(context.Background(), srv.URL, jwks.Options{FetchTimeout: 2 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range keys {
		fmt.Println(k.ID, k.Alg)
	}
	_, err = jwks.Fetch(context.Background(), "file:///etc/jwks.json", jwks.Options{})
	fmt.Println(err)
	// Output:
	// k1 EdDSA
	// jwks: invalid configuration: the JWKS URL "file:///etc/jwks.json" is not an http or https URL
}

// A service in front of an OpenID Connect provider starts from the issuer's URL: the client reads
// its /.well-known/openid-configuration, checks that the document names this issuer, and follows
// its jwks_uri.
func ExampleNewFromIssuer() {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ := fastjwt.NewSigner(fastjwt.PrivateKey{ID: "k1", Alg: fastjwt.ES256, Key: priv}, nil)
	h, _ := jwks.Handler(signer.PublicKeys(), time.Hour)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux) // the identity provider, on loopback
	defer srv.Close()
	issuer := srv.URL + "/realms/demo"
	mux.HandleFunc("/realms/demo"+jwks.DiscoveryPath, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, issuer, issuer+"/certs")
	})
	mux.Handle("/realms/demo/certs", h)

	client, err := jwks.NewFromIssuer(issuer, jwks.Options{
		CodecOptions: []fastjwt.Option{fastjwt.WithIssuer(issuer)},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	token, _ := signer.AppendSign(nil, []byte(`{"iss":"`+issuer+`","sub":"42"}`))
	var claims fastjwt.Claims
	_, err = client.AppendVerifyClaims(nil, token, &claims)
	fmt.Println(claims.Subject(), err)

	// An issuer whose document names another issuer is refused.
	_, err = jwks.NewFromIssuer(srv.URL+"/realms/demo/", jwks.Options{})
	fmt.Println(errors.Is(err, jwks.ErrDiscovery))
	// Output:
	// 42 <nil>
	// true
}
