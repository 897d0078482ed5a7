package csrf

import (
	"errors"
	"net/url"
	"path"
	"strings"
	"testing"
)

// The cases of TestCrossOriginProtectionAddTrustedOriginErrors in the Go standard library's
// net/http/csrf_test.go (Copyright 2025 The Go Authors, BSD-style license).
func TestNewTrustedOrigins(t *testing.T) {
	for _, c := range []struct {
		origin  string
		wantErr bool
	}{
		{"https://example.com", false},
		{"https://example.com:8080", false},
		{"http://example.com", false},
		{"example.com", true},
		{"https://", true},
		{"https://example.com/", true},
		{"https://example.com/path", true},
		{"https://example.com?query=value", true},
		{"https://example.com#fragment", true},
		{"https://ex ample.com", true},
		{"", true},
		{"null", true},
	} {
		_, err := New(Config{TrustedOrigins: []string{c.origin}})
		if (err != nil) != c.wantErr {
			t.Errorf("%q: %v, want error %v", c.origin, err, c.wantErr)
		}
		if err != nil && !errors.Is(err, ErrConfig) {
			t.Errorf("%q: %v does not wrap ErrConfig", c.origin, err)
		}
	}
}

func TestNewBypassPatterns(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		wantErr  bool
	}{
		{[]string{"/a/", "POST /b", "/c/{x}/d", "/e/{rest...}", "/f/{$}"}, false},
		{[]string{"example.com/a"}, true},    // a host
		{[]string{"/a/{x}", "/a/{y}"}, true}, // conflicting, by ServeMux
		{[]string{"/a/{x"}, true},            // malformed
		{[]string{"a"}, true},
		{[]string{"/a", "/a"}, true},
	} {
		_, err := New(Config{BypassPatterns: c.patterns})
		if (err != nil) != c.wantErr {
			t.Errorf("%q: %v, want error %v", c.patterns, err, c.wantErr)
		}
		if err != nil && !errors.Is(err, ErrConfig) {
			t.Errorf("%q: %v does not wrap ErrConfig", c.patterns, err)
		}
	}
}

func TestPatternMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, method, path string
		want                  bool
	}{
		{"/c/{x}/d", "POST", "/c/1/d", true},
		{"/c/{x}/d", "POST", "/c/1/d/", false},
		{"/c/{x}/d", "POST", "/c//d", false},
		{"/e/{rest...}", "POST", "/e/", true},
		{"/e/{rest...}", "POST", "/e/a/b", true},
		{"/e/{rest...}", "POST", "/e", false},
		{"/f/{$}", "POST", "/f/", true},
		{"/f/{$}", "POST", "/f/x", false},
		{"/", "POST", "/anything/at/all", true},
		{"GET /g", "HEAD", "/g", true},
		{"GET /g", "POST", "/g", false},
		{"/a%2Fb", "POST", "/a%2fb", true},
		{"/a%2Fb", "POST", "/a/b", false},
		{"/%zz", "POST", "/%zz", true},
	} {
		pat, err := parsePattern(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := pat.match([]byte(c.method), []byte(c.path)); got != c.want {
			t.Errorf("%q %s %q: %v, want %v", c.pattern, c.method, c.path, got, c.want)
		}
	}
}

// cleanPath agrees with net/http's rule: path.Clean with the trailing slash kept.
func TestCleanPath(t *testing.T) {
	for _, p := range []string{"/", "//", "/a", "/a/", "/a//b", "/./", "/..", "/a/.", "/a/..", "/a/.b", "/..a/", "a", "", "/a/b/../c", "/.../"} {
		want := p != "" && p[0] == '/'
		if want {
			np := path.Clean(p)
			if strings.HasSuffix(p, "/") && np != "/" {
				np += "/"
			}
			want = np == p
		}
		if got := cleanPath([]byte(p)); got != want {
			t.Errorf("%q: %v, want %v", p, got, want)
		}
	}
}

// The fast reading of Origin agrees with net/url.
func TestOriginMatchesHost(t *testing.T) {
	for _, c := range []struct {
		origin, host string
		want         bool
	}{
		{"https://example.com", "example.com", true},
		{"HTTPS://example.com", "example.com", true},
		{"https://example.com:8443", "example.com:8443", true},
		{"https://example.com:", "example.com:", true},
		{"https://example.com:x", "example.com:x", false},
		{"https://ex%61mple.com", "example.com", false},
		{"https://u@example.com", "example.com", true},
		{"//example.com", "example.com", true},
		{"https://[::1]:80", "[::1]:80", true},
		{"null", "", true},
		{"null", "example.com", false},
		{"1https://example.com", "example.com", false},
		{"https://example.com", "EXAMPLE.com", false},
	} {
		u, err := url.Parse(c.origin)
		if ref := err == nil && u.Host == c.host; ref != c.want {
			t.Errorf("%q vs %q: net/url says %v, the table %v", c.origin, c.host, ref, c.want)
		}
		if got := originMatchesHost([]byte(c.origin), []byte(c.host)); got != c.want {
			t.Errorf("%q vs %q: %v, want %v", c.origin, c.host, got, c.want)
		}
	}
}

func TestCheckAllocs(t *testing.T) {
	p, err := New(Config{TrustedOrigins: []string{"https://trusted.example"}, BypassPatterns: []string{"/hook/"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Request{
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/x"), SecFetchSite: []byte("cross-site"), Origin: []byte("https://attacker.example")},
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/hook/1"), SecFetchSite: []byte("cross-site")},
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/x"), Origin: []byte("https://example.com")},
		{Method: []byte("POST"), Host: []byte("example.com"), Path: []byte("/x"), Origin: []byte("null")},
		{Method: []byte("PUT"), Host: []byte("example.com"), Path: []byte("/x"), Origin: []byte("https://trusted.example")},
	} {
		if n := testing.AllocsPerRun(100, func() { _ = p.Check(&r) }); n != 0 {
			t.Errorf("%s %s: %v allocations", r.Path, r.Origin, n)
		}
	}
}
