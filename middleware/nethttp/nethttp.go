// Package nethttpsession adapts package session to net/http. It holds no session logic: it reads
// the token from the *http.Request, hands it to the session package, and writes back what that
// package decides.
//
// The Session and Token a handler gets from FromContext and TokenFromContext are pooled: they are
// valid until the handler returns, and must not be kept or handed to goroutines that outlive it.
// Per request the middleware allocates only what net/http forces to pass a value to the handler:
// one context (context.WithValue) and one request copy (Request.WithContext).
package nethttpsession

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unsafe"

	session "github.com/fastjwt/session"
)

// ctxKey is the context key of the request's Session or Token; unexported, so no other package
// can read or overwrite it.
type ctxKey int

const (
	sessionKey ctxKey = iota
	tokenKey
)

// Sessions returns middleware that gives each request a cookie session from m. The session's
// Set-Cookie, Vary and Cache-Control headers are added when the handler first writes the status
// or the body (or when it returns, if it writes nothing): change the session before writing the
// response, as with any cookie. Changes after that fail with session.ErrCommitted.
func Sessions(m *session.Manager) func(http.Handler) http.Handler {
	name := m.CookieName()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := m.Acquire(cookie(r, name))
			sw := writerPool.Get().(*writer)
			sw.ResponseWriter, sw.s = w, s
			next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), sessionKey, s)))
			sw.commit()
			*sw = writer{}
			writerPool.Put(sw)
			m.Release(s)
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
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err *session.AuthError)

// Bearer returns middleware that authenticates each request with b. A refused request gets
// onError's answer, or, when onError is nil, err.Status with a WWW-Authenticate challenge and the
// status text as a plain-text body.
func Bearer(b *session.Bearer, onError ErrorHandler) func(http.Handler) http.Handler {
	if onError == nil {
		onError = defaultError
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t := b.Acquire()
			if err := b.Authenticate(t, (*request)(r)); err != nil {
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
func TokenFromContext(ctx context.Context) *session.Token {
	t, _ := ctx.Value(tokenKey).(*session.Token)
	return t
}

func defaultError(w http.ResponseWriter, _ *http.Request, err *session.AuthError) {
	w.Header()["Www-Authenticate"] = []string{string(err.Challenge())}
	http.Error(w, http.StatusText(err.Status), err.Status)
}

// view returns the bytes of s without copying. The session package only reads them.
func view(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// cookie returns the value of the named cookie from the request's Cookie headers, without the
// allocations of Request.Cookie.
func cookie(r *http.Request, name string) []byte {
	for _, line := range r.Header["Cookie"] {
		if v := session.CookieValue(view(line), name); v != nil {
			return v
		}
	}
	return nil
}

// writer adds the session's headers just before the response's header is written.
type writer struct {
	http.ResponseWriter
	s         *session.Session
	committed bool
}

var writerPool = sync.Pool{New: func() any { return new(writer) }}

func (w *writer) commit() {
	if !w.committed {
		w.committed = true
		w.s.Commit(header(w.ResponseWriter.Header()))
	}
}

// WriteHeader commits the session for final statuses; 1xx responses leave the header open.
func (w *writer) WriteHeader(code int) {
	if code >= 200 {
		w.commit()
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write commits the session, then writes b.
func (w *writer) Write(b []byte) (int, error) {
	w.commit()
	return w.ResponseWriter.Write(b)
}

// Flush commits the session and flushes, if the underlying writer can.
func (w *writer) Flush() {
	w.commit()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController access to the underlying writer (Hijack, deadlines).
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// header adapts http.Header to session.ResponseHeader.
type header http.Header

// Shared one-value slices for the constant values the session writes, so the common headers
// cost no allocation. Their capacity is 1: appending to them copies.
var (
	varyCookie   = []string{"Cookie"}
	cacheNoStore = []string{"private, no-store"}
)

func one(value string) []string {
	switch value {
	case "Cookie":
		return varyCookie
	case "private, no-store":
		return cacheNoStore
	}
	return []string{value}
}

func (h header) Peek(name string) []byte {
	if v := h[name]; len(v) > 0 {
		return view(v[0])
	}
	return nil
}
func (h header) Set(name, value string) { h[name] = one(value) }
func (h header) Add(name, value string) {
	if v := h[name]; len(v) > 0 {
		h[name] = append(v, value)
	} else {
		h[name] = one(value)
	}
}
func (h header) AddBytes(name string, value []byte) { h.Add(name, string(value)) }

// request adapts *http.Request to session.Request.
type request http.Request

func (r *request) Peek(name string) []byte {
	if v := r.Request().Header[name]; len(v) > 0 {
		return view(v[0])
	}
	return nil
}
func (r *request) Cookie(name string) []byte { return cookie(r.Request(), name) }
func (r *request) Query(name string) []byte {
	if r.URL == nil {
		return nil
	}
	return queryValue(r.URL.RawQuery, name)
}
func (r *request) Del(name string)               { delete(r.Request().Header, name) }
func (r *request) Set(name string, value []byte) { r.Request().Header[name] = []string{string(value)} }
func (r *request) Request() *http.Request        { return (*http.Request)(r) }

// queryValue returns the first value of the named parameter of a raw query, unescaped. Values
// without escapes (every base64url token) are returned without copying.
func queryValue(raw, name string) []byte {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != name {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			u, err := url.QueryUnescape(v)
			if err != nil {
				return nil
			}
			return []byte(u)
		}
		return view(v)
	}
	return nil
}
