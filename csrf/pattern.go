package csrf

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/fastjwt/session/internal/httpsyntax"
)

// segKind is the kind of one segment of a bypass pattern's path.
type segKind uint8

const (
	segLiteral segKind = iota // a literal segment, compared unescaped
	segWild                   // {name}: any one segment
	segMulti                  // {name...} or a trailing "/": the rest of the path, possibly empty
	segEnd                    // {$}: exactly a trailing slash
)

type segment struct {
	kind segKind
	lit  string // unescaped, for segLiteral
}

// pattern is a bypass pattern read by parsePattern: the subset of ServeMux's grammar that
// matches on the method and the path.
type pattern struct {
	method string // "" for any method
	segs   []segment
}

// parsePattern reads s, already accepted by a ServeMux, and refuses what the subset leaves out
// (a host).
func parsePattern(s string) (pattern, error) {
	var p pattern
	rest := s
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		p.method = rest[:i]
		rest = strings.TrimLeft(rest[i:], " \t")
	}
	if !strings.HasPrefix(rest, "/") {
		return p, fmt.Errorf("%w: bypass pattern %q: a host is not supported; the path must begin with \"/\"", ErrConfig, s)
	}
	rest = rest[1:]
	for {
		i := strings.IndexByte(rest, '/')
		seg := rest
		if i >= 0 {
			seg = rest[:i]
		}
		last := i < 0
		switch {
		case seg == "" && last:
			// A trailing slash (or the path "/"): the subtree.
			p.segs = append(p.segs, segment{kind: segMulti})
			return p, nil
		case seg == "{$}" && last:
			p.segs = append(p.segs, segment{kind: segEnd})
			return p, nil
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}") && last:
			p.segs = append(p.segs, segment{kind: segMulti})
			return p, nil
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			p.segs = append(p.segs, segment{kind: segWild})
		default:
			// Unescaped when possible, else as written, as ServeMux reads it.
			lit, err := url.PathUnescape(seg)
			if err != nil {
				lit = seg
			}
			p.segs = append(p.segs, segment{kind: segLiteral, lit: lit})
		}
		if last {
			return p, nil
		}
		rest = rest[i+1:]
	}
}

// match reports whether a request with method and the clean escaped path matches p.
func (p *pattern) match(method, path []byte) bool {
	if p.method != "" && string(method) != p.method && !(p.method == "GET" && string(method) == "HEAD") {
		return false
	}
	if len(path) == 0 || path[0] != '/' {
		return false
	}
	rest := path[1:] // after the slash that precedes the next segment
	for k, s := range p.segs {
		switch s.kind {
		case segMulti:
			return true
		case segEnd:
			return len(rest) == 0
		}
		i := indexSlash(rest)
		seg := rest
		if i >= 0 {
			seg = rest[:i]
		}
		switch s.kind {
		case segLiteral:
			if !equalUnescaped(seg, s.lit) {
				return false
			}
		case segWild:
			// A wildcard never matches the empty segment of a trailing slash.
			if len(seg) == 0 {
				return false
			}
		}
		if k == len(p.segs)-1 {
			return i < 0
		}
		if i < 0 {
			return false
		}
		rest = rest[i+1:]
	}
	return false
}

func indexSlash(b []byte) int {
	for i, c := range b {
		if c == '/' {
			return i
		}
	}
	return -1
}

// equalUnescaped reports whether seg, percent-decoded, equals lit. A segment with a malformed
// escape is compared as it is, as ServeMux does.
func equalUnescaped(seg []byte, lit string) bool {
	j := 0
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' {
			d, ok := httpsyntax.PercentByte(seg, i)
			if !ok {
				return string(seg) == lit
			}
			c = d
			i += 2
		}
		if j >= len(lit) || lit[j] != c {
			// A later malformed escape could still make the raw comparison the one that holds.
			return hasBadEscape(seg[i:]) && string(seg) == lit
		}
		j++
	}
	return j == len(lit)
}

func hasBadEscape(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] == '%' {
			if _, ok := httpsyntax.PercentByte(b, i); !ok {
				return true
			}
			i += 2
		}
	}
	return false
}

// cleanPath reports whether path is what net/http's cleanPath leaves unchanged: it begins with
// "/", has no empty segment but a trailing one, and no "." or ".." segment. ServeMux redirects
// any other path, which therefore never matches a bypass pattern.
func cleanPath(path []byte) bool {
	if len(path) == 0 || path[0] != '/' {
		return false
	}
	start := 1
	for i := 1; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		seg := path[start:i]
		switch string(seg) {
		case "":
			if i < len(path) {
				return false // "//"
			}
		case ".", "..":
			return false
		}
		start = i + 1
	}
	return true
}
