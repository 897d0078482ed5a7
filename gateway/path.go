package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/fastjwt/session/internal/httpsyntax"
)

// The path rule: the route is chosen from exactly the path the upstream will serve, or the
// request is refused (400). Upstreams read a request target in different ways: nginx and Go's
// FileServer percent-decode and remove dot segments, servlet containers (Tomcat, Jetty, Spring)
// first drop ";..." from every segment, nginx merges "//", Windows servers drop a trailing "."
// or space of a segment, some decode twice, and no client sends a fragment ("#"). A target that
// two of them could read as different resources is refused rather than read one way, so that no
// reading an upstream chooses can land under another route's policy. What is left has one
// reading: percent-decoding, which every server applies once, and nothing else.
//
// docs/gateway.md has the table of spellings and why each is refused.

// maxTarget bounds the original request target the gateway reads (longer ones are refused):
// nginx's default large_client_header_buffers hold a request line of 8 KiB.
const maxTarget = 8192

// parsedPath is the one reading of a request target's path.
type parsedPath struct {
	// decoded is the percent-decoded path: the route is chosen from it.
	decoded []byte
	// servlet is decoded with every ";..." segment parameter removed, as servlet containers
	// read it; only when params.
	servlet []byte
	// forward is the path to send upstream (reverse-proxy mode): decoded, with unreserved
	// characters unescaped and every other escape kept, in upper case, so that one decoding
	// gives decoded again. Nil unless asked for.
	forward []byte
	// params: the path has ";" segment parameters (refused unless the route allows them).
	params bool
}

// pathScratch holds the buffers of a parsedPath, so that reading a path allocates nothing.
type pathScratch struct {
	decoded, servlet [maxTarget]byte
}

// parsePath reads the path of an original request target (origin form "/p?q", or absolute form
// "https://host/p?q", as nginx's $request_uri may hold), and reports whether it has a single
// reading. It refuses: a raw "#" anywhere; a raw byte RFC 3986 does not allow in a path (space,
// "\", control bytes, non-ASCII...); an escape that decodes to "/", "\", "%" (double encoding),
// ";", "?", "#" or a control byte; non-UTF-8 after decoding; an empty segment but the last ("//"),
// a dot segment and a segment ending in "." or a space, in the decoded path and, when the path
// has ";" parameters, in its servlet reading too. forward, if not nil, receives parsedPath.forward.
func parsePath(target []byte, s *pathScratch, forward *[maxTarget]byte) (parsedPath, bool) {
	var p parsedPath
	if len(target) > maxTarget || bytes.IndexByte(target, '#') >= 0 {
		return p, false
	}
	if i := schemeEnd(target); i > 0 {
		rest := target[i:]
		j := 0
		for j < len(rest) && rest[j] != '/' && rest[j] != '?' {
			j++
		}
		target = rest[j:]
		if len(target) == 0 || target[0] == '?' {
			target = []byte("/")
		}
	}
	if i := bytes.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	if len(target) == 0 || target[0] != '/' {
		return p, false
	}
	d := s.decoded[:0]
	var f []byte
	if forward != nil {
		f = forward[:0]
	}
	high := false
	for i := 0; i < len(target); i++ {
		c := target[i]
		if c != '%' {
			if !pathByte[c] {
				return p, false
			}
			p.params = p.params || c == ';'
			d = append(d, c)
			if forward != nil {
				f = append(f, c)
			}
			continue
		}
		c, ok := httpsyntax.PercentByte(target, i)
		if !ok {
			return p, false
		}
		i += 2
		if c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '%' || c == ';' || c == '?' || c == '#' {
			return p, false
		}
		high = high || c >= 0x80
		d = append(d, c)
		if forward != nil {
			if unreserved(c) {
				f = append(f, c)
			} else {
				f = append(f, '%', upperHex[c>>4], upperHex[c&15])
			}
		}
	}
	if high && !utf8.Valid(d) {
		return p, false
	}
	if !cleanSegments(d) {
		return p, false
	}
	p.decoded, p.forward = d, f
	if p.params {
		p.servlet = stripParams(s.servlet[:0], d)
		if !cleanSegments(p.servlet) {
			return p, false
		}
	}
	return p, true
}

