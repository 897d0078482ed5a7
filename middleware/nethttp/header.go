package nethttpsession

import (
	"net/http"
	"net/url"
	"strings"
	"unsafe"

	session "github.com/fastjwt/session"
)

// view returns the bytes of s without copying. The session and bearer packages only read them.
func view(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// requestHeader adapts a request's http.Header to session.RequestHeader. Names are given in
// canonical form, as net/http's server stores every received name.
type requestHeader http.Header

func (h requestHeader) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range h[name] {
		dst = append(dst, view(v))
	}
	return dst
}

// tlsRequestHeader is requestHeader for a request that arrived over TLS (session.TLSRequest).
type tlsRequestHeader http.Header

func (h tlsRequestHeader) AppendValues(dst [][]byte, name string) [][]byte {
	return requestHeader(h).AppendValues(dst, name)
}

// TLS reports that the request arrived over TLS.
func (tlsRequestHeader) TLS() bool { return true }

// sessionHeader returns r's header for the session: one that reports TLS when r arrived over it.
func sessionHeader(r *http.Request) session.RequestHeader {
	if r.TLS != nil {
		return tlsRequestHeader(r.Header)
	}
	return requestHeader(r.Header)
}

// responseHeader adapts the response's http.Header to session.ResponseHeader. The constant
// values the session writes (Vary: Cookie, Cache-Control: private, no-store) are stored in this
// request's own array, so they cost no allocation and are shared with no other response.
type responseHeader struct {
	h      http.Header
	values [2]string
}

func (h *responseHeader) one(value string) []string {
	switch value {
	case "Cookie":
		h.values[0] = value
		return h.values[0:1:1]
	case "private, no-store":
		h.values[1] = value
		return h.values[1:2:2]
	}
	return []string{value}
}

func (h *responseHeader) AppendValues(dst [][]byte, name string) [][]byte {
	for _, v := range h.h[name] {
		dst = append(dst, view(v))
	}
	return dst
}
func (h *responseHeader) Set(name, value string) { h.h[name] = h.one(value) }
func (h *responseHeader) Add(name, value string) {
	if v := h.h[name]; len(v) > 0 {
		h.h[name] = append(v, value)
	} else {
		h.h[name] = h.one(value)
	}
}
func (h *responseHeader) AddBytes(name string, value []byte) { h.Add(name, string(value)) }

// request adapts *http.Request to bearer.Request.
type request http.Request

func (r *request) AppendValues(dst [][]byte, name string) [][]byte {
	return requestHeader(r.Header).AppendValues(dst, name)
}
func (r *request) AppendQuery(dst [][]byte, name string) [][]byte {
	if r.URL == nil {
		return dst
	}
	return appendQueryValues(dst, r.URL.RawQuery, name)
}
func (r *request) Del(name string)               { delete(r.Header, name) }
func (r *request) Set(name string, value []byte) { r.Header[name] = []string{string(value)} }

// appendQueryValues appends every value of the named parameter of a raw query, unescaped.
// Values without escapes (every base64url token) are appended without copying; a value that
// does not unescape is appended as it is (and fails to verify).
func appendQueryValues(dst [][]byte, raw, name string) [][]byte {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != name {
			if !strings.ContainsAny(k, "%+") {
				continue
			}
			if u, err := url.QueryUnescape(k); err != nil || u != name {
				continue
			}
		}
		if strings.ContainsAny(v, "%+") {
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
		}
		dst = append(dst, view(v))
	}
	return dst
}
