package gateway

import (
	"net/url"
	"path"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	var s pathScratch
	var f [maxTarget]byte
	for _, tc := range []struct {
		target, decoded, forward string // decoded "!" for refused
	}{
		{"/a/b?c=../d#", "!", ""},
		{"/a/b?c=../d", "/a/b", "/a/b"},
		{"/%41b/%7e", "/Ab/~", "/Ab/~"},
		{"/a%20b", "/a b", "/a%20b"},
		{"/a%2cb/%c3%a9", "/a,b/é", "/a%2Cb/%C3%A9"},
		{"/a,b:c@d!$&'()*+=", "/a,b:c@d!$&'()*+=", "/a,b:c@d!$&'()*+="},
		{"https://h.test", "/", "/"},
		{"https://h.test?x", "/", "/"},
		{"HTTP://h.test/x/y?z", "/x/y", "/x/y"},
		{"/", "/", "/"},
		{"/a/", "/a/", "/a/"},
		{"/a;x=1/b", "/a;x=1/b", "/a;x=1/b"}, // parsed; params recorded (refused by choose)
		// More than one reading among upstreams.
		{"/a/b#x", "!", ""},
		{"/a#/../b", "!", ""},
		{"/a/b?x#y", "!", ""},
		{"/./a", "!", ""},
		{"/a/..", "!", ""},
		{"/a/../b", "!", ""},
		{"/a/..;x/b", "!", ""},
		{"/a/.;x/b", "!", ""},
		{"/a/%2E%2e/b", "!", ""},
		{"/a/%2e/b", "!", ""},
		{"/a/.%2e/b", "!", ""},
		{"/a.", "!", ""},
		{"/a./b", "!", ""},
		{"/a%2e/b", "!", ""},
		{"/a%20/b", "!", ""},
		{"/a%2fb", "!", ""},
		{"/a%2Fb", "!", ""},
		{"/a%5cb", "!", ""},
		{"/a\\b", "!", ""},
		{"/a%00", "!", ""},
		{"/a%0a", "!", ""},
		{"/a%7f", "!", ""},
		{"/a\x01", "!", ""},
		{"/a b", "!", ""},
		{"/a%252e%252e/b", "!", ""},
		{"/a%25", "!", ""},
		{"/a%3bx/b", "!", ""},
		{"/a%3fb", "!", ""},
		{"/a%23b", "!", ""},
		{"/a%zz", "!", ""},
		{"/a%2", "!", ""},
		{"/a%", "!", ""},
		{"/a//b", "!", ""},
		{"//a", "!", ""},
		{"/a%ff", "!", ""},
		{"/a%c3", "!", ""},
		{"/a\xc3\xa9", "!", ""},
		{"/a[b]", "!", ""},
		{"/a|b", "!", ""},
		{"*", "!", ""},
		{"", "!", ""},
		{"x", "!", ""},
		{"/" + strings.Repeat("a", maxTarget), "!", ""},
	} {
		p, ok := parsePath([]byte(tc.target), &s, &f)
		got, fwd := string(p.decoded), string(p.forward)
		if !ok {
			got, fwd = "!", ""
		}
		if got != tc.decoded || fwd != tc.forward {
			t.Errorf("%q: %q forward %q, want %q forward %q", tc.target, got, fwd, tc.decoded, tc.forward)
		}
	}
}

// pathRoutes is a configuration with routes at several depths, one allowing path parameters and
// one refusing case variants.
func pathRoutes(t testing.TB) *Gateway {
	c := newCodec(t)
	return newGateway(t, Config{Routes: []Route{
		{Name: "default", PathPrefix: "/", Verifier: c},
		{Name: "partners", PathPrefix: "/partners", Verifier: c},
		{Name: "admin", PathPrefix: "/admin/", Verifier: c, RefuseCaseVariants: true},
		{Name: "java", PathPrefix: "/java", Verifier: c, PathParameters: true},
		{Name: "deep", PathPrefix: "/java/deep", Verifier: c},
	}})
}

