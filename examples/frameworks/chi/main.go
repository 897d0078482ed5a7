// Command chi is a go-chi/chi application with a cookie session (login, a page that needs it,
// logout), cross-origin protection, token issuing and a bearer API. chi routes standard
// net/http handlers, so the net/http middleware of this library plugs in as it is.
package main

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/fastjwt/session/examples/frameworks/internal/app"
	"github.com/fastjwt/session/issuing"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

func main() { app.Main("chi", newHandler) }

// newHandler is the application: every route under the cross-origin check and the session.
func newHandler(a *app.App) http.Handler {
	r := chi.NewRouter()
	r.Use(nethttpsession.CrossOrigin(a.CrossOrigin, nil), nethttpsession.Sessions(a.Sessions))

	r.Post("/login", func(w http.ResponseWriter, r *http.Request) {
		s := nethttpsession.FromContext(r.Context())
		user := r.PostFormValue("user")
		if !a.CheckPassword(user, r.PostFormValue("password")) {
			http.Error(w, "wrong user or password", http.StatusUnauthorized)
			return
		}
		if err := s.Regenerate(r.Context()); err != nil { // a new identity at login
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if err := s.Set("user", user); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "logged in as %s\n", user)
	})
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		user, ok := nethttpsession.FromContext(r.Context()).String("user")
		if !ok {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "Hello, %s\n", user)
	})
	r.Post("/logout", func(w http.ResponseWriter, r *http.Request) {
		if err := nethttpsession.FromContext(r.Context()).Logout(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "logged out")
	})

	r.Method(http.MethodPost, "/token", nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Obtain))
	r.Method(http.MethodPost, "/token/refresh", nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Refresh))
	r.Method(http.MethodPost, "/token/verify", nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Verify))
	r.Method(http.MethodPost, "/token/revoke", nethttpsession.TokenHandler(a.Issuer, (*issuing.Issuer).Revoke))

	r.Group(func(r chi.Router) {
		r.Use(nethttpsession.Bearer(a.API, nil))
		r.Get("/api/me", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(nethttpsession.TokenFromContext(r.Context()).Payload())
		})
	})
	return r
}
