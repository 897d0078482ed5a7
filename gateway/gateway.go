package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/internal/httpsyntax"
)

// Gateway is one immutable configuration of the server: its routes, each with a bearer policy,
// and its mode. A Server runs the current Gateway; a reload builds a new one and swaps it in.
// Requests under way finish with the Gateway they started with.
type Gateway struct {
	cfg    Config
	routes []*route // longest PathPrefix first
	// caseRoutes: some route refuses case variants of its prefix (Route.RefuseCaseVariants).
	caseRoutes bool
	log        *slog.Logger
	metrics    *Metrics
	maxAge     int64 // Config.MaxCacheAge in whole seconds
	// cacheControl is the Cache-Control value of an allowing answer for a token that outlives
	// maxAge.
	cacheControl []byte
	checks       []Check
	proxy        http.Handler // reverse-proxy mode: every path but the admin ones
	// claims is the union of every route's claim headers. A proxy is configured once for all
	// of them (nginx's auth_request_set lines, Caddy's copy_headers, Traefik's
	// authResponseHeaders, Envoy's allowed_upstream_headers), so every allowing answer covers
	// every one, whichever route decided: those the route does not set are sent empty (or
	// listed for removal to Envoy), and reverse-proxy mode strips them all from the client's
	// request. Otherwise a client's own X-Role would reach the upstream on a route that sets
	// only X-User.
	claims claimSet
}

// claimSet is a list of claim header names, in the forms the answers need.
type claimSet struct {
	headers []string // canonical (as bearer.Config.Forward holds them)
	keys    [][]byte // the same, as the keys of fasthttp's SetCanonical
	lower   []string // the same, lower-case, as Envoy names headers
}

// add adds the canonical name h unless it is there; it refuses a name that only an upstream's
// CGI-style mapping (any case, "-" or "_") makes the same as one there.
func (c *claimSet) add(h string) error {
	for _, o := range c.headers {
		switch {
		case o == h:
			return nil
		case unify(o) == unify(h):
			return fmt.Errorf("claim headers %q and %q are one header to some upstreams (names differing only in case, - or _)", o, h)
		}
	}
	if len(c.headers) == maxClaimHeaders {
		return fmt.Errorf("more than %d claim headers", maxClaimHeaders)
	}
	c.headers = append(c.headers, h)
	c.keys = append(c.keys, []byte(h))
	c.lower = append(c.lower, strings.ToLower(h))
	return nil
}

// route is one Route, prepared.
type route struct {
	name    string
	prefix  string
	b       *bearer.Bearer
	headers []string // this route's claim headers, canonical
	stats   jwksStats
	cache   cacheStats // nil when the verifier does not report its cache
	proxy   http.Handler
	// params: ";" segment parameters are allowed under this route (Route.PathParameters).
	params bool
	// refuseCase: a case variant of prefix is refused (Route.RefuseCaseVariants).
	refuseCase bool
}

// maxClaimHeaders bounds the claim headers of all routes together (a bit set per request
// records them).
const maxClaimHeaders = 64

// reserved are the headers an answer of the gateway sets itself, or that carry credentials or
// connection state: a claim cannot be copied into them.
var reserved = []string{
	"Authorization", "Cookie", "Set-Cookie", "Cache-Control", "Www-Authenticate", "Retry-After",
	"Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Connection",
	"Keep-Alive", "Te", "Trailer", "Upgrade", "Proxy-Authorization", "Proxy-Authenticate",
	"Proxy-Connection", "Host", "Date", "Server", "Location", "Expect",
	"X-Forwarded-Uri", "X-Original-Uri", "X-Forwarded-For", "X-Forwarded-Host",
	"X-Forwarded-Proto", "X-Forwarded-Method", "Forwarded", envoyRemove,
}

// envoyRemove is the answer header in which Envoy's ext_authz filter reads the request headers
// it must remove before it forwards the request.
const envoyRemove = "X-Envoy-Auth-Headers-To-Remove"

// New returns a Gateway for cfg, or an error matching ErrConfig that says what is wrong.
func New(cfg Config) (*Gateway, error) {
	fail := func(format string, args ...any) (*Gateway, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	if len(cfg.Routes) == 0 {
		return fail("no route")
	}
	if cfg.MaxCacheAge < 0 {
		return fail("negative MaxCacheAge %v", cfg.MaxCacheAge)
	}
	if u := cfg.Upstream; u != nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
		return fail("upstream %q: want an http:// or https:// URL with a host", u.Redacted())
	}
	g := &Gateway{
		cfg:     cfg,
		log:     cfg.Logger,
		metrics: cfg.Metrics,
		maxAge:  int64(cfg.MaxCacheAge / time.Second),
		checks:  slices.Clone(cfg.Checks),
	}
	g.cacheControl = strconv.AppendInt([]byte(cacheControlPrefix), g.maxAge, 10)
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.metrics == nil {
		g.metrics = NewMetrics()
	}
	for i, c := range cfg.Checks {
		if c.Name == "" || c.Check == nil {
			return fail("check %d needs a name and a function", i)
		}
	}
	for i, r := range cfg.Routes {
		rt, err := g.newRoute(r, &cfg)
		if err != nil {
			return fail("route %d (%q): %v", i, r.PathPrefix, err)
		}
		for _, o := range g.routes {
			if o.prefix == rt.prefix {
				return fail("routes %q and %q have the same PathPrefix %q", o.name, rt.name, rt.prefix)
			}
		}
		g.routes = append(g.routes, rt)
		g.caseRoutes = g.caseRoutes || rt.refuseCase
		// A verifier that reports readiness (a JWK Set client) is a readiness check: until its
		// keys load, every token of the route is refused.
		if rv, ok := r.Verifier.(interface{ Ready() error }); ok {
			g.checks = append(g.checks, Check{Name: "keys of route " + rt.name, Check: func(context.Context) error { return rv.Ready() }})
		}
	}
	slices.SortStableFunc(g.routes, func(a, b *route) int { return len(b.prefix) - len(a.prefix) })
	if cfg.Upstream != nil {
		g.proxy = g.newProxy()
	}
	return g, nil
}

