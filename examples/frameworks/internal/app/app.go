// Package app builds what the framework examples share: one secret, the session manager, the
// bearer verifier of the API, the token issuer and the cross-origin policy. Each example wires
// them into its framework's router.
package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log"
	"net/http"
	"os"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/csrf"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/issuing"
	"github.com/fastjwt/session/revoke"
	"github.com/fastjwt/session/store"
)

// Audience is the "aud" of the access tokens the issuer signs and the API requires.
const Audience = "api"

// App holds the parts of an example application.
type App struct {
	Sessions    *session.Manager  // cookie sessions, server-side in memory
	API         *bearer.Bearer    // the bearer check of /api/*, Bearer or JWT scheme
	Issuer      *issuing.Issuer   // /token, /token/refresh, /token/verify, /token/revoke
	CrossOrigin *csrf.Protection  // refuses cross-site state changes (the cookie rides along)
	user        string            // the one account
	password    [sha256.Size]byte // its password's digest
}

// New builds the App for one account, user with password, signing with secret (32 bytes or
// more).
func New(secret []byte, user, password string) (*App, error) {
	keys := []fastjwt.Key{{Secret: secret}}
	cookies, err := fastjwt.NewHS256(keys) // session cookies, typed "session+jwt"
	if err != nil {
		return nil, err
	}
	tokens, err := fastjwt.NewHS256(keys, fastjwt.WithAudience(Audience)) // access and refresh tokens
	if err != nil {
		return nil, err
	}
	revocations := revoke.NewMemory(revoke.MemoryOptions{}) // one list for sessions and tokens
	a := &App{user: user, password: sha256.Sum256([]byte(password))}
	if a.Sessions, err = session.New(cookies, session.Config{
		Store:       store.NewMemory(store.MemoryOptions{}),
		Revocations: revocations,
	}); err != nil {
		return nil, err
	}
	if a.API, err = bearer.New(tokens, bearer.Config{Schemes: []string{"Bearer", "JWT"}, Revocations: revocations}); err != nil {
		return nil, err
	}
	if a.Issuer, err = issuing.New(issuing.Config{
		Codec:        tokens,
		Audience:     Audience,
		Families:     issuing.NewMemory(issuing.MemoryOptions{}),
		Revocations:  revocations,
		Authenticate: a.authenticate,
	}); err != nil {
		return nil, err
	}
	if a.CrossOrigin, err = csrf.New(csrf.Config{}); err != nil {
		return nil, err
	}
	return a, nil
}

// CheckPassword compares both fields in constant time, and always both, so that the time of
// the answer tells nothing of which was wrong.
func (a *App) CheckPassword(user, password string) bool {
	pw := sha256.Sum256([]byte(password))
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(a.user))
	return userOK&subtle.ConstantTimeCompare(pw[:], a.password[:]) == 1
}

// authenticate is the issuer's credentials callback: the same check as the session login.
func (a *App) authenticate(_ context.Context, c issuing.Credentials) (string, map[string]any, error) {
	if !a.CheckPassword(c.Username, c.Password) {
		return "", nil, issuing.ErrInvalidGrant
	}
	return c.Username, nil, nil
}

// Main runs the example named name: the App of SESSION_SECRET for the user "demo" with the
// password $PASSWORD (default "demo"), served by newHandler on $ADDR (default 127.0.0.1:8080).
func Main(name string, newHandler func(*App) http.Handler) {
	a, err := New([]byte(os.Getenv("SESSION_SECRET")), "demo", cmp.Or(os.Getenv("PASSWORD"), "demo"))
	if err != nil {
		log.Fatalf("%v (set SESSION_SECRET to 32 bytes or more, e.g. export SESSION_SECRET=\"$(head -c 32 /dev/urandom | base64)\")", err)
	}
	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("%s example listening on http://%s", name, addr)
	log.Fatal(http.ListenAndServe(addr, newHandler(a)))
}
