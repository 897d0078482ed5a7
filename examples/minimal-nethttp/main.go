// Command minimal-nethttp is the README's nethttp example, kept here so that it is compiled and checked.

package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

func main() {
	codec, err := fastjwt.NewHS256([]fastjwt.Key{{Secret: []byte(os.Getenv("SESSION_SECRET"))}}, // 32+ bytes
		fastjwt.WithAudience("api.example.com"))
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := session.New(codec, session.Config{}) // set Secure: true when served over HTTPS
	if err != nil {
		log.Fatal(err)
	}
	bearer, err := session.NewBearer(codec, session.BearerConfig{Realm: "api", Schemes: []string{"Bearer", "JWT"}})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	// A cookie session: the counter lives in the signed cookie.
	mux.Handle("/", nethttpsession.Sessions(sessions)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1) // before writing the response
		fmt.Fprintf(w, "Current counter value: %d\n", n+1)
	})))
	// A bearer-protected API: 401 without a valid token, 403 for the wrong audience.
	mux.Handle("/api/me", nethttpsession.Bearer(bearer, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := nethttpsession.TokenFromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Write(t.Payload())
	})))
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mux))
}
