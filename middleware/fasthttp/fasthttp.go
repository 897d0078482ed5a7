// Package fasthttpsession adapts cookie sessions (package session) and bearer authentication
// (package bearer) to github.com/valyala/fasthttp. It holds no policy: it reads the request for
// those packages, and writes back what they decide.
//
// It reads header names ASCII case-insensitively and deletes forwarded headers in every
// spelling, so it holds with Server.DisableHeaderNamesNormalizing (what fasthttp recommends for
// proxies) as without. The Cookie header is read as the client sent it (RawHeaders) and parsed
// by the library's one cookie grammar, the same as on net/http.
//
// The Session and Token a handler gets from From and TokenFrom are pooled: they are valid until
// the handler returns, and must not be kept or handed to goroutines that outlive it. For a valid,
// unchanged session and for a valid bearer token the middleware allocates nothing per request.
//
// Request head size: fasthttp's default Server reads a request head of at most ReadBufferSize
// (4096) bytes and answers 431 beyond. The session's default cookie limit
// (session.DefaultMaxCookieSize, 3072) leaves room for a browser's usual headers next to it;
// raise Server.ReadBufferSize with session.Config.MaxCookieSize.
package fasthttpsession

import (
	"context"

	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
)

// callContext is the context of the calls the middleware makes for a request (a store, a
// revocation list). It is not the *fasthttp.RequestCtx: that context's Done is the server's
// shutdown, read without synchronization against Shutdown, and every context derived from it
// starts a goroutine; the stores and lists bound each call with their own timeouts instead.
var callContext = context.Background()

// ctxKey is the user-value key of the request's Session or Token; unexported, so no other
// package can read or overwrite it.
type ctxKey int

const (
	sessionKey ctxKey = iota
	tokenKey
)

// Sessions returns middleware that gives each request a cookie session from m. It tells m
// whether the request arrived over TLS (RequestCtx.IsTLS), for session.SecureAuto. The session's
// Set-Cookie, Vary and Cache-Control headers are written after the handler returns, so a handler
// that streams its body (SetBodyStreamWriter) must finish with the session before returning, or
// call Commit first.
func Sessions(m *session.Manager) func(fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			s, err := m.Acquire(callContext, sessionHeader(ctx))
			if err != nil {
				unavailable(ctx)
				return
			}
			ctx.SetUserValue(sessionKey, s)
			next(ctx)
			ctx.RemoveUserValue(sessionKey)
			// Also after an early Commit: a session that could not be stored (Commit's error, or a
			// lazy load that failed after it) replaces the handler's response with a 503, which
			// the handler cannot have sent yet (fasthttp writes the response once it returns).
			if err := s.Commit(callContext, (*responseHeader)(&ctx.Response.Header)); err != nil {
				unavailable(ctx)
			}
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
// does nothing and returns nil. An error from the store (the session could not be stored) is
// recorded on the request: the response is a 503 with Retry-After whatever the handler does
// after it, as is one whose lazy load of the store's data fails after Commit.
func Commit(ctx *fasthttp.RequestCtx) error {
	s := From(ctx)
	if s == nil {
		return nil
	}
	if err := s.Commit(callContext, (*responseHeader)(&ctx.Response.Header)); err != nil {
		return err
	}
	return s.Err()
}

// ErrorHandler answers a refused bearer request. err.Challenge() is the WWW-Authenticate value
// the default answer would send.
type ErrorHandler func(ctx *fasthttp.RequestCtx, err *bearer.AuthError)

// Bearer returns middleware that authenticates each request with b. A refused request gets
// onError's answer, or, when onError is nil, err.Status with a WWW-Authenticate challenge and the
// status text as a plain-text body.
//
// Trailers: with Server.StreamRequestBody, fasthttp merges the trailer fields of a chunked
// request body into the request header when the handler reads the body, after the forwarded
// headers were set. When b forwards claims into headers, such a request (a streamed body of
// unknown length) is answered 411 Length Required: a client value of a forwarded header could
// otherwise reach the handler. Requests with a Content-Length, and servers without
// StreamRequestBody (which read trailers before the handler runs), are not affected.
func Bearer(b *bearer.Bearer, onError ErrorHandler) func(fasthttp.RequestHandler) fasthttp.RequestHandler {
	if onError == nil {
		onError = defaultError
	}
	guard := b.Forwards()
	return func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			if guard && ctx.Request.IsBodyStream() && ctx.Request.Header.ContentLength() < 0 {
				ctx.Error(fasthttp.StatusMessage(fasthttp.StatusLengthRequired), fasthttp.StatusLengthRequired)
				return
			}
			t := b.Acquire()
			if err := b.Authenticate(callContext, t, (*request)(ctx)); err != nil {
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
func TokenFrom(ctx *fasthttp.RequestCtx) *bearer.Token {
	t, _ := ctx.UserValue(tokenKey).(*bearer.Token)
	return t
}

func defaultError(ctx *fasthttp.RequestCtx, err *bearer.AuthError) {
	// ctx.Error resets the response, so the headers go in after it.
	ctx.Error(fasthttp.StatusMessage(err.Status), err.Status)
	if c := err.Challenge(); len(c) > 0 {
		ctx.Response.Header.SetBytesV("WWW-Authenticate", c)
	}
	if err.Status == fasthttp.StatusServiceUnavailable {
		ctx.Response.Header.Set("Retry-After", bearer.RetryAfter)
	}
}

// unavailable answers 503 with Retry-After: the session's state cannot be known now.
func unavailable(ctx *fasthttp.RequestCtx) {
	ctx.Error(fasthttp.StatusMessage(fasthttp.StatusServiceUnavailable), fasthttp.StatusServiceUnavailable)
	ctx.Response.Header.Set("Retry-After", bearer.RetryAfter)
}
