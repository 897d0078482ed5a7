package nethttpsession_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/middleware/internal/sessiontest"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// stack serves the shared test table with net/http.
type stack struct{}

func serve(h http.Handler) (string, func()) {
	srv := httptest.NewServer(h)
	return srv.URL, srv.Close
}

func (stack) MergesTrailersLate() bool { return false }

func neutral(w http.ResponseWriter, r *http.Request) sessiontest.Request {
	return sessiontest.Request{
		Query:  func(name string) string { return r.URL.Query().Get(name) },
		Header: func(name string) string { return r.Header.Get(name) },
		Lines: func() []string {
			var lines []string
			for k, vs := range r.Header {
				for _, v := range vs {
					lines = append(lines, k+": "+v)
				}
			}
			return lines
		},
		Body: func() string {
			b, _ := io.ReadAll(r.Body)
			return string(b)
		},
		AddResponseHeader: func(name, value string) { w.Header().Add(name, value) },
		Commit:            func() bool { w.WriteHeader(http.StatusOK); return true },
	}
}

func (stack) ServeSessions(t testing.TB, m *session.Manager, h sessiontest.SessionHandler) (string, func()) {
	return serve(nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, h(nethttpsession.FromContext(r.Context()), neutral(w, r)))
	})))
}

func (stack) ServeSessionsTLS(t testing.TB, m *session.Manager, h sessiontest.SessionHandler) (string, *http.Client, func()) {
	srv := httptest.NewTLSServer(nethttpsession.Sessions(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, h(nethttpsession.FromContext(r.Context()), neutral(w, r)))
	})))
	return srv.URL, srv.Client(), srv.Close
}

func (stack) ServeBearer(t testing.TB, b *bearer.Bearer, onError sessiontest.ErrorAnswer, h sessiontest.BearerHandler) (string, func()) {
	var eh nethttpsession.ErrorHandler
	if onError != nil {
		eh = func(w http.ResponseWriter, r *http.Request, e *bearer.AuthError) {
			status, body := onError(e)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	return serve(nethttpsession.Bearer(b, eh)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, h(nethttpsession.TokenFromContext(r.Context()), neutral(w, r)))
	})))
}

func TestTable(t *testing.T)      { sessiontest.Run(t, stack{}) }
func TestConcurrent(t *testing.T) { sessiontest.RunConcurrent(t, stack{}) }
