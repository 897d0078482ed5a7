package gateway

import (
	"bytes"

	"github.com/fastjwt/session/internal/httpsyntax"
)

// maxTarget bounds the original request target the gateway reads (longer ones are refused):
// nginx's default large_client_header_buffers hold a request line of 8 KiB.
const maxTarget = 8192

// routePath returns the path of an original request target (origin form "/p?q", or absolute form
// "https://host/p?q", as nginx's $request_uri may hold), and whether it is usable. When strict,
// the path chooses between policies, so it is percent-decoded into scratch and refused when
// servers could disagree about which resource it names: an encoded "/" or "\", a "\", a control
// character, a bad escape, an empty segment ("//", which nginx merges) or a dot segment ("." or
// "..", also with a ";" parameter, which Java servers strip). The decoded path is then matched,
// so "/%61dmin" chooses the route of "/admin".
func routePath(target []byte, strict bool, scratch *[maxTarget]byte) ([]byte, bool) {
	if len(target) > maxTarget {
		return nil, false
	}
	if i := schemeEnd(target); i > 0 {
		rest := target[i:]
		j := bytes.IndexAny(rest, "/?#")
		if j < 0 || rest[j] != '/' {
			return []byte("/"), true
		}
		target = rest[j:]
	}
	for i, c := range target { // a loop: IndexAny builds its byte set on every call
		if c == '?' || c == '#' {
			target = target[:i]
			break
		}
	}
	if len(target) == 0 || target[0] != '/' {
		return nil, false
	}
	if !strict {
		return target, true
	}
	p := scratch[:0]
	for i := 0; i < len(target); i++ {
		c := target[i]
		if c == '%' {
			if i+2 >= len(target) {
				return nil, false
			}
			h, l := unhex(target[i+1]), unhex(target[i+2])
			if h < 0 || l < 0 {
				return nil, false
			}
			c = byte(h<<4 | l)
			if c == '/' {
				return nil, false
			}
			i += 2
		}
		if c == '\\' || c < 0x20 || c == 0x7f {
			return nil, false
		}
		p = append(p, c)
	}
	if !cleanSegments(p) {
		return nil, false
	}
	return p, true
}

// validPrefix reports whether a route's PathPrefix is a clean decoded path: routePath's strict
// rules, with no "%", "?" or "#".
func validPrefix(prefix string) bool {
	if prefix == "" || prefix[0] != '/' {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; c == '%' || c == '?' || c == '#' || c == '\\' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	return cleanSegments([]byte(prefix))
}

// cleanSegments reports whether a path (starting with "/") has no empty segment but a trailing
// one, and no dot segment.
func cleanSegments(p []byte) bool {
	for rest := p[1:]; ; {
		seg := rest
		i := bytes.IndexByte(rest, '/')
		if i >= 0 {
			seg, rest = rest[:i], rest[i+1:]
		}
		if len(seg) == 0 && i >= 0 {
			return false
		}
		if j := bytes.IndexByte(seg, ';'); j >= 0 {
			seg = seg[:j]
		}
		if string(seg) == "." || string(seg) == ".." {
			return false
		}
		if i < 0 {
			return true
		}
	}
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

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
