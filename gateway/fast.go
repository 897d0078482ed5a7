package gateway

import (
	"github.com/valyala/fasthttp"
)

// serveFast is the forward-auth mode's handler.
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
	case "/healthz":
		ctx.Response.Header.Set("Cache-Control", "no-store")
		ctx.SetContentType(textPlain)
		ctx.SetBodyString("ok\n")
		g.metrics.count(epHealthz, 200)
	case "/readyz":
		body, ok := g.ready(callContext)
		status := fasthttp.StatusOK
		if !ok {
			status = fasthttp.StatusServiceUnavailable
		}
		ctx.SetStatusCode(status)
		ctx.Response.Header.Set("Cache-Control", "no-store")
		ctx.SetContentType(textPlain)
		ctx.SetBody(body)
		g.metrics.count(epReadyz, status)
	case "/metrics":
		ctx.Response.Header.Set("Cache-Control", "no-store")
		ctx.SetContentType(prometheusText)
		ctx.SetBody(g.metricsText())
		g.metrics.count(epMetrics, 200)
	default:
		refuse(ctx, fasthttp.StatusNotFound, nil)
		g.metrics.count(epOther, fasthttp.StatusNotFound)
	}
}
