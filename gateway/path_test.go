package gateway

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fastjwt/session/internal/pathref"
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
// reader (package pathref) reads it, or the target is refused.
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
		for _, r := range pathref.Readers {
			q, ok := r.Read(target)
			if !ok {
				continue // that server refuses the target itself
			}
			if other := g.pick([]byte(q)); other != rt {
				t.Fatalf("%q: chose %v, but %s reads %q: %v", target, name0(rt), r.Name, q, name0(other))
			}
		}
		// What reverse-proxy mode sends is read back as the path the route was chosen from.
		back, err := url.PathUnescape(string(p.forward))
		if err != nil || back != string(p.decoded) {
			t.Fatalf("%q: forward %q reads %q (%v), want %q", target, p.forward, back, err, p.decoded)
		}
		for _, r := range pathref.Readers {
			if q, ok := r.Read(string(p.forward)); ok && g.pick([]byte(q)) != rt {
				t.Fatalf("%q: forwarded as %q, which %s reads as %q under another route", target, p.forward, r.Name, q)
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
