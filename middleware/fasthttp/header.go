package fasthttpsession

import (
	"github.com/valyala/fasthttp"

	session "github.com/fastjwt/session"
	"github.com/fastjwt/session/internal/fasthttphead"
	"github.com/fastjwt/session/internal/httpsyntax"
)

// requestHeader adapts fasthttp's request header to session.RequestHeader.
type requestHeader fasthttp.RequestHeader

func (h *requestHeader) AppendValues(dst [][]byte, name string) [][]byte {
	return fasthttphead.AppendValues(dst, (*fasthttp.RequestHeader)(h), name)
}

// tlsRequestHeader is requestHeader for a request that arrived over TLS (session.TLSRequest).
type tlsRequestHeader fasthttp.RequestHeader

func (h *tlsRequestHeader) AppendValues(dst [][]byte, name string) [][]byte {
	return fasthttphead.AppendValues(dst, (*fasthttp.RequestHeader)(h), name)
}

// TLS reports that the request arrived over TLS.
func (*tlsRequestHeader) TLS() bool { return true }

// sessionHeader returns ctx's request header for the session: one that reports TLS when the
// request arrived over it.
func sessionHeader(ctx *fasthttp.RequestCtx) session.RequestHeader {
	if ctx.IsTLS() {
		return (*tlsRequestHeader)(&ctx.Request.Header)
	}
	return (*requestHeader)(&ctx.Request.Header)
}

// delAll deletes every line of the named request header in every spelling: fasthttp's Del
// matches one spelling only when name normalizing is disabled. (Written out for each header type,
// not as a generic function: ranging over All through a type parameter allocates.)
func delAll(h *fasthttp.RequestHeader, name string) {
	h.Del(name)
	var kb [64]byte
	for range 64 { // one round per spelling; a request holds far fewer
		key := kb[:0]
		for k := range h.All() {
			if httpsyntax.EqualFold(k, name) {
				key = append(key, k...)
				break
			}
		}
		if len(key) == 0 {
			return
		}
		h.DelBytes(key)
	}
}

// delAllResponse is delAll for a response header.
func delAllResponse(h *fasthttp.ResponseHeader, name string) {
	h.Del(name)
	var kb [64]byte
	for range 64 {
		key := kb[:0]
		for k := range h.All() {
			if httpsyntax.EqualFold(k, name) {
				key = append(key, k...)
				break
			}
		}
		if len(key) == 0 {
			return
		}
		h.DelBytes(key)
	}
}

// responseHeader adapts fasthttp's response header to session.ResponseHeader.
type responseHeader fasthttp.ResponseHeader

func (h *responseHeader) AppendValues(dst [][]byte, name string) [][]byte {
	for k, v := range (*fasthttp.ResponseHeader)(h).All() {
		if httpsyntax.EqualFold(k, name) {
			dst = append(dst, v)
		}
	}
	return dst
}
func (h *responseHeader) Set(name, value string) {
	delAllResponse((*fasthttp.ResponseHeader)(h), name)
	(*fasthttp.ResponseHeader)(h).Set(name, value)
}
func (h *responseHeader) Add(name, value string) { (*fasthttp.ResponseHeader)(h).Add(name, value) }
func (h *responseHeader) AddBytes(name string, value []byte) {
	(*fasthttp.ResponseHeader)(h).AddBytesV(name, value)
}

// request adapts a fasthttp request to bearer.Request.
type request fasthttp.RequestCtx

func (r *request) AppendValues(dst [][]byte, name string) [][]byte {
	return fasthttphead.AppendValues(dst, &r.Request.Header, name)
}
func (r *request) AppendQuery(dst [][]byte, name string) [][]byte {
	for k, v := range (*fasthttp.RequestCtx)(r).QueryArgs().All() {
		if string(k) == name {
			dst = append(dst, v)
		}
	}
	return dst
}
func (r *request) Del(name string)               { delAll(&r.Request.Header, name) }
func (r *request) Set(name string, value []byte) { r.Request.Header.SetBytesV(name, value) }
