// Package sessiontest is the one table of behaviour tests both middleware adapters must pass. Each
// adapter implements Stack over its framework (once per server configuration worth testing) and
// calls Run; every case then runs against a real server on 127.0.0.1, through net/http's client
// or, where header spelling, order or trailers matter, raw bytes over TCP. One file per concern:
// sessions, cookie grammar, token purpose, response headers, bearer, header spoofing, lifetime
// and Secure; the
// contract in this file, the shared setup in fixture.go, the session handler in handlers.go and
// the clients in wire.go.
package sessiontest

import (
	"net/http"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
)

// Request is what a neutral test handler may read from its request and write to its response.
type Request struct {
	Query  func(name string) string
	Header func(name string) string
	// Lines returns every request header line the handler can see, as "Name: value" with the
	// name as the server stores it.
	Lines func() []string
	// Body reads the whole request body (a server that merges trailer fields into the request
	// header does it then).
	Body func() string
	// AddResponseHeader adds a response header line.
	AddResponseHeader func(name, value string)
	// Commit writes the session's headers now, the framework's way of committing early
	// (fasthttp: fasthttpsession.Commit, whose error it ignores; net/http: WriteHeader(200)),
	// and reports whether the status was thereby passed on to the server.
	Commit func() (passed bool)
}

// SessionHandler is a handler under session middleware; it returns the body to answer with.
type SessionHandler func(s *session.Session, r Request) string

// BearerHandler is a handler under bearer middleware; it returns the body to answer with.
type BearerHandler func(t *bearer.Token, r Request) string

// ErrorAnswer is a neutral custom bearer error handler: the status and body to answer with.
type ErrorAnswer func(e *bearer.AuthError) (status int, body string)

// Stack serves handlers with one framework's adapter on a real server on 127.0.0.1, in one
// server configuration. The returned function stops the server; a case hands it to t.Cleanup
// (never defer), so that the server outlives every subtest that uses it.
type Stack interface {
	ServeSessions(t testing.TB, m *session.Manager, h SessionHandler) (baseURL string, stop func())
	// ServeSessionsTLS is ServeSessions over TLS (an https:// base URL), with a client that
	// trusts the server's certificate and keeps no cookies.
	ServeSessionsTLS(t testing.TB, m *session.Manager, h SessionHandler) (baseURL string, client *http.Client, stop func())
	ServeBearer(t testing.TB, b *bearer.Bearer, onError ErrorAnswer, h BearerHandler) (baseURL string, stop func())
	// MergesTrailersLate reports whether the server merges the trailer fields of a chunked
	// request body into the request header while the handler reads the body (fasthttp with
	// StreamRequestBody); the bearer adapter must then refuse such requests when it forwards.
	MergesTrailersLate() bool
}

// Run runs every case of the table against st.
func Run(t *testing.T, st Stack) {
	t.Run("sessions", func(t *testing.T) { runSessions(t, st) })
	t.Run("cookie grammar", func(t *testing.T) { runCookieGrammar(t, st) })
	t.Run("session writes", func(t *testing.T) { runWrites(t, st) })
	t.Run("response headers", func(t *testing.T) { runResponseHeaders(t, st) })
	t.Run("no lock-out", func(t *testing.T) { runLockOut(t, st) })
	t.Run("token purpose", func(t *testing.T) { runPurpose(t, st) })
	t.Run("bearer", func(t *testing.T) { runBearer(t, st) })
	t.Run("bearer spoofing", func(t *testing.T) { runSpoofing(t, st) })
	t.Run("revocation", func(t *testing.T) { runRevocation(t, st) })
	t.Run("server-side sessions", func(t *testing.T) { runServerSide(t, st) })
	t.Run("logout is final", func(t *testing.T) { runLogout(t, st) })
	t.Run("store failures", func(t *testing.T) { runStoreFailures(t, st) })
	t.Run("flood of new sessions", func(t *testing.T) { runFlood(t, st) })
	t.Run("lifetime", func(t *testing.T) { runLifetime(t, st) })
	t.Run("secure", func(t *testing.T) { runSecure(t, st) })
	t.Run("large sessions", func(t *testing.T) { runLarge(t, st) })
	t.Run("legacy cookies", func(t *testing.T) { runLegacy(t, st) })
}