// stripParams appends p without the ";..." parameter of each segment (the servlet rule).
func stripParams(dst, p []byte) []byte {
	in := false
	for _, c := range p {
		switch {
		case c == '/':
			in = false
		case c == ';':
			in = true
		}
		if !in {
			dst = append(dst, c)
		}
	}
	return dst
}

// CheckPathPrefix says what is wrong with p as a Route's PathPrefix, or returns nil. A prefix is
// a path as an upstream serves it, so that the path rule can compare it byte for byte with the
// decoded path: it starts with "/", and holds no query or fragment, no escape, no ";", no byte
// that would need an escape (space, "\", control bytes; non-ASCII only as UTF-8), no empty
// segment but the last, no dot segment and no segment ending in "." or a space.
func CheckPathPrefix(p string) error {
	switch {
	case p == "" || p[0] != '/':
		return errors.New("it must start with '/'")
	case len(p) > maxTarget:
		return fmt.Errorf("longer than %d bytes", maxTarget)
	case strings.ContainsAny(p, "?#"):
		return errors.New("a path, without '?' or '#'")
	case strings.ContainsAny(p, "%\\"):
		return errors.New("no '%' escape or '\\': a decoded path, as an upstream serves it")
	case strings.IndexByte(p, ';') >= 0:
		return errors.New("no ';' (servlet containers drop what follows it in a segment)")
	case !utf8.ValidString(p):
		return errors.New("not UTF-8")
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x80 && !pathByte[c] {
			return fmt.Errorf("%q would need an escape", c)
		}
	}
	if !cleanSegments([]byte(p)) {
		return errors.New("an empty or dot segment, or one ending in '.' (a proxy normalizes the path: it would never match)")
	}
	return nil
}

// cleanSegments reports whether a path (starting with "/") has no empty segment but a trailing
// one, no dot segment, and no segment ending in "." or a space (which Windows servers drop).
func cleanSegments(p []byte) bool {
	start := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		seg := p[start:i]
		if len(seg) == 0 {
			if i < len(p) { // "//": an empty segment that is not the last
				return false
			}
		} else if last := seg[len(seg)-1]; last == '.' || last == ' ' {
			return false
		}
		start = i + 1
	}
	return true
}

// matchPrefix reports whether prefix covers path: path starts with it and continues, if at all,
// with a new segment ("/partners" covers "/partners" and "/partners/x", not "/partnersx"). fold:
// ASCII letters match whatever their case.
func matchPrefix(path []byte, prefix string, fold bool) bool {
	if len(path) < len(prefix) {
		return false
	}
	if fold {
		if !httpsyntax.EqualFold(path[:len(prefix)], prefix) {
			return false
		}
	} else if string(path[:len(prefix)]) != prefix {
		return false
	}
	return len(path) == len(prefix) || prefix[len(prefix)-1] == '/' || path[len(prefix)] == '/'
}

// schemeEnd returns the index after "http://" or "https://" at the start of t (any case), or 0.
func schemeEnd(t []byte) int {
	if len(t) == 0 || t[0]|0x20 != 'h' { // the usual origin form
		return 0
	}
	for _, s := range [...]string{"http://", "https://"} {
		if len(t) >= len(s) && httpsyntax.EqualFold(t[:len(s)], s) {
			return len(s)
		}
	}
	return 0
}

// pathByte says which bytes may appear unescaped in a path: RFC 3986's pchar (unreserved,
// sub-delims, ":" and "@") and "/". ";" is one of them; parsePath records it.
var pathByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = unreserved(byte(c)) || bytes.IndexByte([]byte("!$&'()*+,;=:@/"), byte(c)) >= 0
	}
	return t
}()

// unreserved reports whether c is an RFC 3986 unreserved character, the same escaped or not.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"
