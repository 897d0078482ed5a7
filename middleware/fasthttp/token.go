package fasthttpsession

import (
	"io"

	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/internal/httpsyntax"
	"github.com/fastjwt/session/issuing"
)

// TokenHandler returns the handler of one of iss's endpoints: (*issuing.Issuer).Obtain,
// Refresh, Verify or Revoke. It hands the endpoint the method, the Content-Type (none when the
// request has several lines of it: ambiguous, refused, as on net/http), at most
// iss.MaxBody()+1 bytes of the body (a longer body is answered 413 by the endpoint; a streamed
// body is read no further) and the client's address, and writes the endpoint's Response as it
// is. Bodies beyond the server's MaxRequestBodySize, and malformed multipart bodies (which
// fasthttp parses before any handler unless Server.DisablePreParseMultipartForm), are refused
// by fasthttp first.
func TokenHandler(iss *issuing.Issuer, endpoint issuing.Endpoint) fasthttp.RequestHandler {
	limit := int64(iss.MaxBody()) + 1
	return func(ctx *fasthttp.RequestCtx) {
		req := issuing.Request{Method: string(ctx.Method()), Remote: ctx.RemoteAddr().String()}
		if ctx.Request.IsBodyStream() {
			body, err := io.ReadAll(io.LimitReader(ctx.RequestBodyStream(), limit))
			req.Body, req.Incomplete = body, err != nil
		} else if b := ctx.PostBody(); int64(len(b)) > limit {
			req.Body = b[:limit]
		} else {
			req.Body = b
		}
		if ct := contentTypes(&ctx.Request.Header); len(ct) == 1 {
			req.ContentType = string(ct[0])
		}
		resp := endpoint(iss, callContext, req)
		h := &ctx.Response.Header
		resp.Header(func(name, value string) { h.Set(name, value) })
		ctx.SetStatusCode(resp.Status)
		ctx.SetBody(resp.Body)
	}
}

// contentTypes returns every Content-Type line of the request as the client sent them (fasthttp
// keeps only one of several), or the parsed one for a request built in-process.
func contentTypes(h *fasthttp.RequestHeader) [][]byte {
	if raw := h.RawHeaders(); len(raw) > 0 {
		return httpsyntax.AppendHeadValues(nil, raw, "Content-Type")
	}
	if ct := h.ContentType(); len(ct) > 0 {
		return [][]byte{ct}
	}
	return nil
}