func TestChoose(t *testing.T) {
	g := pathRoutes(t)
	var s pathScratch
	for _, tc := range []struct{ target, want string }{ // "!" refused, "-" no route
		{"/", "default"},
		{"/partners", "partners"},
		{"/partners/", "partners"},
		{"/partners/x", "partners"},
		{"/partnersx", "default"},
		{"/partners-internal/x", "default"},
		{"/Partners/x", "default"}, // case-sensitive; partners does not refuse case variants
		{"/admin/x", "admin"},
		{"/admin", "default"}, // "/admin/" covers what is under it
		{"/Admin/x", "!"},
		{"/ADMIN/", "!"},
		{"/%61dmin/x", "admin"},
		{"/%41dmin/x", "!"},
		{"/admin;x/secret", "!"},
		{"/x;y/admin/z", "!"},
		{"/java/users;v=2/x", "java"},
		{"/java;v=2/x", "!"}, // without parameters it is /java/x, with them the default route
		{"/java/deep;x/y", "!"},
		{"/java/d;x/y", "java"},
		{"/java/..;/admin/x", "!"},
		{"/java/;x/y", "!"}, // an empty segment once parameters are dropped
		{"/java/a.;x/y", "!"},
		{"/java/deep/x", "deep"},
		{"/partners/..%2fadmin/x", "!"},
		{"/x#/../partners/f", "!"},
	} {
		rt, _, ok := g.choose([]byte(tc.target), &s, nil)
		got := "!"
		switch {
		case ok && rt == nil:
			got = "-"
		case ok:
			got = rt.name
		}
		if got != tc.want {
			t.Errorf("%q: route %s, want %s", tc.target, got, tc.want)
		}
	}
}

// The property: for any target, the route chosen is the route of the path as each reference
// reader reads it, or the target is refused. The readers are written apart from parsePath,
// after the specifications and the servers' documented behaviour.
func FuzzChoose(f *testing.F) {
	for _, s := range []string{
		"/", "/partners/x", "/admin/x", "/java/u;v=1/x", "/a/../partners/x", "/%2e%2e/admin/",
		"/a%2fb", "/x#/../admin/y", "/x;y/admin/z", "/admin./x", "//admin/x", "/%61dmin/x",
		"/x/%252e%252e/admin", "/Admin/x", "/java/..;/admin/x", "/partners%00/x", "/a\\..\\admin\\x",
		"http://h/admin/x?y", "/x/%ff/../admin", "/java/a;b/../../admin/x",
	} {
		f.Add(s)
	}
	g := pathRoutes(f)
	var s pathScratch
	var fw [maxTarget]byte
	f.Fuzz(func(t *testing.T, target string) {
		rt, p, ok := g.choose([]byte(target), &s, &fw)
		if !ok {
			return
		}
		readers := map[string]func(string) (string, bool){
			"rfc3986":     readRFC3986,
			"decode+dots": readDecodeClean,
			"servlet":     readServlet,
			"net/url":     readNetURL,
			"nginx":       readNginx,
		}
		for name, read := range readers {
			q, ok := read(target)
			if !ok {
				continue // that server refuses the target itself
			}
			if other := g.pick([]byte(q)); other != rt {
				t.Fatalf("%q: chose %v, but %s reads %q: %v", target, name0(rt), name, q, name0(other))
			}
		}
		// What reverse-proxy mode sends is read back as the path the route was chosen from.
		back, err := url.PathUnescape(string(p.forward))
		if err != nil || back != string(p.decoded) {
			t.Fatalf("%q: forward %q reads %q (%v), want %q", target, p.forward, back, err, p.decoded)
		}
		for name, read := range readers {
			if q, ok := read(string(p.forward)); ok && g.pick([]byte(q)) != rt {
				t.Fatalf("%q: forwarded as %q, which %s reads as %q under another route", target, p.forward, name, q)
			}
		}
	})
}

func name0(rt *route) string {
	if rt == nil {
		return "no route"
	}
	return rt.name
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
		h, l := unhex(s[i+1]), unhex(s[i+2])
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
