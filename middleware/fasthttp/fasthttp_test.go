package fasthttpsession_test

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	"github.com/fastjwt/session/middleware/internal/sessiontest"
)

// stack serves the shared test table with fasthttp, in one server configuration.
type stack struct {
	// disableNormalizing is Server.DisableHeaderNamesNormalizing: header names kept as sent.
	disableNormalizing bool
	// stream is Server.StreamRequestBody: the handler reads large and chunked bodies as a stream.
	stream bool
}

// stacks are the server configurations the table runs under.
var stacks = map[string]stack{
	"default":                       {},
	"DisableHeaderNamesNormalizing": {disableNormalizing: true},
	"StreamRequestBody":             {disableNormalizing: true, stream: true},
}

func (st stack) serve(t testing.TB, h fasthttp.RequestHandler) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return st.serveOn(ln, "http://", h)
}

// serveOn serves h on ln, whose URLs start with scheme.
func (st stack) serveOn(ln net.Listener, scheme string, h fasthttp.RequestHandler) (string, func()) {
	// The read buffer stays at its default (4096 bytes), as with fasthttp.ListenAndServe.
	srv := &fasthttp.Server{
		Handler: h, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		DisableHeaderNamesNormalizing: st.disableNormalizing, StreamRequestBody: st.stream,
	}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	return scheme + ln.Addr().String(), func() {
		_ = srv.Shutdown()
		<-done
	}
}

func (st stack) MergesTrailersLate() bool { return st.stream }

func neutral(ctx *fasthttp.RequestCtx) sessiontest.Request {
	return sessiontest.Request{
		Query:  func(name string) string { return string(ctx.QueryArgs().Peek(name)) },
		Header: func(name string) string { return string(ctx.Request.Header.Peek(name)) },
		Lines: func() []string {
			var lines []string
			for k, v := range ctx.Request.Header.All() {
				lines = append(lines, string(k)+": "+string(v))
			}
			return lines
		},
		Body: func() string {
			if s := ctx.RequestBodyStream(); s != nil {
				b, _ := io.ReadAll(s)
				return string(b)
			}
			return string(ctx.PostBody())
		},
		AddResponseHeader: func(name, value string) { ctx.Response.Header.Add(name, value) },
		Commit:            func() bool { _ = fasthttpsession.Commit(ctx); return false },
	}
}

func (st stack) ServeSessions(t testing.TB, m *session.Manager, h sessiontest.SessionHandler) (string, func()) {
	return st.serve(t, fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetBodyString(h(fasthttpsession.From(ctx), neutral(ctx)))
	}))
}

func (st stack) ServeSessionsTLS(t testing.TB, m *session.Manager, h sessiontest.SessionHandler) (string, *http.Client, func()) {
	t.Helper()
	cfg, client := sessiontest.TLSConfig(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base, stop := st.serveOn(tls.NewListener(ln, cfg), "https://", fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetBodyString(h(fasthttpsession.From(ctx), neutral(ctx)))
	}))
	return base, client, stop
}

func (st stack) ServeBearer(t testing.TB, b *bearer.Bearer, onError sessiontest.ErrorAnswer, h sessiontest.BearerHandler) (string, func()) {
	var eh fasthttpsession.ErrorHandler
	if onError != nil {
		eh = func(ctx *fasthttp.RequestCtx, e *bearer.AuthError) {
			status, body := onError(e)
			ctx.SetStatusCode(status)
			ctx.SetBodyString(body)
		}
	}
	return st.serve(t, fasthttpsession.Bearer(b, eh)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetBodyString(h(fasthttpsession.TokenFrom(ctx), neutral(ctx)))
	}))
}

func TestTable(t *testing.T) {
	for name, st := range stacks {
		t.Run(name, func(t *testing.T) { sessiontest.Run(t, st) })
	}
}

func TestConcurrent(t *testing.T) { sessiontest.RunConcurrent(t, stack{}) }

func TestCommitReportsOversize(t *testing.T) {
	clk := sessiontest.NewClock()
	m, err := session.New(sessiontest.Codec(t, clk, fastjwt.Key{Secret: sessiontest.Secret(9)}), session.Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	var got, late error
	h := fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		s := fasthttpsession.From(ctx)
		_ = s.Set("big", strings.Repeat("x", 4000))
		got = fasthttpsession.Commit(ctx)
		late = s.Set("late", 1)
	})
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/")
	h(&ctx)
	if !errors.Is(got, session.ErrCookieTooLarge) || !errors.Is(late, session.ErrCommitted) {
		t.Errorf("Commit = %v, Set after Commit = %v", got, late)
	}
	if sc := ctx.Response.Header.Peek("Set-Cookie"); len(sc) != 0 {
		t.Errorf("oversize Set-Cookie sent: %d bytes", len(sc))
	}
	if fasthttpsession.Commit(&ctx) != nil {
		t.Error("Commit outside the middleware returned an error")
	}
}
