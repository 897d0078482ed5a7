// Package fasthttpsession adapts package session to github.com/valyala/fasthttp. It holds no
// session logic: it reads the token from the fasthttp request, hands it to the session package,
// and writes back what that package decides.
//
// The Session and Token a handler gets from From and TokenFrom are pooled: they are valid until
// the handler returns, and must not be kept or handed to goroutines that outlive it. For a valid,
// unchanged session and for a valid bearer token the middleware allocates nothing per request.
package fasthttpsession

import (
	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
)

// ctxKey is the user-value key of the request's Session or Token; unexported, so no other
// package can read or overwrite it.
type ctxKey int

const (
	sessionKey ctxKey = iota
	tokenKey
)

// Sessions returns middleware that gives each request a cookie session from m. The session's
// Set-Cookie, Vary and Cache-Control headers are written after the handler returns, so a handler
// that streams its body (SetBodyStreamWriter) must finish with the session before returning.
func Sessions(m *session.Manager) func(fasthttp.RequestHandler) fasthttp.RequestHandler {
	name := m.CookieName()
	return func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			s := m.Acquire(ctx.Request.Header.Cookie(name))
			ctx.SetUserValue(sessionKey, s)
			next(ctx)
			ctx.RemoveUserValue(sessionKey)
			s.Commit((*responseHeader)(&ctx.Response.Header))
			m.Release(s)
		}
	}
}

// From returns the request's Session, or nil outside Sessions middleware. It is valid until the
// handler returns.
func From(ctx *fasthttp.RequestCtx) *session.Session {
	s, _ := ctx.UserValue(sessionKey).(*session.Session)
	return s
}

// Commit writes the session's headers (Set-Cookie, Vary, Cache-Control) into the response now,
// instead of after the handler returns, and returns the session's Err: a handler that must know
// whether its session was stored (ErrCookieTooLarge) calls it once it is done with the session.
// Later changes to the session fail with session.ErrCommitted. Outside Sessions middleware it
// does nothing and returns nil.
func Commit(ctx *fasthttp.RequestCtx) error {
	s := From(ctx)
	if s == nil {
		return nil
	}
	s.Commit((*responseHeader)(&ctx.Response.Header))
	return s.Err()
}

// ErrorHandler answers a refused bearer request. err.Challenge() is the WWW-Authenticate value
// the default answer would send.
type ErrorHandler func(ctx *fasthttp.RequestCtx, err *session.AuthError)

// Bearer returns middleware that authenticates each request with b. A refused request gets
// onError's answer, or, when onError is nil, err.Status with a WWW-Authenticate challenge and the
// status text as a plain-text body.
func Bearer(b *session.Bearer, onError ErrorHandler) func(fasthttp.RequestHandler) fasthttp.RequestHandler {
	if onError == nil {
		onError = defaultError
	}
	return func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			t := b.Acquire()
			if err := b.Authenticate(t, (*request)(ctx)); err != nil {
				onError(ctx, err)
				b.Release(t)
				return
			}
			ctx.SetUserValue(tokenKey, t)
			next(ctx)
			ctx.RemoveUserValue(tokenKey)
			b.Release(t)
		}
	}
}

// TokenFrom returns the request's Token, or nil outside Bearer middleware. In Optional mode a
// request without a token gets a Token whose Valid reports false. It is valid until the handler
// returns.
func TokenFrom(ctx *fasthttp.RequestCtx) *session.Token {
	t, _ := ctx.UserValue(tokenKey).(*session.Token)
	return t
}

func defaultError(ctx *fasthttp.RequestCtx, err *session.AuthError) {
	// ctx.Error resets the response, so the challenge goes in after it.
	ctx.Error(fasthttp.StatusMessage(err.Status), err.Status)
	ctx.Response.Header.SetBytesV("WWW-Authenticate", err.Challenge())
}

// responseHeader adapts fasthttp's response header to session.ResponseHeader.
type responseHeader fasthttp.ResponseHeader

func (h *responseHeader) Peek(name string) []byte {
	return (*fasthttp.ResponseHeader)(h).Peek(name)
}
func (h *responseHeader) Set(name, value string) { (*fasthttp.ResponseHeader)(h).Set(name, value) }
func (h *responseHeader) Add(name, value string) { (*fasthttp.ResponseHeader)(h).Add(name, value) }
func (h *responseHeader) AddBytes(name string, value []byte) {
	(*fasthttp.ResponseHeader)(h).AddBytesV(name, value)
}

// request adapts a fasthttp request to session.Request.
type request fasthttp.RequestCtx

func (r *request) Peek(name string) []byte   { return r.Request.Header.Peek(name) }
func (r *request) Cookie(name string) []byte { return r.Request.Header.Cookie(name) }
func (r *request) Query(name string) []byte {
	return (*fasthttp.RequestCtx)(r).QueryArgs().Peek(name)
}
func (r *request) Del(name string)               { r.Request.Header.Del(name) }
func (r *request) Set(name string, value []byte) { r.Request.Header.SetBytesV(name, value) }
