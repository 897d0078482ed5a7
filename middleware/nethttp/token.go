package nethttpsession

import (
	"io"
	"net/http"

	"github.com/fastjwt/session/issuing"
)

// TokenHandler returns the handler of one of iss's endpoints: (*issuing.Issuer).Obtain,
// Refresh, Verify or Revoke. It reads at most iss.MaxBody()+1 bytes of the body (a longer body
// is answered 413 by the endpoint, the rest unread), hands the endpoint the method, the
// Content-Type (none when the request has several lines of it: ambiguous, refused), the body
// and the client's address, and writes the endpoint's Response as it is.
func TokenHandler(iss *issuing.Issuer, endpoint issuing.Endpoint) http.Handler {
	limit := int64(iss.MaxBody()) + 1
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, limit))
		req := issuing.Request{Method: r.Method, Body: body, Remote: r.RemoteAddr, Incomplete: err != nil}
		if ct := r.Header.Values("Content-Type"); len(ct) == 1 {
			req.ContentType = ct[0]
		}
		resp := endpoint(iss, r.Context(), req)
		h := w.Header()
		resp.Header(func(name, value string) { h.Set(name, value) })
		w.WriteHeader(resp.Status)
		w.Write(resp.Body)
	})
}
