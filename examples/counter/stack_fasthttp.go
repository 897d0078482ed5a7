package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
)

// fasthttpHandler wires the app to fasthttp: the library's Bearer middleware guards the routes a
// bearer token authenticates (see usesBearer), its Sessions middleware gives every other route the
// session, the issuer's endpoints answer /token and its siblings, and keys (when the demo signs with a key pair) serves the public keys, through
// fasthttp's net/http adaptor.
func fasthttpHandler(a *app, m *session.Manager, b *bearer.Bearer, keys http.Handler) fasthttp.RequestHandler {
	var jwksHandler fasthttp.RequestHandler
	if keys != nil {
		jwksHandler = fasthttpadaptor.NewFastHTTPHandler(keys)
	}
	api := fasthttpsession.Bearer(b, nil)(func(ctx *fasthttp.RequestCtx) {
		writeFasthttp(ctx, a.api(fasthttpRequest(ctx), fasthttpsession.TokenFrom(ctx)))
	})
	site := fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		writeFasthttp(ctx, a.site(fasthttpRequest(ctx), fasthttpsession.From(ctx)))
	})
	tokens := map[string]fasthttp.RequestHandler{}
	for path, e := range tokenEndpoints {
		tokens[path] = fasthttpsession.TokenHandler(a.issuer, e)
	}
	return func(ctx *fasthttp.RequestCtx) {
		if h, ok := tokens[string(ctx.Path())]; ok {
			h(ctx)
			return
		}
		if usesBearer(string(ctx.Path()), len(ctx.Request.Header.PeekAll("Authorization")) > 0) {
			api(ctx)
			return
		}
		if string(ctx.Path()) == jwksPath && jwksHandler != nil {
			jwksHandler(ctx)
			return
		}
		site(ctx)
	}
}

func fasthttpRequest(ctx *fasthttp.RequestCtx) request {
	return request{
		// What the library's fasthttp adapter does too: the RequestCtx as a context.Context
		// ends with the server's shutdown and spawns a goroutine per derived context, while the
		// store and the list bound their calls themselves.
		ctx:         context.Background(),
		method:      string(ctx.Method()),
		path:        string(ctx.Path()),
		contentType: string(ctx.Request.Header.ContentType()),
		// The server already capped the body at MaxRequestBodySize.
		body: func() ([]byte, error) { return ctx.PostBody(), nil },
	}
}

func writeFasthttp(ctx *fasthttp.RequestCtx, r reply) {
	ctx.SetStatusCode(r.status)
	if r.contentType != "" {
		ctx.SetContentType(r.contentType)
	}
	if r.allow != "" {
		ctx.Response.Header.Set("Allow", r.allow)
	}
	if r.challenge != "" {
		ctx.Response.Header.Set("WWW-Authenticate", r.challenge)
	}
	if r.retryAfter != "" {
		ctx.Response.Header.Set("Retry-After", r.retryAfter)
	}
	ctx.SetBody(r.body)
}

// serveFasthttp serves h on ln until ctx ends, then lets open requests finish (at most 5s).
func serveFasthttp(ctx context.Context, ln net.Listener, h fasthttp.RequestHandler) error {
	srv := &fasthttp.Server{
		Handler:               h,
		MaxRequestBodySize:    maxBody,
		ReadTimeout:           10 * time.Second,
		WriteTimeout:          10 * time.Second,
		IdleTimeout:           time.Minute,
		NoDefaultServerHeader: true,
		NoDefaultContentType:  true,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.ShutdownWithContext(sctx); err != nil {
		return err
	}
	return <-errc
}
