// Command issuing-nethttp is the README's token-issuing example on net/http, kept here so that it is compiled and run by the tests.

package main

import (
	"cmp"
	"context"
	"crypto/subtle"
	"log"
	"net/http"
	"os"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/revoke"
)

func main() {
	secret, password := []byte(os.Getenv("SESSION_SECRET")), []byte(os.Getenv("PASSWORD"))
	if len(secret) < 32 || len(password) == 0 {
		log.Fatal(`set SESSION_SECRET (32 bytes or more) and PASSWORD, e.g. export SESSION_SECRET="$(head -c 32 /dev/urandom | base64)" PASSWORD=secret`)
	}
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: secret}}, fastjwt.WithAudience("api"))
	must(err)
	revocations := revoke.NewMemory(revoke.MemoryOptions{}) // the issuer writes it, the API reads it
	issuer, err := issuing.New(issuing.Config{
		Codec:       codec,
		Audience:    "api",
		Families:    issuing.NewMemory(issuing.MemoryOptions{}), // refresh-token families
		Revocations: revocations,
		// Yours to write: check the credentials (a password hash, in constant time).
		Authenticate: func(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
			if c.Username == "" || subtle.ConstantTimeCompare([]byte(c.Password), password) != 1 {
				return "", nil, issuing.ErrInvalidGrant
			}
			return c.Username, map[string]any{"role": "user"}, nil
		},
	})
	must(err)
	api, err := bearer.New(codec, bearer.Config{Schemes: []string{"Bearer", "JWT"}, Revocations: revocations})
	must(err)

	mux := http.NewServeMux()
	mux.Handle("POST /token", nethttpsession.TokenHandler(issuer, (*issuing.Issuer).Obtain))          // log in
	mux.Handle("POST /token/refresh", nethttpsession.TokenHandler(issuer, (*issuing.Issuer).Refresh)) // a new pair
	mux.Handle("POST /token/revoke", nethttpsession.TokenHandler(issuer, (*issuing.Issuer).Revoke))   // log out
	mux.Handle("GET /api/me", nethttpsession.Bearer(api, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(nethttpsession.TokenFromContext(r.Context()).Payload())
	})))
	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("listening on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
