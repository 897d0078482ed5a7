package gateway

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/bearer"
	"github.com/fastjwt/session/fastjwt"
	"github.com/fastjwt/session/internal/fasthttphead"
	"github.com/fastjwt/session/internal/httpsyntax"
)

// callContext is the context of the calls a decision makes (the revocation list), as in the
// fasthttp adapter: not the *fasthttp.RequestCtx, whose Done is read without synchronization
// against Shutdown and whose derived contexts each start a goroutine. The lists bound their own
// calls.
var callContext = context.Background()

// answer is one forward-auth decision: it implements bearer.Request over the proxy's
// subrequest, reading the original request's headers from it, and writing the claim headers
// into the answer rather than into a request (the proxy copies them to the upstream request).
// Pooled: reset by get and put.
type answer struct {
	ctx    *fasthttp.RequestCtx
	claims *claimSet // the Gateway's
	set    uint64    // bit i: claims.headers[i] was set from the token
	next   int       // where Set starts looking in claims.headers
	// auth holds the Authorization lines, read in the same pass over the header as the
	// original URI (nAuth of them; only the first two are kept, two are already ambiguous).
	auth  [2][]byte
	nAuth int
	buf   []byte
	path  pathScratch
}

var answers = sync.Pool{New: func() any { return &answer{buf: make([]byte, 0, 256), nAuth: -1} }}

// AppendValues appends every line of the named header of the subrequest, whatever the spelling
// of its name. Cookie lines are read from the raw head, as the client sent them (fasthttp
// re-parses cookies with a grammar of its own), as the fasthttp adapter does.
func (a *answer) AppendValues(dst [][]byte, name string) [][]byte {
	h := &a.ctx.Request.Header
	if name == "Authorization" && a.nAuth >= 0 {
		return append(dst, a.auth[:min(a.nAuth, len(a.auth))]...)
	}
	return fasthttphead.AppendValues(dst, h, name)
}

// AppendQuery appends nothing: the gateway reads no token from a query (the subrequest's query
// is not the client's).
func (a *answer) AppendQuery(dst [][]byte, _ string) [][]byte { return dst }

// Del does nothing: the subrequest's own headers go nowhere. The answer starts with no claim
// header; those the token does not set are sent empty (or listed for removal) by allow.
func (a *answer) Del(string) {}

// Set puts a verified claim header into the answer. (SetCanonical: the names are canonical
// already, and fasthttp's normalizing of a name costs as much as the rest of the copy.)
func (a *answer) Set(name string, value []byte) {
	// The Bearer sets its headers in the order of its Forward list, the order in which the
	// route added them to the union (unless an earlier route added one first): the search
	// starts after the header set last and wraps around, so it usually takes one comparison.
	n := len(a.claims.headers)
	for j := range n {
		i := a.next + j
		if i >= n {
			i -= n
		}
		if a.claims.headers[i] == name {
			a.set |= 1 << i
			a.next = i + 1
			a.ctx.Response.Header.SetCanonical(a.claims.keys[i], value)
			return
		}
	}
}

// originalTarget returns the original request target a forward-auth subrequest names, from
// X-Forwarded-Uri (Traefik, Caddy) or X-Original-URI (nginx, as the documented snippet sets it),
// and whether it is unambiguous: two lines of one, or both present with different values, are
// refused, never resolved by order. Neither: "/", the default route.
//
// The same pass records the Authorization lines in a (all of them, whatever the route), so that
// the token's extraction does not walk the header again.
func originalTarget(h *fasthttp.RequestHeader, a *answer) ([]byte, bool) {
	var fwd, orig []byte
	nf, no := 0, 0
	a.nAuth = 0
	for k, v := range h.All() {
		// The three names differ in length and all end in a letter whose case folds with
		// |0x20: most names of a subrequest (X-Forwarded-For, -Host, -Proto...) are ruled
		// out by those two bytes before a comparison of the whole name.
		if len(k) < 13 || len(k) > 15 {
			continue
		}
		switch last := k[len(k)-1] | 0x20; {
		case len(k) == 13 && last == 'n' && httpsyntax.EqualFold(k, "Authorization"):
			if a.nAuth < len(a.auth) {
				a.auth[a.nAuth] = v
			}
			a.nAuth++
		case len(k) == 15 && last == 'i' && httpsyntax.EqualFold(k, "X-Forwarded-Uri"):
			fwd, nf = v, nf+1
		case len(k) == 14 && last == 'i' && httpsyntax.EqualFold(k, "X-Original-Uri"):
			orig, no = v, no+1
		}
	}
	switch {
	case nf > 1 || no > 1:
		return nil, false
	case nf == 1 && no == 1 && !bytes.Equal(fwd, orig):
		return nil, false
	case nf == 1:
		return fwd, true
	case no == 1:
		return orig, true
	}
	return []byte("/"), true
}

// extAuthzPrefix is the path_prefix of Envoy's HTTP ext_authz service: Envoy asks
// "/ext-authz" + the original path (and query).
const extAuthzPrefix = "/ext-authz"

// extAuthzTarget returns the original target inside an ext_authz request's raw target, and
// whether the request is one ("/ext-authz", "/ext-authz/...", "/ext-authz?...").
func extAuthzTarget(uri []byte) ([]byte, bool) {
	if len(uri) < len(extAuthzPrefix) || string(uri[:len(extAuthzPrefix)]) != extAuthzPrefix {
		return nil, false
	}
	t := uri[len(extAuthzPrefix):]
	switch {
	case len(t) == 0:
		return []byte("/"), true
	case t[0] == '/':
		return t, true
	case t[0] == '?':
		return []byte("/"), true
	}
	return nil, false
}

