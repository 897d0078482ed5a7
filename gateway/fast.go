package gateway

import (
	"github.com/valyala/fasthttp"
)

// serveFast is the forward-auth mode's handler: the decision endpoints, and 404 for any other
// path (the admin endpoints are the admin listener's).
func (g *Gateway) serveFast(ctx *fasthttp.RequestCtx) {
	if t, ok := extAuthzTarget(ctx.Request.Header.RequestURI()); ok {
		g.decide(ctx, epExtAuthz, t)
		return
	}
	// The usual forward-auth target, "/auth" as sent, is recognized without parsing the URI;
	// any other goes through fasthttp's normalized path.
	if uri := ctx.Request.Header.RequestURI(); string(uri) == "/auth" {
		g.decide(ctx, epAuth, nil)
		return
	}
	switch string(ctx.Path()) {
	case "/auth":
		g.decide(ctx, epAuth, nil)
	default:
		refuse(ctx, fasthttp.StatusNotFound, nil)
		g.metrics.count(epOther, fasthttp.StatusNotFound)
	}
}
