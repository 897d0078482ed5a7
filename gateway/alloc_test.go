package gateway

import (
	"bufio"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/observe"
)

// subrequest returns a RequestCtx holding a request read from the wire, as the server reads it
// (raw head included), for calling the handler directly.
func subrequest(tb testing.TB, normalize bool, target string, lines ...string) *fasthttp.RequestCtx {
	tb.Helper()
	head := "GET " + target + " HTTP/1.1\r\nHost: gateway.test\r\n" + strings.Join(lines, "\r\n") + "\r\n\r\n"
	ctx := new(fasthttp.RequestCtx)
	ctx.Request.Header.DisableNormalizing()
	if normalize {
		ctx.Request.Header.EnableNormalizing()
	}
	if err := ctx.Request.Read(bufio.NewReader(strings.NewReader(head))); err != nil {
		tb.Fatal(err)
	}
	return ctx
}

// TestAllocs: a decision allocates nothing, allowed or refused, whether the verify is a cache
// hit or a full verify, with Config.Observer unset or set to one that allocates nothing.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops objects at random under the race detector")
	}
	good := mint(t, `"sub":"alice","role":"editor"`)
	admin := mint(t, `"sub":"root","aud":"admin"`)
	var heard int
	for _, c := range []struct {
		cache bool
		obs   observe.Observer
	}{{true, nil}, {false, nil}, {true, func(observe.Event) { heard++ }}} {
		cache := c.cache
		cfg := testConfig(t, &revocations{})
		cfg.Observer = c.obs
		if !cache {
			codec := newCodec(t, fastjwt.WithVerifyCache(0))
			cfg.Routes[0].Verifier, cfg.Routes[1].Verifier = codec, codec
		}
		g := newGateway(t, cfg)
		for _, tc := range []struct {
			name   string
			ctx    *fasthttp.RequestCtx
			status int
		}{
			{"auth", subrequest(t, false, "/auth", "X-Forwarded-Uri: /api/x?y=1", "User-Agent: test", "Authorization: Bearer "+good), 200},
			{"auth normalized", subrequest(t, true, "/auth", "x-original-uri: /api/x", "authorization: Bearer "+good), 200},
			{"auth admin cookie", subrequest(t, false, "/auth", "X-Forwarded-Uri: /admin/%75sers", "Cookie: a=b; tok="+admin), 200},
			{"ext-authz", subrequest(t, false, "/ext-authz/api/x?y=1", "authorization: Bearer "+admin, "x-request-id: 1"), 403},
			{"ext-authz allowed", subrequest(t, false, "/ext-authz/api/x", "authorization: Bearer "+good), 200},
			{"no token", subrequest(t, false, "/auth", "X-Forwarded-Uri: /"), 401},
			{"conflict", subrequest(t, false, "/auth", "X-Forwarded-Uri: /", "X-Original-URI: /x"), 400},
		} {
			run := func() {
				tc.ctx.Response.Reset()
				g.serveFast(tc.ctx)
			}
			run()
			if got := tc.ctx.Response.StatusCode(); got != tc.status {
				t.Fatalf("%s: status %d, want %d", tc.name, got, tc.status)
			}
			if n := testing.AllocsPerRun(200, run); n != 0 {
				t.Errorf("cache %v, observer %v, %s: %v allocations per decision, want 0", cache, c.obs != nil, tc.name, n)
			}
		}
	}
	if heard < 7*200 {
		t.Errorf("the observer heard %d decisions", heard)
	}
}
