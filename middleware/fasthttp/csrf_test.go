package fasthttpsession

import (
	"bufio"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/csrf"
)

func csrfCtx(t *testing.T, head string) *fasthttp.RequestCtx {
	t.Helper()
	var ctx fasthttp.RequestCtx
	if err := ctx.Request.Read(bufio.NewReader(strings.NewReader(head))); err != nil {
		t.Fatal(err)
	}
	return &ctx
}

// No allocation per request, passing or refused, with the default deny handler.
func TestCrossOriginAllocs(t *testing.T) {
	p, err := csrf.New(csrf.Config{TrustedOrigins: []string{"https://trusted.example"}, BypassPatterns: []string{"/hook/"}})
	if err != nil {
		t.Fatal(err)
	}
	h := CrossOrigin(p, nil)(func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("ok") })
	for _, head := range []string{
		"POST /x HTTP/1.1\r\nHost: example.com\r\nSec-Fetch-Site: same-origin\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: example.com\r\nsec-fetch-site: cross-site\r\nOrigin: https://attacker.example\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: example.com\r\nOrigin: https://example.com\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: example.com\r\nOrigin: https://attacker.example\r\n\r\n",
		"POST /hook/1?a=b HTTP/1.1\r\nHost: example.com\r\nSec-Fetch-Site: cross-site\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: example.com\r\nSec-Fetch-Site: cross-site\r\nOrigin: https://trusted.example\r\n\r\n",
	} {
		ctx := csrfCtx(t, head)
		h(ctx) // warm the response buffers
		if n := testing.AllocsPerRun(100, func() { ctx.Response.Reset(); h(ctx) }); n != 0 {
			t.Errorf("%q: %v allocations", head, n)
		}
	}
}

// A custom deny handler answers, with the reason available; safe methods never reach it.
func TestCrossOriginDenyHandler(t *testing.T) {
	p, err := csrf.New(csrf.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var reason error
	deny := func(ctx *fasthttp.RequestCtx) {
		reason = CrossOriginError(ctx)
		ctx.Error("custom error", fasthttp.StatusTeapot)
	}
	h := CrossOrigin(p, deny)(func(ctx *fasthttp.RequestCtx) {})
	ctx := csrfCtx(t, "POST / HTTP/1.1\r\nHost: example.com\r\nSec-Fetch-Site: cross-site\r\n\r\n")
	h(ctx)
	if ctx.Response.StatusCode() != fasthttp.StatusTeapot || string(ctx.Response.Body()) != "custom error" {
		t.Errorf("%d %q", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	if reason != csrf.ErrCrossOrigin || CrossOriginError(ctx) != nil {
		t.Errorf("reason %v, after %v", reason, CrossOriginError(ctx))
	}
	ctx = csrfCtx(t, "GET / HTTP/1.1\r\nHost: example.com\r\nSec-Fetch-Site: cross-site\r\n\r\n")
	h(ctx)
	if ctx.Response.StatusCode() != fasthttp.StatusOK {
		t.Errorf("GET: %d", ctx.Response.StatusCode())
	}
}

// A request built in-process (no raw head) is read from the parsed header, every spelling.
func TestCrossOriginParsedHeader(t *testing.T) {
	p, _ := csrf.New(csrf.Config{})
	h := CrossOrigin(p, nil)(func(ctx *fasthttp.RequestCtx) {})
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.DisableNormalizing()
	ctx.Request.Header.SetMethod("POST")
	ctx.Request.Header.SetHost("example.com")
	ctx.Request.Header.Set("sec-fetch-site", "cross-site")
	ctx.Request.Header.Set("Sec-Fetch-Site", "same-origin")
	h(&ctx)
	if ctx.Response.StatusCode() != fasthttp.StatusForbidden {
		t.Errorf("%d", ctx.Response.StatusCode())
	}
}
