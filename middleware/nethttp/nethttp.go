// Package nethttpsession adapts cookie sessions (package session) and bearer authentication
// (package bearer) to net/http. It holds no policy: it reads the request for those packages, and
// writes back what they decide.
//
// net/http puts every request header name in canonical form and keeps trailer fields in
// Request.Trailer, never in Request.Header, so a forwarded header deleted before the handler
// runs cannot come back. The Cookie header is parsed by the library's one cookie grammar, the
// same as on fasthttp.
//
// The Session and Token a handler gets from FromContext and TokenFromContext are pooled: they are
// valid until the handler returns, and must not be kept or handed to goroutines that outlive it.
// Per request the middleware allocates only what net/http forces to pass a value to the handler:
// one context and one request copy (Request.WithContext).
//
// http.TimeoutHandler runs its handler in another goroutine and returns on timeout while that
// goroutine may still run. Put it outside the session middleware,
// http.TimeoutHandler(Sessions(m)(h), ...), never inside: the session is released when Sessions'
// handler returns, so a TimeoutHandler inside would let the timed-out handler use a session that
// already serves another request.
package nethttpsession

import (
	"context"
	"errors"
	"net/http"
	"sync"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
)

// ctxKey is the context key of the request's Session or Token; unexported, so no other package
// can read or overwrite it.
type ctxKey int

const (
	sessionKey ctxKey = iota
	tokenKey
)

// sessionCtx is the request's context under Sessions: the parent context, the Session, and the
// storage of the header values the session writes into this response. Allocated once per
// request (as context.WithValue would be), it keeps those values out of package-level slices, so
// a middleware that edits a response header in place changes that response only.
type sessionCtx struct {
	context.Context
	s      *session.Session
	header responseHeader
}

func (c *sessionCtx) Value(key any) any {
	if key == sessionKey {
		return c.s
	}
	return c.Context.Value(key)
}

// Sessions returns middleware that gives each request a cookie session from m. It tells m
// whether the request arrived over TLS (Request.TLS), for session.SecureAuto. The session's
// Set-Cookie, Vary and Cache-Control headers are added when the handler first writes the status
// or the body (or when it returns, if it writes nothing): change the session before writing the
// response, as with any cookie. Changes after that fail with session.ErrCommitted.
//
// A session that could not be stored (the store did not answer the write, or the lazy load of
// its data, at any point of the handler) makes the response a 503 with Retry-After instead of
// the handler's. When the handler's status or body was already passed on to net/http by then
// (a load that failed after the first write), the handler's writes fail from then on and the
// connection is closed (http.ErrAbortHandler), so that the client never takes the response as
// complete.
func Sessions(m *session.Manager) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := m.Acquire(r.Context(), sessionHeader(r))
			if err != nil {
				unavailable(w)
				return
			}
			ctx := &sessionCtx{Context: r.Context(), s: s}
			sw := writerPool.Get().(*writer)
			sw.ResponseWriter, sw.ctx = w, ctx
			next.ServeHTTP(sw, r.WithContext(ctx))
			sw.commit()
			abort := sw.finish()
			*sw = writer{}
			writerPool.Put(sw)
			m.Release(s)
			if abort {
				// The handler's response went out as if its session were stored: end the
				// connection, so that the client never takes it as complete.
				panic(http.ErrAbortHandler)
			}
		})
	}
}

// FromContext returns the request's Session, or nil outside Sessions middleware. It is valid
// until the handler returns.
func FromContext(ctx context.Context) *session.Session {
	s, _ := ctx.Value(sessionKey).(*session.Session)
	return s
}

// ErrorHandler answers a refused bearer request. err.Challenge() is the WWW-Authenticate value
// the default answer would send.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err *bearer.AuthError)

// Bearer returns middleware that authenticates each request with b. A refused request gets
// onError's answer, or, when onError is nil, err.Status with a WWW-Authenticate challenge and the
// status text as a plain-text body.
func Bearer(b *bearer.Bearer, onError ErrorHandler) func(http.Handler) http.Handler {
	if onError == nil {
		onError = defaultError
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t := b.Acquire()
			if err := b.Authenticate(r.Context(), t, (*request)(r)); err != nil {
				onError(w, r, err)
				b.Release(t)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey, t)))
			b.Release(t)
		})
	}
}

// TokenFromContext returns the request's Token, or nil outside Bearer middleware. In Optional
// mode a request without a token gets a Token whose Valid reports false. It is valid until the
// handler returns.
func TokenFromContext(ctx context.Context) *bearer.Token {
	t, _ := ctx.Value(tokenKey).(*bearer.Token)
	return t
}

func defaultError(w http.ResponseWriter, _ *http.Request, err *bearer.AuthError) {
	if c := err.Challenge(); len(c) > 0 {
		w.Header()["Www-Authenticate"] = []string{string(c)}
	}
	if err.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", bearer.RetryAfter)
	}
	http.Error(w, http.StatusText(err.Status), err.Status)
}

// unavailable answers 503 with Retry-After: the session's state cannot be known now.
func unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", bearer.RetryAfter)
	http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
}

// writer adds the session's headers just before the response's header is written.
type writer struct {
	http.ResponseWriter
	ctx       *sessionCtx
	committed bool
	failed    bool // the session could not be stored: the response is a 503 instead
	passed    bool // a status, a body or a flush of the handler reached the ResponseWriter
}

var writerPool = sync.Pool{New: func() any { return new(writer) }}

// errNotStored is what the handler's writes return once the session could not be stored.
var errNotStored = errors.New("nethttpsession: the session could not be stored; the response is 503")

func (w *writer) commit() {
	if w.committed {
		return
	}
	w.committed = true
	w.ctx.header.h = w.ResponseWriter.Header()
	if err := w.ctx.s.Commit(w.ctx, &w.ctx.header); err != nil {
		w.failed = true
		unavailable(w.ResponseWriter)
	}
}

// unstored reports whether the session could not be stored: Commit's failure, or a lazy load
// that failed after it (Session.Commit returns either once committed).
func (w *writer) unstored() bool {
	if !w.failed && w.ctx.s.Commit(w.ctx, &w.ctx.header) != nil {
		w.failed = true
	}
	return w.failed
}

// finish runs after the handler: it answers 503 for a session that could not be stored, and
// reports whether the connection must be closed instead (the handler's response was passed on).
func (w *writer) finish() (abort bool) {
	if w.failed {
		return w.passed
	}
	if !w.unstored() {
		return false
	}
	if w.passed {
		return true
	}
	unavailable(w.ResponseWriter)
	return false
}

// WriteHeader commits the session for final statuses; 1xx responses leave the header open.
func (w *writer) WriteHeader(code int) {
	if code >= 200 {
		w.commit()
	}
	if !w.unstored() {
		w.passed = true
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write commits the session, then writes b.
func (w *writer) Write(b []byte) (int, error) {
	w.commit()
	if w.unstored() {
		return 0, errNotStored
	}
	w.passed = true
	return w.ResponseWriter.Write(b)
}

// Flush commits the session and flushes, if the underlying writer can.
func (w *writer) Flush() {
	w.commit()
	if w.unstored() {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		w.passed = true
		f.Flush()
	}
}

// Unwrap gives http.ResponseController access to the underlying writer (Hijack, deadlines).
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
