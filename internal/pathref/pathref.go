// Package pathref reads request targets as common upstreams do, written apart from the
// gateway's path rule and after the specifications and the servers' documented behaviour, so
// that tests can check the rule against them: a route chosen by the gateway must be the route
// of the path every one of these readers sees.
package pathref

import (
	"net/url"
	"path"
	"strings"
)

// Reader reads the path of a request target (origin or absolute form) as one kind of server
// does, or reports false when that server refuses the target.
type Reader struct {
	Name string
	Read func(target string) (string, bool)
}

// Readers are the servers' readings.
var Readers = []Reader{
	{"rfc3986", readRFC3986},
	{"decode+dots", readDecodeClean},
	{"servlet", readServlet},
	{"net/url", readNetURL},
	{"nginx", readNginx},
}

// targetPath cuts the query (and a fragment) off a target in origin or absolute form.
func targetPath(t string) string {
	if i := strings.IndexAny(t, "?#"); i >= 0 {
		t = t[:i]
	}
	lower := strings.ToLower(t)
	for _, s := range []string{"http://", "https://"} {
		if strings.HasPrefix(lower, s) {
			t = t[len(s):]
			if i := strings.IndexByte(t, '/'); i >= 0 {
				return t[i:]
			}
			return "/"
		}
	}
	return t
}

// decode percent-decodes s (all escapes, or only those of unreserved characters).
func decode(s string, onlyUnreserved bool) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		h, l := strings.IndexByte(hexDigits, lower(s[i+1])), strings.IndexByte(hexDigits, lower(s[i+2]))
		if h < 0 || l < 0 {
			return "", false
		}
		c := byte(h<<4 | l)
		if onlyUnreserved && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			b.WriteString(s[i : i+3])
		} else {
			b.WriteByte(c)
		}
		i += 2
	}
	return b.String(), true
}

// removeDots is RFC 3986 sec. 5.2.4's remove_dot_segments.
func removeDots(in string) string {
	var out []string
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			i := strings.IndexByte(in[1:], '/')
			if i < 0 {
				out, in = append(out, in), ""
			} else {
				out, in = append(out, in[:i+1]), in[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}

// readRFC3986 normalizes as RFC 3986 sec. 6.2.2 does: unreserved escapes decoded, dot segments
// removed, then the rest decoded as a server serving it would.
func readRFC3986(t string) (string, bool) {
	p, ok := decode(targetPath(t), true)
	if !ok {
		return "", false
	}
	return decode(removeDots(p), false)
}

// readDecodeClean decodes everything first, then removes dot segments (Go's FileServer,
// nginx serving files, most static servers).
func readDecodeClean(t string) (string, bool) {
	p, ok := decode(targetPath(t), false)
	if !ok {
		return "", false
	}
	p = strings.ReplaceAll(p, "\\", "/") // Windows servers and some others take "\" for "/"
	return removeDots(p), true
}

// readServlet is the servlet rule: ";..." dropped from every segment, then decoded, then dot
// segments removed (Tomcat's order; its default refuses an encoded "/").
func readServlet(t string) (string, bool) {
	segs := strings.Split(targetPath(t), "/")
	for i, s := range segs {
		if j := strings.IndexByte(s, ';'); j >= 0 {
			segs[i] = s[:j]
		}
	}
	p, ok := decode(strings.Join(segs, "/"), false)
	if !ok {
		return "", false
	}
	return removeDots(p), true
}

// readNetURL is Go's net/http with path.Clean (http.ServeMux's redirect target, FileServer).
func readNetURL(t string) (string, bool) {
	u, err := url.ParseRequestURI(t)
	if err != nil || u.Path == "" {
		return "", false
	}
	c := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && c != "/" {
		c += "/"
	}
	return c, true
}

// readNginx decodes, merges slashes and removes dot segments (merge_slashes on), and strips a
// trailing "." or space of each segment as Windows file systems do.
func readNginx(t string) (string, bool) {
	p, ok := decode(targetPath(t), false)
	if !ok {
		return "", false
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	p = removeDots(p)
	segs := strings.Split(p, "/")
	for i := range segs {
		segs[i] = strings.TrimRight(segs[i], ". ")
	}
	return strings.Join(segs, "/"), true
}

const hexDigits = "0123456789abcdef"

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