func (g *Gateway) newRoute(r Route, cfg *Config) (*route, error) {
	if err := CheckPathPrefix(r.PathPrefix); err != nil {
		return nil, fmt.Errorf("PathPrefix %q: %v", r.PathPrefix, err)
	}
	rt := &route{name: r.Name, prefix: r.PathPrefix, params: r.PathParameters, refuseCase: r.RefuseCaseVariants}
	if rt.name == "" {
		rt.name = r.PathPrefix
	}
	for _, f := range r.ClaimHeaders {
		if !httpsyntax.IsToken(f.Header) || f.Claim == "" {
			return nil, fmt.Errorf("claim header %q=%q: want a claim name and a header name (a token)", f.Claim, f.Header)
		}
		h := textproto.CanonicalMIMEHeaderKey(f.Header)
		for _, name := range reserved {
			if strings.EqualFold(h, name) {
				return nil, fmt.Errorf("claim header %q: the gateway or the proxy owns that header", f.Header)
			}
		}
		for _, o := range rt.headers {
			if o == h || unify(o) == unify(h) {
				return nil, fmt.Errorf("claim header %q named twice (names differing only in case, - or _ are one header)", f.Header)
			}
		}
		if err := g.claims.add(h); err != nil {
			return nil, err
		}
		rt.headers = append(rt.headers, h)
	}
	realm := r.Name // "" gives bearer's default realm
	b, err := bearer.New(r.Verifier, bearer.Config{
		Realm:       realm,
		Schemes:     []string{"Bearer", "JWT"},
		Cookie:      r.Cookie,
		Types:       r.Types,
		MaxAuthAge:  r.MaxAuthAge,
		Now:         cfg.Now,
		Audience:    r.Audience,
		Forward:     r.ClaimHeaders,
		Revocations: cfg.Revocations,
		FailOpen:    cfg.FailOpen,
		OnError:     g.failOpenHook(rt.name),
	})
	if err != nil {
		return nil, err
	}
	rt.b = b
	rt.stats, _ = r.Verifier.(jwksStats)
	rt.cache, _ = r.Verifier.(cacheStats)
	return rt, nil
}

// unify maps a header name to the form CGI-style servers give it (HTTP_X_USER): upper case, with
// "-" and "_" alike. Two names that unify are one header to such an upstream.
func unify(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// Proxy reports whether g runs in reverse-proxy mode (Config.Upstream set).
func (g *Gateway) Proxy() bool { return g.cfg.Upstream != nil }

// choose returns the route of an original request target and the one reading of its path, or
// false when the target has more than one reading (refuse with 400). A nil route with true means
// no route covers the path (403). forward, if not nil, receives the path to send upstream.
//
// A path with ";" parameters is read twice, as servlet containers read it (each segment's
// ";..." removed) and as other servers do (";" is a character): both readings must choose the
// same route, and that route must allow parameters. A case variant of a route's prefix that
// refuses them is refused whatever route it would choose.
func (g *Gateway) choose(target []byte, s *pathScratch, forward *[maxTarget]byte) (*route, parsedPath, bool) {
	p, ok := parsePath(target, s, forward)
	if !ok {
		return nil, p, false
	}
	rt := g.pick(p.decoded)
	if p.params && (rt == nil || !rt.params || g.pick(p.servlet) != rt) {
		return nil, p, false
	}
	if g.caseRoutes && (g.caseVariant(p.decoded, rt) || p.params && g.caseVariant(p.servlet, rt)) {
		return nil, p, false
	}
	return rt, p, true
}

// caseVariant reports whether path falls under a route that refuses case variants only when
// ASCII case is ignored, while rt (the route chosen with case) is another.
func (g *Gateway) caseVariant(path []byte, rt *route) bool {
	for _, o := range g.routes {
		if o.refuseCase && o != rt && matchPrefix(path, o.prefix, true) && !matchPrefix(path, o.prefix, false) {
			return true
		}
	}
	return false
}

// pick returns the route of the longest PathPrefix that covers path (on a segment boundary), or
// nil.
func (g *Gateway) pick(path []byte) *route {
	for _, rt := range g.routes {
		if matchPrefix(path, rt.prefix, false) {
			return rt
		}
	}
	return nil
}
