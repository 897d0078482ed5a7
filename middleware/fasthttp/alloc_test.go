package fasthttpsession_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/fastjwt"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	"github.com/fastjwt/session/middleware/internal/sessiontest"
)

// fixture is a prepared request for in-process measurement: the handler is called directly with
// a *fasthttp.RequestCtx whose response is reset before each call.
type fixture struct {
	ctx   *fasthttp.RequestCtx
	token string
}

func newFixture(tb testing.TB, clk *sessiontest.Clock, codec *fastjwt.Codec) *fixture {
	tb.Helper()
	exp := strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10)
	iat := strconv.FormatInt(clk.Now().Unix(), 10)
	tok, err := codec.AppendSign(nil, []byte(`{"sub":"alice","aud":"api","tenant":"t1","counter":41,"iat":`+iat+`,"exp":`+exp+`}`))
	if err != nil {
		tb.Fatal(err)
	}
	ctx := new(fasthttp.RequestCtx)
	ctx.Request.SetRequestURI("/")
	return &fixture{ctx: ctx, token: string(tok)}
}

func (f *fixture) run(h fasthttp.RequestHandler) {
	f.ctx.Response.Reset()
	h(f.ctx)
}

func bare(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("ok") }

func setup(tb testing.TB) (*fixture, *session.Manager, *session.Bearer) {
	clk := sessiontest.NewClock()
	codec := sessiontest.Codec(tb, clk, fastjwt.Key{ID: "k", Secret: sessiontest.Secret(7)})
	m, err := session.New(codec, session.Config{Now: clk.Now})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := session.NewBearer(codec, session.BearerConfig{
		Audience: "api",
		Forward:  []session.Forward{{Claim: "sub", Header: "X-User"}, {Claim: "tenant", Header: "X-Tenant"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return newFixture(tb, clk, codec), m, b
}

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
	f, m, b := setup(t)
	base := testing.AllocsPerRun(200, func() { f.run(bare) })

	f.ctx.Request.Header.SetCookie("session", f.token)
	for name, h := range map[string]fasthttp.RequestHandler{
		"session untouched": fasthttpsession.Sessions(m)(bare),
		"session read":      fasthttpsession.Sessions(m)(readHandler),
	} {
		f.run(h)
		if sc := f.ctx.Response.Header.Peek("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("%s: unchanged session sent Set-Cookie %q", name, sc)
		}
		if got := testing.AllocsPerRun(200, func() { f.run(h) }); got != base {
			t.Errorf("%s: %v allocs per request, bare handler %v", name, got, base)
		}
	}

	f.ctx.Request.Header.DelAllCookies()
	f.ctx.Request.Header.Set("Authorization", "Bearer "+f.token)
	f.ctx.Request.Header.Set("X-User", "mallory")
	h := fasthttpsession.Bearer(b, nil)(bearerHandler)
	f.run(h)
	if f.ctx.Response.StatusCode() != 200 {
		t.Fatalf("bearer: status %d", f.ctx.Response.StatusCode())
	}
	if got := testing.AllocsPerRun(200, func() { f.run(h) }); got != base {
		t.Errorf("bearer: %v allocs per request, bare handler %v", got, base)
	}
}

func BenchmarkBare(b *testing.B) {
	f, _, _ := setup(b)
	b.ReportAllocs()
	for b.Loop() {
		f.run(bare)
	}
}

func BenchmarkSessionRead(b *testing.B) {
	f, m, _ := setup(b)
	f.ctx.Request.Header.SetCookie("session", f.token)
	h := fasthttpsession.Sessions(m)(readHandler)
	b.ReportAllocs()
	for b.Loop() {
		f.run(h)
	}
}

func BenchmarkSessionWrite(b *testing.B) {
	f, m, _ := setup(b)
	f.ctx.Request.Header.SetCookie("session", f.token)
	h := fasthttpsession.Sessions(m)(func(ctx *fasthttp.RequestCtx) {
		s := fasthttpsession.From(ctx)
		n, _ := s.Int("counter")
		_ = s.Set("counter", n+1)
		ctx.SetBodyString("ok")
	})
	b.ReportAllocs()
	for b.Loop() {
		f.run(h)
	}
}

func BenchmarkBearer(b *testing.B) {
	f, _, bearer := setup(b)
	f.ctx.Request.Header.Set("Authorization", "Bearer "+f.token)
	h := fasthttpsession.Bearer(bearer, nil)(bearerHandler)
	b.ReportAllocs()
	for b.Loop() {
		f.run(h)
	}
}

// BenchmarkVerify is the codec alone on the same token: the reference for the middleware's
// overhead, (wrapped - bare) / verify.
func BenchmarkVerify(b *testing.B) {
	f, _, _ := setup(b)
	sessiontest.BenchmarkVerify(b, f.token)
}
