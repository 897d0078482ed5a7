package fasthttpsession_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	"github.com/fastjwt/session/middleware/internal/sessiontest"
)

// stack serves the shared test table with fasthttp.
type stack struct{}

func serve(t testing.TB, h fasthttp.RequestHandler) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	return "http://" + ln.Addr().String(), func() {
		_ = srv.Shutdown()
		<-done
	}
}

func neutral(ctx *fasthttp.RequestCtx) sessiontest.Request {
	return sessiontest.Request{
		Query:  func(name string) string { return string(ctx.QueryArgs().Peek(name)) },
		Header: func(name string) string { return string(ctx.Request.Header.Peek(name)) },
	}
}

func (stack) ServeSessions(t testing.TB, m *session.Manager, h sessiontest.SessionHandler) (string, func()) {
	return serve(t, fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetBodyString(h(fasthttpsession.From(ctx), neutral(ctx)))
	}))
}

func (stack) ServeBearer(t testing.TB, b *session.Bearer, onError sessiontest.ErrorAnswer, h sessiontest.BearerHandler) (string, func()) {
	var eh fasthttpsession.ErrorHandler
	if onError != nil {
		eh = func(ctx *fasthttp.RequestCtx, e *session.AuthError) {
			status, body := onError(e)
			ctx.SetStatusCode(status)
			ctx.SetBodyString(body)
		}
	}
	return serve(t, fasthttpsession.Bearer(b, eh)(func(ctx *fasthttp.RequestCtx) {
		ctx.SetBodyString(h(fasthttpsession.TokenFrom(ctx), neutral(ctx)))
	}))
}

func TestTable(t *testing.T)      { sessiontest.Run(t, stack{}) }
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