// decide answers one forward-auth subrequest: ep is epAuth or epExtAuthz, whose original
// request target is extTarget.
func (g *Gateway) decide(ctx *fasthttp.RequestCtx, ep endpoint, extTarget []byte) {
	// fasthttp's server reads the clock for each request (ctx.Time); only a handler called
	// outside one reads it here.
	start := ctx.Time()
	if start.IsZero() {
		start = time.Now()
	}
	a := answers.Get().(*answer)
	a.ctx, a.claims = ctx, &g.claims
	target, ok := extTarget, true
	if ep == epAuth {
		target, ok = originalTarget(&ctx.Request.Header, a)
	}
	status, why := 0, reasonAllowed
	var rt *route
	pathOK := false
	if ok {
		rt, _, pathOK = g.choose(target, &a.path, nil)
	}
	var exp time.Time
	hasExp := false
	var alg fastjwt.Alg
	hit := false
	switch {
	case !ok: // two original request targets that differ
		status, why = 400, reasonAmbiguous
		refuse(ctx, status, nil)
	case !pathOK:
		status, why = 400, reasonBadPath
		refuse(ctx, status, nil)
	case rt == nil:
		status, why = 403, reasonNoRoute
		refuse(ctx, status, nil)
	default:
		t := rt.b.Acquire()
		if aerr := rt.b.Authenticate(callContext, t, a); aerr != nil {
			status, why = aerr.Status, refusalReason(aerr)
			refuse(ctx, status, aerr.Challenge())
		} else {
			status = 200
			a.allow(ep)
			exp, hasExp = t.Claims().Expires()
		}
		alg, hit = t.Alg(), t.CacheHit()
		rt.b.Release(t)
	}
	// One more reading of the clock gives both the decision's latency and the time the
	// answer's max-age counts from.
	elapsed := time.Since(start)
	if status == 200 {
		a.cacheControl(g.maxAge, g.cacheControl, exp, hasExp, start, elapsed)
	}
	g.metrics.decided(ep, status, why, elapsed)
	if g.cfg.Observer != nil {
		g.observe(why, alg, hit, start, elapsed)
	}
	if g.log.Enabled(callContext, slog.LevelDebug) {
		name := ""
		if rt != nil {
			name = rt.name
		}
		g.log.LogAttrs(callContext, slog.LevelDebug, "decision", slog.String("endpoint", endpointNames[ep]),
			slog.String("route", name), slog.Int("status", status), slog.String("reason", reasonNames[why]))
	}
	a.ctx, a.claims, a.set, a.next, a.buf = nil, nil, 0, 0, a.buf[:0]
	a.auth, a.nAuth = [2][]byte{}, -1
	answers.Put(a)
}

// allow completes the claim headers of an allowed subrequest. Those of every route (see
// Gateway.claims) that the token did not set (the route does not set them, the token lacks the
// claim, or its value cannot be a header value) are sent empty to nginx, Traefik and Caddy, so
// that the proxy overwrites or drops the client's own, and are named in
// x-envoy-auth-headers-to-remove to Envoy, which copies only headers present in the answer.
func (a *answer) allow(ep endpoint) {
	h := &a.ctx.Response.Header
	a.buf = a.buf[:0]
	for i := range a.claims.headers {
		if a.set&(1<<i) != 0 {
			continue
		}
		if ep == epExtAuthz {
			if len(a.buf) > 0 {
				a.buf = append(a.buf, ',')
			}
			a.buf = append(a.buf, a.claims.lower[i]...)
		} else {
			h.SetCanonical(a.claims.keys[i], nil)
		}
	}
	if len(a.buf) > 0 {
		h.SetCanonical(envoyRemoveKey, a.buf)
	}
}

// cacheControl sets the answer's lifetime: a proxy may reuse the decision for max-age seconds,
// never past the token's expiry, never past MaxCacheAge. full is the value for maxAge (the
// Gateway's, built once), the usual one: most tokens outlive MaxCacheAge.
func (a *answer) cacheControl(maxAge int64, full []byte, exp time.Time, hasExp bool, start time.Time, elapsed time.Duration) {
	if hasExp {
		if left := int64((exp.Sub(start) - elapsed) / time.Second); left < maxAge {
			a.buf = append(a.buf[:0], cacheControlPrefix...)
			a.buf = strconv.AppendInt(a.buf, max(left, 0), 10)
			a.ctx.Response.Header.SetCanonical(cacheControlKey, a.buf)
			return
		}
	}
	a.ctx.Response.Header.SetCanonical(cacheControlKey, full)
}

// cacheControlPrefix begins the Cache-Control value of an allowing answer.
const cacheControlPrefix = "private, max-age="

// Keys of the answer headers, for SetCanonical.
var (
	envoyRemoveKey  = []byte(envoyRemove)
	cacheControlKey = []byte("Cache-Control")
)

// refuse answers a refused subrequest: status, the challenge if any, Retry-After on 503, and
// no-store, since a refusal must not be reused for the next request.
func refuse(ctx *fasthttp.RequestCtx, status int, challenge []byte) {
	ctx.Error(fasthttp.StatusMessage(status), status) // resets the response: headers go after
	h := &ctx.Response.Header
	if len(challenge) > 0 {
		h.SetBytesV("WWW-Authenticate", challenge)
	}
	if status == fasthttp.StatusServiceUnavailable {
		h.Set("Retry-After", bearer.RetryAfter)
	}
	h.Set("Cache-Control", "no-store")
}
