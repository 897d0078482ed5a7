// Package fasthttphead reads fasthttp request headers by the rules that the fasthttp adapter and
// the gateway share: every spelling of a name, and Cookie lines as the client sent them.
package fasthttphead

import (
	"github.com/valyala/fasthttp"

	"github.com/fastjwt/session/internal/httpsyntax"
)

// AppendValues appends every line of the named request header, matched ASCII
// case-insensitively (fasthttp's Peek matches one spelling only when name normalizing is
// disabled). Cookie lines are taken from the raw request head as the client sent them, since
// fasthttp re-parses cookies with a grammar of its own; a request built in-process (no raw head)
// falls back to fasthttp's Cookie header. Every other name is read from the parsed header, which
// is what a handler sees, including what outer middleware changed. (A request built in-process
// costs an allocation there: fasthttp re-serializes its parsed cookies.)
func AppendValues(dst [][]byte, h *fasthttp.RequestHeader, name string) [][]byte {
	if httpsyntax.EqualFold([]byte(name), "Cookie") {
		if raw := h.RawHeaders(); len(raw) > 0 {
			return httpsyntax.AppendHeadValues(dst, raw, name)
		}
		if v := h.Peek("Cookie"); len(v) > 0 {
			dst = append(dst, v)
		}
		return dst
	}
	for k, v := range h.All() {
		if httpsyntax.EqualFold(k, name) {
			dst = append(dst, v)
		}
	}
	return dst
}
