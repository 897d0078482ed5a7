package fasthttpsession

import (
	"net/url"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/csrf"
	"github.com/fastjwt/session/internal/httpsyntax"
)

// CrossOrigin returns middleware that refuses cross-origin state-changing requests by p's
// policy (package csrf), the port to fasthttp of net/http's CrossOriginProtection: the same
// verdict for the same request bytes. A refused request gets deny's answer or, when deny is nil,
// the standard library's: 403 Forbidden with the reason as a plain-text body.
//
// Sec-Fetch-Site and Origin are read from the request head as the client sent it, every spelling
// of the name, the first line of each counting; fasthttp's merged trailer fields are not part of
// it (net/http keeps trailers apart too). A request built in-process, without a raw head, is read
// from the parsed header. Per request the middleware allocates nothing, except for an Origin that
// package csrf reads with net/url (see csrf.Protection.Check) or an absolute-form request target.
func CrossOrigin(p *csrf.Protection, deny fasthttp.RequestHandler) func(fasthttp.RequestHandler) fasthttp.RequestHandler {
	if deny == nil {
		deny = defaultDeny
	}
	return func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
		return func(ctx *fasthttp.RequestCtx) {
			if err := p.Check(csrfRequest(ctx, new(csrf.Request))); err != nil {
				ctx.SetUserValue(csrfErrKey, err)
				deny(ctx)
				ctx.RemoveUserValue(csrfErrKey)
				return
			}
			next(ctx)
		}
	}
}

// CrossOriginError returns the reason CrossOrigin refused the request (csrf.ErrCrossOrigin or
// csrf.ErrCrossOriginOldBrowser), for a deny handler; nil elsewhere.
func CrossOriginError(ctx *fasthttp.RequestCtx) error {
	err, _ := ctx.UserValue(csrfErrKey).(error)
	return err
}

// csrfErrKey is the user-value key of CrossOrigin's refusal reason.
const csrfErrKey = "github.com/fastjwt/session/middleware/fasthttp.csrfErr"

// defaultDeny answers as net/http's http.Error does for CrossOriginProtection.
func defaultDeny(ctx *fasthttp.RequestCtx) {
	msg := "Forbidden"
	if err := CrossOriginError(ctx); err != nil {
		msg = err.Error()
	}
	ctx.Response.Reset()
	ctx.SetStatusCode(fasthttp.StatusForbidden)
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	ctx.SetBodyString(msg)
	ctx.Response.AppendBodyString("\n")
}

// csrfRequest fills r from ctx without copying.
func csrfRequest(ctx *fasthttp.RequestCtx, r *csrf.Request) *csrf.Request {
	h := &ctx.Request.Header
	r.Method = h.Method()
	r.Host = h.Host()
	target := h.RequestURI()
	if len(target) > 0 && target[0] == '/' {
		r.Path = target
		for i, c := range target {
			if c == '?' {
				r.Path = target[:i]
				break
			}
		}
	} else if u, err := url.ParseRequestURI(string(target)); err == nil {
		// Absolute form (or "*"): net/http takes the host from the target.
		if u.Host != "" {
			r.Host = []byte(u.Host)
		}
		r.Path = []byte(u.EscapedPath())
	}
	var buf [2][]byte
	if raw := h.RawHeaders(); len(raw) > 0 {
		if v := httpsyntax.AppendHeadValues(buf[:0], raw, "Sec-Fetch-Site"); len(v) > 0 {
			r.SecFetchSite = v[0]
		}
		if v := httpsyntax.AppendHeadValues(buf[:0], raw, "Origin"); len(v) > 0 {
			r.Origin = v[0]
		}
		return r
	}
	var site, origin bool
	for k, v := range h.All() {
		if !site && httpsyntax.EqualFold(k, "Sec-Fetch-Site") {
			r.SecFetchSite, site = v, true
		} else if !origin && httpsyntax.EqualFold(k, "Origin") {
			r.Origin, origin = v, true
		}
	}
	return r
}
