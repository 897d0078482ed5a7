package fasthttpsession_test

import (
	"bufio"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	"github.com/fastjwt/session/middleware/internal/sessiontest"
)

// request returns a RequestCtx holding a request read from the wire, as a server reads it (so
// the raw head is there), with the given header lines. The handler is called directly with it;
// run resets the response before each call.
func request(tb testing.TB, lines ...string) *fasthttp.RequestCtx {
	tb.Helper()
	head := "GET / HTTP/1.1\r\nHost: example.test\r\n" + strings.Join(lines, "\r\n") + "\r\n\r\n"
	ctx := new(fasthttp.RequestCtx)
	if err := ctx.Request.Read(bufio.NewReader(strings.NewReader(head))); err != nil {
		tb.Fatal(err)
	}
	return ctx
}

func run(ctx *fasthttp.RequestCtx, h fasthttp.RequestHandler) {
	ctx.Response.Reset()
	h(ctx)
}

func bare(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("ok") }

func readHandler(ctx *fasthttp.RequestCtx) {
	n, _ := fasthttpsession.From(ctx).Int("counter")
	if n != 41 {
		panic("counter not read")
	}
	ctx.SetBodyString("ok")
}

func bearerHandler(ctx *fasthttp.RequestCtx) {
	if !fasthttpsession.TokenFrom(ctx).Valid() || string(ctx.Request.Header.Peek("X-User")) != "alice" {
		panic("token not valid")
	}
	ctx.SetBodyString("ok")
}

func TestAllocs(t *testing.T) {
	if sessiontest.RaceEnabled {
		t.Skip("sync.Pool drops objects at random under the race detector")
	}
	f := sessiontest.NewFixture(t)
	plain := request(t, "User-Agent: test")
	base := testing.AllocsPerRun(200, func() { run(plain, bare) })

	withCookie := request(t, "User-Agent: test", "Cookie: a=1; session="+f.SessionToken)
	for name, h := range map[string]fasthttp.RequestHandler{
		"session untouched":                 fasthttpsession.Sessions(f.Manager)(bare),
		"session read":                      fasthttpsession.Sessions(f.Manager)(readHandler),
		"server-side session, token fields": fasthttpsession.Sessions(f.ServerSide)(readHandler),
	} {
		run(withCookie, h)
		if sc := withCookie.Response.Header.Peek("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("%s: unchanged session sent Set-Cookie %q", name, sc)
		}
		if got := testing.AllocsPerRun(200, func() { run(withCookie, h) }); got != base {
			t.Errorf("%s: %v allocs per request, bare handler %v", name, got, base)
		}
	}

	for name, ctx := range map[string]*fasthttp.RequestCtx{
		"bearer":           request(t, "Authorization: Bearer "+f.BearerToken, "X-User: mallory"),
		"bearer, spoofing": request(t, "authorization: Bearer "+f.BearerToken, "x-user: mallory", "X-TENANT: t0"),
	} {
		h := fasthttpsession.Bearer(f.Bearer, nil)(bearerHandler)
		run(ctx, h)
		if ctx.Response.StatusCode() != 200 {
			t.Fatalf("%s: status %d", name, ctx.Response.StatusCode())
		}
		if got := testing.AllocsPerRun(200, func() { run(ctx, h) }); got != base {
			t.Errorf("%s: %v allocs per request, bare handler %v", name, got, base)
		}
	}
}

func BenchmarkBare(b *testing.B) {
	ctx := request(b, "Cookie: a=1; session="+sessiontest.NewFixture(b).SessionToken)
	b.ReportAllocs()
	for b.Loop() {
		run(ctx, bare)
	}
}

func BenchmarkSessionRead(b *testing.B) {
	f := sessiontest.NewFixture(b)
	ctx := request(b, "Cookie: a=1; session="+f.SessionToken)
	h := fasthttpsession.Sessions(f.Manager)(readHandler)
	b.ReportAllocs()
	for b.Loop() {
		run(ctx, h)
	}
}

func BenchmarkSessionWrite(b *testing.B) {
	f := sessiontest.NewFixture(b)
	ctx := request(b, "Cookie: a=1; session="+f.SessionToken)
	h := fasthttpsession.Sessions(f.Manager)(func(ctx *fasthttp.RequestCtx) {
		s := fasthttpsession.From(ctx)
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		ctx.SetBodyString("ok")
	})
	b.ReportAllocs()
	for b.Loop() {
		run(ctx, h)
	}
}

func BenchmarkBearer(b *testing.B) {
	f := sessiontest.NewFixture(b)
	ctx := request(b, "Authorization: Bearer "+f.BearerToken)
	h := fasthttpsession.Bearer(f.Bearer, nil)(bearerHandler)
	b.ReportAllocs()
	for b.Loop() {
		run(ctx, h)
	}
}

// BenchmarkVerify is the codec alone on the session token: the reference for the middleware's
// overhead, (wrapped - bare) / verify.
func BenchmarkVerify(b *testing.B) { sessiontest.BenchmarkVerify(b) }
