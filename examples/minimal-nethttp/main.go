// Command minimal-nethttp is the README's net/http example, kept here so that it is compiled and run by the tests.

package main

import (
	"cmp"
	"crypto/subtle"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/csrf"
	"github.com/fastjwt/session/fastjwt"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
	"github.com/fastjwt/session/store"
)

func main() {
	secret, password := []byte(os.Getenv("SESSION_SECRET")), []byte(os.Getenv("PASSWORD"))
	if len(secret) < 32 || len(password) == 0 {
		log.Fatal(`set SESSION_SECRET (32 bytes or more) and PASSWORD, e.g. export SESSION_SECRET="$(head -c 32 /dev/urandom | base64)" PASSWORD=secret`)
	}
	keys := []fastjwt.Key{{Secret: secret}}
	cookies, err := fastjwt.NewHS256(keys) // session cookies, typed "session+jwt"
	must(err)
	tokens, err := fastjwt.NewHS256(keys, fastjwt.WithAudience("api")) // bearer tokens for "aud": "api"
	must(err)
	// The data on the server, under a random id the cookie carries: a logout is final.
	sessions, err := session.New(cookies, session.Config{Store: store.NewMemory(store.MemoryOptions{})})
	must(err)
	api, err := bearer.New(tokens, bearer.Config{Schemes: []string{"Bearer", "JWT"}})
	must(err)
	crossOrigin, err := csrf.New(csrf.Config{}) // refuses cross-site POSTs: the cookie is sent with them
	must(err)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context()) // valid until the handler returns
		user := r.PostFormValue("user")
		if user == "" || subtle.ConstantTimeCompare([]byte(r.PostFormValue("password")), password) != 1 {
			http.Error(w, "wrong user or password", http.StatusUnauthorized)
			return
		}
		if err := s.Regenerate(r.Context()); err != nil { // a new identity at login
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if err := s.Set("user", user); err != nil { // before writing the response
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "logged in as %s\n", user)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		user, ok := nethttpsession.FromContext(r.Context()).String("user")
		if !ok {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "Hello, %s\n", user)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := nethttpsession.FromContext(r.Context()).Logout(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "logged out")
	})
	// A bearer API: 401 without a valid token (a session cookie's token included).
	mux.Handle("GET /api/me", nethttpsession.Bearer(api, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(nethttpsession.TokenFromContext(r.Context()).Payload())
	})))
	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("listening on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, nethttpsession.CrossOrigin(crossOrigin, nil)(nethttpsession.Sessions(sessions)(mux))))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
