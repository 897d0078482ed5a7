// Command minimal-nethttp is the README's nethttp example, kept here so that it is compiled and run by the tests.

package main

import (
	"cmp"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

func main() {
	secret := []byte(os.Getenv("SESSION_SECRET")) // 32 bytes or more
	if len(secret) == 0 {
		log.Fatal("set SESSION_SECRET to a secret of 32 bytes or more, e.g. export SESSION_SECRET=\"$(head -c 32 /dev/urandom | base64)\"")
	}
	keys := []fastjwt.Key{{Secret: secret}}
	// One secret, two codecs: one for the session cookies, one for the API's bearer tokens,
	// which must carry "aud": "api.example.com". Session tokens are typed "session+jwt", so the
	// bearer route refuses them, and the session refuses bearer tokens.
	cookies, err := fastjwt.NewHS256(keys)
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := fastjwt.NewHS256(keys, fastjwt.WithAudience("api.example.com"))
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := session.New(cookies, session.Config{}) // Secure on HTTPS requests; SecureAlways behind a TLS proxy
	if err != nil {
		log.Fatal(err)
	}
	api, err := bearer.New(tokens, bearer.Config{Realm: "api", Schemes: []string{"Bearer", "JWT"}})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	// A cookie session: the counter lives in the signed cookie.
	mux.Handle("/", nethttpsession.Sessions(sessions)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		n, _ := s.Int("counter")
		if err := s.Set("counter", n+1); err != nil { // before writing the response
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "Current counter value: %d\n", n+1)
	})))
	// A bearer-protected API: 401 without a valid token (or with a session cookie's token).
	mux.Handle("/api/me", nethttpsession.Bearer(api, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := nethttpsession.TokenFromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Write(t.Payload())
	})))
	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("listening on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}
