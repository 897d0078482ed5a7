package nethttpsession_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/middleware/internal/sessiontest"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// stack serves the shared test table with net/http.
type stack struct{}

func serve(h http.Handler) (string, func()) {
	srv := httptest.NewServer(h)
	return srv.URL, srv.Close
}

func neutral(r *http.Request) sessiontest.Request {
	return sessiontest.Request{
		Query:  func(name string) string { return r.URL.Query().Get(name) },
		Header: func(name string) string { return r.Header.Get(name) },
	}
}

func (stack) ServeSessions(t testing.TB, m *session.Manager, h sessiontest.SessionHandler) (string, func()) {
	return serve(nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, h(nethttpsession.FromContext(r.Context()), neutral(r)))
	})))
}

func (stack) ServeBearer(t testing.TB, b *session.Bearer, onError sessiontest.ErrorAnswer, h sessiontest.BearerHandler) (string, func()) {
	var eh nethttpsession.ErrorHandler
	if onError != nil {
		eh = func(w http.ResponseWriter, r *http.Request, e *session.AuthError) {
			status, body := onError(e)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	return serve(nethttpsession.Bearer(b, eh)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, h(nethttpsession.TokenFromContext(r.Context()), neutral(r)))
	})))
}

func TestTable(t *testing.T)      { sessiontest.Run(t, stack{}) }
func TestConcurrent(t *testing.T) { sessiontest.RunConcurrent(t, stack{}) }
