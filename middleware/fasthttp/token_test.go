package fasthttpsession_test

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/issuing"
	fasthttpsession "github.com/fastjwt/session/middleware/fasthttp"
	"github.com/fastjwt/session/middleware/internal/tokentest"
)

type tokenStack struct{}

func (tokenStack) ServeTokens(t testing.TB, iss *issuing.Issuer, b *bearer.Bearer) (string, func()) {
	routes := map[string]fasthttp.RequestHandler{
		"/token":         fasthttpsession.TokenHandler(iss, (*issuing.Issuer).Obtain),
		"/token/refresh": fasthttpsession.TokenHandler(iss, (*issuing.Issuer).Refresh),
		"/token/verify":  fasthttpsession.TokenHandler(iss, (*issuing.Issuer).Verify),
		"/token/revoke":  fasthttpsession.TokenHandler(iss, (*issuing.Issuer).Revoke),
		"/api/me": fasthttpsession.Bearer(b, nil)(func(ctx *fasthttp.RequestCtx) {
			ctx.SetBodyString(fasthttpsession.TokenFrom(ctx).Claims().Subject())
		}),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		if h, ok := routes[string(ctx.Path())]; ok {
			h(ctx)
			return
		}
		ctx.NotFound()
	}}
	go s.Serve(ln)
	return "http://" + ln.Addr().String(), func() { s.Shutdown() }
}

func TestTokens(t *testing.T) { tokentest.Run(t, tokenStack{}) }
