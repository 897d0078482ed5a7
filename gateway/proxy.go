package gateway

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	nethttpsession "github.com/fastjwt/session/middleware/nethttp"
)

// Reverse-proxy mode runs on net/http's httputil.ReverseProxy behind the library's net/http
// bearer middleware, not on a fasthttp client. The proxy is where HTTP's semantics are easiest
// to get wrong, and ReverseProxy gets them right and is maintained with the standard library:
// hop-by-hop headers (and those the Connection header names) dropped both ways, request and
// response bodies streamed in both directions without buffering (fasthttp's client reads whole
// responses unless told to stream, and its server buffers request bodies by default), trailers,
// 1xx responses, protocol upgrades (WebSocket) and HTTP/2 to the upstream. A proxied request
// costs a connection's round trip to the upstream, far more than the few allocations net/http
// adds per request; the decision itself is the same bearer.Authenticate as on fasthttp.

// Timeouts of the reverse proxy. The response body has none: a stream may last; the request
// body's, the client's head and idle connections are the Server's Limits.
const (
	dialTimeout           = 5 * time.Second
	responseHeaderTimeout = 30 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	idleConnTimeout       = 90 * time.Second
	maxHeaderBytes        = 64 << 10
)

// newTransport returns the transport to the upstream: bounded dial, TLS handshake and wait for
// the response header; no proxy from the environment (the upstream is configured, not
// discovered).
func newTransport() *http.Transport {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       idleConnTimeout,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		ForceAttemptHTTP2:     true,
	}
}

// decisionWriter carries the start of a proxied request through the bearer middleware to the
// point where the decision is known.
type decisionWriter struct {
	http.ResponseWriter
	start time.Time
	rt    *route
	alg   fastjwt.Alg // the allowed token's, for Config.Observer
	hit   bool
}

// newProxy builds the reverse-proxy mode's handler: for every path, its route's bearer
// middleware in front of a ReverseProxy to the upstream.
func (g *Gateway) newProxy() http.Handler {
	tr := newTransport()
	for _, rt := range g.routes {
		rp := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(g.cfg.Upstream)
				pr.SetXForwarded()
				// The claim headers are set on the outbound request here, after ReverseProxy has
				// dropped the hop-by-hop headers: a client's "Connection: X-User" must not remove
				// a verified claim. The claim headers of every route, with the names an upstream
				// would read as the same header (any case, "-" or "_"), and trailers of those
				// names, are dropped first.
				stripClaims(pr.Out.Header, &g.claims)
				stripClaims(pr.Out.Trailer, &g.claims)
				for _, h := range rt.headers {
					if v, ok := pr.In.Header[h]; ok {
						pr.Out.Header[h] = v
					}
				}
			},
			Transport: tr,
			ErrorLog:  stdErrorLog(g.log),
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				g.metrics.upstream.Add(1)
				g.log.LogAttrs(r.Context(), slog.LevelWarn, "upstream error", slog.String("route", rt.name), slog.String("error", upstreamErrorCategory(err)))
				w.WriteHeader(http.StatusBadGateway)
			},
		}
		allowed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			dw := w.(*decisionWriter)
			t := nethttpsession.TokenFromContext(r.Context())
			dw.alg, dw.hit = t.Alg(), t.CacheHit()
			g.proxyDecided(dw, 200, reasonAllowed)
			// net/http's HTTP/1 server would read the rest of the request body before the first
			// byte of the answer: a stream in both directions (a long upload answered as it
			// goes, a chat) would stall. HTTP/2 is always full duplex (the call fails: ignored).
			_ = http.NewResponseController(dw.ResponseWriter).EnableFullDuplex()
			rp.ServeHTTP(dw.ResponseWriter, r)
		})
		rt.proxy = nethttpsession.Bearer(rt.b, g.proxyRefused)(allowed)
	}
	return http.HandlerFunc(g.serveProxy)
}

// stripClaims deletes from h every field an upstream could take for one of the claim headers.
func stripClaims(h http.Header, claims *claimSet) {
	for k := range h {
		u := unify(k)
		for _, c := range claims.headers {
			if u == unify(c) {
				delete(h, k)
				break
			}
		}
	}
}

// serveProxy is the reverse-proxy mode's handler.
func (g *Gateway) serveProxy(w http.ResponseWriter, r *http.Request) {
	// Every path is the upstream's, /healthz and /metrics too: the admin endpoints are the
	// admin listener's (Server.ServeAdmin).
	dw := &decisionWriter{ResponseWriter: w, start: time.Now()}
	// The path sent upstream is built from the reading the route was chosen from, never from a
	// second parse of the raw target.
	var scratch pathScratch
	var forward [maxTarget]byte
	rt, p, ok := g.choose([]byte(r.RequestURI), &scratch, &forward)
	if ok {
		u := *r.URL
		u.Path, u.RawPath = string(p.decoded), string(p.forward)
		r2 := *r
		r2.URL = &u
		r = &r2
	}
	switch {
	case !ok:
		g.proxyDecided(dw, http.StatusBadRequest, reasonBadPath)
		proxyRefuse(w, http.StatusBadRequest, nil)
	case rt == nil:
		g.proxyDecided(dw, http.StatusForbidden, reasonNoRoute)
		proxyRefuse(w, http.StatusForbidden, nil)
	default:
		dw.rt = rt
		dw.rt.proxy.ServeHTTP(dw, r)
	}
}

// proxyRefused answers a request the bearer middleware refused.
func (g *Gateway) proxyRefused(w http.ResponseWriter, _ *http.Request, aerr *bearer.AuthError) {
	dw := w.(*decisionWriter)
	g.proxyDecided(dw, aerr.Status, refusalReason(aerr)) // counted before the client can see the answer
	proxyRefuse(dw.ResponseWriter, aerr.Status, aerr.Challenge())
}

// proxyDecided records a decision of reverse-proxy mode.
func (g *Gateway) proxyDecided(dw *decisionWriter, status int, why reason) {
	elapsed := time.Since(dw.start)
	g.metrics.decided(epProxy, status, why, elapsed)
	if g.cfg.Observer != nil {
		g.observe(why, dw.alg, dw.hit, dw.start, elapsed)
	}
	if g.log.Enabled(callContext, slog.LevelDebug) {
		name := ""
		if dw.rt != nil {
			name = dw.rt.name
		}
		g.log.LogAttrs(callContext, slog.LevelDebug, "decision", slog.String("endpoint", "proxy"),
			slog.String("route", name), slog.Int("status", status), slog.String("reason", reasonNames[why]))
	}
}

// proxyRefuse answers a refused request in reverse-proxy mode, as refuse does on fasthttp.
func proxyRefuse(w http.ResponseWriter, status int, challenge []byte) {
	h := w.Header()
	if len(challenge) > 0 {
		h["Www-Authenticate"] = []string{string(challenge)}
	}
	if status == http.StatusServiceUnavailable {
		h.Set("Retry-After", bearer.RetryAfter)
	}
	h.Set("Cache-Control", "no-store")
	http.Error(w, http.StatusText(status), status)
}

// adminAnswer writes an admin endpoint's answer.
func adminAnswer(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}
